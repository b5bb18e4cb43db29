/**
 * Follows IP fragments so that later fragments (which carry no transport
 * header) are counted in the connection their first fragment belongs to.
 * Fragments that arrive before the first one wait, as counts, until it comes.
 * The table is bounded; entries expire after `timeoutUs` of capture time.
 */
export class FragmentEntry {
  chain: FragmentEntry | null = null;
  hasFirst = false;
  srcPort = 0;
  dstPort = 0;
  icmpType = -1;
  icmpCode = -1;
  /** Fragments seen before the first one: their packets and bytes, not yet in a flow. */
  pendingPkts = 0;
  pendingBytes = 0;
  lastTs = 0;
  constructor(
    readonly key: number,
    readonly ver: number,
    readonly src: Uint32Array,
    readonly dst: Uint32Array,
    readonly id: number,
    readonly proto: number,
  ) {}
}

export class FragmentTracker {
  private readonly map = new Map<number, FragmentEntry>();
  evicted = 0;
  /** Fragments whose first fragment never arrived (counted at expiry). */
  orphaned = 0;

  constructor(
    readonly maxEntries = 8192,
    readonly timeoutUs = 30e6,
  ) {}

  private static keyOf(ver: number, src: ArrayLike<number>, dst: ArrayLike<number>, id: number, proto: number): number {
    let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ (proto << 3) ^ ver;
    for (let i = 0; i < (ver === 4 ? 1 : 4); i++) {
      h = Math.imul(h ^ src[i]!, 0xc2b2ae35);
      h = Math.imul(h ^ dst[i]!, 0x27d4eb2f);
    }
    return (h ^ (h >>> 15)) & 0x3fffffff;
  }

  /** The entry for this datagram, created when `create` is set. */
  lookup(ver: number, src: ArrayLike<number>, dst: ArrayLike<number>, id: number, proto: number, ts: number, create: boolean): FragmentEntry | null {
    const key = FragmentTracker.keyOf(ver, src, dst, id, proto);
    const head = this.map.get(key) ?? null;
    const n = ver === 4 ? 1 : 4;
    for (let e = head; e !== null; e = e.chain) {
      if (e.id !== id || e.proto !== proto || e.ver !== ver) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = e.src[i] === src[i] && e.dst[i] === dst[i];
      if (same) {
        e.lastTs = ts;
        return e;
      }
    }
    if (!create) return null;
    if (this.map.size >= this.maxEntries) this.evictOldest();
    const e = new FragmentEntry(key, ver, Uint32Array.from({ length: 4 }, (_, i) => (i < n ? src[i]! : 0)), Uint32Array.from({ length: 4 }, (_, i) => (i < n ? dst[i]! : 0)), id, proto);
    e.lastTs = ts;
    e.chain = this.map.get(key) ?? null;
    this.map.set(key, e);
    return e;
  }

  /** Drops entries idle for longer than the timeout. */
  expire(nowUs: number): void {
    for (const [key, head] of this.map) {
      let keep: FragmentEntry | null = null;
      for (let e: FragmentEntry | null = head; e !== null; ) {
        const next: FragmentEntry | null = e.chain;
        if (nowUs - e.lastTs > this.timeoutUs) {
          if (!e.hasFirst && e.pendingPkts > 0) this.orphaned += e.pendingPkts;
        } else {
          e.chain = keep;
          keep = e;
        }
        e = next;
      }
      if (keep === null) this.map.delete(key);
      else this.map.set(key, keep);
    }
  }

  private evictOldest(): void {
    // Map iteration order is insertion order: the first key is the oldest bucket.
    const first = this.map.keys().next();
    if (first.done) return;
    const head = this.map.get(first.value)!;
    for (let e: FragmentEntry | null = head; e !== null; e = e.chain) {
      if (!e.hasFirst) this.orphaned += e.pendingPkts;
      this.evicted++;
    }
    this.map.delete(first.value);
  }

  /** Pending fragments never matched to a first fragment, at the end of the capture. */
  finish(): void {
    for (const head of this.map.values()) for (let e: FragmentEntry | null = head; e !== null; e = e.chain) if (!e.hasFirst) this.orphaned += e.pendingPkts;
    this.map.clear();
  }
}
