import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sharedCaptures = join(projectRoot, '..', 'shared', 'captures');

/** Prints the marker the test runner counts as a skipped suite. */
export function skip(reason: string): void {
  process.stdout.write(`# skip: ${reason}\n`);
}

export function haveShared(): boolean {
  return existsSync(sharedCaptures);
}

export function haveTool(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return !r.error;
}
