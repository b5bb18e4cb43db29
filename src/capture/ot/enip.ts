/**
 * EtherNet/IP encapsulation payloads (TCP/UDP 44818) for the OT sample
 * capture and the tests: the 24-byte header and its data, nothing below.
 */

export interface EnipHeaderOptions {
  session?: number;
  status?: number;
  /** 8 bytes of sender context (default zeros). */
  context?: Uint8Array;
}

/** An encapsulation PDU: header (little-endian) + data. */
export function enipPdu(command: number, data: Uint8Array, o: EnipHeaderOptions = {}): Uint8Array {
  const out = Buffer.alloc(24 + data.length);
  out.writeUInt16LE(command, 0);
  out.writeUInt16LE(data.length, 2);
  out.writeUInt32LE((o.session ?? 0) >>> 0, 4);
  out.writeUInt32LE((o.status ?? 0) >>> 0, 8);
  if (o.context) Buffer.from(o.context.subarray(0, 8)).copy(out, 12);
  out.set(data, 24);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** ListIdentity request (no data): broadcast on UDP 44818 or sent over TCP. */
export function enipListIdentityRequest(o: EnipHeaderOptions = {}): Uint8Array {
  return enipPdu(0x63, new Uint8Array(0), o);
}

export interface ListIdentityResponseOptions extends EnipHeaderOptions {
  vendorId: number;
  /** CIP device profile (0x0C communications adapter, 0x0E PLC, 0x18 HMI...). */
  deviceType: number;
  productCode: number;
  /** "major.minor", e.g. "20.11". */
  revision: string;
  serial: number;
  productName: string;
  /** The device's IPv4 address for the socket address item. */
  ip: string;
  port?: number;
  /** Identity status word (default 0x0030). */
  deviceStatus?: number;
  /** Identity state (default 3, operational). */
  state?: number;
}

/** ListIdentity response with one identity item (0x0C). */
export function enipListIdentityResponse(o: ListIdentityResponseOptions): Uint8Array {
  const name = Buffer.from(o.productName, 'latin1').subarray(0, 255);
  const item = Buffer.alloc(34 + name.length);
  item.writeUInt16LE(1, 0); // encapsulation protocol version
  item.writeUInt16BE(2, 2); // sin_family AF_INET, big-endian
  item.writeUInt16BE(o.port ?? 44818, 4);
  const ip = o.ip.split('.').map((x) => Number(x) & 255);
  for (let i = 0; i < 4; i++) item[6 + i] = ip[i] ?? 0;
  // 8 bytes sin_zero
  item.writeUInt16LE(o.vendorId & 0xffff, 18);
  item.writeUInt16LE(o.deviceType & 0xffff, 20);
  item.writeUInt16LE(o.productCode & 0xffff, 22);
  const [maj = '0', min = '0'] = o.revision.split('.');
  item[24] = Number(maj) & 255;
  item[25] = Number(min) & 255;
  item.writeUInt16LE((o.deviceStatus ?? 0x0030) & 0xffff, 26);
  item.writeUInt32LE(o.serial >>> 0, 28);
  item[32] = name.length;
  name.copy(item, 33);
  item[33 + name.length] = o.state ?? 3;
  const data = Buffer.alloc(6 + item.length);
  data.writeUInt16LE(1, 0); // item count
  data.writeUInt16LE(0x000c, 2);
  data.writeUInt16LE(item.length, 4);
  item.copy(data, 6);
  return enipPdu(0x63, data, o);
}

/** RegisterSession request (protocol version 1, options 0); session 0. */
export function enipRegisterSessionRequest(o: EnipHeaderOptions = {}): Uint8Array {
  return enipPdu(0x65, Uint8Array.from([1, 0, 0, 0]), { ...o, session: o.session ?? 0 });
}

/** RegisterSession response: the adapter's session handle. */
export function enipRegisterSessionResponse(o: EnipHeaderOptions & { session: number }): Uint8Array {
  return enipPdu(0x65, Uint8Array.from([1, 0, 0, 0]), o);
}

export interface SendRRDataOptions extends EnipHeaderOptions {
  /** The CIP message (service, path size, path, data). */
  cip: Uint8Array;
}

/** SendRRData with a null address item and an unconnected data item. */
export function enipSendRRData(o: SendRRDataOptions): Uint8Array {
  const data = Buffer.alloc(6 + 2 + 4 + 4 + o.cip.length);
  // interface handle 0, timeout 0
  data.writeUInt16LE(2, 6);
  data.writeUInt16LE(0x0000, 8);
  data.writeUInt16LE(0, 10);
  data.writeUInt16LE(0x00b2, 12);
  data.writeUInt16LE(o.cip.length, 14);
  data.set(o.cip, 16);
  return enipPdu(0x6f, data, o);
}

/** A CIP request to class/instance (8-bit logical segments), e.g. Get_Attributes_All (0x01) to the Identity object (1/1). */
export function cipRequest(service: number, classId: number, instance: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return Uint8Array.from([service & 0x7f, 2, 0x20, classId & 255, 0x24, instance & 255, ...body]);
}
