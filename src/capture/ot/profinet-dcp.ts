/**
 * PROFINET DCP payloads (the bytes after EtherType 0x8892) for the OT sample
 * capture and tests: an identify request (multicast to 01:0e:cf:00:00:00) and
 * an identify response describing a device.
 */

function block(option: number, sub: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = option;
  head[1] = sub;
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(value.length & 1)]);
}

function dcp(frameId: number, serviceId: number, serviceType: number, xid: number, delay: number, blocks: Buffer[]): Buffer {
  const data = Buffer.concat(blocks);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(frameId, 0);
  head[2] = serviceId;
  head[3] = serviceType;
  head.writeUInt32BE(xid >>> 0, 4);
  head.writeUInt16BE(delay, 8);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function ipBytes(ip: string): Buffer {
  const b = Buffer.alloc(4);
  const parts = ip.split('.');
  for (let i = 0; i < 4; i++) b[i] = Number(parts[i] ?? 0) & 255;
  return b;
}

export interface DcpIdentifyRequestOptions {
  xid?: number;
  /** Response delay factor (units of 10 ms). */
  responseDelay?: number;
  /** Look for this NameOfStation only; absent: identify all (the "All" selector). */
  nameOfStation?: string;
}

/** Identify request (FrameID 0xfefe, service 5, request). */
export function dcpIdentifyRequest(o: DcpIdentifyRequestOptions = {}): Buffer {
  const filter = o.nameOfStation !== undefined ? block(2, 2, Buffer.from(o.nameOfStation, 'latin1')) : block(0xff, 0xff, Buffer.alloc(0));
  return dcp(0xfefe, 5, 0, o.xid ?? 0x01000001, o.responseDelay ?? 1, [filter]);
}

export interface DcpIdentifyResponseOptions {
  xid?: number;
  nameOfStation: string;
  vendorId: number;
  deviceId: number;
  /** Device role bits: 1 IO-Device, 2 IO-Controller, 4 IO-Multidevice, 8 IO-Supervisor. */
  role: number;
  /** Type of station (device vendor value), e.g. "S7-1500". */
  typeOfStation?: string;
  ip?: string;
  mask?: string;
  gateway?: string;
}

/** Identify response (FrameID 0xfeff, service 5, response success); every block with BlockInfo 0. */
export function dcpIdentifyResponse(o: DcpIdentifyResponseOptions): Buffer {
  const info = (v: Buffer, bi = 0) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(bi, 0);
    return Buffer.concat([b, v]);
  };
  const blocks: Buffer[] = [];
  if (o.ip !== undefined) {
    const v = Buffer.concat([ipBytes(o.ip), ipBytes(o.mask ?? '255.255.255.0'), ipBytes(o.gateway ?? '0.0.0.0')]);
    blocks.push(block(1, 2, info(v, 1)));
  }
  if (o.typeOfStation !== undefined) blocks.push(block(2, 1, info(Buffer.from(o.typeOfStation, 'latin1'))));
  blocks.push(block(2, 2, info(Buffer.from(o.nameOfStation, 'latin1'))));
  const id = Buffer.alloc(4);
  id.writeUInt16BE(o.vendorId & 0xffff, 0);
  id.writeUInt16BE(o.deviceId & 0xffff, 2);
  blocks.push(block(2, 3, info(id)));
  blocks.push(block(2, 4, info(Buffer.from([o.role & 255, 0]))));
  // Device options: the (option, suboption) pairs supported.
  blocks.push(block(2, 5, info(Buffer.from([1, 1, 1, 2, 2, 1, 2, 2, 2, 3, 2, 4, 2, 5]))));
  return dcp(0xfeff, 5, 1, o.xid ?? 0x01000001, 0, blocks);
}
