/**
 * The pipeline shared by every command: frame → decode → duplicates →
 * fragments → flow table → host evidence. The engine knows nothing about
 * files, terminals or output formats; it is fed frames and asked for its
 * state at the end.
 */
import type { CaptureProblem, Frame } from '../capture/frame.js';
import { AddrClass, isExternalClass, type Classifier } from '../config/classify.js';
import { defaultConfig } from '../config/load.js';
import { ConfigClassifier } from '../config/classifier.js';
import { answerAddresses } from '../dissect/dns-message.js';
import { decodeFrame } from '../decode/decode.js';
import { DecodeErrors } from '../decode/errors.js';
import { decodeRawIp, isKnownLinkType } from '../decode/link.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, L3, PacketView, TCP_SYN } from '../decode/view.js';
import { FlowAggregator, type AggRowsData } from '../flows/aggregate.js';
import type { RowSpill } from '../flows/row-spill.js';
import { FlowTable, type FlowTableOptions } from '../flows/flow-table.js';
import { ip4ToString, ip6ToString, isGroupMac } from '../inventory/addr-format.js';
import { HostTable, type HostRecord, type MacRecord } from '../inventory/hosts.js';
import { DuplicateDetector } from './duplicates.js';
import { Dispatcher } from './dispatch.js';
import { DissectorRegistry } from '../dissect/registry.js';
import { ipDissectors, linkDissectors } from '../dissect/all.js';
import type { Dissector, LinkDissector } from '../dissect/types.js';
import { ObservationStore } from '../inventory/observations.js';
import { TcpStackTracker } from './tcp-stack.js';
import { FragmentTracker } from './fragments.js';
import { ChurnCollector, collectGarbage } from './gc-pressure.js';

export interface EngineOptions {
  classifier?: Classifier;
  /** Reporting interval for flow aggregation, microseconds (default 30 min). */
  intervalUs?: number;
  /** Window within which an identical packet counts as a duplicate (default 1 ms). */
  duplicateWindowUs?: number;
  flows?: FlowTableOptions;
  /** Addresses tracked (default 32768); the least recently seen eighth is evicted when full. */
  maxHosts?: number;
  /** MAC addresses tracked (default 32768); evicted like addresses. */
  maxMacs?: number;
  /** Aggregated flow rows (default 200,000); new rows are dropped when full. */
  maxFlowRows?: number;
  /** Datagrams being reassembled from fragments (default 8192). */
  maxFragments?: number;
  /** Bytes of fragments buffered (default 32 MiB). */
  maxFragmentBytes?: number;
  /** Distinct observations kept for the inventory (default 65536). */
  maxObservations?: number;
  /** TCP connections reassembled at once for the dissectors (default 4096); the least recently active is evicted. */
  maxTcpStreams?: number;
  /** Slots of the duplicate detector, a power of two (default 16384). */
  duplicateSlots?: number;
  /** Application dissectors (default: all of them); [] turns payload dissection off. */
  dissectors?: Dissector[];
  linkDissectors?: LinkDissector[];
}

export interface ClockJump {
  count: number;
  /** Largest step backwards, microseconds. */
  largestUs: number;
  firstPacket: number;
}

/** Eviction churn is checked every 65536 packets. */
const CHURN_CHECK_MASK = 0xffff;

/** How often (capture time) idle connections and fragments are expired. */
const SWEEP_US = 1_000_000;

/**
 * Flow rows held before closed intervals are spilled (about 11 MB of rows):
 * below it, keeping them is cheaper than writing and reading them back.
 */
export const SPILL_AFTER_ROWS = 65_536;

export class Engine {
  readonly view = new PacketView();
  readonly errors = new DecodeErrors();
  readonly classifier: Classifier;
  /** The classifier when it comes from a configuration (groups, excluded MACs, names to learn). */
  readonly config: ConfigClassifier | null;
  readonly hosts: HostTable;
  readonly flows: FlowTable;
  readonly aggregate: FlowAggregator;
  readonly duplicates: DuplicateDetector;
  readonly fragments: FragmentTracker;
  readonly observations: ObservationStore;
  readonly registry: DissectorRegistry;
  readonly dispatch: Dispatcher;
  private readonly linkDissectors: LinkDissector[];
  private readonly stacks: TcpStackTracker;

  packets = 0;
  bytes = 0;
  /** IP fragments seen, and packets that arrived inside a tunnel. */
  fragmentPackets = 0;
  tunnelPackets = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  /** Highest timestamp so far, for clock-jump detection and expiry. */
  private maxTs = -Infinity;
  private nextSweep = -Infinity;
  readonly clockJump: ClockJump = { count: 0, largestUs: 0, firstPacket: 0 };
  /** Packets per unsupported link type. */
  readonly unknownLinkTypes = new Map<number, number>();
  readonly linkTypes: number[] = [];
  /** Source addresses of duplicated packets (bounded), for the warning. */
  readonly duplicateSources = new Set<string>();
  readonly problems: (CaptureProblem & { file: string })[] = [];
  readonly files: string[] = [];
  private finished = false;
  private rowSpill: RowSpill | null = null;
  private openSpill: (() => RowSpill | null) | null = null;
  private spillMinRows = SPILL_AFTER_ROWS;
  /** Capture time at which flow rows are next moved to the spill (Infinity: never). */
  private nextSealUs = Infinity;
  private readonly churn = new ChurnCollector();
  private lastLinkType = -1;
  /** Scratch for one tunnel's IPv6 endpoints. */
  private readonly outerSrc6 = new Uint32Array(4);
  private readonly outerDst6 = new Uint32Array(4);
  private lastLinkKnown = false;

  constructor(readonly opts: EngineOptions = {}) {
    this.classifier = opts.classifier ?? new ConfigClassifier(defaultConfig());
    this.hosts = new HostTable({ maxHosts: opts.maxHosts, maxMacs: opts.maxMacs });
    this.config = this.classifier instanceof ConfigClassifier ? this.classifier : null;
    this.aggregate = new FlowAggregator(
      this.classifier,
      opts.intervalUs ?? 30 * 60e6,
      opts.maxFlowRows,
      this.config !== null && this.config.excludedMacCount > 0 ? (ver, w, cls) => this.excludedByMac(ver, w, cls) : null,
    );
    this.flows = new FlowTable(
      (t, slot) => {
        this.aggregate.add(t, slot);
        this.dispatch.end(slot);
      },
      (t, slot) => this.onAnswered(t, slot),
      opts.flows,
    );
    this.observations = new ObservationStore(opts.maxObservations);
    this.registry = new DissectorRegistry(opts.dissectors ?? ipDissectors());
    this.dispatch = new Dispatcher(this.registry, this.flows, this.errors, this.observations, this.classifier, opts.maxTcpStreams);
    this.flows.onGrow = (cap) => this.dispatch.ensureSlots(cap);
    this.aggregate.payloadApp = (_t, slot, proto, port) => this.dispatch.probedApp(slot, proto, port);
    // A full row table moves its oldest intervals to the spill file when there is one (else they are evicted).
    this.aggregate.keepAside = (interval, rows) => this.spill(interval, rows);
    this.linkDissectors = opts.linkDissectors ?? linkDissectors();
    this.stacks = new TcpStackTracker(this.observations);
    this.duplicates = new DuplicateDetector(opts.duplicateWindowUs ?? 1000, opts.duplicateSlots);
    this.fragments = new FragmentTracker(opts.maxFragments, undefined, opts.maxFragmentBytes);
  }

  /** Processes one frame. Never throws on packet content. */
  frame(f: Frame): void {
    this.packet(f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
  }

  packet(buf: Buffer, off: number, capLen: number, origLen: number, ts: number, linkType: number): void {
    this.packets++;
    this.bytes += origLen;
    if ((this.packets & CHURN_CHECK_MASK) === 0) this.checkChurn();
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
    if (ts < this.maxTs) {
      const step = this.maxTs - ts;
      if (this.clockJump.count === 0) this.clockJump.firstPacket = this.packets;
      this.clockJump.count++;
      if (step > this.clockJump.largestUs) this.clockJump.largestUs = step;
    } else {
      this.maxTs = ts;
      if (ts >= this.nextSealUs) this.sealRows(ts);
    }
    if (linkType !== this.lastLinkType) {
      // Link types change rarely (pcapng interfaces): check the lists only then.
      if (!this.linkTypes.includes(linkType)) this.linkTypes.push(linkType);
      this.lastLinkType = linkType;
      this.lastLinkKnown = isKnownLinkType(linkType);
    }
    if (!this.lastLinkKnown) {
      this.unknownLinkTypes.set(linkType, (this.unknownLinkTypes.get(linkType) ?? 0) + 1);
      return;
    }
    if (this.maxTs >= this.nextSweep) this.sweep();

    const v = this.view;
    decodeFrame(v, this.errors, buf, off, capLen, origLen, ts, linkType);

    // Duplicates: hash from the network layer on, so a copy that differs only in L2 matches.
    const dupStart = v.l3 !== L3.None ? v.l3Off : off;
    if (this.duplicates.check(buf, dupStart, v.capEnd, origLen, ts)) {
      this.noteDuplicate(v);
      return;
    }

    const mac = this.sourceMac(v.macSrc, v.vlan, ts, origLen);

    if (v.tunnelDepth > 0) {
      this.tunnelPackets++;
      if (!v.reassembled) this.tunnelEndpoints(v, origLen);
    }
    if (v.l3 === L3.IPv4 || v.l3 === L3.IPv6) {
      this.ipPacket(v, origLen, mac);
    } else if (v.l3 === L3.ARP) {
      this.arpPacket(v);
    } else if (v.etherType !== 0 && mac !== null) {
      for (const d of this.linkDissectors) if (d.etherType === v.etherType) this.dispatch.link(v, d);
    }
  }

  /**
   * A tunnelled frame's outer IP headers: their endpoints (VTEPs, the switch
   * sending ERSPAN, tunnel routers) and the source MAC of each layer sent and
   * received the frame as much as the inner hosts did ("every frame", SPEC
   * §4). (A datagram rebuilt from fragments is not passed here: its outer
   * header was counted with each fragment.)
   */
  private tunnelEndpoints(v: PacketView, origLen: number): void {
    const ts = v.tsUs;
    for (let i = 0; i < v.tunnelDepth; i++) {
      // The outermost MAC is the frame's own; a deeper layer's, that of the Ethernet frame a tunnel carried.
      const mac = this.sourceMac(v.outerMacSrc[i]!, v.outerVlan[i]!, ts, origLen);
      const l3 = v.outerL3[i]!;
      if (l3 === L3.None) continue;
      const s6 = this.outerSrc6;
      const d6 = this.outerDst6;
      for (let k = 0; k < 4; k++) {
        s6[k] = v.outerSrc6[i * 4 + k]!;
        d6[k] = v.outerDst6[i * 4 + k]!;
      }
      this.noteEndpoints(l3 === L3.IPv4, v.outerSrc4[i]!, s6, v.outerDst4[i]!, d6, v.outerVlan[i]!, ts, origLen, 1, mac);
    }
  }

  /** The record of a frame's source MAC (null for none or a group address), counting the frame. */
  private sourceMac(m: number, vlan: number, ts: number, bytes: number): MacRecord | null {
    if (m < 0 || isGroupMac(m)) return null;
    const mac = this.hosts.mac(m, ts);
    this.hosts.touchMac(mac, ts);
    mac.pktsOut++;
    mac.bytesOut += bytes;
    if (vlan >= 0) mac.vlan = vlan;
    return mac;
  }

  /** The address records of one IP header's source and destination (and the source MAC's). */
  private noteEndpoints(
    v4: boolean, src4: number, src6: Uint32Array, dst4: number, dst6: Uint32Array, vlan: number,
    ts: number, bytes: number, packets: number, mac: MacRecord | null,
  ): void {
    const cls = this.classifier;
    const hosts = this.hosts;
    const sCls = v4 ? cls.classify4(src4) : cls.classify6(src6);
    const dCls = v4 ? cls.classify4(dst4) : cls.classify6(dst6);
    if (mac !== null) mac.ipSent = true;
    if (sCls === AddrClass.Inventoried) {
      const h = v4 ? hosts.host4(src4, sCls, ts) : hosts.host6(src6, sCls, ts);
      hosts.touchHost(h, ts);
      h.pktsOut += packets;
      h.bytesOut += bytes;
      h.sent = true;
      if (vlan >= 0) h.vlan = vlan;
      if (mac !== null) HostTable.noteSourceMac(h, mac);
    } else if (isExternalClass(sCls) && mac !== null) {
      mac.routesExternal = true;
    }
    if (dCls === AddrClass.Inventoried) {
      const h = v4 ? hosts.host4(dst4, dCls, ts) : hosts.host6(dst6, dCls, ts);
      h.pktsIn += packets;
      h.bytesIn += bytes;
    }
  }

  private ipPacket(v: PacketView, origLen: number, mac: MacRecord | null, packets = 1): void {
    const ts = v.tsUs;
    const cls = this.classifier;
    const hosts = this.hosts;
    this.noteEndpoints(v.l3 === L3.IPv4, v.src4, v.src6, v.dst4, v.dst6, v.vlan, ts, origLen, packets, mac);
    if (v.ndHasTarget && v.ndTargetMac >= 0) {
      const nc = cls.classify6(v.ndTarget6);
      if (nc === AddrClass.Inventoried) {
        const h = hosts.host6(v.ndTarget6, nc, ts);
        h.boundMac = v.ndTargetMac;
        h.boundBy = 'icmpv6-nd';
        h.sent = true;
        hosts.touchHost(h, ts);
      }
    }

    if (v.isFragment) {
      this.fragmentPackets++;
      const whole = this.fragments.add(v, origLen);
      if (whole === null) return;
      // Decode the rebuilt datagram in place of the fragment, keeping the link layer.
      const macSrc = v.macSrc;
      const macDst = v.macDst;
      const vlan = v.vlan;
      const vlanOuter = v.vlanOuter;
      v.reset(whole.buf, 0, whole.buf.length, whole.buf.length, ts, 101);
      v.macSrc = macSrc;
      v.macDst = macDst;
      v.vlan = vlan;
      v.vlanOuter = vlanOuter;
      decodeRawIp(v, this.errors, 0, whole.buf.length);
      v.reassembled = true;
      if (v.l3 === L3.None) return;
      // Addresses inside a tunnel were not seen yet; the outer ones were counted per fragment.
      if (v.tunnelDepth > 0) this.ipPacket(v, whole.wireBytes, mac, whole.packets);
      else this.transport(v, whole.wireBytes, whole.packets);
      return;
    }
    this.transport(v, origLen, 1);
  }

  private transport(v: PacketView, bytes: number, packets: number): void {
    if (v.proto < 0) return;
    if (v.srcPort === 53 && this.config !== null && this.config.hasNameGroups && (v.proto === 17 || v.proto === 6)) this.learnNames(v);
    if ((v.proto === IPPROTO_ICMP || v.proto === IPPROTO_ICMPV6) && v.icmpType < 0) return;
    const flows = this.flows;
    const slot = flows.packet(v, v.srcPort, v.dstPort, bytes, packets);
    // Every new connection clears the slot's dissection state, not only TCP and
    // UDP ones: an ICMP connection in a slot a probed TCP connection held must
    // not inherit its application.
    if (flows.lastNew) this.dispatch.reset(slot);
    if (v.proto !== IPPROTO_TCP && v.proto !== IPPROTO_UDP) return;
    const fromClient = flows.lastFromA === (flows.clientIsA[slot] === 1);
    if (v.proto === IPPROTO_TCP && (v.tcpFlags & TCP_SYN) !== 0) this.stacks.syn(v, this.hosts, this.classifier);
    this.dispatch.packet(v, slot, fromClient);
  }

  /** DNS answers for names of monitored groups: their addresses join the group (SPEC §2.1, by FQDN). */
  private learnNames(v: PacketView): void {
    const cc = this.config!;
    let off = v.payloadOff;
    let len = v.payloadLen;
    if (v.proto === 6) {
      // DNS over TCP: a 2-byte length, then the message. Only a response that
      // starts and ends in this segment is read (no stream reassembly yet).
      if (len < 14) return;
      const n = (v.buf[off]! << 8) | v.buf[off + 1]!;
      if (n + 2 > len) return;
      off += 2;
      len = n;
    }
    const answers = answerAddresses(v.buf, off, len);
    if (answers === null) return;
    for (const a of answers) {
      let g = cc.groupForName(a.name);
      for (let i = 0; g < 0 && i < a.aliases.length; i++) g = cc.groupForName(a.aliases[i]!);
      if (g < 0) continue;
      for (const ip of a.v4) cc.learn4(ip, g);
      for (const w of a.v6) cc.learn6(w, g);
    }
  }

  /** True when `mac` is listed under `excluded`. */
  isExcludedMac(mac: number): boolean {
    return this.config !== null && this.config.isExcludedMac(mac);
  }

  /**
   * An internal address owned by an excluded MAC is Excluded too (SPEC §2.1),
   * whatever address it moves to: owned means bound by ARP/ND, or the only MAC
   * it sent from when that MAC does not forward for others.
   */
  private excludedByMac(ver: number, w: Uint32Array, cls: AddrClass): AddrClass {
    if (cls !== AddrClass.Inventoried) return cls;
    const h = ver === 4 ? this.hosts.find4(w[0]!) : this.hosts.find6(w);
    if (h === null) return cls;
    if (h.boundMac >= 0) return this.isExcludedMac(h.boundMac) ? AddrClass.Excluded : cls;
    if (h.macs.length === 1 && this.isExcludedMac(h.macs[0]!)) {
      const m = this.hosts.findMac(h.macs[0]!);
      if (m === null || !m.routesExternal) return AddrClass.Excluded;
    }
    return cls;
  }

  private arpPacket(v: PacketView): void {
    const ip = v.arpSenderIp;
    if (ip === 0 || v.arpSenderMac < 0 || isGroupMac(v.arpSenderMac) || v.arpSenderMac === 0) return;
    const c = this.classifier.classify4(ip);
    if (c !== AddrClass.Inventoried) return;
    const h = this.hosts.host4(ip, c, v.tsUs);
    h.boundMac = v.arpSenderMac;
    h.boundBy = 'arp';
    h.sent = true;
    this.hosts.touchHost(h, v.tsUs);
    if (v.vlan >= 0) h.vlan = v.vlan;
  }

  private onAnswered(t: FlowTable, slot: number): void {
    // The server answered: its port is open. Only inventoried servers, and only protocols with ports.
    const proto = t.proto[slot]!;
    if (proto !== 6 && proto !== 17 && proto !== 132) return;
    const clientIsA = t.clientIsA[slot] === 1;
    const o = slot * 4;
    const addr = clientIsA ? t.addrB : t.addrA;
    let h: HostRecord | null;
    if (t.ver[slot] === 4) h = this.hosts.find4(addr[o]!);
    else h = this.hosts.find6(addr.subarray(o, o + 4));
    if (h === null || h.cls !== AddrClass.Inventoried) return;
    HostTable.addPort(h, t.proto[slot]!, t.serverPort(slot));
  }

  private noteDuplicate(v: PacketView): void {
    if (this.duplicateSources.size >= 32) return;
    if (v.l3 === L3.IPv4) this.duplicateSources.add(ip4ToString(v.src4));
    else if (v.l3 === L3.IPv6) this.duplicateSources.add(ip6ToString(v.src6));
  }

  private sweep(): void {
    this.nextSweep = this.maxTs + SWEEP_US;
    this.flows.expire(this.maxTs);
    this.fragments.expire(this.maxTs);
  }

  /** Evictions from every bounded table so far. */
  evictions(): number {
    return (
      this.flows.evicted + this.hosts.hostEvictions + this.hosts.macEvictions + this.fragments.evicted +
      this.observations.evicted + this.dispatch.streamsDropped + (this.config?.learnedEvicted ?? 0)
    );
  }

  /** Checked every 65536 packets: see gc-pressure.ts. */
  private checkChurn(): void {
    this.churn.check(this.evictions());
  }

  /**
   * After finish(), before the final report: frees the connection table (no
   * connection is open any more) and, when tables were evicting (a flood),
   * collects the dead records now, so that the report is built in the room
   * they leave rather than on top of them.
   */
  releaseForReport(): void {
    this.flows.discard();
    if (this.churn.collections > 0) collectGarbage();
  }

  /** A file's structural problems, for the report's warnings. */
  addProblems(file: string, problems: CaptureProblem[]): void {
    for (const p of problems) this.problems.push({ ...p, file });
  }

  /** Ends every open connection. Call once, after the last frame. */
  /**
   * For a live snapshot: counts every open connection into the flow rows so
   * far, leaving it open (later counts add only what is new). Unlike finish(),
   * the engine goes on reading.
   */
  checkpoint(): void {
    if (this.finished) return;
    this.flows.checkpoint((t, slot) => this.aggregate.add(t, slot));
  }

  /**
   * Keeps the flow rows of closed intervals in `spill` rather than in memory
   * (a long capture, or many files folded in turn). Once `minRows` rows are
   * held, rows of an interval are moved out when capture time is a whole
   * interval past its end; a connection of that
   * interval that ends later makes a new row, folded with the spilled ones
   * when the report reads them back (report/interval-rows.ts).
   */
  spillRowsTo(open: () => RowSpill | null, minRows = SPILL_AFTER_ROWS): void {
    this.openSpill = open;
    this.spillMinRows = minRows;
    this.nextSealUs = this.maxTs === -Infinity ? -Infinity : Math.floor(this.maxTs / this.aggregate.intervalUs + 1) * this.aggregate.intervalUs;
  }

  /** Rows of closed intervals spilled so far (null: none kept aside). */
  get spilledRows(): RowSpill | null {
    return this.rowSpill;
  }

  /** Whether some flow rows are in the spill file (the report then reads rows interval by interval). */
  get hasSpilledRows(): boolean {
    return this.rowSpill !== null && this.rowSpill.rows > 0;
  }

  private sealRows(ts: number): void {
    const iv = this.aggregate.intervalUs;
    const now = Math.floor(ts / iv);
    this.nextSealUs = (now + 1) * iv;
    // A short capture's rows fit in memory: writing and reading them back would only cost time.
    if (this.openSpill === null || this.aggregate.size < this.spillMinRows) return;
    // Rows of the interval just before this one still take connections that end now: only older ones go.
    this.aggregate.sealBefore(now - 1, (interval, rows) => this.spill(interval, rows));
  }

  /** Writes one interval's rows to the spill file; false when rows are not spilled (not asked for, or no file). */
  private spill(interval: number, rows: AggRowsData): boolean {
    if (this.openSpill === null) return false;
    // The file is made when there is first something to put in it; without one, rows stay in memory.
    if (this.rowSpill === null) {
      this.rowSpill = this.openSpill();
      if (this.rowSpill === null) this.openSpill = null;
    }
    return this.rowSpill !== null && this.rowSpill.write(interval, rows);
  }

  /**
   * Spills rows of intervals that closed a whole interval before the latest
   * packet seen (after folding another file's state into this engine).
   */
  sealClosedIntervals(): void {
    if (this.lastTs !== -Infinity) this.sealRows(this.lastTs);
  }

  /** Closes the spill file (after the report is written). */
  closeSpill(): void {
    this.rowSpill?.close();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.flows.flush();
    this.fragments.finish();
    if (this.fragments.incomplete > 0) this.errors.count('ip.fragments_incomplete', this.fragments.incomplete);
    if (this.fragments.bad > 0) this.errors.count('ip.fragment_bad_offset', this.fragments.bad);
  }
}
