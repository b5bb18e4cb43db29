/**
 * The durable store of `nps receive`: DATA_DIR/pushes.ndjson, one line per
 * stored push, `{"idempotency_key", "received_at", "document"}`, appended and
 * fsynced before the push is acknowledged.
 *
 * Why an append-only NDJSON file and not SQLite: it needs no native module
 * (better-sqlite3 must be compiled at install time, node:sqlite needs Node 22
 * while nps supports Node 20), and it gives exactly the durability the
 * endpoint promises: one record per push, written whole with a single write
 * and fsynced before the 2xx answer. A crash can only tear the last line,
 * which is recognised and cut off on the next start. Records are never
 * rewritten, so the file is also a plain audit log that `jq` can read.
 *
 * Appends are synchronous (writeSync + fsyncSync): the "already stored?" check
 * and the append of a key happen in one turn of the event loop, so concurrent
 * requests with the same key are serialised and stored once.
 *
 * DATA_DIR/receive.lock (created with O_EXCL, holding the pid) keeps two
 * servers from appending to the same file; a lock whose pid is dead is taken over.
 */
import { closeSync, constants, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PushDocument } from '../push/types.js';

export const STORE_FILE = 'pushes.ndjson';
export const LOCK_FILE = 'receive.lock';

export interface StoredRecord {
  idempotency_key: string;
  received_at: string;
  document: PushDocument;
}

/** Problems with the data directory: locked by a live server, a damaged store, unreadable files. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly kind: 'locked' | 'corrupt' | 'io' | 'missing',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface StoreOpenOptions {
  /** Read only (nps receive --print): no lock, no directory creation, a torn last line is ignored rather than cut. */
  readOnly?: boolean;
  /** Warnings (a torn last line cut off, a duplicate record skipped). */
  warn?: (message: string) => void;
  /** Called with each record of the file in order while opening (to rebuild the inventory). */
  onRecord?: (record: StoredRecord) => void;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRecord(v: unknown): v is StoredRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.idempotency_key === 'string' && typeof r.document === 'object' && r.document !== null && !Array.isArray(r.document);
}

export class PushStore {
  readonly file: string;
  readonly lockFile: string;
  private fd: number | null = null;
  private size = 0;
  private readonly keys = new Set<string>();
  private lockHeld = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly readOnly: boolean,
  ) {
    this.file = join(dir, STORE_FILE);
    this.lockFile = join(dir, LOCK_FILE);
  }

  /** Opens (and for writing, locks and creates) the store in `dir`, replaying its records through `onRecord`. */
  static open(dir: string, opts: StoreOpenOptions = {}): PushStore {
    const store = new PushStore(dir, opts.readOnly === true);
    if (store.readOnly) {
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch (e) {
        if (errCode(e) === 'ENOENT') throw new StoreError(`the data directory ${dir} does not exist; give the --data-dir of a running or earlier nps receive`, 'missing');
        throw new StoreError(`cannot read the data directory ${dir}: ${errCode(e)}`, 'io');
      }
      if (!isDir) throw new StoreError(`${dir} is not a directory; give the --data-dir of nps receive`, 'missing');
      store.load(opts);
      return store;
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new StoreError(`cannot create the data directory ${dir}: ${errCode(e)}; give a writable --data-dir`, 'io');
    }
    store.lock();
    try {
      store.load(opts);
      store.fd = openSync(store.file, 'a');
      store.size = statSync(store.file).size;
      store.syncDir();
    } catch (e) {
      store.unlock();
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot open ${store.file} for appending: ${errCode(e)}`, 'io');
    }
    return store;
  }

  /** Number of stored pushes. */
  get count(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Appends one push and fsyncs it; returns the record. The caller checks
   * `has()` first in the same turn of the event loop. On a failed write the
   * file is cut back to its previous length, so no partial line stays behind.
   */
  append(doc: PushDocument, receivedAt = new Date()): StoredRecord {
    if (this.fd === null || this.closed) throw new StoreError('the store is closed', 'io');
    if (this.keys.has(doc.idempotency_key)) throw new StoreError(`push ${doc.idempotency_key} is already stored`, 'io');
    const record: StoredRecord = { idempotency_key: doc.idempotency_key, received_at: receivedAt.toISOString(), document: doc };
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
      fsyncSync(this.fd);
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // The next start cuts a torn last line anyway.
      }
      throw new StoreError(`cannot write to ${this.file}: ${errCode(e)}`, 'io');
    }
    this.size += line.length;
    this.keys.add(doc.idempotency_key);
    return record;
  }

  /** Closes the file and removes the lock. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== null) {
      try {
        fsyncSync(this.fd);
      } catch {
        // Every append was already fsynced.
      }
      closeSync(this.fd);
      this.fd = null;
    }
    this.unlock();
  }

  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        this.lockHeld = true;
        return;
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw new StoreError(`cannot create the lock ${this.lockFile}: ${errCode(e)}; give a writable --data-dir`, 'io');
      }
      let text = '';
      try {
        text = readFileSync(this.lockFile, 'utf8');
      } catch (e) {
        if (errCode(e) === 'ENOENT') continue; // released meanwhile: try again
        throw new StoreError(`cannot read the lock ${this.lockFile}: ${errCode(e)}`, 'io');
      }
      const pid = Number.parseInt(text.trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
        throw new StoreError(
          `${this.dir} is in use by another nps receive (pid ${pid}, lock ${this.lockFile}); stop that one first or give another --data-dir`,
          'locked',
        );
      }
      // A dead (or unreadable) pid: the server that held it is gone; take the lock over.
      try {
        unlinkSync(this.lockFile);
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw new StoreError(`cannot remove the stale lock ${this.lockFile}: ${errCode(e)}`, 'io');
      }
    }
    throw new StoreError(`cannot take the lock ${this.lockFile}: another nps receive is starting in ${this.dir}`, 'locked');
  }

  private unlock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    try {
      const text = readFileSync(this.lockFile, 'utf8');
      if (Number.parseInt(text.trim(), 10) === process.pid) unlinkSync(this.lockFile);
    } catch {
      // Already gone.
    }
  }

  /** fsync of the directory, so a newly created pushes.ndjson survives a crash. */
  private syncDir(): void {
    let fd: number | null = null;
    try {
      fd = openSync(this.dir, 'r');
      fsyncSync(fd);
    } catch {
      // Not supported everywhere (Windows); the file's own fsync still holds.
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  /** Reads every record; a torn last line is cut off (or, read-only, ignored); a bad line before it is an error. */
  private load(opts: StoreOpenOptions): void {
    let data: Buffer;
    try {
      data = readFileSync(this.file);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return;
      throw new StoreError(`cannot read ${this.file}: ${errCode(e)}`, 'io');
    }
    const warn = opts.warn ?? (() => {});
    let start = 0;
    let lineNo = 0;
    let goodEnd = 0; // byte offset after the last good line
    while (start < data.length) {
      lineNo++;
      const nl = data.indexOf(0x0a, start);
      const end = nl === -1 ? data.length : nl;
      const text = data.subarray(start, end).toString('utf8');
      const next = nl === -1 ? data.length : nl + 1;
      const last = next >= data.length;
      let record: StoredRecord | null = null;
      if (nl !== -1) {
        try {
          const v: unknown = JSON.parse(text);
          if (isRecord(v)) record = v;
        } catch {
          record = null;
        }
      }
      if (record === null) {
        if (!last) {
          if (text.trim() === '') {
            // A blank line (an editor's doing) carries nothing: skip it.
            start = next;
            goodEnd = next;
            continue;
          }
          throw new StoreError(
            `${this.file} line ${lineNo} is not a stored push record (JSON with idempotency_key and document); the file was edited or damaged: repair or remove that line`,
            'corrupt',
          );
        }
        const why = nl === -1 ? 'has no newline' : 'is not a complete record';
        if (this.readOnly) {
          warn(`${this.file}: the last line (line ${lineNo}, ${data.length - start} bytes) ${why} (a write cut short); ignored`);
        } else {
          warn(`${this.file}: the last line (line ${lineNo}, ${data.length - start} bytes) ${why} (a write cut short by a crash); cut off, the push was never acknowledged`);
          this.truncate(goodEnd);
        }
        break;
      }
      if (this.keys.has(record.idempotency_key)) {
        warn(`${this.file} line ${lineNo}: push ${record.idempotency_key} is stored twice; the later copy is ignored`);
      } else {
        this.keys.add(record.idempotency_key);
        if (!Array.isArray(record.document.removed_assets)) record.document.removed_assets = [];
        opts.onRecord?.(record);
      }
      start = next;
      goodEnd = next;
    }
  }

  private truncate(length: number): void {
    let fd: number | null = null;
    try {
      fd = openSync(this.file, 'r+');
      ftruncateSync(fd, length);
      fsyncSync(fd);
    } catch (e) {
      throw new StoreError(`cannot cut the torn last line of ${this.file}: ${errCode(e)}`, 'io');
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

