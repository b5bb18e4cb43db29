/**
 * S7comm payloads (TCP 102) for the OT sample capture and the tests: each
 * function returns the bytes of one TPKT (TPKT + COTP + S7comm), ready to be
 * a TCP segment's payload.
 */

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

/** TPKT (version 3) around a COTP PDU. */
export function tpkt(cotp: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + cotp.length);
  out[0] = 3;
  out[2] = (out.length >> 8) & 0xff;
  out[3] = out.length & 0xff;
  out.set(Array.from(cotp), 4);
  return out;
}

/** One COTP DT unit (EOT set unless `eot` is false) carrying `payload`. */
export function cotpData(payload: ArrayLike<number>, eot = true): Uint8Array {
  return tpkt([2, 0xf0, eot ? 0x80 : 0x00, ...Array.from(payload)]);
}

function tsapBytes(t: number | string): number[] {
  return typeof t === 'string' ? [...Buffer.from(t, 'latin1')] : u16(t);
}

export interface CotpConnectOptions {
  /** Calling TSAP: a 16-bit value (0x0100: PG) or a name. */
  srcTsap?: number | string;
  /** Called TSAP: 0x0100 + rack * 32 + slot for a PG connection (0x0102: rack 0, slot 2), or a name ("SIMATIC-ROOT-HMI"). */
  dstTsap?: number | string;
  srcRef?: number;
  dstRef?: number;
  /** TPDU size code (0x0a = 1024 bytes). */
  tpduSize?: number;
}

function cotpConnect(type: number, o: CotpConnectOptions): Uint8Array {
  const src = tsapBytes(o.srcTsap ?? 0x0100);
  const dst = tsapBytes(o.dstTsap ?? 0x0102);
  const params = [0xc0, 1, o.tpduSize ?? 0x0a, 0xc1, src.length, ...src, 0xc2, dst.length, ...dst];
  const body = [type, ...u16(type === 0xe0 ? 0 : o.dstRef ?? 1), ...u16(o.srcRef ?? (type === 0xe0 ? 1 : 0x4431)), 0x00, ...params];
  return tpkt([body.length, ...body]);
}

/** COTP connection request (client → PLC). */
export function s7CotpConnectRequest(o: CotpConnectOptions = {}): Uint8Array {
  return cotpConnect(0xe0, o);
}

/** COTP connection confirm (PLC → client). */
export function s7CotpConnectConfirm(o: CotpConnectOptions = {}): Uint8Array {
  return cotpConnect(0xd0, o);
}

function s7Header(rosctr: number, pduRef: number, param: number[], data: number[], error?: [number, number]): number[] {
  const h = [0x32, rosctr, 0, 0, ...u16(pduRef), ...u16(param.length), ...u16(data.length)];
  if (rosctr === 2 || rosctr === 3) h.push(...(error ?? [0, 0]));
  return [...h, ...param, ...data];
}

export interface SetupCommunicationOptions {
  pduRef?: number;
  maxAmqCalling?: number;
  maxAmqCalled?: number;
  pduLength?: number;
}

function setupParam(o: SetupCommunicationOptions, pduLength: number): number[] {
  return [0xf0, 0x00, ...u16(o.maxAmqCalling ?? 1), ...u16(o.maxAmqCalled ?? 1), ...u16(o.pduLength ?? pduLength)];
}

/** Setup communication Job (client proposes a PDU size). */
export function s7SetupCommunicationJob(o: SetupCommunicationOptions = {}): Uint8Array {
  return cotpData(s7Header(1, o.pduRef ?? 0, setupParam(o, 480), []));
}

/** Setup communication Ack_Data (PLC grants a PDU size). */
export function s7SetupCommunicationAck(o: SetupCommunicationOptions = {}): Uint8Array {
  return cotpData(s7Header(3, o.pduRef ?? 0, setupParam(o, 240), []));
}

export interface SzlRequestOptions {
  pduRef?: number;
  szlId: number;
  szlIndex?: number;
  seq?: number;
}

/** Userdata CPU functions / Read SZL request. */
export function s7SzlReadRequest(o: SzlRequestOptions): Uint8Array {
  const param = [0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, o.seq ?? 0];
  const data = [0xff, 0x09, ...u16(4), ...u16(o.szlId), ...u16(o.szlIndex ?? 0)];
  return cotpData(s7Header(7, o.pduRef ?? 0x100, param, data));
}

export interface SzlResponseOptions {
  pduRef?: number;
  szlId: number;
  szlIndex?: number;
  /** Record length in bytes; every record is padded or cut to it. */
  recordLength: number;
  records: ArrayLike<number>[];
  seq?: number;
}

/** Userdata CPU functions / Read SZL response carrying whole records (one part). */
export function s7SzlReadResponse(o: SzlResponseOptions): Uint8Array {
  const param = [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, o.seq ?? 1, 0x00, 0x00, 0x00, 0x00];
  const list: number[] = [...u16(o.szlId), ...u16(o.szlIndex ?? 0), ...u16(o.recordLength), ...u16(o.records.length)];
  for (const r of o.records) {
    const rec = new Array<number>(o.recordLength).fill(0);
    for (let i = 0; i < Math.min(r.length, o.recordLength); i++) rec[i] = r[i]!;
    list.push(...rec);
  }
  const data = [0xff, 0x09, ...u16(list.length), ...list];
  return cotpData(s7Header(7, o.pduRef ?? 0x100, param, data));
}

/** A fixed-size text field, padded with `pad`. */
function text(s: string, size: number, pad = 0x20): number[] {
  const out = new Array<number>(size).fill(pad);
  const b = Buffer.from(s, 'latin1');
  for (let i = 0; i < Math.min(b.length, size); i++) out[i] = b[i]!;
  return out;
}

export interface ModuleIdentificationOptions {
  pduRef?: number;
  /** Order number (MLFB), e.g. "6ES7 315-2EH14-0AB0". */
  orderNumber: string;
  /** "V3.2.6": a letter then major.minor.patch (each 0-255). */
  firmware: string;
  /** Hardware revision (index 6). */
  hardware?: number;
  /** Module type id. */
  moduleTypeId?: number;
}

/** Read SZL response for SZL-ID 0x0011 (module identification): index 1 module, 6 hardware, 7 firmware. */
export function s7ModuleIdentificationResponse(o: ModuleIdentificationOptions): Uint8Array {
  const m = /^([A-Z])(\d+)\.(\d+)\.(\d+)$/.exec(o.firmware);
  const fw = m ? [m[1]!.charCodeAt(0), Number(m[2]) & 0xff, Number(m[3]) & 0xff, Number(m[4]) & 0xff] : [0, 0, 0, 0];
  const bg = u16(o.moduleTypeId ?? 0x00c0);
  const rec = (index: number, mlfb: string, v: number[]): number[] => [...u16(index), ...text(mlfb, 20), ...bg, ...v];
  return s7SzlReadResponse({
    pduRef: o.pduRef,
    szlId: 0x0011,
    recordLength: 28,
    records: [
      rec(1, o.orderNumber, [0, o.hardware ?? 1, 0, 1]),
      rec(6, o.orderNumber, [0, o.hardware ?? 1, 0, 1]),
      rec(7, '', fw),
    ],
  });
}

export interface ComponentIdentificationOptions {
  pduRef?: number;
  /** Name of the automation system (index 1). */
  plcName: string;
  /** Name of the module (index 2). */
  moduleName?: string;
  /** Plant designation (index 3). */
  plantId?: string;
  /** Serial number of the module (index 5). */
  serial: string;
  /** Module type name (index 7), e.g. "CPU 315-2 PN/DP". */
  moduleTypeName: string;
  copyright?: string;
}

/** Read SZL response for SZL-ID 0x001C (component identification). */
export function s7ComponentIdentificationResponse(o: ComponentIdentificationOptions): Uint8Array {
  const rec = (index: number, body: number[]): number[] => [...u16(index), ...body];
  return s7SzlReadResponse({
    pduRef: o.pduRef,
    szlId: 0x001c,
    recordLength: 34,
    records: [
      rec(1, text(o.plcName, 32, 0)),
      rec(2, text(o.moduleName ?? 'PLC_1', 32, 0)),
      rec(3, text(o.plantId ?? '', 32, 0)),
      rec(4, text(o.copyright ?? 'Original Siemens Equipment', 32, 0)),
      rec(5, text(o.serial, 32, 0)),
      rec(7, text(o.moduleTypeName, 32, 0)),
      rec(9, [0x00, 0x2a, 0xf6, 0x00, 0x00, 0x01]),
    ],
  });
}

/** An S7comm-plus message start (protocol id 0x72) in a COTP DT, enough to be recognised. */
export function s7PlusData(body: ArrayLike<number> = [0x01, 0x00, 0x04, 0x31, 0x00, 0x00, 0x05]): Uint8Array {
  return cotpData([0x72, ...Array.from(body)]);
}
