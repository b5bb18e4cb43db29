/**
 * The durable spool: every push document is written here (gzip JSON, fsynced,
 * renamed into place, directory fsynced) before it is sent, and deleted only
 * after the endpoint acknowledged it. A crash at any point leaves every
 * unacknowledged document on disk; the next run sends them first, in order.
 *
 * Layout of the directory (one writer at a time):
 *   000000000042.<key>.push.gz   a document; <key> is its idempotency_key,
 *                                percent-encoded, so list() knows it without
 *                                reading the body
 *   000000000043.push.gz         a document whose encoded key would make the
 *   000000000043.key             name too long: the key in a sidecar, written
 *                                (atomically) before the document
 *   .tmp-<pid>-<n>               a write in progress; ignored, and removed at
 *                                startup when its process is gone
 * The 12-digit counter continues from the highest one present, so names sort
 * in send order across runs.
 */
import fs from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PushDocument } from './types.js';

export interface SpoolEntry {
  name: string;
  path: string;
  seq: number;
  key: string;
  bytes: number;
}

export interface SpoolOptions {
  /** Bound on the bytes held; over it the oldest entries are deleted first. Default 512 MiB. */
  maxBytes?: number;
  /** Called for each entry deleted by the bound (its data will never be sent). */
  onDrop?: (e: SpoolEntry) => void;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const SEQ_DIGITS = 12;
const DOC_SUFFIX = '.push.gz';
const KEY_SUFFIX = '.key';
const TMP_PREFIX = '.tmp-';
/** Most file systems take names up to 255 bytes. */
const MAX_NAME_BYTES = 254;
const DOC_RE = /^(\d{12})(?:\.([^/]*))?\.push\.gz$/;
const KEY_RE = /^(\d{12})\.key$/;

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly onDrop?: (e: SpoolEntry) => void;
  private readonly dropListeners = new Set<(e: SpoolEntry) => void>();
  /** Entries by name, kept in send order. */
  private entries: SpoolEntry[] = [];
  private bytes = 0;
  private nextSeq = 1;
  private tmpCounter = 0;

  constructor(dir: string, opts: SpoolOptions = {}) {
    this.dir = resolve(dir);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.onDrop = opts.onDrop;
    fs.mkdirSync(this.dir, { recursive: true });
    this.load();
  }

  /** Writes the document durably and returns its entry; then applies the bound (the new entry is always kept). */
  add(doc: PushDocument): SpoolEntry {
    const key = doc.idempotency_key;
    const body = gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'));
    const seq = this.nextSeq++;
    const num = String(seq).padStart(SEQ_DIGITS, '0');
    let name = `${num}.${encodeKey(key)}${DOC_SUFFIX}`;
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
      // The key does not fit in the name: a sidecar, in place before the document.
      name = `${num}${DOC_SUFFIX}`;
      this.writeAtomic(`${num}${KEY_SUFFIX}`, Buffer.from(key, 'utf8'));
    }
    this.writeAtomic(name, body);
    const entry: SpoolEntry = { name, path: join(this.dir, name), seq, key, bytes: body.length };
    this.entries.push(entry);
    this.bytes += entry.bytes;
    this.enforceBound(entry);
    return { ...entry };
  }

  /** Entries in send order (oldest first), including those left by an earlier run. */
  list(): SpoolEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** The gzip body as stored. */
  read(e: SpoolEntry): Buffer {
    return fs.readFileSync(e.path);
  }

  /** Deletes an entry (after the endpoint acknowledged it). Removing one already gone is not an error. */
  remove(e: SpoolEntry): void {
    const i = this.entries.findIndex((x) => x.name === e.name);
    unlinkQuiet(join(this.dir, e.name));
    const m = DOC_RE.exec(e.name);
    if (m && m[2] === undefined) unlinkQuiet(join(this.dir, `${m[1]}${KEY_SUFFIX}`));
    if (i >= 0) {
      this.bytes -= this.entries[i]!.bytes;
      this.entries.splice(i, 1);
    }
  }

  /** Whether the entry is still held (not sent, not dropped by the bound). */
  has(e: SpoolEntry): boolean {
    return this.entries.some((x) => x.name === e.name);
  }

  totalBytes(): number {
    return this.bytes;
  }

  /** Also told of entries dropped by the bound (the Sender listens here); returns the unsubscribe function. */
  onDropped(fn: (e: SpoolEntry) => void): () => void {
    this.dropListeners.add(fn);
    return () => this.dropListeners.delete(fn);
  }

  // ---------------------------------------------------------------------------

  private load(): void {
    const names = fs.readdirSync(this.dir);
    const keyFiles = new Set<string>();
    const docs: { name: string; seq: number; key: string | undefined }[] = [];
    let highest = 0;
    for (const name of names) {
      if (name.startsWith(TMP_PREFIX)) {
        if (!tmpOwnerAlive(name)) unlinkQuiet(join(this.dir, name));
        continue;
      }
      const k = KEY_RE.exec(name);
      if (k) {
        keyFiles.add(k[1]!);
        highest = Math.max(highest, Number(k[1]));
        continue;
      }
      const m = DOC_RE.exec(name);
      if (!m) continue;
      const seq = Number(m[1]);
      highest = Math.max(highest, seq);
      let key: string | undefined;
      if (m[2] !== undefined) {
        try {
          key = decodeURIComponent(m[2]);
        } catch {
          key = undefined;
        }
      }
      docs.push({ name, seq, key });
    }
    docs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const usedKeyFiles = new Set<string>();
    for (const d of docs) {
      const num = d.name.slice(0, SEQ_DIGITS);
      const path = join(this.dir, d.name);
      let key = d.key;
      if (key === undefined && keyFiles.has(num)) {
        try {
          key = fs.readFileSync(join(this.dir, `${num}${KEY_SUFFIX}`), 'utf8');
          usedKeyFiles.add(num);
        } catch {
          key = undefined;
        }
      }
      let bytes: number;
      try {
        bytes = fs.statSync(path).size;
      } catch {
        continue;
      }
      // Last resort (a sidecar lost by hand): the key from the body itself.
      key ??= keyFromBody(path);
      if (key === undefined) continue; // not a document of ours; left alone
      this.entries.push({ name: d.name, path, seq: d.seq, key, bytes });
      this.bytes += bytes;
    }
    // A sidecar whose document never made it (a crash between the two renames).
    for (const num of keyFiles) if (!usedKeyFiles.has(num)) unlinkQuiet(join(this.dir, `${num}${KEY_SUFFIX}`));
    this.nextSeq = highest + 1;
  }

  /** Temp file, write, fsync, close, rename into place, fsync the directory. */
  private writeAtomic(name: string, data: Buffer): void {
    const tmp = join(this.dir, `${TMP_PREFIX}${process.pid}-${++this.tmpCounter}`);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      unlinkQuiet(tmp);
      throw e;
    }
    fs.closeSync(fd);
    try {
      fs.renameSync(tmp, join(this.dir, name));
    } catch (e) {
      unlinkQuiet(tmp);
      throw e;
    }
    this.fsyncDir();
  }

  private fsyncDir(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.dir, 'r');
    } catch {
      return; // a platform that cannot open directories (Windows)
    }
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
    } finally {
      fs.closeSync(fd);
    }
  }

  private enforceBound(keep: SpoolEntry): void {
    while (this.bytes > this.maxBytes && this.entries.length > 1 && this.entries[0]!.name !== keep.name) {
      const victim = this.entries[0]!;
      this.remove(victim);
      const copy = { ...victim };
      for (const fn of this.dropListeners) {
        try {
          fn(copy);
        } catch {
          /* a listener's failure must not stop the spool */
        }
      }
      this.onDrop?.(copy);
    }
  }
}

/** encodeURIComponent, plus the characters it leaves that are awkward in file names. */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function unlinkQuiet(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** `.tmp-<pid>-<n>`: true while another process with that pid runs (a write of a concurrent run: left alone). */
function tmpOwnerAlive(name: string): boolean {
  const m = /^\.tmp-(\d+)-\d+$/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false; // ours cannot be in progress before the constructor returns
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function keyFromBody(path: string): string | undefined {
  try {
    const doc = JSON.parse(gunzipSync(fs.readFileSync(path)).toString('utf8')) as { idempotency_key?: unknown };
    return typeof doc.idempotency_key === 'string' ? doc.idempotency_key : undefined;
  } catch {
    return undefined;
  }
}
