/**
 * Modbus/TCP (TCP 502). Each ADU is an MBAP header (transaction id, protocol
 * id 0, length of what follows, unit id) and a PDU starting with the function
 * code. The client (connection initiator) sends requests; the server answers
 * with the same function code, or with the code | 0x80 and an exception code.
 *
 * What a passive sensor learns: which end is client and server, the function
 * codes a client uses (reads, writes, diagnostics), the exceptions a server
 * returns, and from a Read Device Identification answer (function 43, MEI
 * type 14) the server's vendor, product code, revision and names.
 */
import { u16 } from '../decode/bytes.js';
import { escapeBytes } from './text.js';
import { Verdict, type DissectContext, type Dissector, type ObservationData } from './types.js';

interface ErrorCounter {
  count(reason: string, n?: number): void;
}

/** MBAP header (7 bytes) followed by at least the function code. */
export const MBAP_LEN = 7;
/** Largest MBAP length field: unit id + a PDU of at most 253 bytes. */
export const MODBUS_MAX_LENGTH = 254;
/** Bytes of a direction read before the dissector has what it wants. */
export const MODBUS_STREAM = 4096;
/** Encapsulated Interface Transport and its Read Device Identification MEI type. */
export const FC_MEI = 43;
export const MEI_READ_DEVICE_ID = 14;

/** Public function codes (Modbus Application Protocol v1.1b3, §6). */
const FUNCTIONS: Record<number, string> = {
  1: 'Read Coils',
  2: 'Read Discrete Inputs',
  3: 'Read Holding Registers',
  4: 'Read Input Registers',
  5: 'Write Single Coil',
  6: 'Write Single Register',
  7: 'Read Exception Status',
  8: 'Diagnostics',
  11: 'Get Comm Event Counter',
  12: 'Get Comm Event Log',
  15: 'Write Multiple Coils',
  16: 'Write Multiple Registers',
  17: 'Report Server ID',
  20: 'Read File Record',
  21: 'Write File Record',
  22: 'Mask Write Register',
  23: 'Read/Write Multiple Registers',
  24: 'Read FIFO Queue',
  43: 'Encapsulated Interface Transport',
};

const EXCEPTIONS: Record<number, string> = {
  1: 'Illegal Function',
  2: 'Illegal Data Address',
  3: 'Illegal Data Value',
  4: 'Server Device Failure',
  5: 'Acknowledge',
  6: 'Server Device Busy',
  7: 'Negative Acknowledge',
  8: 'Memory Parity Error',
  10: 'Gateway Path Unavailable',
  11: 'Gateway Target Device Failed to Respond',
};

/** Device identification object ids (basic 0-2, regular 3-6). */
const OBJECTS: Record<number, string> = {
  0: 'VendorName',
  1: 'ProductCode',
  2: 'MajorMinorRevision',
  3: 'VendorUrl',
  4: 'ProductName',
  5: 'ModelName',
  6: 'UserApplicationName',
};

export function modbusFunctionName(fc: number): string | null {
  return FUNCTIONS[fc] ?? null;
}

export function modbusExceptionName(code: number): string | null {
  return EXCEPTIONS[code] ?? null;
}

export function modbusObjectName(id: number): string | null {
  return OBJECTS[id] ?? null;
}

export interface ModbusAdu {
  transactionId: number;
  unitId: number;
  /** Function code without the exception bit. */
  functionCode: number;
  /** Set in an exception response (the function code had 0x80). */
  exceptionCode: number | null;
  /** MEI type of a function 43 PDU, else null. */
  meiType: number | null;
  /** Where the PDU (from the function code) is in the buffer, and its length. */
  pduOff: number;
  pduLen: number;
}

export interface ModbusParse {
  adus: ModbusAdu[];
  /** Bytes taken by the whole ADUs. */
  used: number;
  /** The bytes after the last whole ADU are the start of one (a TCP segment boundary). */
  cut: boolean;
  /** The bytes after the last whole ADU are not an MBAP header. */
  bad: boolean;
}

/**
 * Parses the ADUs at `buf[off, off + len)`, back to back (at most `max`).
 * Stops at the first bad header (bad) or cut ADU (cut). Never throws.
 */
export function parseModbusAdus(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter, max = 512): ModbusParse {
  const out: ModbusParse = { adus: [], used: 0, cut: false, bad: false };
  if (off < 0 || len < 0 || off + len > buf.length) {
    out.bad = true;
    errs?.count('modbus.truncated');
    return out;
  }
  const end = off + len;
  let p = off;
  while (p < end && out.adus.length < max) {
    const left = end - p;
    // Check what is there of the header before deciding it is only cut.
    if (left >= 4 && u16(buf, p + 2) !== 0) {
      errs?.count('modbus.bad_protocol_id');
      out.bad = true;
      break;
    }
    if (left >= 6) {
      const n = u16(buf, p + 4);
      if (n < 2 || n > MODBUS_MAX_LENGTH) {
        errs?.count('modbus.bad_length');
        out.bad = true;
        break;
      }
    }
    if (left >= 8 && (buf[p + 7]! & 0x7f) === 0) {
      errs?.count('modbus.bad_function');
      out.bad = true;
      break;
    }
    if (left < 8 || left < 6 + u16(buf, p + 4)) {
      out.cut = true;
      break;
    }
    const n = u16(buf, p + 4);
    const fcByte = buf[p + 7]!;
    const pduLen = n - 1;
    const adu: ModbusAdu = {
      transactionId: u16(buf, p),
      unitId: buf[p + 6]!,
      functionCode: fcByte & 0x7f,
      exceptionCode: null,
      meiType: null,
      pduOff: p + 7,
      pduLen,
    };
    if (fcByte & 0x80) {
      if (pduLen < 2) errs?.count('modbus.truncated');
      else adu.exceptionCode = buf[p + 8]!;
    } else if (adu.functionCode === FC_MEI && pduLen >= 2) {
      adu.meiType = buf[p + 8]!;
    }
    out.adus.push(adu);
    p += 6 + n;
    out.used = p - off;
  }
  return out;
}

export interface ModbusDeviceObject {
  id: number;
  value: string;
}

export interface ModbusDeviceId {
  readDevIdCode: number;
  conformityLevel: number;
  moreFollows: boolean;
  nextObjectId: number;
  objects: ModbusDeviceObject[];
}

/**
 * A Read Device Identification response PDU at `buf[off, off + len)` (function
 * code 43, MEI type 14, read device id code, conformity level, more follows,
 * next object id, number of objects, then id / length / value). Objects that
 * fit are kept when the list is cut. Null unless it is such a response.
 */
export function parseModbusDeviceId(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): ModbusDeviceId | null {
  if (off < 0 || len < 7 || off + len > buf.length) return null;
  if (buf[off] !== FC_MEI || buf[off + 1] !== MEI_READ_DEVICE_ID) return null;
  const end = off + len;
  const id: ModbusDeviceId = {
    readDevIdCode: buf[off + 2]!,
    conformityLevel: buf[off + 3]!,
    moreFollows: buf[off + 4] === 0xff,
    nextObjectId: buf[off + 5]!,
    objects: [],
  };
  const count = buf[off + 6]!;
  let p = off + 7;
  for (let i = 0; i < count; i++) {
    if (p + 2 > end || p + 2 + buf[p + 1]! > end) {
      errs?.count('modbus.bad_device_id');
      break;
    }
    const n = buf[p + 1]!;
    id.objects.push({ id: buf[p]!, value: trimmed(buf, p + 2, p + 2 + n) });
    p += 2 + n;
  }
  return id;
}

/** Escaped text without trailing NULs and spaces (fixed-size fields). */
function trimmed(b: Uint8Array, start: number, end: number): string {
  while (end > start && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  while (start < end && b[start] === 0x20) start++;
  return escapeBytes(b, start, end);
}

/** The `banner` text for a function code a client used. */
export function modbusFunctionBanner(fc: number, meiType: number | null): string {
  if (fc === FC_MEI && meiType === MEI_READ_DEVICE_ID) return 'fc 43/14 Read Device Identification';
  if (fc === FC_MEI && meiType === 13) return 'fc 43/13 CANopen General Reference';
  const name = FUNCTIONS[fc];
  return name ? `fc ${fc} ${name}` : `fc ${fc}`;
}

export function modbusExceptionBanner(code: number, fc: number): string {
  const name = EXCEPTIONS[code];
  return name ? `exception ${code} ${name} on fc ${fc}` : `exception ${code} on fc ${fc}`;
}

const MAX_FUNCTIONS = 16;
const MAX_UNITS = 8;

function observeClient(adus: ModbusAdu[], ctx: DissectContext): void {
  const seen = new Map<string, { fc: number; mei: number | null; units: number[] }>();
  for (const a of adus) {
    const key = modbusFunctionBanner(a.functionCode, a.meiType);
    let e = seen.get(key);
    if (e === undefined) {
      if (seen.size >= MAX_FUNCTIONS) continue;
      e = { fc: a.functionCode, mei: a.meiType, units: [] };
      seen.set(key, e);
    }
    if (e.units.length < MAX_UNITS && !e.units.includes(a.unitId)) e.units.push(a.unitId);
  }
  for (const [value, e] of seen) {
    const data: ObservationData = { function_code: e.fc, unit_ids: e.units.sort((x, y) => x - y) };
    if (e.mei !== null) data['mei_type'] = e.mei;
    ctx.src('banner', value, data);
  }
}

function observeServer(buf: Uint8Array, adus: ModbusAdu[], ctx: DissectContext): void {
  const exceptions = new Set<string>();
  const objects = new Map<number, string>();
  let unitId = -1;
  for (const a of adus) {
    if (a.exceptionCode !== null) {
      const value = modbusExceptionBanner(a.exceptionCode, a.functionCode);
      if (exceptions.size < MAX_FUNCTIONS && !exceptions.has(value)) {
        exceptions.add(value);
        ctx.src('banner', value, { function_code: a.functionCode, exception_code: a.exceptionCode, unit_id: a.unitId });
      }
      continue;
    }
    if (a.meiType !== MEI_READ_DEVICE_ID) continue;
    const d = parseModbusDeviceId(buf, a.pduOff, a.pduLen, ctx);
    if (d === null) continue;
    for (const o of d.objects) {
      if (o.value !== '' && !objects.has(o.id)) {
        objects.set(o.id, o.value);
        if (unitId < 0) unitId = a.unitId;
      }
    }
  }
  if (objects.size === 0) return;
  const vendor = objects.get(0);
  if (vendor !== undefined) {
    const data: ObservationData = { object: 'VendorName', unit_id: unitId };
    const url = objects.get(3);
    if (url !== undefined) data['vendor_url'] = url;
    const app = objects.get(6);
    if (app !== undefined) data['user_application_name'] = app;
    ctx.src('vendor', vendor, data);
  }
  for (const id of [1, 4, 5]) {
    const v = objects.get(id);
    if (v !== undefined) ctx.src('model', v, { object: OBJECTS[id]!, unit_id: unitId });
  }
  const rev = objects.get(2);
  if (rev !== undefined) ctx.src('firmware', rev, { object: 'MajorMinorRevision', unit_id: unitId });
}

export const modbusDissector: Dissector = {
  id: 'modbus',
  app: { application: 'Modbus', family: 'Industrial' },
  tcpPorts: [502],
  maxStream: MODBUS_STREAM,
  dissect(buf, off, len, ctx) {
    const r = parseModbusAdus(buf, off, Math.min(len, MODBUS_STREAM), ctx);
    if (r.adus.length === 0) {
      if (r.bad) return Verdict.Malformed;
      return len >= MODBUS_STREAM ? Verdict.Done : Verdict.More;
    }
    if (ctx.fromClient) {
      ctx.src('role', 'modbus-client');
      ctx.dst('role', 'modbus-server');
      observeClient(r.adus, ctx);
    } else {
      ctx.src('role', 'modbus-server');
      ctx.dst('role', 'modbus-client');
      observeServer(buf, r.adus, ctx);
    }
    if (r.bad || len >= MODBUS_STREAM) return Verdict.Done;
    return Verdict.More;
  },
};
