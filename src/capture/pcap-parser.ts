/**
 * Classic libpcap file parser (push style, zero copy).
 *
 * Also home of {@link CaptureParser}, the base class shared with the pcapng
 * parser: a parser is fed byte ranges of the (decompressed) capture stream
 * in order with `parse(buf, start, end, final)`. It delivers every complete
 * record in the range through the single reused {@link Frame} (whose bytes
 * point into `buf`), and returns how many bytes it consumed. The caller keeps
 * the unconsumed tail (a partial record) and feeds it again, followed by more
 * data, once at least `need` bytes are available.
 */
import { Frame, type CaptureProblem } from './frame.js';

/** Return false to stop reading. */
export type FrameSink = (frame: Frame) => boolean | void;

/** Default maximum captured length of one packet (libpcap/Wireshark use 262144). */
export const MAX_SNAPLEN_DEFAULT = 262_144;
/** Absolute upper bound for one record or block: anything larger is damage. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Non-fatal problems of one code kept verbatim; the rest are summarised. */
const MAX_PROBLEMS_PER_CODE = 100;

export interface OpenFailure {
  reason: 'empty' | 'not-a-capture';
  message: string;
}

export abstract class CaptureParser {
  abstract readonly format: 'pcap' | 'pcapng';
  /** The one Frame object handed to the sink for every packet. */
  readonly frame = new Frame();
  /** Packet records delivered so far. */
  packets = 0;
  /** Offset in the capture stream of the next unconsumed byte. */
  pos = 0;
  /**
   * Bytes (counted from the first unconsumed byte) that must be available
   * before parse() can make progress. Always larger than what was left over
   * when parse() stopped for lack of data.
   */
  need = 1;
  /** True once reading must stop: clean end, early stop, or fatal damage. */
  done = false;
  /** Set (with done) when the stream cannot be read as a capture at all. */
  openError: OpenFailure | undefined = undefined;
  readonly problems: CaptureProblem[] = [];
  /** Link types of interfaces that delivered packets, in order of first packet. */
  readonly linkTypes: number[] = [];

  protected readonly limit: number;
  private readonly suppressed = new Map<string, number>();

  constructor(
    protected readonly sink: FrameSink,
    maxPackets?: number,
  ) {
    this.limit = maxPackets === undefined || !(maxPackets >= 0) ? Infinity : Math.floor(maxPackets);
  }

  /**
   * Parses the complete records in buf[start, end). `final` says the stream
   * ends at `end`: a partial record left over is then reported as
   * 'truncated-capture'. Returns the number of bytes consumed.
   */
  abstract parse(buf: Buffer, start: number, end: number, final: boolean): number;

  /** Called when the stream cannot be read any further (I/O or gzip error). */
  abort(code: string, message: string): void {
    if (this.done) return;
    this.fatal(code, message, this.pos);
  }

  protected fatal(code: string, message: string, byteOffset: number): void {
    this.problems.push({ code, message, byteOffset, packetNumber: this.packets + 1 });
    this.done = true;
  }

  /** Records a problem that does not stop reading (kept bounded in number). */
  protected warn(code: string, message: string, byteOffset: number): void {
    let n = 0;
    for (const p of this.problems) if (p.code === code) n++;
    if (n < MAX_PROBLEMS_PER_CODE) {
      this.problems.push({ code, message, byteOffset, packetNumber: this.packets + 1 });
    } else {
      this.suppressed.set(code, (this.suppressed.get(code) ?? 0) + 1);
    }
  }

  protected failOpen(reason: OpenFailure['reason'], message: string): void {
    this.openError = { reason, message };
    this.done = true;
  }

  protected truncated(byteOffset: number, have: number, what: string): void {
    this.fatal(
      'truncated-capture',
      `capture ends inside ${what} at byte ${byteOffset} (${have} byte${have === 1 ? '' : 's'} of it present): ` +
        'the file was cut short; packets before it were read',
      byteOffset,
    );
  }

  protected noteLinkType(lt: number): void {
    if (!this.linkTypes.includes(lt)) this.linkTypes.push(lt);
  }

  /** Problems, with a summary line per code whose repeats were not all kept. */
  allProblems(): CaptureProblem[] {
    if (this.suppressed.size === 0) return this.problems;
    const out = this.problems.slice();
    for (const [code, n] of this.suppressed) {
      out.push({
        code,
        message: `${n} more '${code}' problem${n === 1 ? '' : 's'} not listed`,
        byteOffset: this.pos,
        packetNumber: this.packets + 1,
      });
    }
    return out;
  }
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
/**
 * Alexey Kuznetsov's "modified" pcap (old Red Hat and SuSE tcpdump): microsecond
 * timestamps, and each record header followed by 8 more bytes (interface
 * index 4, protocol 2, packet type 1, padding 1), which libpcap skips.
 */
const MAGIC_KUZNETSOV = 0xa1b2cd34;
const RECORD_HEADER = 16;
const KUZNETSOV_RECORD_HEADER = 24;

const isMagic = (m: number): boolean => m === MAGIC_US || m === MAGIC_NS || m === MAGIC_KUZNETSOV;

/** True when the four bytes at buf[off] are a classic pcap magic (either order). */
export function isPcapMagic(buf: Buffer, off: number): boolean {
  return isMagic(buf.readUInt32LE(off)) || isMagic(buf.readUInt32BE(off));
}

export class PcapParser extends CaptureParser {
  readonly format = 'pcap' as const;
  littleEndian = true;
  nanosecond = false;
  /** Link type (low 16 bits of the header's LinkType field). */
  linkType = 1;
  /** FCS length in bytes announced by the header (0 when not announced). */
  fcsLength = 0;
  snaplen = 0;
  /** Bytes before each record's data: 16, or 24 in a Kuznetsov file. */
  recordHeader = RECORD_HEADER;
  versionMajor = 2;
  versionMinor = 4;
  private haveHeader = false;
  private maxCapLen = MAX_SNAPLEN_DEFAULT;

  constructor(sink: FrameSink, maxPackets?: number) {
    super(sink, maxPackets);
  }

  parse(buf: Buffer, start: number, end: number, final: boolean): number {
    if (this.done) return 0;
    let p = start;
    const base = this.pos - start; // stream offset of buf[x] is base + x
    if (!this.haveHeader) {
      if (end - p < 24) {
        if (final) {
          if (end - p === 0) this.failOpen('empty', 'no data at all');
          else this.failOpen('not-a-capture', `file ends inside the pcap file header (${end - p} of 24 bytes)`);
        } else {
          this.need = 24;
        }
        return 0;
      }
      if (!this.readHeader(buf, p)) return 0;
      p += 24;
      this.haveHeader = true;
      if (this.limit <= 0) {
        this.done = true;
        this.pos = base + p;
        return p - start;
      }
    }

    const frame = this.frame;
    const sink = this.sink;
    const le = this.littleEndian;
    const ns = this.nanosecond;
    const maxCap = this.maxCapLen;
    const limit = this.limit;
    const hdr = this.recordHeader;
    frame.buf = buf;
    frame.linkType = this.linkType;
    frame.ifIndex = 0;
    let n = this.packets;
    for (;;) {
      if (end - p < hdr) {
        this.need = hdr;
        break;
      }
      let sec: number, frac: number, cap: number, orig: number;
      if (le) {
        sec = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
        frac = buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24);
        cap = buf[p + 8] | (buf[p + 9] << 8) | (buf[p + 10] << 16) | (buf[p + 11] << 24);
        orig = buf[p + 12] | (buf[p + 13] << 8) | (buf[p + 14] << 16) | (buf[p + 15] << 24);
      } else {
        sec = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
        frac = (buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7];
        cap = (buf[p + 8] << 24) | (buf[p + 9] << 16) | (buf[p + 10] << 8) | buf[p + 11];
        orig = (buf[p + 12] << 24) | (buf[p + 13] << 16) | (buf[p + 14] << 8) | buf[p + 15];
      }
      // The ORs give signed 32-bit values: make them unsigned.
      sec >>>= 0;
      frac >>>= 0;
      cap >>>= 0;
      orig >>>= 0;
      if (cap > maxCap) {
        this.packets = n;
        this.pos = base + p;
        this.fatal(
          'bad-record',
          `record ${n + 1} at byte ${base + p} has captured length ${cap}, more than the maximum ${maxCap}: the file is damaged from here on`,
          base + p,
        );
        return p - start;
      }
      // Captured longer than the wire length: libpcap and Wireshark read on, and so do we.
      if (cap > orig) orig = cap;
      if (end - p - hdr < cap) {
        this.need = hdr + cap;
        break;
      }
      frame.off = p + hdr;
      frame.capLen = cap;
      frame.origLen = orig;
      frame.tsUs = ns ? sec * 1e6 + Math.floor(frac / 1000) : sec * 1e6 + frac;
      frame.index = ++n;
      frame.fileOffset = base + p;
      p += hdr + cap;
      if (n === 1) this.noteLinkType(this.linkType);
      if (sink(frame) === false || n >= limit) {
        this.done = true;
        break;
      }
    }
    this.packets = n;
    this.pos = base + p;
    if (final && !this.done) {
      if (p < end) this.truncated(base + p, end - p, `record ${n + 1}`);
      else this.done = true;
    }
    return p - start;
  }

  private readHeader(buf: Buffer, p: number): boolean {
    const mle = buf.readUInt32LE(p);
    const mbe = buf.readUInt32BE(p);
    if (isMagic(mle)) {
      this.littleEndian = true;
      this.nanosecond = mle === MAGIC_NS;
      if (mle === MAGIC_KUZNETSOV) this.recordHeader = KUZNETSOV_RECORD_HEADER;
    } else if (isMagic(mbe)) {
      this.littleEndian = false;
      this.nanosecond = mbe === MAGIC_NS;
      if (mbe === MAGIC_KUZNETSOV) this.recordHeader = KUZNETSOV_RECORD_HEADER;
    } else {
      this.failOpen('not-a-capture', 'not a pcap file (bad magic number)');
      return false;
    }
    const le = this.littleEndian;
    this.versionMajor = le ? buf.readUInt16LE(p + 4) : buf.readUInt16BE(p + 4);
    this.versionMinor = le ? buf.readUInt16LE(p + 6) : buf.readUInt16BE(p + 6);
    this.snaplen = le ? buf.readUInt32LE(p + 16) : buf.readUInt32BE(p + 16);
    const ltField = le ? buf.readUInt32LE(p + 20) : buf.readUInt32BE(p + 20);
    // LinkType and additional information: | FCS len:4 | R:1 | P:1 | reserved:10 | LinkType:16 |
    this.linkType = ltField & 0xffff;
    this.fcsLength = ltField & 0x04000000 ? (ltField >>> 28) * 2 : 0; // FCS len counts 16-bit words
    this.maxCapLen = Math.max(MAX_SNAPLEN_DEFAULT, Math.min(this.snaplen, MAX_RECORD_BYTES));
    return true;
  }
}
