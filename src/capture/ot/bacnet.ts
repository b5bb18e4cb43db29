/**
 * BACnet/IP payloads (UDP 47808) for the OT sample capture and the tests:
 * BVLC + NPDU + APDU bytes, nothing below UDP.
 */

const BVLC_ORIGINAL_UNICAST = 0x0a;
const BVLC_ORIGINAL_BROADCAST = 0x0b;
const BVLC_FORWARDED_NPDU = 0x04;

export interface BvlcOptions {
  /** Original-Broadcast-NPDU (default for I-Am / Who-Is) or Original-Unicast-NPDU. */
  broadcast?: boolean;
  /** Wrap as Forwarded-NPDU from this original B/IP source ("a.b.c.d", port 47808 unless given). */
  forwardedFrom?: string;
  forwardedPort?: number;
}

function ip4Bytes(ip: string): number[] {
  const parts = ip.split('.').map((x) => Number(x) & 255);
  while (parts.length < 4) parts.push(0);
  return parts.slice(0, 4);
}

function bvlc(npdu: number[], o: BvlcOptions, defaultBroadcast: boolean): Uint8Array {
  let head: number[];
  if (o.forwardedFrom !== undefined) {
    const port = o.forwardedPort ?? 47808;
    head = [0x81, BVLC_FORWARDED_NPDU, 0, 0, ...ip4Bytes(o.forwardedFrom), port >> 8, port & 255];
  } else {
    head = [0x81, (o.broadcast ?? defaultBroadcast) ? BVLC_ORIGINAL_BROADCAST : BVLC_ORIGINAL_UNICAST, 0, 0];
  }
  const out = Uint8Array.from([...head, ...npdu]);
  out[2] = out.length >> 8;
  out[3] = out.length & 255;
  return out;
}

/** NPDU header: version 1; `expectingReply` for confirmed requests. */
function npdu(expectingReply: boolean): number[] {
  return [0x01, expectingReply ? 0x04 : 0x00];
}

/** Minimal big-endian unsigned bytes (at least one). */
function uintBytes(v: number): number[] {
  const b: number[] = [];
  let x = Math.max(0, Math.floor(v));
  do {
    b.unshift(x & 255);
    x = Math.floor(x / 256);
  } while (x > 0 && b.length < 4);
  return b;
}

function tagHeader(number: number, context: boolean, len: number): number[] {
  const cls = context ? 8 : 0;
  const first = number < 15 ? [(number << 4) | cls] : [0xf0 | cls, number];
  if (len < 5) {
    first[0]! |= len;
    return first;
  }
  first[0]! |= 5;
  if (len < 254) return [...first, len];
  return [...first, 254, len >> 8, len & 255];
}

function appUnsigned(v: number): number[] {
  const b = uintBytes(v);
  return [...tagHeader(2, false, b.length), ...b];
}
function appEnumerated(v: number): number[] {
  const b = uintBytes(v);
  return [...tagHeader(9, false, b.length), ...b];
}
function objectId(type: number, instance: number): number[] {
  const v = type * 4194304 + (instance & 0x3fffff);
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
function appObjectId(type: number, instance: number): number[] {
  return [...tagHeader(12, false, 4), ...objectId(type, instance)];
}
/** Character string, encoding 0 (UTF-8 / ANSI X3.4). */
function appString(s: string): number[] {
  const b = [0, ...Buffer.from(s, 'utf8')];
  return [...tagHeader(7, false, b.length), ...b];
}
function ctxUnsigned(n: number, v: number): number[] {
  const b = uintBytes(v);
  return [...tagHeader(n, true, b.length), ...b];
}
function ctxObjectId(n: number, type: number, instance: number): number[] {
  return [...tagHeader(n, true, 4), ...objectId(type, instance)];
}
const open = (n: number): number[] => [(n << 4) | 0x0e];
const close = (n: number): number[] => [(n << 4) | 0x0f];

export const BACNET_OBJECT_DEVICE = 8;
export const BACNET_PROP_OBJECT_NAME = 77;
export const BACNET_PROP_MODEL_NAME = 70;
export const BACNET_PROP_FIRMWARE_REVISION = 44;
export const BACNET_PROP_APPLICATION_SOFTWARE_VERSION = 12;
export const BACNET_PROP_VENDOR_NAME = 121;

export interface IAmOptions extends BvlcOptions {
  instance: number;
  vendorId: number;
  /** Default 1476 (B/IP). */
  maxApdu?: number;
  /** 0 both, 1 transmit, 2 receive, 3 none (default). */
  segmentation?: number;
}

/** Unconfirmed I-Am, broadcast by default. */
export function bacnetIAm(o: IAmOptions): Uint8Array {
  const apdu = [
    0x10,
    0x00,
    ...appObjectId(BACNET_OBJECT_DEVICE, o.instance),
    ...appUnsigned(o.maxApdu ?? 1476),
    ...appEnumerated(o.segmentation ?? 3),
    ...appUnsigned(o.vendorId),
  ];
  return bvlc([...npdu(false), ...apdu], o, true);
}

export interface WhoIsOptions extends BvlcOptions {
  /** Device instance range; both or neither. */
  low?: number;
  high?: number;
}

/** Unconfirmed Who-Is, broadcast by default. */
export function bacnetWhoIs(o: WhoIsOptions = {}): Uint8Array {
  const apdu = [0x10, 0x08];
  if (o.low !== undefined && o.high !== undefined) apdu.push(...ctxUnsigned(0, o.low), ...ctxUnsigned(1, o.high));
  return bvlc([...npdu(false), ...apdu], o, true);
}

export interface ReadPropertyOptions extends BvlcOptions {
  invokeId: number;
  /** Default: the device object. */
  objectType?: number;
  instance: number;
  property: number;
}

/** Confirmed ReadProperty request (unicast). */
export function bacnetReadProperty(o: ReadPropertyOptions): Uint8Array {
  const apdu = [
    0x00,
    0x05, // max segments unspecified, max APDU 1476
    o.invokeId & 255,
    12,
    ...ctxObjectId(0, o.objectType ?? BACNET_OBJECT_DEVICE, o.instance),
    ...ctxUnsigned(1, o.property),
  ];
  return bvlc([...npdu(true), ...apdu], o, false);
}

export interface ReadPropertyAckOptions extends ReadPropertyOptions {
  /** A character string value (object-name, model-name, firmware-revision...), or an unsigned. */
  value: string | number;
}

/** ReadProperty complex ACK carrying one value (unicast). */
export function bacnetReadPropertyAck(o: ReadPropertyAckOptions): Uint8Array {
  const value = typeof o.value === 'string' ? appString(o.value) : appUnsigned(o.value);
  const apdu = [
    0x30,
    o.invokeId & 255,
    12,
    ...ctxObjectId(0, o.objectType ?? BACNET_OBJECT_DEVICE, o.instance),
    ...ctxUnsigned(1, o.property),
    ...open(3),
    ...value,
    ...close(3),
  ];
  return bvlc([...npdu(false), ...apdu], o, false);
}

export interface ReadPropertyMultipleAckOptions extends BvlcOptions {
  invokeId: number;
  instance: number;
  /** Property id → value (string or unsigned), in order. */
  values: [number, string | number][];
}

/** ReadPropertyMultiple complex ACK for the device object (unicast). */
export function bacnetReadPropertyMultipleAck(o: ReadPropertyMultipleAckOptions): Uint8Array {
  const body: number[] = [...ctxObjectId(0, BACNET_OBJECT_DEVICE, o.instance), ...open(1)];
  for (const [prop, v] of o.values) {
    body.push(...ctxUnsigned(2, prop), ...open(4), ...(typeof v === 'string' ? appString(v) : appUnsigned(v)), ...close(4));
  }
  body.push(...close(1));
  return bvlc([...npdu(false), 0x30, o.invokeId & 255, 14, ...body], o, false);
}
