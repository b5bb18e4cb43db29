/**
 * IPv4 and IPv6 fragment reassembly. Fragments are copied (they outlive the
 * frame) into a bounded table; when a datagram is complete it is rebuilt as
 * one contiguous IP packet (the first fragment's header, length and fragment
 * fields fixed up) and handed back for decoding, with the count and wire
 * bytes of all its fragments. Entries expire after `timeoutUs` of capture
 * time; the table is bounded in datagrams and in buffered bytes, evicting
 * the oldest first.
 */
import type { PacketView } from '../decode/view.js';
import { L3 } from '../decode/view.js';

/** Largest datagram rebuilt (IPv4 limit; IPv6 jumbograms are not fragmented). */
const MAX_DATAGRAM = 65535 + 60;
/** Bytes a buffered piece costs beyond its payload (Piece, Buffer object, pool slice), counted against maxBufferedBytes. */
const PIECE_OVERHEAD = 120;

class Piece {
  constructor(
    readonly off: number,
    readonly data: Buffer,
  ) {}
}

export class FragmentEntry {
  chain: FragmentEntry | null = null;
  /** Creation order (a doubly linked list, oldest first), for O(1) oldest-first eviction. */
  older: FragmentEntry | null = null;
  newer: FragmentEntry | null = null;
  readonly pieces: Piece[] = [];
  /** Header of the first fragment (offset 0), without the IPv6 fragment header. */
  header: Buffer | null = null;
  /** Where the next-header byte that named the fragment header sits in `header` (IPv6). */
  nextHeaderAt = -1;
  /** Payload length once the last fragment (MF clear) has been seen, else -1. */
  total = -1;
  packets = 0;
  wireBytes = 0;
  buffered = 0;
  lastTs = 0;
  firstTs = 0;
  done = false;
  constructor(
    readonly key: number,
    readonly ver: number,
    /** Source and destination address words (IPv4: the first only), as plain fields: cheaper than two typed arrays per datagram. */
    readonly s0: number,
    readonly s1: number,
    readonly s2: number,
    readonly s3: number,
    readonly d0: number,
    readonly d1: number,
    readonly d2: number,
    readonly d3: number,
    readonly id: number,
    readonly proto: number,
  ) {}
}

export interface Reassembled {
  buf: Buffer;
  packets: number;
  wireBytes: number;
}

export class FragmentTracker {
  private readonly map = new Map<number, FragmentEntry>();
  /**
   * Entries in creation order. (Not the Map's own order: after many deletes
   * from its front, V8 walks the deleted slots on every `keys().next()`,
   * which made each eviction a linear scan.)
   */
  private oldest: FragmentEntry | null = null;
  private newest: FragmentEntry | null = null;
  private entries = 0;
  private buffered = 0;
  evicted = 0;
  /** Fragments of datagrams that never completed (expired, evicted or left at the end). */
  incomplete = 0;
  /** Fragments that overlapped or ran past the maximum datagram size. */
  bad = 0;
  private readonly k1 = new Uint32Array(4);
  private readonly k2 = new Uint32Array(4);

  constructor(
    readonly maxEntries = 8192,
    readonly timeoutUs = 30e6,
    readonly maxBufferedBytes = 32 * 1024 * 1024,
  ) {}

  /**
   * Adds the fragment in the view. Returns the rebuilt datagram when this
   * fragment completed it, else null.
   */
  add(v: PacketView, wireLen: number): Reassembled | null {
    const v4 = v.l3 === L3.IPv4;
    const src = this.k1;
    const dst = this.k2;
    if (v4) {
      src[0] = v.src4;
      dst[0] = v.dst4;
    } else {
      src.set(v.src6);
      dst.set(v.dst6);
    }
    const e = this.lookup(v4 ? 4 : 6, src, dst, v.fragId, v.proto, v.tsUs);
    e.packets++;
    e.wireBytes += wireLen;
    e.lastTs = v.tsUs;
    if (e.done) return null; // a late duplicate of a finished datagram
    const b = v.buf;
    const fragPayloadOff = v4 ? v.l3Off + (b[v.l3Off]! & 0x0f) * 4 : this.ipv6FragPayloadOff(v);
    const len = v.l3End - fragPayloadOff;
    const off = v.fragOffset;
    if (len < 0 || off + len > MAX_DATAGRAM) {
      this.bad++;
      return null;
    }
    if (off === 0 && e.header === null) {
      if (v4) {
        e.header = Buffer.from(b.subarray(v.l3Off, fragPayloadOff));
      } else {
        // Keep the IPv6 header and extension headers before the fragment header.
        const fh = fragPayloadOff - 8;
        e.header = Buffer.from(b.subarray(v.l3Off, fh));
        e.nextHeaderAt = this.ipv6NextHeaderAt(v, fh);
      }
    }
    if (!v.moreFragments) e.total = off + len;
    if (len > 0) {
      // A piece costs its bytes and its objects: count both, so that endless
      // tiny fragments cannot hold far more memory than the bound says.
      const cost = len + PIECE_OVERHEAD;
      if (this.buffered + cost > this.maxBufferedBytes) this.makeRoom(cost, e);
      e.pieces.push(new Piece(off, Buffer.from(b.subarray(fragPayloadOff, fragPayloadOff + len))));
      e.buffered += cost;
      this.buffered += cost;
    }
    return this.tryComplete(e);
  }

  private ipv6FragPayloadOff(v: PacketView): number {
    // decodeIPv6 leaves l4Off/payloadOff just after the fragment header for later
    // fragments; for the first one the transport was decoded, so find it again.
    return v.fragOffset !== 0 ? v.payloadOff : this.findIpv6FragHeader(v) + 8;
  }

  private findIpv6FragHeader(v: PacketView): number {
    const b = v.buf;
    let nh = b[v.l3Off + 6]!;
    let p = v.l3Off + 40;
    for (let i = 0; i < 16 && p + 8 <= v.l3End; i++) {
      if (nh === 44) return p;
      if (nh === 0 || nh === 43 || nh === 60) {
        nh = b[p]!;
        p += (b[p + 1]! + 1) * 8;
      } else if (nh === 51) {
        nh = b[p]!;
        p += (b[p + 1]! + 2) * 4;
      } else break;
    }
    return p;
  }

  /** Offset (relative to the IPv6 header) of the next-header byte pointing at the fragment header. */
  private ipv6NextHeaderAt(v: PacketView, fragHeader: number): number {
    const b = v.buf;
    let at = 6;
    let nh = b[v.l3Off + 6]!;
    let p = v.l3Off + 40;
    while (p < fragHeader && nh !== 44) {
      at = p - v.l3Off;
      nh = b[p]!;
      p += nh === 51 ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
    }
    return at;
  }

  private tryComplete(e: FragmentEntry): Reassembled | null {
    if (e.total < 0 || e.header === null) return null;
    e.pieces.sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const p of e.pieces) {
      if (p.off > covered) return null; // a hole remains
      covered = Math.max(covered, p.off + p.data.length);
    }
    if (covered < e.total) return null;
    const hdr = e.header;
    const out = Buffer.alloc(hdr.length + e.total);
    hdr.copy(out, 0);
    for (const p of e.pieces) {
      const n = Math.min(p.data.length, e.total - p.off);
      if (n > 0) p.data.copy(out, hdr.length + p.off, 0, n);
    }
    if (e.ver === 4) {
      out.writeUInt16BE(Math.min(0xffff, out.length), 2);
      out[6] = out[6]! & 0x40; // keep DF, clear MF and the offset
      out[7] = 0;
    } else {
      out[e.nextHeaderAt] = e.proto; // unlink the fragment header
      out.writeUInt16BE(Math.min(0xffff, out.length - 40), 4);
    }
    const result: Reassembled = { buf: out, packets: e.packets, wireBytes: e.wireBytes };
    this.release(e);
    e.done = true;
    e.packets = 0;
    e.wireBytes = 0;
    return result;
  }

  private release(e: FragmentEntry): void {
    this.buffered -= e.buffered;
    e.buffered = 0;
    e.pieces.length = 0;
  }

  private lookup(ver: number, src: Uint32Array, dst: Uint32Array, id: number, proto: number, ts: number): FragmentEntry {
    const n = ver === 4 ? 1 : 4;
    let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ (proto << 3) ^ ver;
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ src[i]!, 0xc2b2ae35);
      h = Math.imul(h ^ dst[i]!, 0x27d4eb2f);
    }
    const key = (h ^ (h >>> 15)) & 0x3fffffff;
    const s0 = src[0]!, d0 = dst[0]!;
    const s1 = n > 1 ? src[1]! : 0, s2 = n > 1 ? src[2]! : 0, s3 = n > 1 ? src[3]! : 0;
    const d1 = n > 1 ? dst[1]! : 0, d2 = n > 1 ? dst[2]! : 0, d3 = n > 1 ? dst[3]! : 0;
    for (let e = this.map.get(key) ?? null; e !== null; e = e.chain) {
      if (e.id !== id || e.proto !== proto || e.ver !== ver) continue;
      if (e.s0 === s0 && e.d0 === d0 && e.s1 === s1 && e.d1 === d1 && e.s2 === s2 && e.d2 === d2 && e.s3 === s3 && e.d3 === d3) return e;
    }
    if (this.entries >= this.maxEntries) this.evictOldest();
    const e = new FragmentEntry(key, ver, s0, s1, s2, s3, d0, d1, d2, d3, id, proto);
    e.firstTs = ts;
    e.chain = this.map.get(key) ?? null;
    this.map.set(key, e);
    e.older = this.newest;
    if (this.newest !== null) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
    this.entries++;
    return e;
  }

  private drop(e: FragmentEntry): void {
    if (!e.done) this.incomplete += e.packets;
    this.release(e);
  }

  /** Unlinks `e` from its bucket and from the creation-order list. */
  private remove(e: FragmentEntry): void {
    const head = this.map.get(e.key) ?? null;
    if (head === e) {
      if (e.chain !== null) this.map.set(e.key, e.chain);
      else this.map.delete(e.key);
    } else {
      let p = head;
      while (p !== null && p.chain !== e) p = p.chain;
      if (p !== null) p.chain = e.chain;
    }
    e.chain = null;
    if (e.older !== null) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer !== null) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = null;
    this.entries--;
  }

  /** Drops datagrams idle for longer than the timeout. */
  expire(nowUs: number): void {
    for (let e = this.oldest; e !== null; ) {
      const next: FragmentEntry | null = e.newer;
      if (nowUs - e.lastTs > this.timeoutUs) {
        this.drop(e);
        this.remove(e);
      }
      e = next;
    }
  }

  private evictOldest(): void {
    const e = this.oldest;
    if (e !== null) this.evict(e);
  }

  /**
   * Evicts the oldest datagrams until `bytes` more fit under maxBufferedBytes,
   * sparing `keep`, the datagram being added to (so a single datagram larger
   * than the bound is still reassembled, and its bytes stay accounted).
   */
  private makeRoom(bytes: number, keep: FragmentEntry): void {
    for (let e = this.oldest; e !== null && this.buffered + bytes > this.maxBufferedBytes; ) {
      const next: FragmentEntry | null = e.newer;
      if (e !== keep) this.evict(e);
      e = next;
    }
  }

  private evict(e: FragmentEntry): void {
    if (!e.done) this.evicted++;
    this.drop(e);
    this.remove(e);
  }

  /** End of capture: whatever is still incomplete is counted. */
  finish(): void {
    for (let e = this.oldest; e !== null; e = e.newer) this.drop(e);
    for (let e = this.oldest; e !== null; ) {
      const next: FragmentEntry | null = e.newer;
      e.older = e.newer = e.chain = null;
      e = next;
    }
    this.map.clear();
    this.oldest = this.newest = null;
    this.entries = 0;
  }
}
