/**
 * BACnet/IP (ASHRAE 135 Annex J, UDP 47808): BVLC header, NPDU, APDU.
 *
 * What a passive sensor learns from it:
 *   - I-Am (unconfirmed service 0): the sender is a BACnet device; its device
 *     instance, max APDU, segmentation and vendor id.
 *   - Who-Is (unconfirmed service 8): the sender looks for devices (a client:
 *     a workstation or supervisory controller).
 *   - ReadProperty (confirmed 12) and ReadPropertyMultiple (confirmed 14)
 *     complex ACKs about the device object: object-name, model-name,
 *     firmware-revision, application-software-version, vendor-name,
 *     vendor-identifier.
 *
 * Forwarded-NPDU (BVLC function 0x04) carries the original sender's B/IP
 * address: facts then go to that address, not to the forwarding BBMD. An NPDU
 * with a source network (SNET) came through a router from another BACnet
 * network: facts go to SADR when it is a 6-byte B/IP address, else nowhere.
 *
 * Lengths are checked before every read, nothing throws, loops are bounded,
 * and malformations are counted by name (`bacnet.*`).
 */
import type { ErrorCounter } from './snmp.js';
import { u16, u32 } from '../decode/bytes.js';
import { escapeBytes, ip4Text, printable } from './text.js';
import { Verdict, type Dissector, type DissectContext, type ObservationData, type ObservationKind } from './types.js';

export const BACNET_PORT = 47808;

/** BVLC functions that carry an NPDU. */
export const BVLC_FORWARDED_NPDU = 0x04;
export const BVLC_DISTRIBUTE_BROADCAST = 0x09;
export const BVLC_ORIGINAL_UNICAST = 0x0a;
export const BVLC_ORIGINAL_BROADCAST = 0x0b;

export const APDU_CONFIRMED = 0;
export const APDU_UNCONFIRMED = 1;
export const APDU_SIMPLE_ACK = 2;
export const APDU_COMPLEX_ACK = 3;
export const APDU_SEGMENT_ACK = 4;
export const APDU_ERROR = 5;
export const APDU_REJECT = 6;
export const APDU_ABORT = 7;

export const SVC_I_AM = 0;
export const SVC_WHO_IS = 8;
export const SVC_READ_PROPERTY = 12;
export const SVC_READ_PROPERTY_MULTIPLE = 14;

export const OBJECT_DEVICE = 8;

export const PROP_APPLICATION_SOFTWARE_VERSION = 12;
export const PROP_FIRMWARE_REVISION = 44;
export const PROP_MODEL_NAME = 70;
export const PROP_OBJECT_NAME = 77;
export const PROP_VENDOR_IDENTIFIER = 120;
export const PROP_VENDOR_NAME = 121;

/** Property values the dissector keeps (the first value of each). */
const WANTED_PROPS = new Set([
  PROP_APPLICATION_SOFTWARE_VERSION,
  PROP_FIRMWARE_REVISION,
  PROP_MODEL_NAME,
  PROP_OBJECT_NAME,
  PROP_VENDOR_IDENTIFIER,
  PROP_VENDOR_NAME,
]);

/**
 * Well-known BACnet vendor identifiers (assigned by ASHRAE), written from
 * general knowledge; only ids the author is sure of.
 */
export const BACNET_VENDORS: ReadonlyMap<number, string> = new Map([
  [0, 'ASHRAE'],
  [1, 'NIST'],
  [2, 'Trane'],
  [3, 'McQuay International'],
  [5, 'Johnson Controls'],
  [6, 'American Auto-Matrix'],
  [7, 'Siemens'],
  [8, 'Delta Controls'],
  [10, 'Schneider Electric'],
  [16, 'Carrier'],
  [17, 'Honeywell'],
  [18, 'Alerton'],
  [24, 'Automated Logic'],
  [28, 'KMC Controls'],
  [35, 'Reliable Controls'],
  [36, 'Tridium'],
]);

export function bacnetVendorName(id: number): string {
  return BACNET_VENDORS.get(id) ?? `vendor id ${id}`;
}

export interface BacnetObjectId {
  type: number;
  instance: number;
}

/** One application-tagged value, reduced to what the dissector uses. */
export type BacnetValue =
  | { kind: 'string'; text: string }
  | { kind: 'unsigned'; value: number }
  | { kind: 'enumerated'; value: number }
  | { kind: 'objectid'; value: BacnetObjectId }
  | { kind: 'other'; tag: number };

export interface BacnetProperty {
  object: BacnetObjectId;
  property: number;
  value: BacnetValue;
}

export interface BacnetIAm {
  device: BacnetObjectId;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

export interface BacnetMessage {
  bvlcFunction: number;
  /** Forwarded-NPDU: the original sender's B/IP address (IPv4 as a number) and port. */
  origIp: number | null;
  origPort: number;
  /** NPDU routing information (-1 when absent). */
  dnet: number;
  snet: number;
  /** SADR bytes as lower-case hex ('' when absent). */
  sadr: string;
  /** SADR as a B/IP address when it is 6 bytes; else null. */
  sadrIp: number | null;
  /** Network-layer message type (-1 when the NPDU carries an APDU or nothing). */
  networkMessage: number;
  /** APDU type (-1 when there is no APDU). */
  apduType: number;
  /** Service choice (-1 when none). */
  service: number;
  invokeId: number;
  /** Segmented complex ACK / confirmed request: data not parsed unless it is the first segment. */
  segmented: boolean;
  iAm: BacnetIAm | null;
  /** Who-Is limits (-1 when absent). */
  whoIsLow: number;
  whoIsHigh: number;
  /** ReadProperty request: the object and property asked for. */
  request: { object: BacnetObjectId; property: number } | null;
  /** ReadProperty / ReadPropertyMultiple ACK: the wanted properties found (bounded). */
  properties: BacnetProperty[];
}

const MAX_PROPERTIES = 64;
const MAX_STRING = 256;
const MAX_DEPTH = 8;
const MAX_TAGS = 512;

interface Tag {
  number: number;
  context: boolean;
  /** Length of the content, or for application boolean, the value. */
  lvt: number;
  opening: boolean;
  closing: boolean;
  /** Where the content starts. */
  data: number;
  /** Where the next tag starts. */
  next: number;
}

/** Reads a tag header at p (end exclusive); null when cut or malformed. */
function readTag(b: Uint8Array, p: number, end: number): Tag | null {
  if (p >= end) return null;
  const t = b[p]!;
  let q = p + 1;
  let number = t >> 4;
  if (number === 15) {
    if (q >= end) return null;
    number = b[q++]!;
  }
  const context = (t & 8) !== 0;
  let lvt = t & 7;
  if (context && (lvt === 6 || lvt === 7)) {
    return { number, context, lvt: 0, opening: lvt === 6, closing: lvt === 7, data: q, next: q };
  }
  if (!context && number === 1) {
    // Application boolean: the value is in the LVT field.
    return { number, context, lvt, opening: false, closing: false, data: q, next: q };
  }
  if (lvt === 5) {
    if (q >= end) return null;
    lvt = b[q++]!;
    if (lvt === 254) {
      if (q + 2 > end) return null;
      lvt = u16(b, q);
      q += 2;
    } else if (lvt === 255) {
      if (q + 4 > end) return null;
      lvt = u32(b, q);
      q += 4;
    }
  }
  if (q + lvt > end) return null;
  return { number, context, lvt, opening: false, closing: false, data: q, next: q + lvt };
}

function unsignedOf(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n && i < 6; i++) v = v * 256 + b[p + i]!;
  return v;
}

function objectIdOf(b: Uint8Array, p: number): BacnetObjectId {
  const v = u32(b, p);
  return { type: Math.floor(v / 4194304), instance: v % 4194304 };
}

/** BACnet CharacterString content (encoding byte first) as escaped text. */
export function bacnetString(b: Uint8Array, p: number, n: number): string {
  if (n < 1) return '';
  const enc = b[p]!;
  const start = p + 1;
  const end = start + Math.min(n - 1, MAX_STRING * 4);
  if (enc === 0 || enc === 5) return printable(b, start, Math.min(end, start + MAX_STRING));
  if (enc === 4 || enc === 3) {
    // UCS-2 / UCS-4, big-endian: characters below 0x80 as is, others escaped.
    const w = enc === 4 ? 2 : 4;
    const bytes: number[] = [];
    for (let i = start; i + w <= end && bytes.length < MAX_STRING; i += w) {
      const c = w === 2 ? u16(b, i) : u32(b, i);
      if (c === 0) continue;
      bytes.push(c < 0x80 ? c : 0x3f);
    }
    return escapeBytes(bytes, 0, bytes.length);
  }
  return `encoding ${enc} ` + escapeBytes(b, start, Math.min(end, start + MAX_STRING));
}

/** The value of an application tag, reduced to the kinds the dissector uses. */
function appValue(b: Uint8Array, t: Tag): BacnetValue {
  switch (t.number) {
    case 2:
      return { kind: 'unsigned', value: unsignedOf(b, t.data, t.lvt) };
    case 7:
      return { kind: 'string', text: bacnetString(b, t.data, t.lvt) };
    case 9:
      return { kind: 'enumerated', value: unsignedOf(b, t.data, t.lvt) };
    case 12:
      if (t.lvt === 4) return { kind: 'objectid', value: objectIdOf(b, t.data) };
      return { kind: 'other', tag: 12 };
    default:
      return { kind: 'other', tag: t.number };
  }
}

/**
 * Skips a value list up to the closing tag `number` (nested opening/closing
 * pairs counted, depth bounded); returns the position after the closing tag,
 * and the first application value found, or null when malformed.
 */
function readValues(b: Uint8Array, p: number, end: number, number: number): { next: number; first: BacnetValue | null } | null {
  let depth = 0;
  let first: BacnetValue | null = null;
  for (let n = 0; n < MAX_TAGS; n++) {
    const t = readTag(b, p, end);
    if (t === null) return null;
    if (t.opening) {
      if (++depth > MAX_DEPTH) return null;
    } else if (t.closing) {
      if (depth === 0) return t.number === number ? { next: t.next, first } : null;
      depth--;
    } else if (!t.context && first === null && depth === 0) {
      first = appValue(b, t);
    }
    p = t.next;
  }
  return null;
}

/** A context tag `number` with content at p (not opening/closing); null otherwise. */
function contextTag(b: Uint8Array, p: number, end: number, number: number): Tag | null {
  const t = readTag(b, p, end);
  if (t === null || !t.context || t.opening || t.closing || t.number !== number) return null;
  return t;
}

function parseIAm(b: Uint8Array, p: number, end: number): BacnetIAm | null {
  const t1 = readTag(b, p, end);
  if (t1 === null || t1.context || t1.number !== 12 || t1.lvt !== 4) return null;
  const t2 = readTag(b, t1.next, end);
  if (t2 === null || t2.context || t2.number !== 2) return null;
  const t3 = readTag(b, t2.next, end);
  if (t3 === null || t3.context || t3.number !== 9) return null;
  const t4 = readTag(b, t3.next, end);
  if (t4 === null || t4.context || t4.number !== 2) return null;
  return {
    device: objectIdOf(b, t1.data),
    maxApdu: unsignedOf(b, t2.data, t2.lvt),
    segmentation: unsignedOf(b, t3.data, t3.lvt),
    vendorId: unsignedOf(b, t4.data, t4.lvt),
  };
}

/** ReadProperty-ACK service data: object, property, optional index, [3] values. */
function parseReadPropertyAck(b: Uint8Array, p: number, end: number, out: BacnetProperty[]): boolean {
  const t0 = contextTag(b, p, end, 0);
  if (t0 === null || t0.lvt !== 4) return false;
  const object = objectIdOf(b, t0.data);
  const t1 = contextTag(b, t0.next, end, 1);
  if (t1 === null) return false;
  const property = unsignedOf(b, t1.data, t1.lvt);
  let q = t1.next;
  const t2 = contextTag(b, q, end, 2);
  if (t2 !== null) q = t2.next;
  const open = readTag(b, q, end);
  if (open === null || !open.opening || open.number !== 3) return false;
  const vals = readValues(b, open.next, end, 3);
  if (vals === null) return false;
  if (vals.first !== null && WANTED_PROPS.has(property)) out.push({ object, property, value: vals.first });
  return true;
}

/** ReadPropertyMultiple-ACK: a list of (object, [1] list of (property, index?, [4] value | [5] error)). */
function parseReadPropertyMultipleAck(b: Uint8Array, p: number, end: number, out: BacnetProperty[]): boolean {
  for (let objects = 0; p < end && objects < MAX_TAGS; objects++) {
    const t0 = contextTag(b, p, end, 0);
    if (t0 === null || t0.lvt !== 4) return false;
    const object = objectIdOf(b, t0.data);
    const open = readTag(b, t0.next, end);
    if (open === null || !open.opening || open.number !== 1) return false;
    p = open.next;
    let closed = false;
    for (let n = 0; n < MAX_TAGS; n++) {
      const t = readTag(b, p, end);
      if (t === null) return false;
      if (t.closing && t.number === 1) {
        p = t.next;
        closed = true;
        break;
      }
      if (t.context && !t.opening && !t.closing && t.number === 2) {
        const property = unsignedOf(b, t.data, t.lvt);
        let q = t.next;
        const t3 = contextTag(b, q, end, 3);
        if (t3 !== null) q = t3.next;
        const vo = readTag(b, q, end);
        if (vo === null || !vo.opening || (vo.number !== 4 && vo.number !== 5)) return false;
        const vals = readValues(b, vo.next, end, vo.number);
        if (vals === null) return false;
        if (vo.number === 4 && vals.first !== null && WANTED_PROPS.has(property) && out.length < MAX_PROPERTIES) {
          out.push({ object, property, value: vals.first });
        }
        p = vals.next;
        continue;
      }
      return false;
    }
    if (!closed) return false;
  }
  return true;
}

function emptyMessage(fn: number): BacnetMessage {
  return {
    bvlcFunction: fn,
    origIp: null,
    origPort: 0,
    dnet: -1,
    snet: -1,
    sadr: '',
    sadrIp: null,
    networkMessage: -1,
    apduType: -1,
    service: -1,
    invokeId: -1,
    segmented: false,
    iAm: null,
    whoIsLow: -1,
    whoIsHigh: -1,
    request: null,
    properties: [],
  };
}

const HEX = '0123456789abcdef';

/** Parses one BACnet/IP datagram (BVLC first). Null when it is not BACnet/IP or is broken. Never throws. */
export function parseBacnet(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): BacnetMessage | null {
  if (off < 0 || len < 4 || off + len > buf.length) {
    errs?.count('bacnet.truncated');
    return null;
  }
  if (buf[off] !== 0x81) {
    errs?.count('bacnet.bad_bvlc_type');
    return null;
  }
  const fn = buf[off + 1]!;
  const bvlcLen = u16(buf, off + 2);
  if (bvlcLen < 4 || bvlcLen > len) {
    errs?.count('bacnet.bad_bvlc_length');
    return null;
  }
  const end = off + bvlcLen;
  const m = emptyMessage(fn);
  let p = off + 4;
  if (fn === BVLC_FORWARDED_NPDU) {
    if (p + 6 > end) {
      errs?.count('bacnet.truncated');
      return null;
    }
    m.origIp = u32(buf, p);
    m.origPort = u16(buf, p + 4);
    p += 6;
  } else if (fn !== BVLC_ORIGINAL_UNICAST && fn !== BVLC_ORIGINAL_BROADCAST && fn !== BVLC_DISTRIBUTE_BROADCAST) {
    // BVLC-Result, BDT / FDT management, Register-Foreign-Device: no NPDU.
    if (fn > 0x0c) {
      errs?.count('bacnet.bad_bvlc_function');
      return null;
    }
    return m;
  }
  // NPDU
  if (p + 2 > end) {
    errs?.count('bacnet.truncated');
    return null;
  }
  if (buf[p] !== 1) {
    errs?.count('bacnet.bad_npdu_version');
    return null;
  }
  const control = buf[p + 1]!;
  p += 2;
  if (control & 0x20) {
    if (p + 3 > end) {
      errs?.count('bacnet.truncated');
      return null;
    }
    m.dnet = u16(buf, p);
    const dlen = buf[p + 2]!;
    p += 3 + dlen;
  }
  if (control & 0x08) {
    if (p + 3 > end) {
      errs?.count('bacnet.truncated');
      return null;
    }
    m.snet = u16(buf, p);
    const slen = buf[p + 2]!;
    p += 3;
    if (slen === 0 || p + slen > end) {
      errs?.count('bacnet.bad_sadr');
      return null;
    }
    for (let i = 0; i < slen; i++) m.sadr += HEX[buf[p + i]! >> 4]! + HEX[buf[p + i]! & 15]!;
    if (slen === 6) m.sadrIp = u32(buf, p);
    p += slen;
  }
  if (control & 0x20) p += 1; // hop count
  if (p > end) {
    errs?.count('bacnet.truncated');
    return null;
  }
  if (control & 0x80) {
    if (p >= end) {
      errs?.count('bacnet.truncated');
      return null;
    }
    m.networkMessage = buf[p]!;
    return m;
  }
  // APDU
  if (p >= end) {
    errs?.count('bacnet.truncated');
    return null;
  }
  const b0 = buf[p]!;
  const type = b0 >> 4;
  m.apduType = type;
  let data = -1;
  switch (type) {
    case APDU_CONFIRMED: {
      const seg = (b0 & 8) !== 0;
      const h = seg ? 6 : 4;
      if (p + h > end) break;
      m.invokeId = buf[p + 2]!;
      m.segmented = seg;
      m.service = buf[p + h - 1]!;
      if (!seg || buf[p + 3] === 0) data = p + h;
      break;
    }
    case APDU_UNCONFIRMED:
      if (p + 2 > end) break;
      m.service = buf[p + 1]!;
      data = p + 2;
      break;
    case APDU_SIMPLE_ACK:
    case APDU_ERROR:
      if (p + 3 > end) break;
      m.invokeId = buf[p + 1]!;
      m.service = buf[p + 2]!;
      break;
    case APDU_COMPLEX_ACK: {
      const seg = (b0 & 8) !== 0;
      const h = seg ? 5 : 3;
      if (p + h > end) break;
      m.invokeId = buf[p + 1]!;
      m.segmented = seg;
      m.service = buf[p + h - 1]!;
      // Only an unsegmented ACK is whole; a first segment is cut anywhere.
      if (!seg) data = p + h;
      break;
    }
    case APDU_SEGMENT_ACK:
    case APDU_REJECT:
    case APDU_ABORT:
      if (p + 3 > end) break;
      m.invokeId = buf[p + 1]!;
      return m;
    default:
      errs?.count('bacnet.bad_apdu_type');
      return null;
  }
  if (m.service < 0) {
    errs?.count('bacnet.truncated');
    return null;
  }
  if (data < 0) return m;
  if (type === APDU_UNCONFIRMED && m.service === SVC_I_AM) {
    m.iAm = parseIAm(buf, data, end);
    if (m.iAm === null) errs?.count('bacnet.bad_i_am');
  } else if (type === APDU_UNCONFIRMED && m.service === SVC_WHO_IS) {
    const lo = contextTag(buf, data, end, 0);
    const hi = lo === null ? null : contextTag(buf, lo.next, end, 1);
    if (lo !== null && hi !== null) {
      m.whoIsLow = unsignedOf(buf, lo.data, lo.lvt);
      m.whoIsHigh = unsignedOf(buf, hi.data, hi.lvt);
    }
  } else if (type === APDU_CONFIRMED && m.service === SVC_READ_PROPERTY) {
    const t0 = contextTag(buf, data, end, 0);
    const t1 = t0 === null || t0.lvt !== 4 ? null : contextTag(buf, t0.next, end, 1);
    if (t0 !== null && t1 !== null) m.request = { object: objectIdOf(buf, t0.data), property: unsignedOf(buf, t1.data, t1.lvt) };
    else errs?.count('bacnet.bad_read_property');
  } else if (type === APDU_COMPLEX_ACK && m.service === SVC_READ_PROPERTY) {
    if (!parseReadPropertyAck(buf, data, end, m.properties)) errs?.count('bacnet.bad_read_property_ack');
  } else if (type === APDU_COMPLEX_ACK && m.service === SVC_READ_PROPERTY_MULTIPLE) {
    if (!parseReadPropertyMultipleAck(buf, data, end, m.properties)) errs?.count('bacnet.bad_read_property_multiple_ack');
  }
  return m;
}

// ---------------------------------------------------------------------------
// Dissector

type Emit = (kind: ObservationKind, value: string, data?: ObservationData) => void;

/** Where facts about the message's originator go: the sender, a forwarded original source, or a routed SADR. */
function originator(m: BacnetMessage, ctx: DissectContext): Emit | null {
  if (m.snet >= 0) {
    const ip = m.sadrIp;
    if (ip === null) return null;
    return (k, v, d) => ctx.about4(ip, -1, k, v, d);
  }
  if (m.origIp !== null) {
    const ip = m.origIp;
    return (k, v, d) => ctx.about4(ip, -1, k, v, d);
  }
  return (k, v, d) => ctx.src(k, v, d);
}

function emitProperty(emit: Emit, p: BacnetProperty): void {
  const v = p.value;
  const data: ObservationData = { bacnet_instance: p.object.instance, property: p.property };
  if (p.property === PROP_VENDOR_IDENTIFIER) {
    if (v.kind === 'unsigned') emit('vendor', bacnetVendorName(v.value), { vendor_id: v.value });
    return;
  }
  if (v.kind !== 'string' || v.text === '') return;
  switch (p.property) {
    case PROP_OBJECT_NAME:
      emit('hostname', v.text, data);
      break;
    case PROP_MODEL_NAME:
      emit('model', v.text, data);
      break;
    case PROP_FIRMWARE_REVISION:
      emit('firmware', v.text, data);
      break;
    case PROP_APPLICATION_SOFTWARE_VERSION:
      emit('banner', `application software ${v.text}`, data);
      break;
    case PROP_VENDOR_NAME:
      emit('vendor', v.text, data);
      break;
  }
}

export const bacnetDissector: Dissector = {
  id: 'bacnet',
  app: { application: 'BACnet', family: 'Industrial' },
  udpPorts: [BACNET_PORT],
  /** BACnet/IP on another UDP port (47809.. are common): a BVLC header whose length is the datagram's, and NPDU version 1. */
  probe(buf, off, len, proto) {
    if (proto !== 17 || len < 6 || buf[off] !== 0x81 || u16(buf, off + 2) !== len) return false;
    const fn = buf[off + 1]!;
    if (fn === BVLC_FORWARDED_NPDU) return len >= 12 && buf[off + 10] === 1;
    return (fn === BVLC_ORIGINAL_UNICAST || fn === BVLC_ORIGINAL_BROADCAST || fn === BVLC_DISTRIBUTE_BROADCAST) && buf[off + 4] === 1;
  },
  dissect(buf, off, len, ctx) {
    const m = parseBacnet(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    if (m.apduType < 0) return Verdict.Continue;
    const emit = originator(m, ctx);
    const direct = m.snet < 0 && m.dnet < 0 && m.origIp === null;
    if (m.apduType === APDU_UNCONFIRMED && m.service === SVC_I_AM && m.iAm !== null && emit !== null) {
      const a = m.iAm;
      if (a.device.type === OBJECT_DEVICE) {
        const inst = a.device.instance;
        emit('role', 'bacnet-device', { bacnet_instance: inst });
        emit('device_type', 'building controller', { bacnet_instance: inst });
        emit('banner', `bacnet device ${inst}`, { bacnet_instance: inst, max_apdu: a.maxApdu, segmentation: a.segmentation });
        emit('vendor', bacnetVendorName(a.vendorId), { vendor_id: a.vendorId });
      }
    } else if (m.apduType === APDU_UNCONFIRMED && m.service === SVC_WHO_IS && emit !== null) {
      emit('role', 'bacnet-client');
    } else if (m.apduType === APDU_CONFIRMED && emit !== null) {
      emit('role', 'bacnet-client');
      if (direct) ctx.dst('role', 'bacnet-device');
    } else if (m.apduType === APDU_COMPLEX_ACK && emit !== null) {
      emit('role', 'bacnet-device');
      if (direct) ctx.dst('role', 'bacnet-client');
      for (const p of m.properties) if (p.object.type === OBJECT_DEVICE) emitProperty(emit, p);
    }
    return Verdict.Continue;
  },
};

/** Dotted text of a forwarded original source (for reports and tests). */
export function bacnetOrigText(m: BacnetMessage): string | null {
  if (m.origIp === null) return null;
  const b = new Uint8Array(4);
  b[0] = m.origIp >>> 24;
  b[1] = (m.origIp >>> 16) & 255;
  b[2] = (m.origIp >>> 8) & 255;
  b[3] = m.origIp & 255;
  return `${ip4Text(b, 0)}:${m.origPort}`;
}
