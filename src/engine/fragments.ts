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

class Piece {
  constructor(
    readonly off: number,
    readonly data: Buffer,
  ) {}
}

export class FragmentEntry {
  chain: FragmentEntry | null = null;
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
    readonly src: Uint32Array,
    readonly dst: Uint32Array,
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
      if (this.buffered + len > this.maxBufferedBytes) this.evictOldest();
      e.pieces.push(new Piece(off, Buffer.from(b.subarray(fragPayloadOff, fragPayloadOff + len))));
      e.buffered += len;
      this.buffered += len;
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
    for (let e = this.map.get(key) ?? null; e !== null; e = e.chain) {
      if (e.id !== id || e.proto !== proto || e.ver !== ver) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = e.src[i] === src[i] && e.dst[i] === dst[i];
      if (same) return e;
    }
    if (this.map.size >= this.maxEntries) this.evictOldest();
    const e = new FragmentEntry(key, ver, Uint32Array.from(src), Uint32Array.from(dst), id, proto);
    e.firstTs = ts;
    e.chain = this.map.get(key) ?? null;
    this.map.set(key, e);
    return e;
  }

  private drop(e: FragmentEntry): void {
    if (!e.done) this.incomplete += e.packets;
    this.release(e);
  }

  /** Drops datagrams idle for longer than the timeout. */
  expire(nowUs: number): void {
    for (const [key, head] of this.map) {
      let keep: FragmentEntry | null = null;
      for (let e: FragmentEntry | null = head; e !== null; ) {
        const next: FragmentEntry | null = e.chain;
        if (nowUs - e.lastTs > this.timeoutUs) this.drop(e);
        else {
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
    for (let e: FragmentEntry | null = this.map.get(first.value)!; e !== null; e = e.chain) {
      if (!e.done) this.evicted++;
      this.drop(e);
    }
    this.map.delete(first.value);
  }

  /** End of capture: whatever is still incomplete is counted. */
  finish(): void {
    for (const head of this.map.values()) for (let e: FragmentEntry | null = head; e !== null; e = e.chain) this.drop(e);
    this.map.clear();
  }
}
