/**
 * Modbus/TCP payloads (the bytes after the TCP header) for sample captures
 * and tests: an MBAP header and a PDU.
 */

export interface ModbusHeader {
  transactionId?: number;
  unitId?: number;
}

/** MBAP header (transaction id, protocol id 0, length, unit id) followed by `pdu`. */
export function modbusAdu(h: ModbusHeader, pdu: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(7 + pdu.length);
  b.writeUInt16BE((h.transactionId ?? 1) & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = (h.unitId ?? 1) & 0xff;
  for (let i = 0; i < pdu.length; i++) b[7 + i] = pdu[i]! & 0xff;
  return b;
}

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

/** Function 3 request: `quantity` registers from `address`. */
export function modbusReadHoldingRegistersRequest(o: ModbusHeader & { address: number; quantity: number }): Buffer {
  return modbusAdu(o, [3, ...be16(o.address), ...be16(o.quantity)]);
}

/** Function 3 response with the register values. */
export function modbusReadHoldingRegistersResponse(o: ModbusHeader & { values: number[] }): Buffer {
  return modbusAdu(o, [3, o.values.length * 2, ...o.values.flatMap(be16)]);
}

/** Function 16 request writing `values` from `address`. */
export function modbusWriteMultipleRegistersRequest(o: ModbusHeader & { address: number; values: number[] }): Buffer {
  return modbusAdu(o, [16, ...be16(o.address), ...be16(o.values.length), o.values.length * 2, ...o.values.flatMap(be16)]);
}

/** Function 16 response: the address and quantity written. */
export function modbusWriteMultipleRegistersResponse(o: ModbusHeader & { address: number; quantity: number }): Buffer {
  return modbusAdu(o, [16, ...be16(o.address), ...be16(o.quantity)]);
}

/** Exception response: function code | 0x80, exception code (2 = Illegal Data Address). */
export function modbusExceptionResponse(o: ModbusHeader & { functionCode: number; exceptionCode: number }): Buffer {
  return modbusAdu(o, [(o.functionCode | 0x80) & 0xff, o.exceptionCode]);
}

/** Read Device Identification request (43 / 14): `code` 1 basic, 2 regular, 3 extended, 4 one object. */
export function modbusReadDeviceIdRequest(o: ModbusHeader & { code?: number; objectId?: number } = {}): Buffer {
  return modbusAdu(o, [43, 14, o.code ?? 1, o.objectId ?? 0]);
}

export interface ModbusDeviceIdentity extends ModbusHeader {
  vendor: string;
  productCode: string;
  revision: string;
  vendorUrl?: string;
  productName?: string;
  modelName?: string;
  userApplicationName?: string;
  /** Read device id code echoed from the request (default: 1 basic, 2 when regular objects are given). */
  code?: number;
}

/** Read Device Identification response (43 / 14) with objects 0-2 and the regular ones given. */
export function modbusReadDeviceIdResponse(o: ModbusDeviceIdentity): Buffer {
  const objects: [number, string][] = [
    [0, o.vendor],
    [1, o.productCode],
    [2, o.revision],
  ];
  if (o.vendorUrl !== undefined) objects.push([3, o.vendorUrl]);
  if (o.productName !== undefined) objects.push([4, o.productName]);
  if (o.modelName !== undefined) objects.push([5, o.modelName]);
  if (o.userApplicationName !== undefined) objects.push([6, o.userApplicationName]);
  const regular = objects.length > 3;
  const pdu: number[] = [43, 14, o.code ?? (regular ? 2 : 1), regular ? 0x82 : 0x81, 0x00, 0x00, objects.length];
  for (const [id, text] of objects) {
    const v = Buffer.from(text, 'latin1').subarray(0, 200);
    pdu.push(id, v.length, ...v);
  }
  return modbusAdu(o, pdu.slice(0, 253));
}
