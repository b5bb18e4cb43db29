/**
 * Capture writers: classic pcap and pcapng, streaming.
 *
 * Used by tests, sample captures and the benchmark to produce captures from
 * packets built in code (see builder.ts). Records are assembled in a large
 * chunk buffer owned by the writer (default 4 MiB) and handed to a ByteSink in
 * big pieces, so writing millions of packets costs one copy per packet and a
 * few system calls per chunk.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** LINKTYPE_* values used by the project (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Where a writer's bytes go. `write` must consume (copy or write out) the chunk before returning. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  close?(): void;
}

/** A packet to write; `tsUs` is microseconds since the Unix epoch. */
export interface WriterPacket {
  tsUs: number;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
  /** pcapng interface id (within the current section); ignored by PcapWriter. */
  ifIndex?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

function writeAllSync(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      // Non-blocking stdout pipes can report EAGAIN: retry.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** A sink writing synchronously to an open file descriptor, buffering small writes. */
export function fdSink(fd: number, opts: { closeFd?: boolean; chunkSize?: number } = {}): ByteSink {
  const size = opts.chunkSize ?? 1024 * 1024;
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  let closed = false;
  const flush = (): void => {
    if (pos > 0) writeAllSync(fd, buf.subarray(0, pos));
    pos = 0;
  };
  return {
    write(chunk: Uint8Array): void {
      if (closed) throw new Error('fdSink: write after close');
      if (chunk.length >= size >>> 1) {
        flush();
        writeAllSync(fd, chunk);
        return;
      }
      if (pos + chunk.length > size) flush();
      buf.set(chunk, pos);
      pos += chunk.length;
    },
    close(): void {
      if (closed) return;
      flush();
      closed = true;
      if (opts.closeFd ?? true) closeSync(fd);
    },
  };
}

/** A sink that creates (truncates) `path` and writes to it synchronously in large chunks. */
export function fileSink(path: string, opts: { chunkSize?: number } = {}): ByteSink {
  return fdSink(openSync(path, 'w'), { closeFd: true, chunkSize: opts.chunkSize });
}

/** A sink collecting everything in memory; `bytes()` returns the concatenation so far. */
export function memorySink(): ByteSink & { bytes(): Buffer } {
  const parts: Buffer[] = [];
  let cached: Buffer | null = null;
  return {
    write(chunk: Uint8Array): void {
      parts.push(Buffer.from(chunk)); // copy: writers reuse their chunk buffer
      cached = null;
    },
    close(): void {},
    bytes(): Buffer {
      if (cached === null) {
        cached = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        parts.length = 0;
        parts.push(cached);
      }
      return cached;
    },
  };
}

/** Chunk buffer shared by both writers: fixed size, flushed to the sink when full. */
class ChunkBuffer {
  readonly buf: Buffer;
  readonly dv: DataView;
  pos = 0;
  le: boolean;
  constructor(
    private readonly sink: ByteSink,
    size: number,
    littleEndian: boolean,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 4096));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.le = littleEndian;
  }
  /** Makes room for `n` contiguous bytes (n <= buffer size). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.dv.setUint16(this.pos, v, this.le);
    this.pos += 2;
  }
  u32(v: number): void {
    this.dv.setUint32(this.pos, v >>> 0, this.le);
    this.pos += 4;
  }
  i32(v: number): void {
    this.dv.setInt32(this.pos, v, this.le);
    this.pos += 4;
  }
  /** Writes a block's trailing length (after a bytes() call that may have filled the chunk). */
  trailer(total: number): void {
    this.reserve(4);
    this.u32(total);
  }
  zeros(n: number): void {
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  /** Copies bytes into the chunk, or hands big ones straight to the sink. */
  bytes(b: Uint8Array): void {
    if (b.length > this.buf.length - this.pos) {
      if (b.length >= this.buf.length >>> 2) {
        this.flush();
        this.sink.write(b);
        return;
      }
      this.flush();
    }
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  flush(): void {
    if (this.pos > 0) this.sink.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

function checkTs(tsUs: number): void {
  if (!Number.isSafeInteger(tsUs) || tsUs < 0) throw new RangeError(`timestamp must be a non-negative integer of microseconds, got ${tsUs}`);
}

// ---------------------------------------------------------------------------
// classic pcap

export interface PcapWriterOptions {
  linkType?: number;
  snaplen?: number;
  /** Nanosecond magic (0xa1b23c4d) and nanosecond timestamps. */
  nanosecond?: boolean;
  bigEndian?: boolean;
  versionMajor?: number;
  versionMinor?: number;
  /** Chunk buffer size in bytes (default 4 MiB). */
  chunkSize?: number;
}

/** Classic libpcap file writer (little endian, microsecond magic by default). */
export class PcapWriter {
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  /** Packet records written. */
  packets = 0;
  private readonly out: ChunkBuffer;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    opts: PcapWriterOptions = {},
  ) {
    this.linkType = opts.linkType ?? LINKTYPE.ETHERNET;
    this.snaplen = opts.snaplen ?? 262144;
    this.nanosecond = opts.nanosecond ?? false;
    this.out = new ChunkBuffer(sink, opts.chunkSize ?? DEFAULT_CHUNK, !(opts.bigEndian ?? false));
    const o = this.out;
    o.u32(this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    o.u16(opts.versionMajor ?? 2);
    o.u16(opts.versionMinor ?? 4);
    o.i32(0); // thiszone
    o.u32(0); // sigfigs
    o.u32(this.snaplen);
    o.u32(this.linkType);
  }

  /** Writes one record; data longer than the snap length is truncated (origLen keeps the wire length). */
  write(tsUs: number, data: Uint8Array, origLen?: number): void {
    checkTs(tsUs);
    const sec = Math.floor(tsUs / 1e6);
    const usec = tsUs - sec * 1e6;
    const cap = this.snaplen > 0 && data.length > this.snaplen ? data.subarray(0, this.snaplen) : data;
    this.writeRaw(sec, this.nanosecond ? usec * 1000 : usec, cap, cap.length, origLen ?? data.length);
  }

  writePacket(p: WriterPacket): void {
    this.write(p.tsUs, p.data, p.origLen);
  }

  /**
   * Writes a record with raw header fields, for malformed-capture tests:
   * `capLen` may differ from data.length (the record header lies).
   */
  writeRaw(tsSec: number, tsFrac: number, data: Uint8Array, capLen = data.length, origLen = data.length): void {
    if (this.closed) throw new Error('PcapWriter: write after close');
    const o = this.out;
    o.reserve(16);
    o.u32(tsSec);
    o.u32(tsFrac);
    o.u32(capLen);
    o.u32(origLen);
    o.bytes(data);
    this.packets++;
  }

  /** Writes arbitrary bytes (e.g. a truncated trailing record in tests). */
  writeBytes(b: Uint8Array): void {
    this.out.bytes(b);
  }

  /** Pushes buffered bytes to the sink. */
  flush(): void {
    this.out.flush();
  }

  /** Flushes and closes the sink. */
  close(): void {
    if (this.closed) return;
    this.out.flush();
    this.closed = true;
    this.sink.close?.();
  }
}

// ---------------------------------------------------------------------------
// pcapng

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export interface PcapngWriterOptions {
  bigEndian?: boolean;
  /** SHB options of the first section. */
  shb?: PcapngSectionOptions;
  chunkSize?: number;
}

export interface PcapngSectionOptions {
  hardware?: string;
  os?: string;
  userappl?: string;
  comment?: string;
}

export interface PcapngInterfaceOptions {
  linkType: number;
  /** 0 = unlimited (default 262144). */
  snaplen?: number;
  /** Raw if_tsresol byte: 6 = microseconds (default, option omitted), 9 = ns, 0x80|n = 2^-n s. */
  tsresol?: number;
  /** if_tsoffset in seconds (timestamps are written relative to it). */
  tsoffset?: number;
  name?: string;
  description?: string;
  /** Write the if_tsresol option even when it is 6. */
  explicitTsresol?: boolean;
}

export interface PacketBlockOptions {
  comment?: string;
  /** epb_flags (direction bits 0-1: 1 inbound, 2 outbound). */
  flags?: number;
  /** Extra raw options. */
  options?: PcapngOption[];
}

interface IfState {
  snaplen: number;
  tsresol: number;
  tsoffset: number;
}

const utf8 = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;

/** Splits a timestamp in microseconds into (high, low) 32-bit halves in the interface's units. */
export function pcapngTimestamp(tsUs: number, tsresol = 6, tsoffsetSec = 0): [number, number] {
  checkTs(tsUs);
  const rel = tsUs - tsoffsetSec * 1e6;
  let units: number | bigint;
  if (tsresol === 6) units = rel;
  else if (tsresol & 0x80) units = (BigInt(rel) << BigInt(tsresol & 0x7f)) / 1000000n;
  else if (tsresol > 6) units = BigInt(rel) * 10n ** BigInt(tsresol - 6);
  else units = Math.floor(rel / 10 ** (6 - tsresol));
  if (typeof units === 'bigint') {
    if (units < 0n || units >= 1n << 64n) throw new RangeError(`timestamp ${tsUs} does not fit 64 bits at tsresol ${tsresol}`);
    return [Number(units >> 32n), Number(units & 0xffffffffn)];
  }
  if (units < 0) throw new RangeError(`timestamp ${tsUs} is before if_tsoffset`);
  const high = Math.floor(units / 4294967296);
  return [high, units - high * 4294967296];
}

/** pcapng writer: sections, interfaces, enhanced/simple/obsolete packet blocks, arbitrary blocks. */
export class PcapngWriter {
  /** Packet blocks written (all kinds, all sections). */
  packets = 0;
  private readonly out: ChunkBuffer;
  private ifaces: IfState[] = [];
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    opts: PcapngWriterOptions = {},
  ) {
    this.out = new ChunkBuffer(sink, opts.chunkSize ?? DEFAULT_CHUNK, !(opts.bigEndian ?? false));
    this.writeShb(opts.shb);
  }

  /** Number of interfaces in the current section. */
  get interfaceCount(): number {
    return this.ifaces.length;
  }

  /** Starts a new section (new SHB); interface ids restart at 0. */
  newSection(opts: { bigEndian?: boolean; shb?: PcapngSectionOptions } = {}): void {
    if (opts.bigEndian !== undefined) this.out.le = !opts.bigEndian; // applies from this SHB on
    this.ifaces = [];
    this.writeShb(opts.shb);
  }

  private writeShb(o: PcapngSectionOptions = {}): void {
    const opts: PcapngOption[] = [];
    if (o.comment) opts.push({ code: 1, value: utf8.encode(o.comment) });
    if (o.hardware) opts.push({ code: 2, value: utf8.encode(o.hardware) });
    if (o.os) opts.push({ code: 3, value: utf8.encode(o.os) });
    if (o.userappl) opts.push({ code: 4, value: utf8.encode(o.userappl) });
    const body = this.optionsBytes(opts);
    const o8 = this.out;
    const total = 12 + 16 + body.length;
    o8.reserve(total);
    o8.u32(0x0a0d0d0a);
    o8.u32(total);
    o8.u32(0x1a2b3c4d);
    o8.u16(1);
    o8.u16(0);
    o8.u32(0xffffffff); // section length: unspecified (-1)
    o8.u32(0xffffffff);
    o8.bytes(body);
    o8.trailer(total);
  }

  /** Adds an Interface Description Block to the current section; returns its id. */
  addInterface(i: PcapngInterfaceOptions): number {
    const tsresol = i.tsresol ?? 6;
    const opts: PcapngOption[] = [];
    if (i.name !== undefined) opts.push({ code: 2, value: utf8.encode(i.name) });
    if (i.description !== undefined) opts.push({ code: 3, value: utf8.encode(i.description) });
    if (tsresol !== 6 || i.explicitTsresol) opts.push({ code: 9, value: Uint8Array.of(tsresol) });
    if (i.tsoffset) {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, BigInt(i.tsoffset), this.out.le);
      opts.push({ code: 14, value: v });
    }
    const snaplen = i.snaplen ?? 262144;
    const body = this.optionsBytes(opts);
    const total = 12 + 8 + body.length;
    const o = this.out;
    o.reserve(total);
    o.u32(1);
    o.u32(total);
    o.u16(i.linkType);
    o.u16(0);
    o.u32(snaplen);
    o.bytes(body);
    o.trailer(total);
    this.ifaces.push({ snaplen, tsresol, tsoffset: i.tsoffset ?? 0 });
    return this.ifaces.length - 1;
  }

  private iface(ifId: number): IfState {
    const s = this.ifaces[ifId];
    if (!s) throw new RangeError(`pcapng: interface ${ifId} not defined in this section`);
    return s;
  }

  /** Enhanced Packet Block. */
  writeEnhanced(ifId: number, tsUs: number, data: Uint8Array, origLen?: number, opts?: PacketBlockOptions): void {
    if (this.closed) throw new Error('PcapngWriter: write after close');
    const s = this.iface(ifId);
    const [hi, lo] = s.tsresol === 6 && s.tsoffset === 0 && Number.isSafeInteger(tsUs) && tsUs >= 0
      ? splitFast(tsUs)
      : pcapngTimestamp(tsUs, s.tsresol, s.tsoffset);
    const cap = s.snaplen > 0 && data.length > s.snaplen ? data.subarray(0, s.snaplen) : data;
    let optBytes: Uint8Array | null = null;
    if (opts && (opts.comment !== undefined || opts.flags !== undefined || opts.options?.length)) {
      const list: PcapngOption[] = [];
      if (opts.comment !== undefined) list.push({ code: 1, value: utf8.encode(opts.comment) });
      if (opts.flags !== undefined) {
        const v = new Uint8Array(4);
        new DataView(v.buffer).setUint32(0, opts.flags >>> 0, this.out.le);
        list.push({ code: 2, value: v });
      }
      if (opts.options) list.push(...opts.options);
      optBytes = this.optionsBytes(list);
    }
    const padded = pad4(cap.length);
    const total = 32 + padded + (optBytes ? optBytes.length : 0);
    const o = this.out;
    o.reserve(28);
    o.u32(6);
    o.u32(total);
    o.u32(ifId);
    o.u32(hi);
    o.u32(lo);
    o.u32(cap.length);
    o.u32(origLen ?? data.length);
    o.bytes(cap);
    o.reserve(3);
    o.zeros(padded - cap.length);
    if (optBytes) o.bytes(optBytes);
    o.trailer(total);
    this.packets++;
  }

  /** Writes a WriterPacket as an EPB on interface p.ifIndex (default 0). */
  writePacket(p: WriterPacket): void {
    this.writeEnhanced(p.ifIndex ?? 0, p.tsUs, p.data, p.origLen);
  }

  /** Simple Packet Block (no timestamp, interface 0; data truncated to interface 0's snap length). */
  writeSimple(data: Uint8Array, origLen?: number): void {
    if (this.closed) throw new Error('PcapngWriter: write after close');
    const s = this.iface(0);
    const cap = s.snaplen > 0 && data.length > s.snaplen ? data.subarray(0, s.snaplen) : data;
    const padded = pad4(cap.length);
    const total = 16 + padded;
    const o = this.out;
    o.reserve(12);
    o.u32(3);
    o.u32(total);
    o.u32(origLen ?? data.length);
    o.bytes(cap);
    o.reserve(8);
    o.zeros(padded - cap.length);
    o.u32(total);
    this.packets++;
  }

  /** Obsolete Packet Block (type 2), 16-bit interface id and drops count. */
  writeObsolete(ifId: number, tsUs: number, data: Uint8Array, origLen?: number, drops = 0): void {
    if (this.closed) throw new Error('PcapngWriter: write after close');
    const s = this.iface(ifId);
    const [hi, lo] = pcapngTimestamp(tsUs, s.tsresol, s.tsoffset);
    const cap = s.snaplen > 0 && data.length > s.snaplen ? data.subarray(0, s.snaplen) : data;
    const padded = pad4(cap.length);
    const total = 32 + padded;
    const o = this.out;
    o.reserve(28);
    o.u32(2);
    o.u32(total);
    o.u16(ifId);
    o.u16(drops);
    o.u32(hi);
    o.u32(lo);
    o.u32(cap.length);
    o.u32(origLen ?? data.length);
    o.bytes(cap);
    o.reserve(8);
    o.zeros(padded - cap.length);
    o.u32(total);
    this.packets++;
  }

  /** Any block: `body` is everything between the length fields (padded to 4 with zeros). */
  writeUnknownBlock(type: number, body: Uint8Array): void {
    const padded = pad4(body.length);
    const total = 12 + padded;
    const o = this.out;
    o.reserve(8);
    o.u32(type);
    o.u32(total);
    o.bytes(body);
    o.reserve(8);
    o.zeros(padded - body.length);
    o.u32(total);
  }

  /** Writes arbitrary bytes (e.g. a truncated block in tests). */
  writeBytes(b: Uint8Array): void {
    this.out.bytes(b);
  }

  /** Encodes an options list (with opt_endofopt) in the current byte order. */
  optionsBytes(list: PcapngOption[]): Uint8Array {
    if (list.length === 0) return new Uint8Array(0);
    let n = 4;
    for (const op of list) n += 4 + pad4(op.value.length);
    const b = new Uint8Array(n);
    const dv = new DataView(b.buffer);
    let p = 0;
    for (const op of list) {
      dv.setUint16(p, op.code, this.out.le);
      dv.setUint16(p + 2, op.value.length, this.out.le);
      b.set(op.value, p + 4);
      p += 4 + pad4(op.value.length);
    }
    return b; // trailing 4 zero bytes = opt_endofopt
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    if (this.closed) return;
    this.out.flush();
    this.closed = true;
    this.sink.close?.();
  }
}

function splitFast(tsUs: number): [number, number] {
  const high = Math.floor(tsUs / 4294967296);
  return [high, tsUs - high * 4294967296];
}

// ---------------------------------------------------------------------------
// convenience

/** Builds a whole classic pcap in memory. */
export function pcapBytes(packets: Iterable<WriterPacket>, opts?: PcapWriterOptions): Buffer {
  const sink = memorySink();
  const w = new PcapWriter(sink, { chunkSize: 256 * 1024, ...opts });
  for (const p of packets) w.writePacket(p);
  w.close();
  return sink.bytes();
}

/** Builds a single-section, single-interface pcapng in memory. */
export function pcapngBytes(
  packets: Iterable<WriterPacket>,
  iface: PcapngInterfaceOptions = { linkType: LINKTYPE.ETHERNET },
  opts?: PcapngWriterOptions,
): Buffer {
  const sink = memorySink();
  const w = new PcapngWriter(sink, { chunkSize: 256 * 1024, ...opts });
  w.addInterface(iface);
  for (const p of packets) w.writePacket(p);
  w.close();
  return sink.bytes();
}

/** Writes a classic pcap file. */
export function writePcapFile(path: string, packets: Iterable<WriterPacket>, opts?: PcapWriterOptions): void {
  const w = new PcapWriter(fileSink(path), opts);
  for (const p of packets) w.writePacket(p);
  w.close();
}

/** Writes a single-section, single-interface pcapng file. */
export function writePcapngFile(
  path: string,
  packets: Iterable<WriterPacket>,
  iface: PcapngInterfaceOptions = { linkType: LINKTYPE.ETHERNET },
  opts?: PcapngWriterOptions,
): void {
  const w = new PcapngWriter(fileSink(path), opts);
  w.addInterface(iface);
  for (const p of packets) w.writePacket(p);
  w.close();
}
