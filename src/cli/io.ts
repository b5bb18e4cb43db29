/** The streams and terminal facts a command may use, injectable for in-process tests. */
import { Chalk, type ChalkInstance } from 'chalk';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Colour for a stream: NO_COLOR wins, FORCE_COLOR forces, otherwise only on a
 * terminal. chalk's own detection ignores NO_COLOR on a TTY, so decide here.
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ChalkInstance {
  let level: 0 | 1 | 2 | 3 = stream.isTTY ? 1 : 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') level = 1;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') level = 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') level = 0;
  return new Chalk({ level });
}
