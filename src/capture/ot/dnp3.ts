/**
 * DNP3 payloads (the bytes after the TCP or UDP header) for sample captures
 * and tests: link frames with correct CRCs, a transport header per segment,
 * and application fragments (a class poll READ and its RESPONSE).
 */
import { dnp3Crc } from '../../dissect/dnp3.js';

export interface Dnp3LinkOptions {
  /** DIR: set on frames from the master. */
  dir: boolean;
  /** PRM: set on primary frames (default). */
  prm?: boolean;
  /** Link function (default 4, UNCONFIRMED_USER_DATA). */
  linkFunction?: number;
  fcb?: boolean;
  fcv?: boolean;
  destination: number;
  source: number;
}

/** One link frame: header with its CRC, then `user` in 16-byte blocks each followed by its CRC. */
export function dnp3LinkFrame(o: Dnp3LinkOptions, user: ArrayLike<number> = []): Buffer {
  const n = Math.min(user.length, 250);
  const blocks = Math.ceil(n / 16);
  const b = Buffer.alloc(10 + n + 2 * blocks);
  b[0] = 0x05;
  b[1] = 0x64;
  b[2] = 5 + n;
  b[3] = (o.dir ? 0x80 : 0) | (o.prm === false ? 0 : 0x40) | (o.fcb ? 0x20 : 0) | (o.fcv ? 0x10 : 0) | ((o.linkFunction ?? 4) & 0x0f);
  b.writeUInt16LE(o.destination & 0xffff, 4);
  b.writeUInt16LE(o.source & 0xffff, 6);
  b.writeUInt16LE(dnp3Crc(b, 0, 8), 8);
  let q = 10;
  for (let got = 0; got < n; ) {
    const k = Math.min(16, n - got);
    for (let i = 0; i < k; i++) b[q + i] = user[got + i]! & 0xff;
    b.writeUInt16LE(dnp3Crc(b, q, k), q + k);
    got += k;
    q += k + 2;
  }
  return b;
}

export interface Dnp3FragmentOptions {
  master: number;
  outstation: number;
  /** Application sequence (0-15). */
  seq?: number;
  /** Transport sequence of the first segment (0-63). */
  transportSeq?: number;
}

/** An application fragment as link frames (249 application bytes per segment, FIR / FIN set). */
export function dnp3Fragment(o: Dnp3FragmentOptions & { fromMaster: boolean }, app: ArrayLike<number>): Buffer {
  const parts: Buffer[] = [];
  const link: Dnp3LinkOptions = o.fromMaster
    ? { dir: true, destination: o.outstation, source: o.master }
    : { dir: false, destination: o.master, source: o.outstation };
  let seq = (o.transportSeq ?? 0) & 0x3f;
  for (let at = 0; at < app.length || at === 0; ) {
    const k = Math.min(249, app.length - at);
    const fir = at === 0;
    const fin = at + k >= app.length;
    const user = [(fin ? 0x80 : 0) | (fir ? 0x40 : 0) | seq];
    for (let i = 0; i < k; i++) user.push(app[at + i]!);
    parts.push(dnp3LinkFrame(link, user));
    seq = (seq + 1) & 0x3f;
    at += k;
    if (k === 0) break;
  }
  return Buffer.concat(parts);
}

/** READ of classes 1, 2, 3 and 0 (group 60 variations 2, 3, 4, 1, qualifier 0x06: all objects). */
export function dnp3ReadRequest(o: Dnp3FragmentOptions & { classes?: number[] }): Buffer {
  const app = [0xc0 | ((o.seq ?? 0) & 0x0f), 1];
  for (const c of o.classes ?? [1, 2, 3, 0]) app.push(60, c === 0 ? 1 : c + 1, 0x06);
  return dnp3Fragment({ ...o, fromMaster: true }, app);
}

/**
 * RESPONSE (129) with internal indications and, when given, 16-bit analog
 * inputs with flags (group 30 variation 2, qualifier 0x00: start and stop index).
 */
export function dnp3Response(o: Dnp3FragmentOptions & { iin?: number; analogValues?: number[]; unsolicited?: boolean }): Buffer {
  const iin = o.iin ?? 0;
  const app = [0xc0 | (o.unsolicited ? 0x30 : 0) | ((o.seq ?? 0) & 0x0f), o.unsolicited ? 130 : 129, (iin >> 8) & 0xff, iin & 0xff];
  const values = (o.analogValues ?? []).slice(0, 256);
  if (values.length > 0) {
    app.push(30, 2, 0x00, 0, values.length - 1);
    for (const v of values) app.push(0x01, v & 0xff, (v >> 8) & 0xff);
  }
  return dnp3Fragment({ ...o, fromMaster: false }, app);
}
