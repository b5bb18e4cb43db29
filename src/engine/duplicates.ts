/**
 * Detects the same frame fed twice (a SPAN or TAP that mirrors both
 * directions, or two mirror sessions): a hash of the network-layer bytes and
 * the length, remembered for a short window. Only the L2 header is left out,
 * so copies that differ in VLAN tag or encapsulation still match.
 *
 * The table is a fixed array indexed by hash: no allocation, bounded by
 * construction. A slot collision only forgets an older entry.
 */
const SLOTS = 1 << 14;
/**
 * How many leading bytes of the packet are hashed: the IP header (with its id
 * and checksum) and the transport header (ports, sequence numbers, checksum)
 * tell two different packets apart; more costs time on every packet.
 */
const HASH_BYTES = 64;

export class DuplicateDetector {
  private readonly h1 = new Int32Array(SLOTS);
  private readonly h2 = new Int32Array(SLOTS);
  private readonly ts = new Float64Array(SLOTS).fill(-Infinity);
  count = 0;

  constructor(readonly windowUs = 1000) {}

  /** True when an identical packet was seen within the window. Records this one otherwise. */
  check(buf: Uint8Array, off: number, end: number, wireLen: number, tsUs: number): boolean {
    let a = 0x811c9dc5 ^ wireLen;
    let b = 0x9747b28c ^ Math.imul(wireLen, 0x5bd1e995);
    const stop = end - off > HASH_BYTES ? off + HASH_BYTES : end;
    // Four bytes per step, then the odd tail.
    let i = off;
    for (; i + 4 <= stop; i += 4) {
      const w = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0;
      a = Math.imul(a ^ w, 0x01000193);
      a ^= a >>> 15;
      b = Math.imul(b + w, 0x5bd1e995) ^ (b >>> 13);
    }
    for (; i < stop; i++) {
      a = Math.imul(a ^ buf[i]!, 0x01000193);
      b = Math.imul(b + buf[i]!, 0x5bd1e995) ^ (b >>> 13);
    }
    a ^= a >>> 16;
    const slot = a & (SLOTS - 1);
    if (this.h1[slot] === a && this.h2[slot] === b) {
      const dt = tsUs - this.ts[slot]!;
      if (dt >= 0 && dt <= this.windowUs) {
        this.count++;
        return true;
      }
    }
    this.h1[slot] = a;
    this.h2[slot] = b;
    this.ts[slot] = tsUs;
    return false;
  }
}
