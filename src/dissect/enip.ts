/**
 * EtherNet/IP encapsulation (TCP and UDP 44818) and the CIP messages it
 * carries; UDP 2222 (implicit, class 0/1 I/O) is recognised only.
 *
 * Encapsulation header, 24 bytes, little-endian: command u16, length u16
 * (of the data after the header), session handle u32, status u32, sender
 * context 8 bytes, options u32. Data of the commands read here:
 *   - ListIdentity (0x63): request empty; response a Common Packet Format
 *     (CPF: item count u16, items of type u16, length u16, data) whose
 *     identity item (0x0C) names the device: vendor id, device type (CIP
 *     profile), product code, revision major.minor, status, serial number,
 *     product name (short string), state.
 *   - ListServices (0x04), ListInterfaces (0x64), RegisterSession (0x65),
 *     UnRegisterSession (0x66): who is the scanner and who the adapter.
 *   - SendRRData (0x6F) / SendUnitData (0x70): interface handle u32,
 *     timeout u16, CPF; the unconnected (0xB2) or connected (0xB1, after a
 *     2-byte sequence count) data item holds a CIP message: service byte
 *     (bit 7: response), then for a request the path (size in words) and
 *     for a response reserved, general status, additional status. Unconnected
 *     Send (0x52 to the Connection Manager) and Multiple Service Packet
 *     (0x0A to the Message Router) embed further messages (nesting bounded).
 *
 * Lengths are checked before every read, nothing throws, loops are bounded,
 * malformations are counted by name (`enip.*`).
 */
import type { ErrorCounter } from './snmp.js';
import { u16, u16le, u32, u32le } from '../decode/bytes.js';
import { printable } from './text.js';
import { Verdict, type Dissector, type DissectContext, type ObservationData } from './types.js';

export const ENIP_PORT = 44818;
export const ENIP_IO_PORT = 2222;
export const ENIP_HEADER_LEN = 24;

export const CMD_NOP = 0x00;
export const CMD_LIST_SERVICES = 0x04;
export const CMD_LIST_IDENTITY = 0x63;
export const CMD_LIST_INTERFACES = 0x64;
export const CMD_REGISTER_SESSION = 0x65;
export const CMD_UNREGISTER_SESSION = 0x66;
export const CMD_SEND_RR_DATA = 0x6f;
export const CMD_SEND_UNIT_DATA = 0x70;
export const CMD_INDICATE_STATUS = 0x72;
export const CMD_CANCEL = 0x73;

/** Commands defined by the specification (0x01 is a legacy ListInterfaces still sent by some tools). */
const KNOWN_COMMANDS = new Set([0x00, 0x01, 0x04, 0x63, 0x64, 0x65, 0x66, 0x6f, 0x70, 0x72, 0x73]);

export const CPF_NULL = 0x0000;
export const CPF_IDENTITY = 0x000c;
export const CPF_CONNECTED_ADDRESS = 0x00a1;
export const CPF_CONNECTED_DATA = 0x00b1;
export const CPF_UNCONNECTED_DATA = 0x00b2;
export const CPF_LIST_SERVICES = 0x0100;
export const CPF_SEQUENCED_ADDRESS = 0x8002;

/** Well-known ODVA vendor ids, written from general knowledge; only ids the author is sure of. */
export const ENIP_VENDORS: ReadonlyMap<number, string> = new Map([
  [1, 'Rockwell Automation/Allen-Bradley'],
  [3, 'Honeywell'],
  [5, 'Rockwell Automation/Reliance Electric'],
  [7, 'SMC Corporation'],
  [8, 'Molex'],
  [12, 'Banner Engineering'],
  [26, 'Festo'],
  [47, 'Omron'],
  [90, 'HMS Industrial Networks'],
]);

export function enipVendorName(id: number): string {
  return ENIP_VENDORS.get(id) ?? `vendor id ${id}`;
}

/** CIP device profiles (device type numbers of the Identity object). */
export const CIP_DEVICE_TYPES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Generic Device'],
  [0x02, 'AC Drive'],
  [0x03, 'Motor Overload'],
  [0x04, 'Limit Switch'],
  [0x05, 'Inductive Proximity Switch'],
  [0x06, 'Photoelectric Sensor'],
  [0x07, 'General Purpose Discrete I/O'],
  [0x09, 'Resolver'],
  [0x0c, 'Communications Adapter'],
  [0x0e, 'Programmable Logic Controller'],
  [0x10, 'Position Controller'],
  [0x13, 'DC Drive'],
  [0x15, 'Contactor'],
  [0x16, 'Motor Starter'],
  [0x17, 'Soft Start'],
  [0x18, 'Human-Machine Interface'],
  [0x1a, 'Mass Flow Controller'],
  [0x1b, 'Pneumatic Valve'],
  [0x1c, 'Vacuum Pressure Gauge'],
  [0x22, 'Encoder'],
  [0x23, 'Safety Discrete I/O'],
  [0x25, 'CIP Motion Drive'],
  [0x2b, 'Generic Device (keyable)'],
  [0x2c, 'Managed Ethernet Switch'],
]);

/** The inventory's device type for a CIP profile. */
export function cipDeviceClass(deviceType: number): string {
  switch (deviceType) {
    case 0x0e:
      return 'industrial controller';
    case 0x18:
      return 'hmi/engineering station';
    case 0x2c:
      return 'network device';
    default:
      return 'field device';
  }
}

/** Names of common CIP services (request codes), for banners. */
export const CIP_SERVICES: ReadonlyMap<number, string> = new Map([
  [0x01, 'Get_Attributes_All'],
  [0x02, 'Set_Attributes_All'],
  [0x03, 'Get_Attribute_List'],
  [0x04, 'Set_Attribute_List'],
  [0x05, 'Reset'],
  [0x06, 'Start'],
  [0x07, 'Stop'],
  [0x08, 'Create'],
  [0x09, 'Delete'],
  [0x0a, 'Multiple_Service_Packet'],
  [0x0e, 'Get_Attribute_Single'],
  [0x10, 'Set_Attribute_Single'],
  [0x4b, 'Execute_PCCC'],
  [0x4c, 'Read_Tag'],
  [0x4d, 'Write_Tag'],
  [0x4e, 'Forward_Close'],
  [0x54, 'Forward_Open'],
  [0x5b, 'Large_Forward_Open'],
]);

export interface EnipIdentity {
  encapVersion: number;
  sockFamily: number;
  sockPort: number;
  /** IPv4 address of the socket address, as a number. */
  sockAddr: number;
  vendorId: number;
  deviceType: number;
  productCode: number;
  revMajor: number;
  revMinor: number;
  status: number;
  serial: number;
  productName: string;
  /** -1 when the item ends before the state byte. */
  state: number;
}

export interface CipService {
  /** Service code without the response bit. */
  code: number;
  response: boolean;
  /** Class from the request path (-1 when none or a response). */
  classId: number;
  /** General status of a response (-1 for a request). */
  status: number;
  /** 0 at the top, 1.. embedded. */
  depth: number;
}

export interface EnipPdu {
  command: number;
  /** Data length from the header. */
  length: number;
  session: number;
  status: number;
  /** ListIdentity response items. */
  identities: EnipIdentity[];
  /** ListServices response: service names. */
  serviceNames: string[];
  /** CIP messages in SendRRData / SendUnitData, top-level first then embedded (bounded). */
  cip: CipService[];
}

export interface EnipParse {
  pdus: EnipPdu[];
  /** Bytes consumed by whole PDUs. */
  used: number;
  /** The buffer ends inside a PDU; `need` is that PDU's whole size. */
  cut: boolean;
  need: number;
}

const MAX_PDUS = 512;
const MAX_ITEMS = 16;
const MAX_CIP = 64;
const MAX_DEPTH = 2;
const MAX_PATH_SEGMENTS = 32;

function ipNumText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Identity item data [p, end). */
function parseIdentity(b: Uint8Array, p: number, end: number, errs?: ErrorCounter): EnipIdentity | null {
  // 2 version + 16 sockaddr + 2 vendor + 2 type + 2 code + 2 rev + 2 status + 4 serial + 1 name length
  if (p + 33 > end) {
    errs?.count('enip.identity_truncated');
    return null;
  }
  const nameLen = b[p + 32]!;
  const nameEnd = p + 33 + nameLen;
  if (nameEnd > end) {
    errs?.count('enip.identity_truncated');
    return null;
  }
  return {
    encapVersion: u16le(b, p),
    sockFamily: u16(b, p + 2),
    sockPort: u16(b, p + 4),
    sockAddr: u32(b, p + 6),
    vendorId: u16le(b, p + 18),
    deviceType: u16le(b, p + 20),
    productCode: u16le(b, p + 22),
    revMajor: b[p + 24]!,
    revMinor: b[p + 25]!,
    status: u16le(b, p + 26),
    serial: u32le(b, p + 28),
    productName: printable(b, p + 33, nameEnd),
    state: nameEnd < end ? b[nameEnd]! : -1,
  };
}

/** Skips a request path of `words` 16-bit words at p; returns the class id found (-1 when none). */
function pathClass(b: Uint8Array, p: number, end: number): number {
  for (let n = 0; n < MAX_PATH_SEGMENTS && p < end; n++) {
    const s = b[p]!;
    if ((s & 0xe0) === 0x20) {
      // Logical segment: type in bits 4..2, format in bits 1..0.
      const type = (s >> 2) & 7;
      const fmt = s & 3;
      let v: number;
      if (fmt === 0) {
        if (p + 2 > end) return -1;
        v = b[p + 1]!;
        p += 2;
      } else if (fmt === 1) {
        if (p + 4 > end) return -1;
        v = u16le(b, p + 2);
        p += 4;
      } else if (fmt === 2) {
        if (p + 6 > end) return -1;
        v = u32le(b, p + 2);
        p += 6;
      } else return -1;
      if (type === 0) return v;
    } else if (s === 0x91) {
      // ANSI extended symbol: length, characters, pad to even.
      if (p + 2 > end) return -1;
      const l = b[p + 1]!;
      p += 2 + l + (l & 1);
    } else if ((s & 0xe0) === 0x00) {
      // Port segment: port, link address (one byte here, or a sized one with bit 4).
      if (s & 0x10) {
        if (p + 2 > end) return -1;
        const l = b[p + 1]!;
        p += 2 + l + (l & 1);
      } else p += 2;
    } else return -1;
  }
  return -1;
}

/** One CIP message [p, end) and what it embeds. */
function parseCip(b: Uint8Array, p: number, end: number, depth: number, out: CipService[], errs?: ErrorCounter): void {
  if (out.length >= MAX_CIP) return;
  if (p + 2 > end) {
    errs?.count('enip.cip_truncated');
    return;
  }
  const s = b[p]!;
  const code = s & 0x7f;
  if (s & 0x80) {
    if (p + 4 > end) {
      errs?.count('enip.cip_truncated');
      return;
    }
    const status = b[p + 2]!;
    out.push({ code, response: true, classId: -1, status, depth });
    const data = p + 4 + b[p + 3]! * 2;
    if (code === 0x0a && depth < MAX_DEPTH && data <= end) embeddedList(b, data, end, depth, out, errs);
    return;
  }
  const words = b[p + 1]!;
  const pathEnd = p + 2 + words * 2;
  if (pathEnd > end) {
    errs?.count('enip.cip_bad_path');
    out.push({ code, response: false, classId: -1, status: -1, depth });
    return;
  }
  const classId = pathClass(b, p + 2, pathEnd);
  out.push({ code, response: false, classId, status: -1, depth });
  if (depth >= MAX_DEPTH) return;
  if (code === 0x52 && classId === 0x06) {
    // Unconnected Send: priority/tick, timeout ticks, message size, message.
    if (pathEnd + 4 > end) return;
    const size = u16le(b, pathEnd + 2);
    const m = pathEnd + 4;
    if (m + size > end) {
      errs?.count('enip.cip_truncated');
      return;
    }
    parseCip(b, m, m + size, depth + 1, out, errs);
  } else if (code === 0x0a && classId === 0x02) {
    embeddedList(b, pathEnd, end, depth, out, errs);
  }
}

/** Multiple Service Packet data: count, offsets from the count, messages. */
function embeddedList(b: Uint8Array, p: number, end: number, depth: number, out: CipService[], errs?: ErrorCounter): void {
  if (p + 2 > end) return;
  const count = u16le(b, p);
  if (p + 2 + count * 2 > end) {
    errs?.count('enip.cip_bad_multiple');
    return;
  }
  for (let i = 0; i < count && out.length < MAX_CIP; i++) {
    const start = p + u16le(b, p + 2 + i * 2);
    const stop = i + 1 < count ? p + u16le(b, p + 4 + i * 2) : end;
    if (start >= stop || stop > end) {
      errs?.count('enip.cip_bad_multiple');
      return;
    }
    parseCip(b, start, stop, depth + 1, out, errs);
  }
}

/** CPF at p (item count, items), end exclusive; calls `item` for each. False when malformed. */
function cpf(b: Uint8Array, p: number, end: number, item: (type: number, data: number, len: number) => void, errs?: ErrorCounter): boolean {
  if (p + 2 > end) {
    errs?.count('enip.cpf_truncated');
    return false;
  }
  const count = u16le(b, p);
  p += 2;
  if (count > MAX_ITEMS) {
    errs?.count('enip.cpf_too_many_items');
    return false;
  }
  for (let i = 0; i < count; i++) {
    if (p + 4 > end) {
      errs?.count('enip.cpf_truncated');
      return false;
    }
    const type = u16le(b, p);
    const l = u16le(b, p + 2);
    if (p + 4 + l > end) {
      errs?.count('enip.cpf_truncated');
      return false;
    }
    item(type, p + 4, l);
    p += 4 + l;
  }
  return true;
}

/** Whether an encapsulation header starts at p (enough bytes assumed): a known command, options 0. */
function plausibleHeader(b: Uint8Array, p: number): boolean {
  return b[p + 1] === 0 && KNOWN_COMMANDS.has(b[p]!) && u32le(b, p + 20) === 0;
}

/** The data of one PDU [p, end). */
function parseData(b: Uint8Array, command: number, p: number, end: number, pdu: EnipPdu, errs?: ErrorCounter): void {
  if (p === end) return;
  switch (command) {
    case CMD_LIST_IDENTITY:
      cpf(
        b,
        p,
        end,
        (type, d, l) => {
          if (type !== CPF_IDENTITY) return;
          const id = parseIdentity(b, d, d + l, errs);
          if (id !== null) pdu.identities.push(id);
        },
        errs,
      );
      break;
    case CMD_LIST_SERVICES:
      cpf(
        b,
        p,
        end,
        (type, d, l) => {
          // version u16, capability flags u16, name (16 bytes, NUL-padded)
          if (type === CPF_LIST_SERVICES && l >= 4) pdu.serviceNames.push(printable(b, d + 4, Math.min(d + l, d + 20)));
        },
        errs,
      );
      break;
    case CMD_SEND_RR_DATA:
    case CMD_SEND_UNIT_DATA:
      if (p + 6 > end) {
        errs?.count('enip.truncated');
        return;
      }
      cpf(
        b,
        p + 6,
        end,
        (type, d, l) => {
          if (type === CPF_UNCONNECTED_DATA) parseCip(b, d, d + l, 0, pdu.cip, errs);
          else if (type === CPF_CONNECTED_DATA && l >= 2) parseCip(b, d + 2, d + l, 0, pdu.cip, errs);
        },
        errs,
      );
      break;
  }
}

/**
 * Parses the encapsulation PDUs back to back from `off` (a UDP datagram, or
 * a TCP direction from its start). Null when the first header is not
 * EtherNet/IP. Never throws.
 */
export function parseEnip(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): EnipParse | null {
  if (off < 0 || len < 0 || off + len > buf.length) return null;
  const end = off + len;
  const r: EnipParse = { pdus: [], used: 0, cut: false, need: 0 };
  let p = off;
  for (let n = 0; n < MAX_PDUS && p < end; n++) {
    if (p + ENIP_HEADER_LEN > end) {
      if (n === 0 && (len < 2 || buf[p + 1] !== 0 || !KNOWN_COMMANDS.has(buf[p]!))) {
        errs?.count('enip.truncated');
        return null;
      }
      r.cut = true;
      r.need = p - off + ENIP_HEADER_LEN;
      break;
    }
    if (!plausibleHeader(buf, p)) {
      errs?.count(n === 0 ? 'enip.bad_header' : 'enip.bad_next_header');
      if (n === 0) return null;
      break;
    }
    const command = u16le(buf, p);
    const length = u16le(buf, p + 2);
    if (p + ENIP_HEADER_LEN + length > end) {
      r.cut = true;
      r.need = p - off + ENIP_HEADER_LEN + length;
      break;
    }
    const pdu: EnipPdu = {
      command,
      length,
      session: u32le(buf, p + 4),
      status: u32le(buf, p + 8),
      identities: [],
      serviceNames: [],
      cip: [],
    };
    parseData(buf, command, p + ENIP_HEADER_LEN, p + ENIP_HEADER_LEN + length, pdu, errs);
    r.pdus.push(pdu);
    p += ENIP_HEADER_LEN + length;
    r.used = p - off;
  }
  return r;
}

/** Implicit I/O datagram (UDP 2222): a CPF whose first item is a sequenced or null address. */
export function looksLikeEnipIo(b: Uint8Array, off: number, len: number): boolean {
  if (off < 0 || len < 6 || off + len > b.length) return false;
  const count = u16le(b, off);
  if (count < 2 || count > 4) return false;
  const type = u16le(b, off + 2);
  const l = u16le(b, off + 4);
  if (type === CPF_SEQUENCED_ADDRESS ? l !== 8 : type !== CPF_NULL && type !== CPF_CONNECTED_ADDRESS) return false;
  const next = off + 6 + l;
  if (next + 4 > off + len) return false;
  const t2 = u16le(b, next);
  return (t2 === CPF_CONNECTED_DATA || t2 === CPF_UNCONNECTED_DATA) && next + 4 + u16le(b, next + 2) <= off + len;
}

// ---------------------------------------------------------------------------
// Dissector

function serialText(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function emitIdentity(ctx: DissectContext, id: EnipIdentity): void {
  const typeName = CIP_DEVICE_TYPES.get(id.deviceType) ?? `device type ${id.deviceType}`;
  ctx.src('vendor', enipVendorName(id.vendorId), { vendor_id: id.vendorId });
  const data: ObservationData = { cip_device_type: id.deviceType, name: typeName, product_code: id.productCode };
  ctx.src('device_type', cipDeviceClass(id.deviceType), data);
  if (id.productName !== '') ctx.src('model', id.productName, { product_code: id.productCode, vendor_id: id.vendorId });
  ctx.src('firmware', `${id.revMajor}.${id.revMinor}`, { product_code: id.productCode });
  ctx.src('serial', serialText(id.serial));
  if (id.sockFamily === 2 && id.sockAddr !== 0) ctx.src('banner', `enip identity ${ipNumText(id.sockAddr)}:${id.sockPort}`);
}

function emitRoles(ctx: DissectContext, scannerSends: boolean): void {
  ctx.src('role', scannerSends ? 'enip-scanner' : 'enip-adapter');
  ctx.dst('role', scannerSends ? 'enip-adapter' : 'enip-scanner');
}

export const enipDissector: Dissector = {
  id: 'enip',
  app: { application: 'EtherNet/IP', family: 'Industrial' },
  tcpPorts: [ENIP_PORT],
  udpPorts: [ENIP_PORT, ENIP_IO_PORT],
  dissect(buf, off, len, ctx) {
    const v = ctx.view;
    const tcp = v.proto === 6;
    if (!tcp && v.srcPort !== ENIP_PORT && v.dstPort !== ENIP_PORT) {
      // Implicit I/O: recognised, not read. A producer sending to a multicast group is an adapter (T->O).
      if (!looksLikeEnipIo(buf, off, len)) return Verdict.Malformed;
      if (v.dst4 >= 0xe0000000 && v.dst4 < 0xf0000000) ctx.src('role', 'enip-adapter', { io: true });
      return Verdict.Continue;
    }
    const r = parseEnip(buf, off, len, ctx);
    if (r === null) return Verdict.Malformed;
    if (!tcp && r.pdus.length === 0) return Verdict.Malformed;
    for (const pdu of r.pdus) {
      // TCP: the connection's initiator is the scanner (originator). UDP: a request has no data.
      const fromScanner = tcp ? ctx.fromClient : pdu.length === 0 || (pdu.command !== CMD_LIST_IDENTITY && pdu.command !== CMD_LIST_SERVICES && pdu.command !== CMD_LIST_INTERFACES && pdu.command !== 0x01);
      if (pdu.command === CMD_LIST_IDENTITY && !fromScanner) {
        emitRoles(ctx, false);
        for (const id of pdu.identities.slice(0, 4)) emitIdentity(ctx, id);
      } else if (pdu.command === CMD_LIST_IDENTITY) {
        ctx.src('role', 'enip-scanner');
      } else if (pdu.command !== CMD_NOP) {
        emitRoles(ctx, fromScanner);
      }
      if (fromScanner) {
        for (const c of pdu.cip) {
          if (c.response) continue;
          const name = CIP_SERVICES.get(c.code);
          const hexCode = '0x' + c.code.toString(16).padStart(2, '0');
          ctx.src('banner', name ? `cip service ${hexCode} ${name}` : `cip service ${hexCode}`);
        }
      }
    }
    if (!tcp) return Verdict.Continue;
    if (r.cut) return r.need > (enipDissector.maxStream ?? 8192) ? Verdict.Done : Verdict.More;
    return Verdict.Continue;
  },
};
