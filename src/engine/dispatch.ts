/**
 * Hands connection payloads to the application dissectors (SPEC §3:
 * "flow table → application dissectors → observations").
 *
 * Per connection slot of the flow table it keeps which dissector the
 * connection is tied to, how many tries and malformed results it had, and
 * which directions are finished, in typed arrays (no allocation per packet).
 * A TCP direction whose message does not fit in one segment is collected in
 * order, up to the dissector's bound, and offered again as the stream grows;
 * a gap (a lost segment) ends the collection. A finished direction can be
 * re-opened by its peer's dissector (reopenPeer): its next segment is then
 * read as the start of a new stream. Dissector exceptions are caught and
 * counted, and after MAX_BAD malformed results the dissector is dropped from
 * the connection.
 */
import { IPPROTO_TCP, IPPROTO_UDP, L3, TCP_SYN, type PacketView } from '../decode/view.js';
import type { DecodeErrors } from '../decode/errors.js';
import { NONE, type DissectorRegistry } from '../dissect/registry.js';
import { Verdict, type DissectContext, type Dissector, type LinkDissector, type ObservationData, type ObservationKind } from '../dissect/types.js';
import { applicationByPort, UNKNOWN_APPLICATION, type Application } from '../flows/applications.js';
import type { FlowTable } from '../flows/flow-table.js';
import { ip4ToString, ip6ToString, isGroupMac, parseIpWords } from '../inventory/addr-format.js';
import { AddrClass, type Classifier } from '../config/classify.js';
import type { ObservationStore } from '../inventory/observations.js';

/** Malformed results after which a dissector is dropped from a connection. */
const MAX_BAD = 3;
/** Payload packets per connection offered to the probes before giving up on recognising it. */
const MAX_TRIES = 10;
/** UDP messages per connection handed to its dissector (busy flows repeat themselves). */
const MAX_MESSAGES = 256;
/**
 * Connections with a TCP direction being collected at once (by default;
 * `limits.tcp_streams`), and bytes per direction by default. When the table
 * is full the least recently active stream is evicted (its collection ends,
 * as after a gap) so that new connections are still reassembled.
 */
const MAX_STREAMS = 4096;
const DEFAULT_STREAM = 8192;
/** TCP payloads shorter than this are gathered before the probes look at them; at most PROBE_MAX bytes. */
const PROBE_MIN = 16;
const PROBE_MAX = 512;

/** `tied` value of a connection no dissector wants (tied dissectors are index + 1, below 255). */
const GAVE_UP = 255;

const CLIENT_DONE = 1;
const SERVER_DONE = 2;

class Direction {
  buf: Buffer | null = null;
  len = 0;
  nextSeq = 0;
  started = false;
  /** Segments that arrived ahead of a missing one (at most MAX_PENDING), waiting for it. */
  pending: { seq: number; data: Buffer }[] | null = null;
}

/** Out-of-order segments held per direction while the missing one is awaited. */
const MAX_PENDING = 4;
/** Recent-fact cache size - 1 (see seen()). */
const RECENT_MASK = 65535;

class Stream {
  readonly dir = [new Direction(), new Direction()];
}

export interface DispatchStats {
  /** Connections tied to each dissector. */
  tied: Map<string, number>;
  streamsDropped: number;
}

/** Per-slot arrays of a released dispatcher (per thread). */
let spareSlots: { tied: Uint8Array; tries: Uint8Array; bad: Uint8Array; done: Uint8Array; messages: Uint16Array; viaProbe: Uint8Array } | null = null;

export class Dispatcher implements DissectContext {
  private tied: Uint8Array;
  private tries: Uint8Array;
  private bad: Uint8Array;
  private done: Uint8Array;
  private messages: Uint16Array;
  private viaProbe: Uint8Array;
  private readonly streams = new Map<number, Stream>();
  private readonly cands: number[] = [];
  /** Counts reported during the current dissector call (reason, n, ...), kept until its verdict is known. */
  private readonly held: (string | number)[] = [];
  private readonly recent = new Int32Array(RECENT_MASK + 1);
  readonly tiedCount: Uint32Array;
  /** Streams evicted (least recently active first) to make room for a new one. */
  streamsDropped = 0;

  // Context of the current call.
  view!: PacketView;
  fromClient = false;
  private current: Dissector | null = null;
  /** Connection of the current packet (-1 for a link-layer frame). */
  private slot = -1;

  constructor(
    readonly registry: DissectorRegistry,
    readonly flows: FlowTable,
    private readonly errors: DecodeErrors,
    private readonly store: ObservationStore,
    /** Observations about addresses that are not inventoried are dropped (nothing would use them). */
    private readonly classifier: Classifier,
    /** Streams collected at once; the `streams` map is kept in least recently active order. */
    readonly maxStreams = MAX_STREAMS,
  ) {
    const cap = flows.capacity;
    // Reused from a dispatcher that is done (see release); every slot is reset when a connection takes it.
    const a = spareSlots !== null && spareSlots.tied.length >= cap ? spareSlots : null;
    if (a !== null) spareSlots = null;
    this.tied = a?.tied ?? new Uint8Array(cap);
    this.tries = a?.tries ?? new Uint8Array(cap);
    this.bad = a?.bad ?? new Uint8Array(cap);
    this.done = a?.done ?? new Uint8Array(cap);
    this.messages = a?.messages ?? new Uint16Array(cap);
    this.viaProbe = a?.viaProbe ?? new Uint8Array(cap);
    this.tiedCount = new Uint32Array(registry.list.length);
  }

  /** The connection table grew to `cap` slots: the per-slot arrays follow (slots keep their numbers). */
  ensureSlots(cap: number): void {
    if (this.tied.length >= cap) return;
    const grown = <T extends Uint8Array | Uint16Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.tied = grown(this.tied, new Uint8Array(cap));
    this.tries = grown(this.tries, new Uint8Array(cap));
    this.bad = grown(this.bad, new Uint8Array(cap));
    this.done = grown(this.done, new Uint8Array(cap));
    this.messages = grown(this.messages, new Uint16Array(cap));
    this.viaProbe = grown(this.viaProbe, new Uint8Array(cap));
  }

  /** Gives the per-slot arrays to the next dispatcher (of a table of at most their size); this one must not be used afterwards. */
  release(): void {
    spareSlots = { tied: this.tied, tries: this.tries, bad: this.bad, done: this.done, messages: this.messages, viaProbe: this.viaProbe };
  }

  /** A new connection took `slot`: forget the previous one's state. */
  reset(slot: number): void {
    this.tied[slot] = 0;
    this.tries[slot] = 0;
    this.bad[slot] = 0;
    this.done[slot] = 0;
    this.messages[slot] = 0;
    this.viaProbe[slot] = 0;
    if (this.streams.size !== 0) this.streams.delete(slot);
  }

  /** The connection in `slot` ended. */
  end(slot: number): void {
    if (this.streams.size !== 0) this.streams.delete(slot);
  }

  /**
   * The application the payload showed, where it replaces what the port table
   * says of the server port (SPEC §5.2: payload beats port); null when the
   * port's stands:
   * - a protocol a probe found on a port not its own (HTTP on 8123, SSH on 443);
   * - a protocol its own dissector read on a port the table has no name for
   *   (HTTP on 8000, TLS on 4443), which would otherwise say `unknown`.
   * A protecting layer (`protectsOthers`: TLS) on a port the table gives to an
   * application of another family (RDP on 3389, IRC after STARTTLS on 6667)
   * leaves that application, unless that application has a dissector, which
   * found none of its messages (TLS on Modbus's port 502 is something else).
   */
  probedApp(slot: number, proto: number, serverPort: number): Application | null {
    const t = this.tied[slot]!;
    if (t === 0 || t === GAVE_UP) return null;
    const d = this.registry.list[t - 1]!;
    const portApp = applicationByPort(proto, serverPort);
    const portKnown = portApp !== UNKNOWN_APPLICATION;
    if (this.viaProbe[slot] === 0) return portKnown ? null : d.app;
    if (d.protectsOthers === true && portKnown && portApp.family !== d.app.family) {
      const own = proto === IPPROTO_TCP ? this.registry.tcp[serverPort]! : this.registry.udp[serverPort]!;
      if (own === NONE) return null;
    }
    return d.app;
  }

  /** A link-layer frame (LLDP, CDP) for `d`. */
  link(v: PacketView, d: LinkDissector): void {
    this.view = v;
    this.fromClient = true;
    this.slot = -1;
    this.current = d as unknown as Dissector;
    const off = v.l2PayloadOff;
    if (this.held.length !== 0) this.held.length = 0;
    try {
      const r = d.dissect(v.buf, off, v.capEnd - off, this);
      if (r === Verdict.Malformed) this.errors.count(`${d.id}.malformed`);
    } catch {
      this.errors.count(`${d.id}.exception`);
    } finally {
      this.current = null;
    }
    for (let i = 0; i < this.held.length; i += 2) this.errors.count(this.held[i] as string, this.held[i + 1] as number);
    if (this.held.length !== 0) this.held.length = 0;
  }

  /** Offers the current packet's payload; `slot` is its connection, `fromClient` its direction. */
  packet(v: PacketView, slot: number, fromClient: boolean): void {
    const proto = v.proto;
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return;
    let tied = this.tied[slot]!;
    if (tied === GAVE_UP) return;
    const dirBit = fromClient ? CLIENT_DONE : SERVER_DONE;
    if (this.done[slot]! & dirBit) return;
    if (proto === IPPROTO_TCP) {
      // The SYN fixes where the stream starts (data on a SYN, as with TCP Fast Open, is still read).
      if (v.tcpFlags & TCP_SYN) {
        const s = this.streams.get(slot);
        if (s !== undefined) s.dir[fromClient ? 0 : 1]!.started = false;
      }
    }
    if (v.payloadLen === 0) return;
    this.view = v;
    this.fromClient = fromClient;
    this.slot = slot;

    if (tied === 0) {
      if (proto === IPPROTO_TCP && (v.payloadLen < PROBE_MIN || this.hasStream(slot, fromClient))) {
        this.chooseOnStream(v, slot, fromClient);
        return;
      }
      tied = this.choose(v.buf, v.payloadOff, v.payloadLen, slot);
      if (tied === 0) return;
      if (proto === IPPROTO_UDP) return; // the choosing call dissected this datagram
      if (this.done[slot]! & dirBit) return;
      // TCP: the first segment was offered while choosing; collect it if more is wanted.
      if (this.wantsMore) this.append(v, slot, fromClient, this.registry.list[tied - 1]!.maxStream ?? DEFAULT_STREAM);
      return;
    }
    const d = this.registry.list[tied - 1]!;
    if (proto === IPPROTO_UDP) {
      if (this.messages[slot]! >= MAX_MESSAGES) return;
      this.messages[slot]!++;
      this.finishCall(slot, dirBit, this.call(d, v.buf, v.payloadOff, v.payloadLen));
      return;
    }
    this.collect(v, slot, fromClient, d);
  }

  private wantsMore = false;
  /** Set while candidates are tried: their complaints are not counted. */
  private quiet = false;

  private hasStream(slot: number, fromClient: boolean): boolean {
    const s = this.streams.size === 0 ? undefined : this.streams.get(slot);
    return s !== undefined && s.dir[fromClient ? 0 : 1]!.started;
  }

  /**
   * TCP before any dissector is chosen, when segments are tiny (a client that
   * types, or writes byte by byte): the direction's first bytes are gathered
   * and the candidates tried on what has been gathered.
   */
  private chooseOnStream(v: PacketView, slot: number, fromClient: boolean): void {
    const before = this.hasStream(slot, fromClient) ? this.streams.get(slot)!.dir[fromClient ? 0 : 1]!.len : 0;
    const dir = this.append(v, slot, fromClient, PROBE_MAX);
    if (dir === null) return;
    let tied = this.choose(dir.buf!, 0, dir.len, slot);
    if (tied === 0 && this.tied[slot] === 0 && v.payloadLen >= PROBE_MIN && before > 0) {
      // A protocol that starts after another on the same connection (TLS after
      // a STARTTLS-style request): try this segment alone, and start the stream here.
      tied = this.choose(v.buf, v.payloadOff, v.payloadLen, slot);
      if (tied !== 0) {
        const n = Math.min(v.payloadLen, PROBE_MAX);
        if (dir.buf!.length < n) dir.buf = Buffer.allocUnsafe(n);
        v.buf.copy(dir.buf!, 0, v.payloadOff, v.payloadOff + n);
        dir.len = n;
      }
    }
    const dirBit = fromClient ? CLIENT_DONE : SERVER_DONE;
    if (tied === 0) {
      if (dir.len >= PROBE_MAX) this.done[slot]! |= dirBit;
    } else if (!this.wantsMore) {
      this.done[slot]! |= dirBit;
    }
    if (this.done[slot]! & dirBit) this.dropDir(slot, this.streams.get(slot)!, fromClient ? 0 : 1);
  }

  /** Tries the candidates on a payload; returns tied+1, or 0 while undecided. */
  private choose(buf: Buffer, off: number, len: number, slot: number): number {
    const v = this.view;
    const reg = this.registry;
    const n = reg.candidates(v.proto, v.srcPort, v.dstPort, this.cands);
    const dirBit = this.fromClient ? CLIENT_DONE : SERVER_DONE;
    // Until a dissector accepts the connection, a message it cannot parse only
    // means "not this protocol": nothing is counted and the next candidate tries.
    this.quiet = true;
    try {
      for (let i = 0; i < n; i++) {
        const idx = this.cands[i]!;
        const r = this.call(reg.list[idx]!, buf, off, len);
        if (r === Verdict.NotMine || r === Verdict.Malformed) continue;
        return this.tie(slot, idx, r, dirBit);
      }
      for (const idx of reg.probes) {
        const d = reg.list[idx]!;
        if (!this.probe(d, buf, off, len)) continue;
        const r = this.call(d, buf, off, len);
        if (r === Verdict.NotMine || r === Verdict.Malformed) continue;
        this.viaProbe[slot] = reg.tcp[v.srcPort] === idx || reg.tcp[v.dstPort] === idx || reg.udp[v.srcPort] === idx || reg.udp[v.dstPort] === idx ? 0 : 1;
        return this.tie(slot, idx, r, dirBit);
      }
    } finally {
      this.quiet = false;
    }
    if (++this.tries[slot]! >= MAX_TRIES) this.tied[slot] = GAVE_UP;
    return 0;
  }

  private tie(slot: number, idx: number, r: Verdict, dirBit: number): number {
    this.tied[slot] = idx + 1;
    // Bytes the other direction gathered for the probes belong to whatever came
    // before this protocol (a STARTTLS exchange): its stream starts afresh.
    const s = this.streams.size === 0 ? undefined : this.streams.get(slot);
    if (s !== undefined) {
      const other = s.dir[dirBit === CLIENT_DONE ? 1 : 0]!;
      other.started = false;
      other.buf = null;
      other.len = 0;
    }
    this.tiedCount[idx]!++;
    this.wantsMore = r === Verdict.More || (r === Verdict.Continue && this.view.proto === IPPROTO_TCP);
    this.messages[slot] = 1;
    this.finishCall(slot, dirBit, r);
    return idx + 1;
  }

  private probe(d: Dissector, buf: Buffer, off: number, len: number): boolean {
    try {
      return d.probe!(buf, off, len, this.view.proto);
    } catch {
      this.errors.count(`${d.id}.exception`);
      return false;
    }
  }

  private call(d: Dissector, buf: Buffer, off: number, len: number): Verdict {
    this.current = d;
    if (this.held.length !== 0) this.held.length = 0;
    let r: Verdict;
    try {
      r = d.dissect(buf, off, len, this);
    } catch {
      this.errors.count(`${d.id}.exception`);
      r = Verdict.Malformed;
    } finally {
      this.current = null;
    }
    // A message cut short that asks for more is not malformed (yet): what the
    // parser counted while reading it is forgotten; the bytes are read again.
    if (r !== Verdict.More) for (let i = 0; i < this.held.length; i += 2) this.errors.count(this.held[i] as string, this.held[i + 1] as number);
    if (this.held.length !== 0) this.held.length = 0;
    return r;
  }

  private finishCall(slot: number, dirBit: number, r: Verdict): void {
    // After the connection is tied, 'not mine' means nothing more is expected from this direction.
    if (r === Verdict.Done || r === Verdict.NotMine) this.done[slot]! |= dirBit;
    else if (r === Verdict.Malformed) {
      if (++this.bad[slot]! >= MAX_BAD) this.tied[slot] = GAVE_UP;
      // A broken TCP stream cannot be resynchronised; the next UDP datagram stands alone.
      if (this.view.proto === IPPROTO_TCP) this.done[slot]! |= dirBit;
    }
  }

  /** TCP, tied: offers the direction's bytes so far, with this segment, to its dissector. */
  private collect(v: PacketView, slot: number, fromClient: boolean, d: Dissector): void {
    const dirBit = fromClient ? CLIENT_DONE : SERVER_DONE;
    const di = fromClient ? 0 : 1;
    if (!this.hasStream(slot, fromClient)) {
      // The direction's first segment: most messages fit in it, so offer it before copying anything.
      const r = this.call(d, v.buf, v.payloadOff, v.payloadLen);
      this.finishCall(slot, dirBit, r);
      if (this.done[slot]! & dirBit || (r !== Verdict.More && r !== Verdict.Continue)) return;
      this.append(v, slot, fromClient, d.maxStream ?? DEFAULT_STREAM);
      return;
    }
    const max = d.maxStream ?? DEFAULT_STREAM;
    const dir = this.append(v, slot, fromClient, max);
    if (dir === null) return;
    const r = this.call(d, dir.buf!, 0, dir.len);
    this.finishCall(slot, dirBit, r);
    if (r === Verdict.More && dir.len >= max) this.done[slot]! |= dirBit;
    if (this.done[slot]! & dirBit) this.dropDir(slot, this.streams.get(slot)!, di);
  }

  /**
   * Appends the segment to its direction's bytes (in sequence order, at most
   * `max` kept). Null when nothing can be kept: too many streams, or a gap
   * (a lost segment), which ends the direction.
   */
  private append(v: PacketView, slot: number, fromClient: boolean, max: number): Direction | null {
    const dirBit = fromClient ? CLIENT_DONE : SERVER_DONE;
    let s = this.streams.get(slot);
    if (s === undefined) {
      if (this.streams.size >= this.maxStreams) this.evictStream();
      s = new Stream();
      this.streams.set(slot, s);
    } else if (this.streams.size > 1) {
      // Most recently active last (Map order), so that the first is the eviction victim.
      this.streams.delete(slot);
      this.streams.set(slot, s);
    }
    const di = fromClient ? 0 : 1;
    const dir = s.dir[di]!;
    let off = v.payloadOff;
    let len = v.payloadLen;
    // A SYN's sequence number is one before its data.
    const seq = (v.tcpSeq + (v.tcpFlags & TCP_SYN ? 1 : 0)) >>> 0;
    if (!dir.started) {
      dir.started = true;
      dir.nextSeq = seq;
      dir.len = 0;
      dir.pending = null;
    } else {
      const delta = (seq - dir.nextSeq) | 0;
      if (delta > 0) {
        // Ahead of a missing segment: hold a few (out-of-order delivery), else give up.
        dir.pending ??= [];
        if (dir.pending.length < MAX_PENDING && len <= max) {
          dir.pending.push({ seq, data: Buffer.from(v.buf.subarray(off, off + len)) });
          return null;
        }
        this.errors.count('tcp.stream_gap');
        this.done[slot]! |= dirBit;
        this.dropDir(slot, s, di);
        return null;
      }
      if (delta < 0) {
        // Retransmitted or overlapping: keep only the new bytes.
        if (-delta >= len) return dir.buf === null ? null : dir;
        off -= delta;
        len += delta;
      }
    }
    this.put(dir, v.buf, off, len, max);
    // Held segments that now follow on.
    for (let again = dir.pending !== null; again; ) {
      again = false;
      const p = dir.pending!;
      for (let i = 0; i < p.length; i++) {
        const d = (p[i]!.seq - dir.nextSeq) | 0;
        if (d > 0) continue;
        const seg = p.splice(i, 1)[0]!;
        if (-d < seg.data.length) this.put(dir, seg.data, -d, seg.data.length + d, max);
        again = true;
        break;
      }
      if (p.length === 0) {
        dir.pending = null;
        again = false;
      }
    }
    return dir;
  }

  /** Appends buf[off, off + len) to the direction (keeping at most `max` bytes) and advances its sequence. */
  private put(dir: Direction, buf: Buffer, off: number, len: number, max: number): void {
    if (dir.buf === null) dir.buf = Buffer.allocUnsafe(Math.min(max, Math.max(256, len)));
    const room = max - dir.len;
    const take = len < room ? len : room;
    if (dir.len + take > dir.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(max, Math.max(dir.buf.length * 2, dir.len + take)));
      dir.buf.copy(grown, 0, 0, dir.len);
      dir.buf = grown;
    }
    buf.copy(dir.buf, dir.len, off, off + take);
    dir.len += take;
    dir.nextSeq = (dir.nextSeq + len) >>> 0;
  }

  /**
   * Ends the least recently active stream: the directions it was collecting
   * are finished for the dissectors (their next bytes would start mid-message),
   * as after a gap.
   */
  private evictStream(): void {
    const first = this.streams.entries().next();
    if (first.done) return;
    const [victim, s] = first.value;
    if (s.dir[0]!.started) this.done[victim]! |= CLIENT_DONE;
    if (s.dir[1]!.started) this.done[victim]! |= SERVER_DONE;
    this.streams.delete(victim);
    this.streamsDropped++;
  }

  private dropDir(slot: number, s: Stream, di: number): void {
    const dir = s.dir[di]!;
    dir.buf = null;
    dir.len = 0;
    dir.pending = null;
    const other = s.dir[1 - di]!;
    if (other.buf === null) this.streams.delete(slot);
  }

  private inventoried(ip: string): boolean {
    // Dotted IPv4 (what dissectors mostly give): read in place, no split.
    const n = dottedQuad(ip);
    if (n >= 0) return this.classifier.classify4(n) === AddrClass.Inventoried;
    const v6 = ip.includes(':');
    const w = parseIpWords(ip, v6 ? 6 : 4);
    if (w === null) return false;
    return (v6 ? this.classifier.classify6(w) : this.classifier.classify4(w[0]!)) === AddrClass.Inventoried;
  }

  // --- DissectContext ---------------------------------------------------

  count(reason: string, n = 1): void {
    if (this.quiet) return;
    if (this.current !== null) this.held.push(reason, n);
    else this.errors.count(reason, n);
  }

  src(kind: ObservationKind, value: string, data?: ObservationData, source?: string): void {
    const v = this.view;
    const src = source ?? this.current?.id ?? 'unknown';
    const mac = v.macSrc >= 0 && !isGroupMac(v.macSrc) ? v.macSrc : -1;
    if (v.l3 === L3.IPv4) {
      if (this.classifier.classify4(v.src4) !== AddrClass.Inventoried || this.seen(v.src4, mac, kind, src, value)) return;
      this.store.add4(v.src4, mac, false, kind, src, value, v.tsUs, data ?? null);
    } else if (v.l3 === L3.IPv6) {
      if (this.classifier.classify6(v.src6) !== AddrClass.Inventoried || this.seen(v.src6[3]! ^ v.src6[1]!, mac, kind, src, value)) return;
      this.store.add6(v.src6, mac, false, kind, src, value, v.tsUs, data ?? null);
    }
  }

  dst(kind: ObservationKind, value: string, data?: ObservationData, source?: string): void {
    const v = this.view;
    const src = source ?? this.current?.id ?? 'unknown';
    const mac = v.macDst >= 0 && !isGroupMac(v.macDst) ? v.macDst : -1;
    if (v.l3 === L3.IPv4) {
      if (this.classifier.classify4(v.dst4) !== AddrClass.Inventoried || this.seen(v.dst4, mac, kind, src, value)) return;
      this.store.add4(v.dst4, mac, false, kind, src, value, v.tsUs, data ?? null);
    } else if (v.l3 === L3.IPv6) {
      if (this.classifier.classify6(v.dst6) !== AddrClass.Inventoried || this.seen(v.dst6[3]! ^ v.dst6[1]!, mac, kind, src, value)) return;
      this.store.add6(v.dst6, mac, false, kind, src, value, v.tsUs, data ?? null);
    }
  }

  about(ip: string | null, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound = false): void {
    if (ip !== null && !macBound && !this.inventoried(ip)) return;
    this.store.add(ip, mac, macBound, kind, source ?? this.current?.id ?? 'unknown', value, this.view.tsUs, data ?? null);
  }

  about6(w: ArrayLike<number>, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound = false): void {
    if (!macBound && this.classifier.classify6(w) !== AddrClass.Inventoried) return;
    this.store.add6(w, mac, macBound, kind, source ?? this.current?.id ?? 'unknown', value, this.view.tsUs, data ?? null);
  }

  /**
   * DissectContext.reopenPeer: the peer direction, if finished, starts afresh
   * at its next segment: its done bit is cleared and its stream start
   * forgotten (no copy, nothing allocated). Only for a TCP connection already
   * tied (not while candidates are tried). A direction still being read is
   * left alone, so repeated calls (a stream re-read from its start) re-open
   * it once; how often the peer may be re-opened is bounded by what the
   * caller reads (its own direction stops at maxStream).
   */
  reopenPeer(): void {
    const slot = this.slot;
    if (slot < 0 || this.quiet || this.view.proto !== IPPROTO_TCP) return;
    const t = this.tied[slot]!;
    if (t === 0 || t === GAVE_UP) return;
    const peerBit = this.fromClient ? SERVER_DONE : CLIENT_DONE;
    if ((this.done[slot]! & peerBit) === 0) return;
    this.done[slot]! &= ~peerBit;
    const s = this.streams.size === 0 ? undefined : this.streams.get(slot);
    if (s !== undefined) {
      const dir = s.dir[this.fromClient ? 1 : 0]!;
      dir.started = false;
      dir.buf = null;
      dir.len = 0;
      dir.pending = null;
    }
  }

  wants4(ip: number): boolean {
    return this.classifier.classify4(ip) === AddrClass.Inventoried;
  }

  about4(ip: number, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound = false): void {
    if (!macBound && this.classifier.classify4(ip) !== AddrClass.Inventoried) return;
    const src = source ?? this.current?.id ?? 'unknown';
    if (this.seen(ip, mac, kind, src, value)) return;
    this.store.add4(ip, mac, macBound, kind, src, value, this.view.tsUs, data ?? null);
  }

  /**
   * True when this very fact was recorded a moment ago: a direct-mapped cache
   * of recent facts' hashes spares the text and the store lookup for the
   * repeats (a client's User-Agent on each of its connections). Leases are
   * never skipped: their latest time matters.
   */
  private seen(addr: number, mac: number, kind: ObservationKind, source: string, value: string): boolean {
    if (kind === 'dhcp_lease') return false;
    let h = Math.imul(addr ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((mac >>> 0) ^ (mac / 4294967296), 0xc2b2ae35);
    for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193);
    for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
    for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    h = (h ^ (h >>> 15)) | 1;
    const slot = (h >>> 3) & RECENT_MASK;
    if (this.recent[slot] === h) return true;
    this.recent[slot] = h;
    return false;
  }
}

/**
 * "a.b.c.d" (four groups of 1 to 3 digits, each at most 255) as an unsigned
 * number, read without allocating; -1 for anything else, which is left to
 * parseIpWords (for these strings both give the same number).
 */
function dottedQuad(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let n = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.charCodeAt(i) !== 46) return -1;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < len) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
    }
    if (i === start || i - start > 3 || v > 255) return -1;
    n = n * 256 + v;
  }
  return i === len ? n : -1;
}
