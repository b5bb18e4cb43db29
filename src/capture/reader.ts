/**
 * Capture file readers: format detection (pcap / pcapng, optionally gzip
 * compressed), streaming from files, stdin or any Readable, zero copy.
 *
 * Regular (uncompressed) files are read in large chunks into one reusable
 * buffer; every complete record is parsed in place and handed out through a
 * single reused Frame that points into that buffer. Only the partial record at
 * the end of a chunk is moved to the front of the buffer before the next read
 * (the buffer grows when one record is larger than it).
 *
 * Streams (stdin, gunzip output, live pipes) are parsed in place in each chunk
 * they deliver; a record split over two chunks is assembled in a carry buffer.
 *
 * Memory is flat whatever the capture size: it is bounded by the chunk size
 * and the largest record.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { Readable, pipeline, type TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import type { CaptureInfo, Frame } from './frame.js';
import { CaptureParser, PcapParser, isPcapMagic } from './pcap-parser.js';
import { PcapngParser } from './pcapng-parser.js';

export type FrameCallback = (frame: Frame) => boolean | void; // return false to stop reading early

export interface ReadOptions {
  /** Stop after N packet records delivered. */
  maxPackets?: number;
  /**
   * Called at most once per chunk read with the number of bytes read so far
   * from the source itself: file bytes for files (compressed bytes for gzip
   * files, so it compares with captureSize()), raw bytes for streams.
   */
  onProgress?: (bytesRead: number) => void;
}

/** The input could not be read at all (the CLI exits 3). */
export class CaptureOpenError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly reason: 'not-found' | 'not-a-capture' | 'unreadable' | 'empty',
  ) {
    super(message);
    this.name = 'CaptureOpenError';
  }
}

/** Room kept at the front of a read-ahead buffer for a record split between two chunks. */
const RESERVE = 256 * 1024;
/** Chunk size for regular files. */
const FILE_CHUNK = 8 * 1024 * 1024;
/** Read size for compressed files. */
const GZIP_READ = 1024 * 1024;
/**
 * zlib drops the output it produced since its last push when it hits damage;
 * it pushes at most GZIP_OUT bytes at a time, so damage loses at most that
 * much of what came before it. It is fed in slices of GZIP_SLICE (views, no
 * copy): every slice costs a round trip between this thread and the thread
 * pool that inflates, and with 16 KiB slices those round trips, not
 * inflating, were most of the time (a 140 MB capture compressed to 87 MB:
 * 4.1 s against 2.0 s uncompressed; with 256 KiB, 2.4–3.0 s).
 */
const GZIP_SLICE = 256 * 1024;
const GZIP_OUT = 256 * 1024;
/** Decompressed bytes zlib may hold ahead of the parser, so that inflating goes on while the engine works. */
const GZIP_AHEAD = 8 * 1024 * 1024;

/** Total size in bytes for progress (file size; undefined for stdin and non-regular files). */
export function captureSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a capture file; path '-' means stdin. Resolves with CaptureInfo;
 * rejects only with CaptureOpenError (never for damaged content: that is
 * reported in CaptureInfo.problems). An exception thrown by onFrame itself is
 * passed through unchanged.
 */
export async function readCapture(path: string, onFrame: FrameCallback, opts: ReadOptions = {}): Promise<CaptureInfo> {
  if (path === '-') return readCaptureStream(process.stdin, 'stdin', onFrame, opts);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw openError(e, path);
  }
  try {
    let size: number | undefined;
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new CaptureOpenError(`${path}: is a directory, not a capture file`, path, 'unreadable');
      if (st.isFile()) size = st.size;
    } catch (e) {
      if (e instanceof CaptureOpenError) throw e;
      throw openError(e, path);
    }
    return await readFromHandle(fh, path, size, onFrame, opts);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Same as readCapture from any Readable (stdin, a tcpdump pipe...); `name` is
 * used in messages. Gzip, pcap and pcapng are detected from the first bytes.
 * When reading stops early (callback returned false, maxPackets reached) the
 * stream is destroyed.
 */
export async function readCaptureStream(
  stream: NodeJS.ReadableStream,
  name: string,
  onFrame: FrameCallback,
  opts: ReadOptions = {},
): Promise<CaptureInfo> {
  return readFromChunks(streamChunks(stream as AsyncIterable<Buffer | string>, opts.onProgress), name, onFrame, opts);
}

// ---------------------------------------------------------------------------

function openError(e: unknown, path: string): CaptureOpenError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new CaptureOpenError(`${path}: no such file (check the path)`, path, 'not-found');
    case 'EISDIR':
      return new CaptureOpenError(`${path}: is a directory, not a capture file`, path, 'unreadable');
    case 'EACCES':
    case 'EPERM':
      return new CaptureOpenError(`${path}: permission denied (check the file's permissions)`, path, 'unreadable');
    default:
      return new CaptureOpenError(`${path}: cannot read: ${detail}`, path, 'unreadable');
  }
}

function hex(buf: Buffer, start: number, end: number): string {
  const out: string[] = [];
  for (let i = start; i < end; i++) out.push(buf[i].toString(16).padStart(2, '0'));
  return out.join(' ');
}

/** Picks the parser for a stream starting with buf[0..4), or throws CaptureOpenError. */
function detect(buf: Buffer, len: number, name: string, onFrame: FrameCallback, opts: ReadOptions): CaptureParser {
  if (len === 0) throw new CaptureOpenError(`${name} is empty: there is nothing to read`, name, 'empty');
  if (len < 4) {
    throw new CaptureOpenError(`${name}: not a pcap or pcapng file (only ${len} byte${len === 1 ? '' : 's'}: ${hex(buf, 0, len)})`, name, 'not-a-capture');
  }
  if (isPcapMagic(buf, 0)) return new PcapParser(onFrame, opts.maxPackets);
  if (buf.readUInt32BE(0) === 0x0a0d0d0a) return new PcapngParser(onFrame, opts.maxPackets);
  throw new CaptureOpenError(`${name}: ${describeUnknown(buf, len)}`, name, 'not-a-capture');
}

function describeUnknown(buf: Buffer, len: number): string {
  const first = `first bytes ${hex(buf, 0, Math.min(len, 4))}`;
  const ascii = buf.toString('latin1', 0, Math.min(len, 8));
  const be = buf.readUInt32BE(0);
  const convert = 'convert it to pcap or pcapng first, e.g. with "editcap -F pcapng IN OUT"';
  if (ascii.startsWith('snoop')) return `this is a Sun snoop capture, not pcap or pcapng: ${convert}`;
  if (ascii.startsWith('GMBU') || ascii.startsWith('RTSS')) return `this is a Microsoft Network Monitor capture, not pcap or pcapng: ${convert}`;
  if (ascii.startsWith('XCP\0')) return `this is a NetXRay/Sniffer capture, not pcap or pcapng: ${convert}`;
  if (ascii.startsWith('BZh')) return `the file is bzip2-compressed: decompress it first (bunzip2) (${first})`;
  if (be === 0xfd377a58) return `the file is xz-compressed: decompress it first (unxz) (${first})`;
  if (be === 0x28b52ffd) return `the file is zstd-compressed: decompress it first (zstd -d) (${first})`;
  if (be === 0x04224d18) return `the file is lz4-compressed: decompress it first (lz4 -d) (${first})`;
  if (ascii.startsWith('PK\x03\x04')) return `the file is a zip archive: extract the capture first (${first})`;
  return `not a pcap or pcapng file (first bytes ${first.replace(/^first bytes /, "")}); give a capture written by tcpdump -w, dumpcap or Wireshark`;
}

function info(parser: CaptureParser, gzip: boolean): CaptureInfo {
  return {
    format: parser.format,
    gzip,
    linkTypes: parser.linkTypes.slice(),
    packets: parser.packets,
    bytesRead: parser.pos,
    problems: parser.allProblems(),
  };
}

function finish(parser: CaptureParser, name: string, gzip: boolean): CaptureInfo {
  if (parser.openError) {
    throw new CaptureOpenError(`${name}: ${parser.openError.message}`, name, parser.openError.reason);
  }
  return info(parser, gzip);
}

/** Regular files, FIFOs, devices: read into one reusable buffer. */
async function readFromHandle(
  fh: FileHandle,
  path: string,
  fileSize: number | undefined,
  onFrame: FrameCallback,
  opts: ReadOptions,
): Promise<CaptureInfo> {
  const progress = opts.onProgress;
  // small files do not need an 8 MiB buffer (+1: the read that sees the end)
  const size = fileSize === undefined ? FILE_CHUNK : Math.max(64 * 1024, Math.min(FILE_CHUNK, fileSize + 1));
  let buf: Buffer = Buffer.allocUnsafeSlow(size);
  let fill = 0; // valid bytes at buf[0..fill)
  let total = 0; // bytes read from the file

  const read = async (): Promise<number> => {
    const { bytesRead } = await fh.read(buf, fill, buf.length - fill, null);
    fill += bytesRead;
    total += bytesRead;
    if (bytesRead > 0 && progress) progress(total);
    return bytesRead;
  };

  // First bytes: enough to tell gzip / pcap / pcapng apart.
  let eof = false;
  try {
    while (fill < 4 && !eof) eof = (await read()) === 0;
  } catch (e) {
    throw openError(e, path);
  }
  if (fill >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    // buf is not used by this function any more: hand it over without a copy
    return readFromChunks(fileChunks(fh, buf.subarray(0, fill), progress), path, onFrame, opts);
  }
  const parser = detect(buf, fill, path, onFrame, opts);

  // Read ahead: while one buffer is parsed, the next chunk is read into the
  // other (the read runs on libuv's thread pool), so parsing never waits for
  // the disk or the page cache. A buffer keeps RESERVE bytes free at its
  // front for the partial record left over from the previous chunk.
  let start = 0;
  let spare: Buffer | null = eof ? null : Buffer.allocUnsafeSlow(buf.length + RESERVE);
  for (;;) {
    const pending = eof || spare === null ? null : fh.read(spare, RESERVE, spare.length - RESERVE, null);
    // A rejected read is reported where it is awaited.
    pending?.catch(() => undefined);
    const consumed = parser.parse(buf, start, fill, eof);
    if (parser.done || eof || pending === null) {
      if (pending !== null) await pending.catch(() => undefined);
      break;
    }
    let bytesRead: number;
    try {
      bytesRead = (await pending).bytesRead;
    } catch (e) {
      parser.abort('read-error', `reading ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
      break;
    }
    total += bytesRead;
    if (bytesRead > 0 && progress) progress(total);
    eof = bytesRead === 0;
    const restStart = start + consumed;
    const rest = fill - restStart;
    const next: Buffer = spare!;
    if (rest <= RESERVE && parser.need <= next.length - (RESERVE - rest)) {
      buf.copy(next, RESERVE - rest, restStart, fill);
      spare = buf.length >= next.length ? buf : Buffer.allocUnsafeSlow(next.length);
      buf = next;
      start = RESERVE - rest;
      fill = RESERVE + bytesRead;
    } else {
      // A record larger than the reserve or the chunk: join the pieces in a buffer big enough for it.
      const need = Math.max(parser.need, rest + bytesRead);
      const joined = Buffer.allocUnsafeSlow(Math.max(need * 2, next.length));
      buf.copy(joined, 0, restStart, fill);
      next.copy(joined, rest, RESERVE, RESERVE + bytesRead);
      buf = joined;
      start = 0;
      fill = rest + bytesRead;
      spare = Buffer.allocUnsafeSlow(joined.length + RESERVE);
    }
  }
  return finish(parser, path, false);
}

/** Raw chunks of a file (for gzip files): `first` holds its first bytes, already read. */
async function* fileChunks(fh: FileHandle, first: Buffer, progress: ((n: number) => void) | undefined): AsyncGenerator<Buffer> {
  let pos = first.length;
  yield first;
  for (;;) {
    // a fresh buffer per chunk: zlib may still hold on to the previous one
    const chunk = Buffer.allocUnsafe(GZIP_READ);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    if (progress) progress(pos);
    yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
  }
}

/** Chunks of a stream as Buffers, counting raw bytes for onProgress. */
async function* streamChunks(src: AsyncIterable<Buffer | string>, progress: ((n: number) => void) | undefined): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const c of src) {
    const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
    if (b.length === 0) continue;
    total += b.length;
    if (progress) progress(total);
    yield b;
  }
}

/**
 * Pulls chunks from `it` into the feeder until the end, an early stop or a
 * source error (returned, not thrown). Exceptions from the feeder (open
 * errors, the user's callback) propagate.
 */
async function pump(it: AsyncIterator<Buffer>, feeder: Feeder): Promise<unknown> {
  for (;;) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (e) {
      return e ?? new Error('stream error');
    }
    if (r.done) return undefined;
    feeder.push(r.value);
    if (feeder.stopped()) return undefined;
  }
}

/** Any chunk source: detects gzip, then parses the (decompressed) chunks. */
async function readFromChunks(raw: AsyncGenerator<Buffer>, name: string, onFrame: FrameCallback, opts: ReadOptions): Promise<CaptureInfo> {
  try {
    // Peek at the first two bytes.
    const head: Buffer[] = [];
    let headLen = 0;
    try {
      while (headLen < 2) {
        const r = await raw.next();
        if (r.done) break;
        head.push(r.value);
        headLen += r.value.length;
      }
    } catch (e) {
      throw openError(e, name);
    }
    const gzip = headLen >= 2 && head[0][0] === 0x1f && (head[0].length > 1 ? head[0][1] : head[1][0]) === 0x8b;
    const feeder = new Feeder(name, onFrame, opts);

    if (!gzip) {
      for (const h of head) {
        feeder.push(h);
        if (feeder.stopped()) break;
      }
      const failure = feeder.stopped() ? undefined : await pump(raw, feeder);
      if (failure !== undefined) {
        if (!feeder.headerDone()) throw openError(failure, name);
        feeder.parser!.abort('read-error', `reading ${name} failed: ${errText(failure)}`);
      }
      return feeder.end(false);
    }

    async function* compressed(): AsyncGenerator<Buffer> {
      for (const chunks of [head, raw]) {
        for await (const c of chunks) {
          for (let i = 0; i < c.length; i += GZIP_SLICE) yield c.subarray(i, Math.min(c.length, i + GZIP_SLICE));
        }
      }
    }
    const source = Readable.from(compressed(), { objectMode: false });
    // (zlib streams take Transform options too, which ZlibOptions does not list.)
    const zopts: ZlibOptions & TransformOptions = { chunkSize: GZIP_OUT, readableHighWaterMark: GZIP_AHEAD };
    const gunzip = createGunzip(zopts);
    pipeline(source, gunzip, () => undefined); // errors surface through gunzip
    let failure: unknown;
    try {
      failure = await pump(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>, feeder);
    } finally {
      gunzip.destroy();
      source.destroy();
    }
    if (failure !== undefined) {
      const code = (failure as NodeJS.ErrnoException).code;
      const zlibErr = typeof code === 'string' && code.startsWith('Z_');
      const truncated = code === 'Z_BUF_ERROR';
      if (!feeder.headerDone()) {
        if (!zlibErr) throw openError(failure, name);
        throw new CaptureOpenError(
          `${name}: the gzip data is ${truncated ? 'cut short' : 'damaged'} before the capture header (${errText(failure)})`,
          name,
          'not-a-capture',
        );
      }
      const parser = feeder.parser!;
      if (truncated) {
        parser.abort('truncated-capture', `the gzip stream ends unexpectedly (${errText(failure)}): the file was cut short; packets before it were read`);
      } else if (zlibErr) {
        parser.abort('bad-gzip', `the gzip data is damaged (${errText(failure)}); packets before it were read`);
      } else {
        parser.abort('read-error', `reading ${name} failed: ${errText(failure)}`);
      }
    }
    return feeder.end(true);
  } finally {
    await raw.return(undefined).catch(() => undefined);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Parses a sequence of chunks in place; a record split across chunks is
 * assembled in a carry buffer (only that record is copied).
 */
class Feeder {
  parser: CaptureParser | undefined;
  private work = Buffer.allocUnsafeSlow(64 * 1024);
  private carry = 0;

  constructor(
    private readonly name: string,
    private readonly sink: FrameCallback,
    private readonly opts: ReadOptions,
  ) {}

  stopped(): boolean {
    return this.parser !== undefined && this.parser.done;
  }

  headerDone(): boolean {
    return this.parser !== undefined && (this.parser.pos > 0 || this.parser.packets > 0);
  }

  private append(c: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.carry + n > this.work.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.carry + n, this.work.length * 2));
      this.work.copy(bigger, 0, 0, this.carry);
      this.work = bigger;
    }
    c.copy(this.work, this.carry, from, to);
    this.carry += n;
  }

  push(c: Buffer): void {
    const clen = c.length;
    let cpos = 0;
    if (!this.parser) {
      const take = Math.min(4 - this.carry, clen);
      this.append(c, 0, take);
      cpos = take;
      if (this.carry < 4) return;
      this.parser = detect(this.work, this.carry, this.name, this.sink, this.opts);
    }
    const parser = this.parser;
    // Complete the record carried over from the previous chunk(s).
    while (this.carry > 0) {
      if (parser.need <= this.carry) {
        const n = parser.parse(this.work, 0, this.carry, false);
        if (n > 0) {
          this.work.copyWithin(0, n, this.carry);
          this.carry -= n;
        }
        if (parser.done) return;
        if (n > 0) continue;
      }
      if (cpos >= clen) return;
      const take = Math.min(parser.need - this.carry, clen - cpos);
      this.append(c, cpos, cpos + take);
      cpos += take;
    }
    // Parse the rest of the chunk where it is; keep the partial tail.
    if (cpos < clen) {
      const n = parser.parse(c, cpos, clen, false);
      if (parser.done) return;
      if (cpos + n < clen) this.append(c, cpos + n, clen);
    }
  }

  end(gzip: boolean): CaptureInfo {
    if (!this.parser) {
      // fewer than 4 bytes in the whole stream
      this.parser = detect(this.work, this.carry, this.name, this.sink, this.opts);
    }
    const parser = this.parser;
    if (!parser.done) {
      parser.parse(this.work, 0, this.carry, true);
      this.carry = 0;
    }
    return finish(parser, this.name, gzip);
  }
}
