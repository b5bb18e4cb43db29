/**
 * Named counters for malformed or truncated packet content
 * (`ipv4.bad_header_length`, `tcp.truncated`, ...). Decoders count and move
 * on; nothing here throws.
 */
export class DecodeErrors {
  private readonly counts = new Map<string, number>();

  count(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /** Reasons sorted by name, for deterministic reports. */
  toObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.counts.keys()].sort()) out[k] = this.counts.get(k)!;
    return out;
  }

  /** The counters as [reason, count] pairs (plain data). */
  entries(): [string, number][] {
    return [...this.counts];
  }

  merge(other: DecodeErrors): void {
    for (const [k, v] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
  }
}

/** Marks a packet as cut short by the capture and counts why (`fddi.truncated`). */
export function countTruncated(v: { truncated: boolean }, errs: DecodeErrors, reason: string): void {
  v.truncated = true;
  errs.count(reason);
}

/** Marks a packet as holding a header that breaks its protocol's rules and counts why. */
export function countMalformed(v: { malformed: boolean }, errs: DecodeErrors, reason: string): void {
  v.malformed = true;
  errs.count(reason);
}
