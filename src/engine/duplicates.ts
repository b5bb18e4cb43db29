/**
 * Detects the same frame fed twice (a SPAN or TAP that mirrors both
 * directions, or two mirror sessions): a hash of the network-layer bytes and
 * the length, remembered for a short window. Only the L2 header is left out,
 * so copies that differ in VLAN tag or encapsulation still match.
 *
 * The table is a fixed array indexed by hash: no allocation, bounded by
 * construction (`limits.duplicate_slots`, a power of two, default 16384).
 * A slot collision overwrites the older entry: that is its eviction, and it
 * is not counted or warned about (at worst a duplicate goes undetected).
 */
const SLOTS = 1 << 14;
/**
 * How many leading bytes of the packet are hashed: the IP header (with its id
 * and checksum) and the transport header (ports, sequence numbers, checksum)
 * tell two different packets apart; more costs time on every packet.
 */
const HASH_BYTES = 64;

export class DuplicateDetector {
  /**
   * One 16-byte entry per slot, so that a lookup touches one cache line
   * instead of three: words 0 and 1 (of `words`) are the two hashes, double 1
   * (of `times`, the same memory) the time it was seen.
   */
  private readonly words: Int32Array;
  private readonly times: Float64Array;
  private readonly mask: number;
  count = 0;

  constructor(
    readonly windowUs = 1000,
    /** Table size, a power of two. */
    readonly slots = SLOTS,
  ) {
    if (!Number.isInteger(slots) || slots < 1 || slots > 1 << 30 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`duplicate detector: ${slots} slots is not a power of two`);
    }
    this.mask = slots - 1;
    this.times = new Float64Array(slots * 2);
    this.words = new Int32Array(this.times.buffer);
    for (let i = 1; i < slots * 2; i += 2) this.times[i] = -Infinity;
  }

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
    const slot = a & this.mask;
    const e = slot * 4;
    const words = this.words;
    if (words[e] === a && words[e + 1] === b) {
      const dt = tsUs - this.times[slot * 2 + 1]!;
      if (dt >= 0 && dt <= this.windowUs) {
        this.count++;
        return true;
      }
    }
    words[e] = a;
    words[e + 1] = b;
    this.times[slot * 2 + 1] = tsUs;
    return false;
  }
}
