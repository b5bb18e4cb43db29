/**
 * A temporary file for data too big to keep in memory, unlinked as soon as
 * it is opened: only its descriptor keeps it, so nothing is left behind
 * however the process ends (even killed).
 */
import { mkdtempSync, openSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A read-write descriptor of a new, already unlinked file in `dir` (TMPDIR by default), or null when none can be made. */
export function openScratchFile(prefix: string, dir = tmpdir()): number | null {
  let sub: string | null = null;
  try {
    sub = mkdtempSync(join(dir, prefix));
    const path = join(sub, 'data');
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return fd;
  } catch {
    return null;
  } finally {
    if (sub !== null) rmSync(sub, { recursive: true, force: true });
  }
}
