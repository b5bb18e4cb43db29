/**
 * Helpers for CLI tests: fake streams for in-process `main(argv, io)`, and the
 * built binary (bin/nps.js → dist/) spawned as a user would run it.
 */
import { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { projectRoot } from './skip.js';

export class TextSink extends Writable {
  text = '';
  isTTY: boolean;
  columns?: number;
  constructor(opts: { isTTY?: boolean; columns?: number } = {}) {
    super();
    this.isTTY = opts.isTTY ?? false;
    if (opts.columns !== undefined) this.columns = opts.columns;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    cb();
  }
}

export interface FakeIO {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
}

export function fakeIO(o: { stdoutTTY?: boolean; columns?: number; stderrTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): FakeIO {
  return {
    stdout: new TextSink({ isTTY: o.stdoutTTY ?? false, columns: o.columns }),
    stderr: new TextSink({ isTTY: o.stderrTTY ?? false }),
    env: o.env ?? {},
  };
}

export const binPath = join(projectRoot, 'bin', 'nps.js');

/** Builds dist/ when it is missing (bin/nps.js runs dist/nps/main.js). */
export function ensureBuilt(): void {
  if (existsSync(join(projectRoot, 'dist', 'nps', 'main.js'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Runs `node bin/nps.js ...args` with an optional stdin; no colours. */
export function runBin(args: string[], input?: Buffer | string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [binPath, ...args], {
    cwd: projectRoot,
    input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
}
