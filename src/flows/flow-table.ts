/**
 * Bidirectional connection table, stored as parallel typed arrays so that the
 * per-packet path allocates nothing. A connection's key is canonical (lower
 * endpoint first); `clientIsA` says which endpoint initiated it.
 *
 * Connections end by idle timeout, by a new SYN on a closed tuple, by eviction
 * when the table is full (least recently active first, counted), or when the
 * capture ends; each ended connection is handed to `onFinish` exactly once.
 */
import { PacketView, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, L3 } from '../decode/view.js';
import { isServicePort } from './service-ports.js';

export const enum FlowState {
  SynFromA = 1,
  SynFromB = 2,
  SynAckFromA = 4,
  SynAckFromB = 8,
  FinFromA = 16,
  FinFromB = 32,
  Rst = 64,
  /** Server answered: TCP handshake seen (SYN then SYN-ACK) or a UDP reply. */
  Answered = 128,
  /** Set once the open port has been reported, so it is reported once. */
  OpenReported = 256,
}

export interface FlowTableOptions {
  /** Maximum simultaneous connections (default 262144). */
  maxFlows?: number;
  /** Idle timeouts in microseconds. */
  tcpTimeoutUs?: number;
  udpTimeoutUs?: number;
  otherTimeoutUs?: number;
}

/** Called with the slot of a connection that ended; the slot is valid only during the call. */
export type FlowFinish = (t: FlowTable, slot: number) => void;
/** Called when a connection is first answered by its server (an open port). */
export type FlowAnswered = (t: FlowTable, slot: number) => void;

const NIL = -1;

// ICMP request types and the reply that answers them: the pair is one "flow".
// Indexed by type: the partner type, or -1. REQ marks which side of the pair asks.
const ICMP4_PARTNER = new Int16Array(256).fill(-1);
const ICMP6_PARTNER = new Int16Array(256).fill(-1);
const ICMP4_IS_REQ = new Uint8Array(256);
const ICMP6_IS_REQ = new Uint8Array(256);
for (const [req, rep] of [[8, 0], [13, 14], [15, 16], [17, 18], [10, 9]] as const) {
  ICMP4_PARTNER[req] = rep;
  ICMP4_PARTNER[rep] = req;
  ICMP4_IS_REQ[req] = 1;
}
for (const [req, rep] of [[128, 129], [133, 134], [135, 136], [130, 131], [139, 140], [144, 145]] as const) {
  ICMP6_PARTNER[req] = rep;
  ICMP6_PARTNER[rep] = req;
  ICMP6_IS_REQ[req] = 1;
}

/** The per-slot arrays of a table, kept for reuse (see FlowTable.release). */
interface FlowArrays {
  heads: Int32Array; chain: Int32Array; hash: Int32Array; ver: Uint8Array; proto: Uint8Array;
  addrA: Uint32Array; addrB: Uint32Array; portA: Uint16Array; portB: Uint16Array; clientIsA: Uint8Array;
  state: Uint16Array; pktsA: Float64Array; pktsB: Float64Array; bytesA: Float64Array; bytesB: Float64Array;
  firstTs: Float64Array; lastTs: Float64Array; vlan: Int16Array; key: Int32Array; prev: Int32Array; next: Int32Array;
}

function newArrays(cap: number, buckets: number): FlowArrays {
  return {
    heads: new Int32Array(buckets), chain: new Int32Array(cap), hash: new Int32Array(cap), ver: new Uint8Array(cap), proto: new Uint8Array(cap),
    addrA: new Uint32Array(cap * 4), addrB: new Uint32Array(cap * 4), portA: new Uint16Array(cap), portB: new Uint16Array(cap),
    clientIsA: new Uint8Array(cap), state: new Uint16Array(cap), pktsA: new Float64Array(cap), pktsB: new Float64Array(cap),
    bytesA: new Float64Array(cap), bytesB: new Float64Array(cap), firstTs: new Float64Array(cap), lastTs: new Float64Array(cap),
    vlan: new Int16Array(cap), key: new Int32Array(cap * 4), prev: new Int32Array(cap), next: new Int32Array(cap),
  };
}

/** Arrays of a released table (per thread); at most one kept. */
let spare: FlowArrays | null = null;

/** The spare arrays when they hold no more slots than `maxCap`. */
function takeSpare(maxCap: number): FlowArrays | null {
  const a = spare;
  if (a === null || a.chain.length > maxCap) return null;
  spare = null;
  return a;
}

/** Slots a table starts with (fewer when the bound is lower). */
const INITIAL_SLOTS = 4096;

function bucketsFor(cap: number): number {
  let buckets = 16;
  while (buckets < cap * 2) buckets *= 2;
  return buckets;
}

export class FlowTable {
  /** Slots allocated now: the table starts small and grows (×4) up to `maxFlows` as connections need them. */
  capacity: number;
  /** Most simultaneous connections (the configured bound); beyond it the least recently active is evicted. */
  readonly maxFlows: number;
  private arrays: FlowArrays | null = null;
  private mask: number;
  private heads!: Int32Array;
  chain!: Int32Array;
  hash!: Int32Array;
  ver!: Uint8Array;
  proto!: Uint8Array;
  /** Endpoint addresses, 4 words each (IPv4 uses word 0). */
  addrA!: Uint32Array;
  addrB!: Uint32Array;
  portA!: Uint16Array;
  portB!: Uint16Array;
  clientIsA!: Uint8Array;
  state!: Uint16Array;
  pktsA!: Float64Array;
  pktsB!: Float64Array;
  bytesA!: Float64Array;
  bytesB!: Float64Array;
  firstTs!: Float64Array;
  lastTs!: Float64Array;
  vlan!: Int16Array;
  /**
   * The lookup key again, packed 4 words per slot so that comparing a chain
   * entry touches one cache line instead of six arrays: tag (the hash's high
   * half, proto << 8, ver), ports (A << 16 | B), and word 0 of each address
   * (all of an IPv4 key; IPv6 compares the other words in addrA/addrB).
   */
  private key!: Int32Array;
  // least-recently-active list
  private prev!: Int32Array;
  private next!: Int32Array;
  /** Two least-recently-active lists, TCP (0) and everything else (1), since their timeouts differ. */
  private readonly lruHead = new Int32Array([NIL, NIL]);
  private readonly lruTail = new Int32Array([NIL, NIL]);
  private freeHead = NIL;
  /** Slots from here on have never been used. */
  private unused = 0;
  size = 0;
  evicted = 0;
  /** Connections ever created. */
  created = 0;

  private readonly tcpTimeout: number;
  private readonly udpTimeout: number;
  private readonly otherTimeout: number;

  // Scratch for the canonical key of the current packet.
  private readonly kA = new Uint32Array(4);
  private readonly kB = new Uint32Array(4);
  /** Slot of the connection the last packet went to, and whether it was sent by A. */
  lastSlot = NIL;
  lastFromA = false;
  /** The last packet started a new connection (its slot's per-connection state must be reset). */
  lastNew = false;

  constructor(
    private readonly onFinish: FlowFinish,
    private readonly onAnswered: FlowAnswered,
    opts: FlowTableOptions = {},
  ) {
    const max = Math.max(16, opts.maxFlows ?? 262144);
    this.maxFlows = max;
    // A table given back by an engine that is done (one file of several) is
    // reused: allocating and collecting these arrays for every small file
    // cost more than analysing it. Otherwise the table starts small: most
    // captures never hold many connections at once, and a small bucket array
    // stays in the CPU cache (measured: see docs/PERFORMANCE.md).
    const initial = Math.min(max, INITIAL_SLOTS);
    const a = takeSpare(max) ?? newArrays(initial, bucketsFor(initial));
    this.capacity = a.chain.length;
    this.mask = a.heads.length - 1;
    this.adopt(a);
    a.heads.fill(NIL);
    // Slots never used yet are handed out in order (unused); freed ones go on the free list.
    this.freeHead = NIL;
    this.tcpTimeout = opts.tcpTimeoutUs ?? 300e6;
    this.udpTimeout = opts.udpTimeoutUs ?? 60e6;
    this.otherTimeout = opts.otherTimeoutUs ?? 60e6;
  }

  /**
   * Accounts one decoded IP packet (with ports already resolved for fragments)
   * to its connection; returns the slot. `bytes` is the frame's wire length.
   */
  packet(v: PacketView, srcPort: number, dstPort: number, bytes: number, packets = 1): number {
    const proto = v.proto;
    const ver = v.l3 === L3.IPv4 ? 4 : 6;
    const kA = this.kA;
    const kB = this.kB;
    let sp = srcPort;
    let dp = dstPort;
    // ICMP: (type, code) stand in for ports; a request and its reply share one key.
    let icmpReply = false;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      const t = v.icmpType & 0xff;
      const partner = proto === IPPROTO_ICMP ? ICMP4_PARTNER[t]! : ICMP6_PARTNER[t]!;
      const isReq = proto === IPPROTO_ICMP ? ICMP4_IS_REQ[t] === 1 : ICMP6_IS_REQ[t] === 1;
      if (partner < 0) {
        sp = t;
        dp = v.icmpCode < 0 ? 0 : v.icmpCode;
      } else if (isReq) {
        sp = t;
        dp = partner;
      } else {
        sp = partner;
        dp = t;
        icmpReply = true;
      }
    }
    // Source endpoint goes to kA first, then ordering decides.
    let srcFirst: boolean;
    if (ver === 4) {
      const s = v.src4;
      const d = v.dst4;
      srcFirst = s < d || (s === d && sp <= dp);
      kA[0] = srcFirst ? s : d;
      kB[0] = srcFirst ? d : s;
      kA[1] = kA[2] = kA[3] = 0;
      kB[1] = kB[2] = kB[3] = 0;
    } else {
      const s = v.src6;
      const d = v.dst6;
      let c = 0;
      for (let i = 0; i < 4 && c === 0; i++) c = s[i]! < d[i]! ? -1 : s[i]! > d[i]! ? 1 : 0;
      srcFirst = c < 0 || (c === 0 && sp <= dp);
      for (let i = 0; i < 4; i++) {
        kA[i] = srcFirst ? s[i]! : d[i]!;
        kB[i] = srcFirst ? d[i]! : s[i]!;
      }
    }
    // For ICMP the "ports" are not per side: keep them in request order on both directions.
    let pA: number, pB: number;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      pA = sp;
      pB = dp;
    } else {
      pA = srcFirst ? sp : dp;
      pB = srcFirst ? dp : sp;
    }
    const ports = (pA << 16) | pB;
    const a0 = kA[0]! | 0;
    const b0 = kB[0]! | 0;
    const key = this.key;
    // Consecutive packets often belong to one connection (either direction):
    // the last packet's connection is compared first, without hashing.
    let slot = this.lastSlot;
    if (slot !== NIL) {
      const k = slot * 4;
      if (!(key[k + 1] === ports && key[k + 2] === a0 && key[k + 3] === b0 && (key[k]! & 0xffff) === ((proto << 8) | ver) && (ver === 4 || this.sameAddr(slot)))) slot = NIL;
    }
    let h = 0;
    let hashed = false;
    if (slot === NIL) {
      h = this.keyHash(ver, proto, ports);
      hashed = true;
      const tag = (h & 0xffff0000) | (proto << 8) | ver;
      slot = this.heads[h & this.mask]!;
      while (slot !== NIL) {
        const k = slot * 4;
        if (key[k] === tag && key[k + 1] === ports && key[k + 2] === a0 && key[k + 3] === b0 && (ver === 4 || this.sameAddr(slot))) break;
        slot = this.chain[slot]!;
      }
    }
    const ts = v.tsUs;
    const fromA = srcFirst;
    const flags = proto === IPPROTO_TCP ? v.tcpFlags : 0;
    if (slot !== NIL) {
      const st = this.state[slot]!;
      // Port reuse: a fresh SYN on a connection that closed or went idle starts a new one.
      const idle = ts - this.lastTs[slot]! > this.timeoutFor(proto);
      const reused = proto === IPPROTO_TCP && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && (st & (FlowState.Rst | FlowState.FinFromA | FlowState.FinFromB)) !== 0;
      if (idle || reused) {
        this.finish(slot);
        slot = NIL;
      }
    }
    this.lastNew = slot === NIL;
    if (slot === NIL) {
      if (!hashed) h = this.keyHash(ver, proto, ports);
      slot = this.allocate(ts, proto === IPPROTO_TCP ? 0 : 1);
      // (allocate may have grown the table: its arrays are read again from here.)
      const key = this.key;
      this.hash[slot] = h;
      this.proto[slot] = proto;
      this.ver[slot] = ver;
      const o = slot * 4;
      for (let i = 0; i < 4; i++) {
        this.addrA[o + i] = kA[i]!;
        this.addrB[o + i] = kB[i]!;
      }
      this.portA[slot] = pA;
      this.portB[slot] = pB;
      const k = slot * 4;
      key[k] = (h & 0xffff0000) | (proto << 8) | ver;
      key[k + 1] = ports;
      key[k + 2] = a0;
      key[k + 3] = b0;
      this.state[slot] = 0;
      this.pktsA[slot] = 0;
      this.pktsB[slot] = 0;
      this.bytesA[slot] = 0;
      this.bytesB[slot] = 0;
      this.firstTs[slot] = ts;
      this.lastTs[slot] = ts;
      this.vlan[slot] = v.vlan;
      this.clientIsA[slot] = this.initiatorIsA(proto, flags, fromA, srcPort, dstPort, icmpReply) ? 1 : 0;
      const bucket = h & this.mask;
      this.chain[slot] = this.heads[bucket]!;
      this.heads[bucket] = slot;
      this.created++;
    } else {
      this.touch(slot);
    }
    if (fromA) {
      this.pktsA[slot]! += packets;
      this.bytesA[slot]! += bytes;
    } else {
      this.pktsB[slot]! += packets;
      this.bytesB[slot]! += bytes;
    }
    if (ts > this.lastTs[slot]!) this.lastTs[slot] = ts;
    if (ts < this.firstTs[slot]!) this.firstTs[slot] = ts;
    this.updateState(slot, proto, flags, fromA);
    this.lastSlot = slot;
    this.lastFromA = fromA;
    return slot;
  }

  /** Hash of the current key (kA, kB, ports as pA << 16 | pB). */
  private keyHash(ver: number, proto: number, ports: number): number {
    const kA = this.kA;
    const kB = this.kB;
    let h = Math.imul(kA[0]! ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(kB[0]! ^ 0x7f4a7c15, 0xc2b2ae35);
    if (ver === 6) {
      h ^= Math.imul(kA[1]! ^ kA[2]! ^ kA[3]!, 0x27d4eb2f) ^ Math.imul(kB[1]! ^ kB[2]! ^ kB[3]!, 0x165667b1);
    }
    h ^= Math.imul(ports, 0x9e3779b1) ^ (proto << 8) ^ ver;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h;
  }

  private sameAddr(slot: number): boolean {
    const o = slot * 4;
    const a = this.addrA;
    const b = this.addrB;
    const kA = this.kA;
    const kB = this.kB;
    return a[o] === kA[0] && b[o] === kB[0] && a[o + 1] === kA[1] && b[o + 1] === kB[1] && a[o + 2] === kA[2] && b[o + 2] === kB[2] && a[o + 3] === kA[3] && b[o + 3] === kB[3];
  }

  private timeoutFor(proto: number): number {
    return proto === IPPROTO_TCP ? this.tcpTimeout : proto === IPPROTO_UDP ? this.udpTimeout : this.otherTimeout;
  }

  /** Who started it: SYN sender, SYN-ACK receiver, the ICMP requester, else ports, else first sender. */
  private initiatorIsA(proto: number, flags: number, fromA: boolean, srcPort: number, dstPort: number, icmpReply: boolean): boolean {
    if (proto === IPPROTO_TCP) {
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) return fromA;
      if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) return !fromA;
    } else if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      return icmpReply ? !fromA : fromA;
    } else if (proto !== IPPROTO_UDP && proto !== 132) {
      return fromA;
    }
    // Mid-stream TCP, UDP, SCTP: a service port on one side only marks the server.
    const srcSvc = isServicePort(proto, srcPort);
    const dstSvc = isServicePort(proto, dstPort);
    if (srcSvc && !dstSvc) return !fromA;
    if (dstSvc && !srcSvc) return fromA;
    if (!srcSvc && !dstSvc && proto === IPPROTO_TCP) {
      // Neither is known: the lower port below the ephemeral range is the likely server.
      if (srcPort < 1024 && dstPort >= 1024) return !fromA;
      if (dstPort < 1024 && srcPort >= 1024) return fromA;
    }
    return fromA;
  }

  private updateState(slot: number, proto: number, flags: number, fromA: boolean): void {
    let st = this.state[slot]!;
    const clientIsA = this.clientIsA[slot] === 1;
    const fromClient = fromA === clientIsA;
    if (proto === IPPROTO_TCP) {
      if (flags & TCP_SYN) {
        if (flags & TCP_ACK) st |= fromA ? FlowState.SynAckFromA : FlowState.SynAckFromB;
        else st |= fromA ? FlowState.SynFromA : FlowState.SynFromB;
      }
      if (flags & TCP_FIN) st |= fromA ? FlowState.FinFromA : FlowState.FinFromB;
      if (flags & TCP_RST) st |= FlowState.Rst;
      // Answered: the server's SYN-ACK proves the port open, even when the
      // client's SYN was not captured (one-sided or late-started captures).
      const synAckS = clientIsA ? FlowState.SynAckFromB : FlowState.SynAckFromA;
      if (st & synAckS) st |= FlowState.Answered;
    } else if (!fromClient && proto !== IPPROTO_ICMP && proto !== IPPROTO_ICMPV6) {
      st |= FlowState.Answered;
    }
    if (st & FlowState.Answered && !(st & FlowState.OpenReported)) {
      st |= FlowState.OpenReported;
      this.state[slot] = st;
      this.onAnswered(this, slot);
      return;
    }
    this.state[slot] = st;
  }

  /** A TCP connection that was reset, or closed by both sides. */
  private ended(slot: number): boolean {
    const st = this.state[slot]!;
    return this.proto[slot] === IPPROTO_TCP && ((st & FlowState.Rst) !== 0 || (st & (FlowState.FinFromA | FlowState.FinFromB)) === (FlowState.FinFromA | FlowState.FinFromB));
  }

  private allocate(ts: number, list: number): number {
    if (this.freeHead === NIL && this.unused === this.capacity && this.capacity < this.maxFlows) this.grow();
    if (this.freeHead === NIL && this.unused < this.capacity) {
      this.freeHead = this.unused++;
      this.next[this.freeHead] = NIL;
    }
    if (this.freeHead === NIL) {
      // Full: end the least recently active connection of either list.
      const a = this.lruHead[0]!;
      const b = this.lruHead[1]!;
      const victim = a === NIL ? b : b === NIL ? a : this.lastTs[a]! <= this.lastTs[b]! ? a : b;
      // Counted (and warned about) only when something was still to come: not
      // for a connection idle past its timeout, nor for a TCP connection that
      // ended (reset, or closed both ways): a scan leaves many of those.
      if (ts - this.lastTs[victim]! <= this.timeoutFor(this.proto[victim]!) && !this.ended(victim)) this.evicted++;
      this.finish(victim);
    }
    const slot = this.freeHead;
    this.freeHead = this.next[slot]!;
    if (this.base !== null) this.base.counted[slot] = 0;
    const tail = this.lruTail[list]!;
    this.prev[slot] = tail;
    this.next[slot] = NIL;
    if (tail !== NIL) this.next[tail] = slot;
    else this.lruHead[list] = slot;
    this.lruTail[list] = slot;
    this.size++;
    return slot;
  }

  /**
   * Four times the slots (at most `maxFlows`), when every slot holds a live
   * connection. Slots keep their numbers, so what others keep per slot (the
   * dispatcher's state, told through `onGrow`) stays valid once resized.
   */
  private grow(): void {
    const old = this.capacity;
    const cap = Math.min(this.maxFlows, old * 4);
    const a = newArrays(cap, bucketsFor(cap));
    const from = this.arrays!; // (a released or discarded table takes no more connections)
    a.hash.set(from.hash);
    a.ver.set(from.ver);
    a.proto.set(from.proto);
    a.addrA.set(from.addrA);
    a.addrB.set(from.addrB);
    a.portA.set(from.portA);
    a.portB.set(from.portB);
    a.clientIsA.set(from.clientIsA);
    a.state.set(from.state);
    a.pktsA.set(from.pktsA);
    a.pktsB.set(from.pktsB);
    a.bytesA.set(from.bytesA);
    a.bytesB.set(from.bytesB);
    a.firstTs.set(from.firstTs);
    a.lastTs.set(from.lastTs);
    a.vlan.set(from.vlan);
    a.key.set(from.key);
    a.prev.set(from.prev);
    a.next.set(from.next);
    const mask = a.heads.length - 1;
    a.heads.fill(NIL);
    // Every slot below `old` is live (no free slot is why the table grows): chain them anew.
    for (let s = 0; s < old; s++) {
      const b = a.hash[s]! & mask;
      a.chain[s] = a.heads[b]!;
      a.heads[b] = s;
    }
    this.adopt(a);
    this.mask = mask;
    this.capacity = cap;
    const b = this.base;
    if (b !== null) {
      const counted = new Uint8Array(cap);
      counted.set(b.counted);
      const grown = (x: Float64Array) => {
        const y = new Float64Array(cap);
        y.set(x);
        return y;
      };
      this.base = { counted, pktsA: grown(b.pktsA), pktsB: grown(b.pktsB), bytesA: grown(b.bytesA), bytesB: grown(b.bytesB) };
    }
    this.onGrow?.(cap);
  }

  /** Called with the new slot count after the table grew. */
  onGrow: ((capacity: number) => void) | null = null;

  /** Takes `a` as the table's arrays. */
  private adopt(a: FlowArrays): void {
    this.arrays = a;
    this.heads = a.heads;
    this.chain = a.chain;
    this.hash = a.hash;
    this.ver = a.ver;
    this.proto = a.proto;
    this.addrA = a.addrA;
    this.addrB = a.addrB;
    this.portA = a.portA;
    this.portB = a.portB;
    this.clientIsA = a.clientIsA;
    this.state = a.state;
    this.pktsA = a.pktsA;
    this.pktsB = a.pktsB;
    this.bytesA = a.bytesA;
    this.bytesB = a.bytesB;
    this.firstTs = a.firstTs;
    this.lastTs = a.lastTs;
    this.vlan = a.vlan;
    this.key = a.key;
    this.prev = a.prev;
    this.next = a.next;
  }

  private listOf(slot: number): number {
    return this.proto[slot] === IPPROTO_TCP ? 0 : 1;
  }

  private touch(slot: number): void {
    const list = this.listOf(slot);
    const tail = this.lruTail[list]!;
    if (slot === tail) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!; // not NIL: slot is not the tail
    if (p !== NIL) this.next[p] = n;
    else this.lruHead[list] = n;
    this.prev[n] = p;
    this.prev[slot] = tail;
    this.next[slot] = NIL;
    this.next[tail] = slot;
    this.lruTail[list] = slot;
  }

  /** Ends a connection: report it, unlink it from its bucket and the LRU list, free the slot. */
  finish(slot: number): void {
    this.onFinish(this, slot);
    const bucket = this.hash[slot]! & this.mask;
    let s = this.heads[bucket]!;
    if (s === slot) this.heads[bucket] = this.chain[slot]!;
    else {
      while (s !== NIL && this.chain[s] !== slot) s = this.chain[s]!;
      if (s !== NIL) this.chain[s] = this.chain[slot]!;
    }
    const list = this.listOf(slot);
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NIL) this.next[p] = n;
    else this.lruHead[list] = n;
    if (n !== NIL) this.prev[n] = p;
    else this.lruTail[list] = p;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.size--;
    if (this.lastSlot === slot) this.lastSlot = NIL;
  }

  /** Ends every connection idle for longer than its timeout at capture time `nowUs`. */
  expire(nowUs: number): void {
    for (let list = 0; list < 2; list++) {
      const timeout = list === 0 ? this.tcpTimeout : Math.min(this.udpTimeout, this.otherTimeout);
      for (let s = this.lruHead[list]!; s !== NIL; ) {
        if (nowUs - this.lastTs[s]! <= timeout) break;
        const n = this.next[s]!;
        if (nowUs - this.lastTs[s]! > this.timeoutFor(this.proto[s]!)) this.finish(s);
        s = n;
      }
    }
  }

  /** Ends every connection (end of capture), in order of first packet for determinism. */
  flush(): void {
    for (const s of this.liveSlots()) this.finish(s);
  }

  private liveSlots(): number[] {
    const live: number[] = [];
    for (let list = 0; list < 2; list++) for (let s = this.lruHead[list]!; s !== NIL; s = this.next[s]!) live.push(s);
    live.sort((a, b) => this.firstTs[a]! - this.firstTs[b]! || a - b);
    return live;
  }

  /**
   * What checkpoints have already handed on, per slot (live snapshots only;
   * allocated at the first checkpoint, so offline analysis pays nothing).
   */
  private base: { counted: Uint8Array; pktsA: Float64Array; pktsB: Float64Array; bytesA: Float64Array; bytesB: Float64Array } | null = null;

  /**
   * Hands every live connection's counts so far to `onCheckpoint` without
   * ending it (a live snapshot). Later calls, and the connection's end, pass
   * only what came since: the totals are the same as without checkpoints.
   */
  checkpoint(onCheckpoint: FlowFinish): void {
    const cap = this.capacity;
    const b = (this.base ??= {
      counted: new Uint8Array(cap),
      pktsA: new Float64Array(cap),
      pktsB: new Float64Array(cap),
      bytesA: new Float64Array(cap),
      bytesB: new Float64Array(cap),
    });
    for (const s of this.liveSlots()) {
      onCheckpoint(this, s);
      b.counted[s] = 1;
      b.pktsA[s] = this.pktsA[s]!;
      b.pktsB[s] = this.pktsB[s]!;
      b.bytesA[s] = this.bytesA[s]!;
      b.bytesB[s] = this.bytesB[s]!;
    }
  }

  /** Whether a checkpoint already counted this connection. */
  checkpointed(slot: number): boolean {
    return this.base !== null && this.base.counted[slot] === 1;
  }

  /** Client and server packets and bytes already handed on by checkpoints (all 0 without one). */
  handedOn(slot: number, out: Float64Array): void {
    const b = this.base;
    if (b === null || b.counted[slot] !== 1) {
      out.fill(0);
      return;
    }
    const a = this.clientIsA[slot] === 1;
    out[0] = a ? b.pktsA[slot]! : b.pktsB[slot]!;
    out[1] = a ? b.pktsB[slot]! : b.pktsA[slot]!;
    out[2] = a ? b.bytesA[slot]! : b.bytesB[slot]!;
    out[3] = a ? b.bytesB[slot]! : b.bytesA[slot]!;
  }

  /** Bytes/packets accounting helpers for reporting. */
  clientPackets(slot: number): number {
    return this.clientIsA[slot] ? this.pktsA[slot]! : this.pktsB[slot]!;
  }
  serverPackets(slot: number): number {
    return this.clientIsA[slot] ? this.pktsB[slot]! : this.pktsA[slot]!;
  }
  clientBytes(slot: number): number {
    return this.clientIsA[slot] ? this.bytesA[slot]! : this.bytesB[slot]!;
  }
  serverBytes(slot: number): number {
    return this.clientIsA[slot] ? this.bytesB[slot]! : this.bytesA[slot]!;
  }
  serverPort(slot: number): number {
    const proto = this.proto[slot]!;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) return this.portA[slot]!; // the requester's ICMP type
    return this.clientIsA[slot] ? this.portB[slot]! : this.portA[slot]!;
  }
  clientPort(slot: number): number {
    const proto = this.proto[slot]!;
    if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) return this.portB[slot]!;
    return this.clientIsA[slot] ? this.portA[slot]! : this.portB[slot]!;
  }

  /** Idle time after which a connection of this protocol ends, microseconds. */
  idleTimeoutUs(proto: number): number {
    return this.timeoutFor(proto);
  }

  /**
   * Frees the per-slot arrays for good (and any spare): the analysis is over
   * and only the counters are read from here on. They are tens of megabytes,
   * which building a large capture's report can use instead.
   */
  discard(): void {
    spare = null;
    this.arrays = null;
    this.size = 0;
    this.lastSlot = NIL;
    // Same fields, empty arrays (the field types stay the same for V8).
    Object.assign(this, newArrays(0, 1));
  }

  /**
   * Gives the arrays back for the next table of the same capacity (every slot
   * is set again when used, the bucket heads and free list when a table takes
   * them). The table must not be used afterwards.
   */
  release(): void {
    if (this.arrays !== null) spare = this.arrays;
    this.arrays = null;
  }
}
