/** Big-endian reads on a Uint8Array; callers check bounds first. */
export function u16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

export function u32(b: Uint8Array, i: number): number {
  return b[i]! * 16777216 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}

export function u16le(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}

export function u32le(b: Uint8Array, i: number): number {
  return b[i + 3]! * 16777216 + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!);
}

/** A 48-bit MAC address as an integer (exact in a double). */
export function mac48(b: Uint8Array, i: number): number {
  return ((b[i]! << 8) | b[i + 1]!) * 4294967296 + u32(b, i + 2);
}
