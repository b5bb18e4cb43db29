/**
 * IEC 60870-5-104 payloads (TCP 2404) for the OT sample capture and the
 * tests: each function returns one APDU (start byte, length, control
 * octets, ASDU), ready to be a TCP segment's payload.
 */

export type Iec104UFunction = 'STARTDT act' | 'STARTDT con' | 'STOPDT act' | 'STOPDT con' | 'TESTFR act' | 'TESTFR con';

const U_BITS: Record<Iec104UFunction, number> = {
  'STARTDT act': 0x04,
  'STARTDT con': 0x08,
  'STOPDT act': 0x10,
  'STOPDT con': 0x20,
  'TESTFR act': 0x40,
  'TESTFR con': 0x80,
};

/** A U-format APDU. */
export function iec104U(fn: Iec104UFunction): Uint8Array {
  return Uint8Array.from([0x68, 4, U_BITS[fn] | 3, 0, 0, 0]);
}

export function iec104StartDtAct(): Uint8Array {
  return iec104U('STARTDT act');
}

export function iec104StartDtCon(): Uint8Array {
  return iec104U('STARTDT con');
}

/** An S-format APDU acknowledging up to receive sequence number `rx`. */
export function iec104S(rx: number): Uint8Array {
  return Uint8Array.from([0x68, 4, 1, 0, (rx << 1) & 0xfe, (rx >> 7) & 0xff]);
}

export interface Iec104IFrameOptions {
  /** Send and receive sequence numbers (15 bits). */
  tx?: number;
  rx?: number;
  typeId: number;
  /** Objects with consecutive addresses after the first (SQ = 1). */
  sq?: boolean;
  /** Number of information objects (VSQ). */
  count: number;
  cause: number;
  negative?: boolean;
  test?: boolean;
  originator?: number;
  commonAddress: number;
  /** The information objects, addresses included, already encoded. */
  objects: ArrayLike<number>;
}

/** An I-format APDU carrying one ASDU. */
export function iec104IFrame(o: Iec104IFrameOptions): Uint8Array {
  const tx = o.tx ?? 0;
  const rx = o.rx ?? 0;
  const asdu = [
    o.typeId & 0xff,
    (o.sq ? 0x80 : 0) | (o.count & 0x7f),
    (o.cause & 0x3f) | (o.negative ? 0x40 : 0) | (o.test ? 0x80 : 0),
    o.originator ?? 0,
    o.commonAddress & 0xff,
    (o.commonAddress >> 8) & 0xff,
    ...Array.from(o.objects),
  ];
  const apdu = [0x68, 4 + asdu.length, (tx << 1) & 0xfe, (tx >> 7) & 0xff, (rx << 1) & 0xfe, (rx >> 7) & 0xff, ...asdu];
  return Uint8Array.from(apdu);
}

function ioa(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
}

export interface InterrogationOptions {
  tx?: number;
  rx?: number;
  commonAddress: number;
  /** 6 activation (controlling station), 7 confirmation, 10 termination (controlled station). */
  cause?: number;
  originator?: number;
  /** Qualifier of interrogation: 20 = station interrogation. */
  qoi?: number;
}

/** C_IC_NA_1 (type 100) interrogation command, information object address 0. */
export function iec104Interrogation(o: InterrogationOptions): Uint8Array {
  return iec104IFrame({
    tx: o.tx,
    rx: o.rx,
    typeId: 100,
    count: 1,
    cause: o.cause ?? 6,
    originator: o.originator,
    commonAddress: o.commonAddress,
    objects: [...ioa(0), o.qoi ?? 20],
  });
}

export interface MeasuredFloatOptions {
  tx?: number;
  rx?: number;
  commonAddress: number;
  /** 3 spontaneous, 1 periodic, 20 interrogated by station interrogation. */
  cause?: number;
  /** At most 30 (an APDU holds 253 octets). `quality`: the quality descriptor, 0 = good. */
  points: { ioa: number; value: number; quality?: number }[];
}

/** M_ME_NC_1 (type 13) measured values, short floating point, one address per value (SQ = 0). */
export function iec104MeasuredFloat(o: MeasuredFloatOptions): Uint8Array {
  const objects: number[] = [];
  for (const p of o.points.slice(0, 30)) {
    const f = Buffer.alloc(4);
    f.writeFloatLE(p.value, 0);
    objects.push(...ioa(p.ioa), ...f, p.quality ?? 0);
  }
  return iec104IFrame({
    tx: o.tx,
    rx: o.rx,
    typeId: 13,
    count: Math.min(o.points.length, 30),
    cause: o.cause ?? 3,
    commonAddress: o.commonAddress,
    objects,
  });
}
