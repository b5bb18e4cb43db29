/**
 * pcapng parser (push style, zero copy). See pcap-parser.ts for the protocol
 * between a parser and the reader that feeds it.
 *
 * Supported: several sections with their own byte order and interface list
 * (frame.ifIndex is a running interface number over the whole file),
 * Interface Description Blocks with if_tsresol / if_tsoffset, Enhanced,
 * Simple and obsolete Packet Blocks. Every other block type is skipped by its
 * length.
 */
import { CaptureParser, MAX_RECORD_BYTES, type FrameSink } from './pcap-parser.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002; // obsolete Packet Block
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BOM = 0x1a2b3c4d;
const BOM_SWAPPED = 0x4d3c2b1a;

const TWO32 = 4294967296;

/** Unsigned 32-bit read (plain byte arithmetic: the fastest in V8). */
function rd32(b: Buffer, p: number, le: boolean): number {
  return le
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/* How an interface's 64-bit timestamps turn into microseconds (PcapngInterface.mode). */
/** us = (hi * 2^32 + lo) * mul (units of 1 s .. 1 us) */
const TS_MUL = 0;
/** us = hi * q + floor((hi * r + lo) / d), 2^32 = q * d + r (units 10^-7 .. 10^-12 s) */
const TS_DECDIV = 1;
/** us = hi * q + floor(lo * 1e6 / d) with d = 2^k, q = 2^(32-k) * 1e6 (units 2^-k s, k <= 32) */
const TS_BINDIV = 2;
/** BigInt arithmetic: anything else (rare). */
const TS_BIG = 3;

export interface PcapngInterface {
  /** Running number over all sections (frame.ifIndex). */
  globalId: number;
  /** Section number (0-based) that declared it. */
  section: number;
  linkType: number;
  snaplen: number;
  /** if_tsresol byte as found (6 when absent). */
  tsresol: number;
  /** if_tsoffset in seconds. */
  tsoffset: number;
  name: string | undefined;
  /** Set when the first packet of this interface is delivered. */
  used: boolean;
  /** Timestamp conversion: TS_MUL, TS_DECDIV, TS_BINDIV or TS_BIG. */
  mode: number;
  mul: number;
  q: number;
  r: number;
  d: number;
  offsetUs: number;
  bigDen: bigint;
}

function makeInterface(globalId: number, section: number, linkType: number, snaplen: number, tsresol: number, tsoffset: number, name: string | undefined): PcapngInterface {
  const iface: PcapngInterface = {
    globalId,
    section,
    linkType,
    snaplen,
    tsresol,
    tsoffset,
    name,
    used: false,
    mode: TS_MUL,
    mul: 1,
    q: 0,
    r: 0,
    d: 1,
    offsetUs: tsoffset * 1e6,
    bigDen: 1n,
  };
  const exp = tsresol & 0x7f;
  if (tsresol & 0x80) {
    // units of 2^-exp seconds
    if (exp <= 32) {
      iface.mode = TS_BINDIV;
      iface.d = 2 ** exp;
      iface.q = 2 ** (32 - exp) * 1e6;
    } else {
      iface.mode = TS_BIG;
      iface.bigDen = 1n << BigInt(exp);
    }
  } else if (exp <= 6) {
    iface.mode = TS_MUL;
    iface.mul = 10 ** (6 - exp);
  } else if (exp <= 12) {
    iface.mode = TS_DECDIV;
    const d = 10 ** (exp - 6);
    iface.d = d;
    iface.q = Math.floor(TWO32 / d);
    iface.r = TWO32 - iface.q * d;
  } else {
    iface.mode = TS_BIG;
    iface.bigDen = 10n ** BigInt(exp - 6);
  }
  return iface;
}

/** Microseconds since the epoch for a raw 64-bit timestamp (hi, lo) of `iface`. */
export function tsToUs(iface: PcapngInterface, hi: number, lo: number): number {
  let us: number;
  switch (iface.mode) {
    case TS_MUL:
      us = (hi * TWO32 + lo) * iface.mul;
      break;
    case TS_DECDIV:
      us = hi * iface.q + Math.floor((hi * iface.r + lo) / iface.d);
      break;
    case TS_BINDIV:
      us = hi * iface.q + Math.floor((lo * 1e6) / iface.d);
      break;
    default: {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      us = Number(iface.tsresol & 0x80 ? (v * 1000000n) / iface.bigDen : v / iface.bigDen);
    }
  }
  return us + iface.offsetUs;
}

export class PcapngParser extends CaptureParser {
  readonly format = 'pcapng' as const;
  /** All interfaces of all sections, by global id. */
  readonly interfaces: PcapngInterface[] = [];
  /** Number of sections seen. */
  sections = 0;
  private le = true;
  private haveHeader = false;
  /** Global id of the current section's interface 0. */
  private secBase = 0;
  private lastTsUs = 0;

  constructor(sink: FrameSink, maxPackets?: number) {
    super(sink, maxPackets);
  }

  parse(buf: Buffer, start: number, end: number, final: boolean): number {
    if (this.done) return 0;
    const base = this.pos - start; // stream offset of buf[x] is base + x
    let p = start;
    const frame = this.frame;
    frame.buf = buf;
    const ifaces = this.interfaces;
    const limit = this.limit;
    while (!this.done) {
      if (end - p < 12) {
        this.need = 12;
        break;
      }
      // Fast path: a well-formed Enhanced Packet Block of a known interface.
      const le = this.le;
      if (rd32(buf, p, le) === BT_EPB && this.haveHeader) {
        const len = rd32(buf, p + 4, le);
        if (len >= 32 && (len & 3) === 0 && len <= MAX_RECORD_BYTES) {
          if (end - p < len) {
            this.need = len;
            break;
          }
          const ifid = rd32(buf, p + 8, le);
          const cap = rd32(buf, p + 20, le);
          const gid = this.secBase + ifid;
          if (rd32(buf, p + len - 4, le) === len && cap <= len - 32 && gid < ifaces.length) {
            const iface = ifaces[gid];
            const hi = rd32(buf, p + 12, le);
            const lo = rd32(buf, p + 16, le);
            const mode = iface.mode;
            let us: number;
            if (mode === TS_DECDIV) us = hi * iface.q + Math.floor((hi * iface.r + lo) / iface.d) + iface.offsetUs;
            else if (mode === TS_MUL) us = (hi * TWO32 + lo) * iface.mul + iface.offsetUs;
            else us = tsToUs(iface, hi, lo);
            frame.off = p + 28;
            frame.capLen = cap;
            frame.origLen = rd32(buf, p + 24, le);
            frame.tsUs = us;
            frame.linkType = iface.linkType;
            frame.ifIndex = gid;
            frame.index = ++this.packets;
            frame.fileOffset = base + p;
            this.lastTsUs = us;
            p += len;
            if (!iface.used) {
              iface.used = true;
              this.noteLinkType(iface.linkType);
            }
            if (this.sink(frame) === false || this.packets >= limit) {
              this.done = true;
              break;
            }
            continue;
          }
        }
      }
      const next = this.block(buf, p, end, base);
      if (next < 0) break;
      p = next;
    }
    if (this.openError) return 0;
    this.pos = base + p;
    if (final && !this.done) {
      if (!this.haveHeader) {
        if (end - p === 0) this.failOpen('empty', 'no data at all');
        else this.failOpen('not-a-capture', `file ends inside the pcapng section header block (${end - p} bytes present)`);
        return 0;
      }
      if (p < end) this.truncated(base + p, end - p, 'a block');
      else this.done = true;
    }
    return p - start;
  }

  /**
   * Any block at buf[p] (at least 12 bytes available). Returns the offset
   * after it, or -1 when parsing must pause (need set) or stop (damage).
   */
  private block(buf: Buffer, p: number, end: number, base: number): number {
    const at = base + p;
    const le = this.le;
    const type = rd32(buf, p, le);
    let len: number;
    let blockLE = le;
    if (type === BT_SHB) {
      const bom = buf.readUInt32LE(p + 8);
      if (bom === BOM) blockLE = true;
      else if (bom === BOM_SWAPPED) blockLE = false;
      else {
        this.badBlock(at, `section header block at byte ${at} has a bad byte-order magic (${buf.toString('hex', p + 8, p + 12)})`);
        return -1;
      }
      len = rd32(buf, p + 4, blockLE);
    } else {
      if (!this.haveHeader) {
        this.badBlock(at, 'the file does not start with a pcapng section header block');
        return -1;
      }
      len = rd32(buf, p + 4, le);
    }
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES) {
      this.badBlock(
        at,
        `block at byte ${at} (type 0x${type.toString(16)}) has an impossible total length ${len}` +
          (len > MAX_RECORD_BYTES ? ` (more than ${MAX_RECORD_BYTES})` : len < 12 ? ' (minimum 12)' : ' (not a multiple of 4)'),
      );
      return -1;
    }
    if (end - p < len) {
      this.need = len;
      return -1;
    }
    const trailer = rd32(buf, p + len - 4, blockLE);
    if (trailer !== len) {
      this.badBlock(at, `block at byte ${at} (type 0x${type.toString(16)}) has total length ${len} at its start but ${trailer} at its end`);
      return -1;
    }
    if (type === BT_EPB) {
      if (len < 32) {
        this.badBlock(at, `enhanced packet block at byte ${at} is too short (${len} bytes)`);
        return -1;
      }
      const cap = rd32(buf, p + 20, le);
      if (cap > len - 32) {
        this.badBlock(at, `enhanced packet block at byte ${at}: captured length ${cap} does not fit in the block (${len} bytes)`);
        return -1;
      }
      const ifid = rd32(buf, p + 8, le);
      this.deliver(p + 28, cap, rd32(buf, p + 24, le), ifid, rd32(buf, p + 12, le), rd32(buf, p + 16, le), at, 'enhanced packet block');
      return p + len;
    }
    return this.otherBlock(buf, p, type, len, at) ? p + len : -1;
  }

  /** Blocks other than EPB. Returns false on damage (the block is not consumed). */
  private otherBlock(buf: Buffer, p: number, type: number, len: number, at: number): boolean {
    const le = this.le;
    switch (type) {
      case BT_SHB:
        return this.sectionHeader(buf, p, len, at);
      case BT_IDB:
        if (len < 20) {
          this.badBlock(at, `interface description block at byte ${at} is too short (${len} bytes)`);
          return false;
        }
        this.interfaceDescription(buf, p, len);
        return true;
      case BT_SPB: {
        if (len < 16) {
          this.badBlock(at, `simple packet block at byte ${at} is too short (${len} bytes)`);
          return false;
        }
        if (this.secBase >= this.interfaces.length) {
          this.badInterface(0, at, 'simple packet block');
          return true;
        }
        const orig = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
        let cap = Math.min(orig, len - 16);
        const iface = this.interfaces[this.secBase];
        if (iface.snaplen > 0 && iface.snaplen < cap) cap = iface.snaplen;
        this.deliverAt(p + 12, cap, orig, this.secBase, this.lastTsUs, at);
        return true;
      }
      case BT_PB: {
        if (len < 32) {
          this.badBlock(at, `packet block at byte ${at} is too short (${len} bytes)`);
          return false;
        }
        const ifid = le ? buf.readUInt16LE(p + 8) : buf.readUInt16BE(p + 8);
        const hi = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
        const lo = le ? buf.readUInt32LE(p + 16) : buf.readUInt32BE(p + 16);
        const cap = le ? buf.readUInt32LE(p + 20) : buf.readUInt32BE(p + 20);
        const orig = le ? buf.readUInt32LE(p + 24) : buf.readUInt32BE(p + 24);
        if (cap > len - 32) {
          this.badBlock(at, `packet block at byte ${at}: captured length ${cap} does not fit in the block (${len} bytes)`);
          return false;
        }
        this.deliver(p + 28, cap, orig, ifid, hi, lo, at, 'packet block');
        return true;
      }
      default:
        // NRB, ISB, DSB, custom, systemd journal, unknown: skipped by length.
        return true;
    }
  }

  private badBlock(at: number, message: string): void {
    if (!this.haveHeader) this.failOpen('not-a-capture', message);
    else this.fatal('bad-block', message, at);
  }

  private deliver(off: number, cap: number, orig: number, ifid: number, hi: number, lo: number, at: number, what: string): void {
    if (ifid >= this.interfaces.length - this.secBase) {
      this.badInterface(ifid, at, what);
      return;
    }
    const gid = this.secBase + ifid;
    const iface = this.interfaces[gid];
    const tsUs = iface.mode === TS_MUL && iface.mul === 1 ? hi * TWO32 + lo + iface.offsetUs : tsToUs(iface, hi, lo);
    this.deliverAt(off, cap, orig, gid, tsUs, at);
  }

  private deliverAt(off: number, cap: number, orig: number, gid: number, tsUs: number, at: number): void {
    const iface = this.interfaces[gid];
    const frame = this.frame;
    frame.off = off;
    frame.capLen = cap;
    frame.origLen = orig;
    frame.tsUs = tsUs;
    frame.linkType = iface.linkType;
    frame.ifIndex = gid;
    frame.index = ++this.packets;
    frame.fileOffset = at;
    this.lastTsUs = tsUs;
    if (!iface.used) {
      iface.used = true;
      this.noteLinkType(iface.linkType);
    }
    if (this.sink(frame) === false || this.packets >= this.limit) this.done = true;
  }

  private badInterface(ifid: number, at: number, what: string): void {
    const n = this.interfaces.length - this.secBase;
    this.warn(
      'bad-interface',
      `${what} at byte ${at} refers to interface ${ifid}, but its section declares ${n === 0 ? 'no interface' : `only ${n}`}: packet skipped`,
      at,
    );
  }

  /** Returns false on damage. */
  private sectionHeader(buf: Buffer, p: number, len: number, at: number): boolean {
    if (len < 28) {
      this.badBlock(at, `section header block at byte ${at} is too short (${len} bytes)`);
      return false;
    }
    const le = buf.readUInt32LE(p + 8) === BOM;
    const major = le ? buf.readUInt16LE(p + 12) : buf.readUInt16BE(p + 12);
    const minor = le ? buf.readUInt16LE(p + 14) : buf.readUInt16BE(p + 14);
    if (major !== 1) {
      this.badBlock(at, `pcapng section header at byte ${at} has version ${major}.${minor}; only version 1.x is supported`);
      return false;
    }
    this.le = le;
    this.haveHeader = true;
    this.sections++;
    this.secBase = this.interfaces.length;
    if (this.limit <= 0) this.done = true;
    return true;
  }

  private interfaceDescription(buf: Buffer, p: number, len: number): void {
    const le = this.le;
    const linkType = le ? buf.readUInt16LE(p + 8) : buf.readUInt16BE(p + 8);
    const snaplen = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
    let tsresol = 6;
    let tsoffset = 0;
    let name: string | undefined;
    let haveRes = false;
    let haveOff = false;
    // Options: code(2) length(2) value padded to 4. Malformed options end the list.
    let o = p + 16;
    const oend = p + len - 4;
    while (o + 4 <= oend) {
      const code = le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
      const olen = le ? buf.readUInt16LE(o + 2) : buf.readUInt16BE(o + 2);
      if (code === 0) break;
      const v = o + 4;
      if (v + olen > oend) break;
      if (code === 9 && olen >= 1 && !haveRes) {
        tsresol = buf[v];
        haveRes = true;
      } else if (code === 14 && olen >= 8 && !haveOff) {
        tsoffset = Number(le ? buf.readBigInt64LE(v) : buf.readBigInt64BE(v));
        haveOff = true;
      } else if (code === 2 && name === undefined) {
        name = buf.toString('utf8', v, v + olen);
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push(makeInterface(this.interfaces.length, this.sections - 1, linkType, snaplen, tsresol, tsoffset, name));
  }
}
