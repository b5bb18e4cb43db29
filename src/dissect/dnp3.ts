/**
 * DNP3 (IEEE 1815) over TCP or UDP 20000. Every message is a data link frame:
 * start bytes 0x05 0x64, a length (control, addresses and user data, without
 * the CRCs), a control byte (DIR, PRM, FCB/FCV or DFC, link function), the
 * destination and source link addresses (little-endian) and a CRC over those
 * 8 bytes; then the user data in blocks of 16 bytes, each followed by its CRC.
 * The user data is a transport header (FIN, FIR, sequence) and, in the first
 * segment of a fragment, the application header: application control and
 * function code, and in a response the internal indications.
 *
 * What a passive sensor learns: who is master (sends requests; DIR set) and
 * who is outstation (answers 129 / 130: a field device), the link addresses
 * each end uses, and the function codes they exchange.
 */
import { u16le } from '../decode/bytes.js';
import { Verdict, type DissectContext, type Dissector, type ObservationData } from './types.js';

interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export const DNP3_START = 0x0564;
/** Header: start (2), length, control, destination (2), source (2), CRC (2). */
export const DNP3_HEADER = 10;
/** Bytes of a TCP direction read before the dissector has what it wants. */
export const DNP3_STREAM = 4096;

// ---------------------------------------------------------------------------
// CRC: polynomial x^16+x^13+x^12+x^11+x^10+x^8+x^6+x^5+x^2+1 (0x3D65), bits
// taken least significant first (so the register shifts right with 0xA6BC,
// the polynomial bit-reversed), starting at 0, complemented at the end, and
// sent low byte first.

const CRC_TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** The DNP3 CRC of `buf[off, off + len)`, as the number sent little-endian after it. */
export function dnp3Crc(buf: ArrayLike<number>, off: number, len: number): number {
  let c = 0;
  for (let i = off; i < off + len; i++) c = (c >>> 8) ^ CRC_TABLE[(c ^ buf[i]!) & 0xff]!;
  return ~c & 0xffff;
}

// ---------------------------------------------------------------------------
// Names

const LINK_PRIMARY: Record<number, string> = {
  0: 'RESET_LINK_STATES',
  2: 'TEST_LINK_STATES',
  3: 'CONFIRMED_USER_DATA',
  4: 'UNCONFIRMED_USER_DATA',
  9: 'REQUEST_LINK_STATUS',
};
const LINK_SECONDARY: Record<number, string> = {
  0: 'ACK',
  1: 'NACK',
  11: 'LINK_STATUS',
  15: 'NOT_SUPPORTED',
};

const APP_FUNCTIONS: Record<number, string> = {
  0: 'CONFIRM',
  1: 'READ',
  2: 'WRITE',
  3: 'SELECT',
  4: 'OPERATE',
  5: 'DIRECT_OPERATE',
  6: 'DIRECT_OPERATE_NR',
  7: 'IMMED_FREEZE',
  8: 'IMMED_FREEZE_NR',
  9: 'FREEZE_CLEAR',
  10: 'FREEZE_CLEAR_NR',
  11: 'FREEZE_AT_TIME',
  12: 'FREEZE_AT_TIME_NR',
  13: 'COLD_RESTART',
  14: 'WARM_RESTART',
  15: 'INITIALIZE_DATA',
  16: 'INITIALIZE_APPL',
  17: 'START_APPL',
  18: 'STOP_APPL',
  19: 'SAVE_CONFIG',
  20: 'ENABLE_UNSOLICITED',
  21: 'DISABLE_UNSOLICITED',
  22: 'ASSIGN_CLASS',
  23: 'DELAY_MEASURE',
  24: 'RECORD_CURRENT_TIME',
  25: 'OPEN_FILE',
  26: 'CLOSE_FILE',
  27: 'DELETE_FILE',
  28: 'GET_FILE_INFO',
  29: 'AUTHENTICATE_FILE',
  30: 'ABORT_FILE',
  31: 'ACTIVATE_CONFIG',
  32: 'AUTHENTICATE_REQ',
  33: 'AUTH_REQ_NO_ACK',
  129: 'RESPONSE',
  130: 'UNSOLICITED_RESPONSE',
  131: 'AUTHENTICATE_RESP',
};

export function dnp3FunctionName(fc: number): string | null {
  return APP_FUNCTIONS[fc] ?? null;
}

export function dnp3LinkFunctionName(prm: boolean, fc: number): string | null {
  return (prm ? LINK_PRIMARY[fc] : LINK_SECONDARY[fc]) ?? null;
}

/** Responses carry internal indications after the function code. */
export function dnp3IsResponse(fc: number): boolean {
  return fc >= 129 && fc <= 131;
}

// ---------------------------------------------------------------------------
// Parser

export interface Dnp3App {
  control: number;
  fir: boolean;
  fin: boolean;
  con: boolean;
  uns: boolean;
  seq: number;
  functionCode: number;
  /** IIN1 << 8 | IIN2 of a response, else null. */
  iin: number | null;
}

export interface Dnp3Frame {
  /** Length field: control, addresses and user data. */
  length: number;
  control: number;
  dir: boolean;
  prm: boolean;
  /** FCB (primary) or reserved (secondary). */
  fcb: boolean;
  /** FCV (primary) or DFC (secondary). */
  fcv: boolean;
  linkFunction: number;
  destination: number;
  source: number;
  /** Every user data block CRC matched. */
  dataCrcOk: boolean;
  /** Transport header of user data (confirmed / unconfirmed user data), else null. */
  transport: { fin: boolean; fir: boolean; seq: number } | null;
  /** Application header in the first segment of a fragment (first block's CRC correct), else null. */
  app: Dnp3App | null;
  /** Bytes the frame takes, CRCs included. */
  size: number;
}

export interface Dnp3Parse {
  frames: Dnp3Frame[];
  /** Bytes taken by whole frames. */
  used: number;
  /** The bytes after the last whole frame are the start of one. */
  cut: boolean;
  /** The bytes after the last whole frame are not a frame (start bytes, length or header CRC). */
  bad: boolean;
}

/** Bytes a frame with length field `length` (at least 5) takes on the wire. */
export function dnp3FrameSize(length: number): number {
  const user = length - 5;
  return DNP3_HEADER + user + 2 * Math.ceil(user / 16);
}

/** Start bytes, a possible length and a correct header CRC at `off` (10 bytes needed). */
export function dnp3HeaderOk(buf: Uint8Array, off: number, len: number): boolean {
  return (
    len >= DNP3_HEADER &&
    buf[off] === 0x05 &&
    buf[off + 1] === 0x64 &&
    buf[off + 2]! >= 5 &&
    dnp3Crc(buf, off, 8) === u16le(buf, off + 8)
  );
}

/**
 * Parses the link frames at `buf[off, off + len)`, back to back (at most
 * `max`). Stops at the first bad header (bad) or cut frame (cut). Never throws.
 */
export function parseDnp3Frames(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter, max = 256): Dnp3Parse {
  const out: Dnp3Parse = { frames: [], used: 0, cut: false, bad: false };
  if (off < 0 || len < 0 || off + len > buf.length) {
    out.bad = true;
    errs?.count('dnp3.truncated');
    return out;
  }
  const end = off + len;
  let p = off;
  const user = new Uint8Array(255);
  while (p < end && out.frames.length < max) {
    const left = end - p;
    if (buf[p] !== 0x05 || (left >= 2 && buf[p + 1] !== 0x64)) {
      errs?.count('dnp3.bad_start');
      out.bad = true;
      break;
    }
    if (left >= 3 && buf[p + 2]! < 5) {
      errs?.count('dnp3.bad_length');
      out.bad = true;
      break;
    }
    if (left < DNP3_HEADER) {
      out.cut = true;
      break;
    }
    if (dnp3Crc(buf, p, 8) !== u16le(buf, p + 8)) {
      errs?.count('dnp3.bad_crc');
      out.bad = true;
      break;
    }
    const length = buf[p + 2]!;
    const size = dnp3FrameSize(length);
    if (left < size) {
      out.cut = true;
      break;
    }
    const control = buf[p + 3]!;
    const f: Dnp3Frame = {
      length,
      control,
      dir: (control & 0x80) !== 0,
      prm: (control & 0x40) !== 0,
      fcb: (control & 0x20) !== 0,
      fcv: (control & 0x10) !== 0,
      linkFunction: control & 0x0f,
      destination: u16le(buf, p + 4),
      source: u16le(buf, p + 6),
      dataCrcOk: true,
      transport: null,
      app: null,
      size,
    };
    // User data without its CRCs.
    const userLen = length - 5;
    let firstBlockOk = true;
    let q = p + DNP3_HEADER;
    for (let got = 0, block = 0; got < userLen; block++) {
      const n = Math.min(16, userLen - got);
      const ok = dnp3Crc(buf, q, n) === u16le(buf, q + n);
      if (!ok) {
        f.dataCrcOk = false;
        if (block === 0) firstBlockOk = false;
      }
      for (let i = 0; i < n; i++) user[got + i] = buf[q + i]!;
      got += n;
      q += n + 2;
    }
    if (!f.dataCrcOk) errs?.count('dnp3.bad_crc');
    if (userLen > 0 && f.prm && (f.linkFunction === 3 || f.linkFunction === 4) && firstBlockOk) {
      const th = user[0]!;
      f.transport = { fin: (th & 0x80) !== 0, fir: (th & 0x40) !== 0, seq: th & 0x3f };
      if (f.transport.fir) {
        if (userLen >= 3) {
          const ac = user[1]!;
          const fc = user[2]!;
          f.app = {
            control: ac,
            fir: (ac & 0x80) !== 0,
            fin: (ac & 0x40) !== 0,
            con: (ac & 0x20) !== 0,
            uns: (ac & 0x10) !== 0,
            seq: ac & 0x0f,
            functionCode: fc,
            iin: dnp3IsResponse(fc) && userLen >= 5 ? (user[3]! << 8) | user[4]! : null,
          };
          if (dnp3IsResponse(fc) && userLen < 5) errs?.count('dnp3.truncated');
        } else {
          errs?.count('dnp3.truncated');
        }
      }
    }
    out.frames.push(f);
    p += size;
    out.used = p - off;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Observations

/** Link addresses that name no single station: broadcasts and "self". */
function isSpecialAddress(a: number): boolean {
  return a >= 0xfffc;
}

export function dnp3FunctionBanner(fc: number): string {
  const name = APP_FUNCTIONS[fc];
  return name ? `dnp3 fc ${fc} ${name}` : `dnp3 fc ${fc}`;
}

const MAX_DISTINCT = 16;

function observe(frames: Dnp3Frame[], ctx: DissectContext): void {
  const srcAddrs = new Set<number>();
  const dstAddrs = new Set<number>();
  const functions = new Map<number, number>(); // function code -> link source address
  let role: 'master' | 'outstation' | null = null;
  let byFunction = false;
  for (const f of frames) {
    if (srcAddrs.size < MAX_DISTINCT && !isSpecialAddress(f.source)) srcAddrs.add(f.source);
    if (dstAddrs.size < MAX_DISTINCT && !isSpecialAddress(f.destination)) dstAddrs.add(f.destination);
    if (f.app !== null) {
      const fc = f.app.functionCode;
      if (functions.size < MAX_DISTINCT && !functions.has(fc)) functions.set(fc, f.source);
      // The application function says who sent it; CONFIRM is sent by either end.
      if (fc >= 129) {
        role = 'outstation';
        byFunction = true;
      } else if (fc !== 0 && !byFunction) {
        role = 'master';
        byFunction = true;
      }
    }
    if (role === null) role = f.dir ? 'master' : 'outstation';
  }
  for (const a of srcAddrs) ctx.src('banner', `dnp3 address ${a}`, { link_address: a });
  for (const a of dstAddrs) ctx.dst('banner', `dnp3 address ${a}`, { link_address: a });
  for (const [fc, addr] of functions) ctx.src('banner', dnp3FunctionBanner(fc), { function_code: fc, link_address: addr });
  if (role === 'master') {
    ctx.src('role', 'dnp3-master');
    ctx.dst('role', 'dnp3-outstation');
  } else if (role === 'outstation') {
    ctx.src('role', 'dnp3-outstation');
    ctx.dst('role', 'dnp3-master');
  }
  // Sending responses is what an outstation (RTU, IED, field device) does.
  for (const [fc, addr] of functions) {
    if (fc === 129 || fc === 130) {
      const data: ObservationData = { dnp3_function: fc, link_address: addr };
      ctx.src('device_type', 'field device', data);
      break;
    }
  }
}

export const dnp3Dissector: Dissector = {
  id: 'dnp3',
  app: { application: 'DNP3', family: 'Industrial' },
  tcpPorts: [20000],
  udpPorts: [20000],
  maxStream: DNP3_STREAM,
  probe(buf, off, len) {
    return dnp3HeaderOk(buf, off, len);
  },
  dissect(buf, off, len, ctx) {
    const tcp = ctx.view.proto === 6;
    const r = parseDnp3Frames(buf, off, tcp ? Math.min(len, DNP3_STREAM) : len, ctx);
    if (r.frames.length === 0) {
      if (r.bad || !tcp) {
        if (!r.bad) ctx.count('dnp3.truncated');
        return Verdict.Malformed;
      }
      return len >= DNP3_STREAM ? Verdict.Done : Verdict.More;
    }
    observe(r.frames, ctx);
    if (!tcp) {
      if (r.cut) ctx.count('dnp3.truncated');
      return Verdict.Continue;
    }
    if (r.bad || len >= DNP3_STREAM) return Verdict.Done;
    return Verdict.More;
  },
};
