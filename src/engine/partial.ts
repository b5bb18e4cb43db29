/**
 * One file's analysis as plain data (structured-clone safe), so that files
 * analysed separately, on worker threads or one after another, merge into one
 * engine whose report is the same whichever way they were run.
 *
 * Partial states are absorbed in the order of their files' first timestamps:
 * what is "later" (an ARP binding, a VLAN, a DHCP lease) is later in time.
 */
import type { CaptureProblem } from '../capture/frame.js';
import type { AggRowKey, AggRowsData, FlowAggregator, RowId } from '../flows/aggregate.js';
import { FlowState, type FlowTable } from '../flows/flow-table.js';
import type { HostData, MacData } from '../inventory/hosts.js';
import type { Observation } from '../inventory/observations.js';
import type { ReportFile } from '../report/build.js';
import type { Engine } from './engine.js';

export interface PartialState {
  file: ReportFile;
  packets: number;
  bytes: number;
  fragmentPackets: number;
  tunnelPackets: number;
  firstTs: number;
  lastTs: number;
  clockJump: { count: number; largestUs: number; firstPacket: number };
  linkTypes: number[];
  unknownLinkTypes: [number, number][];
  duplicates: number;
  duplicateSources: string[];
  problems: (CaptureProblem & { file: string })[];
  errors: [string, number][];
  connections: number;
  evicted: { flows: number; hosts: number; macs: number; flowRows: number; flowRowsEvicted: number; fragments: number; observations: number; observationsCapped: number; tcpStreams: number; dnsNames: number };
  hosts: HostData[];
  macs: MacData[];
  observations: Observation[];
  rows: AggRowsData;
  edges: FileEdges;
}

/**
 * Connections at the edges of a file, so that one that goes on from one file
 * into the next (rotated captures) is counted once when the files are folded:
 * those still open at the end, and those that began without a handshake
 * within an idle timeout of the start.
 */
export interface FileEdges {
  open: EdgeConnection[];
  early: EdgeConnection[];
}

export interface EdgeConnection {
  /** Protocol, version and both endpoints, in a canonical order. */
  tuple: string;
  /** The endpoint taken for the client. */
  client: string;
  proto: number;
  /** Last packet (open at the end) or first packet (early). */
  ts: number;
  row: AggRowKey;
  /** Early ones: what the connection added to its row (client/server packets and bytes, last packet). */
  counts: [number, number, number, number, number] | null;
}

/** Edge connections kept per file and kind: beyond this, some are counted twice. */
const MAX_EDGES = 65536;

function edgeOf(agg: FlowAggregator, t: FlowTable, slot: number, row: RowId, ts: number, counts: EdgeConnection['counts']): EdgeConnection {
  const o = slot * 4;
  const end = (a: Uint32Array, port: number) => `${a[o]}.${a[o + 1]}.${a[o + 2]}.${a[o + 3]}:${port}`;
  const a = end(t.addrA, t.portA[slot]!);
  const b = end(t.addrB, t.portB[slot]!);
  const proto = t.proto[slot]!;
  return {
    tuple: `${t.ver[slot]}/${proto}/${a < b ? a + '/' + b : b + '/' + a}`,
    client: t.clientIsA[slot] === 1 ? a : b,
    proto,
    ts,
    row: agg.keyOf(row),
    counts,
  };
}

/** Starts noting `engine`'s edge connections; call before its first packet. */
export function watchEdges(engine: Engine): { edges: FileEdges; finishing: boolean } {
  const w = { edges: { open: [], early: [] } as FileEdges, finishing: false };
  engine.aggregate.onAdded = (t, slot, row) => {
    const proto = t.proto[slot]!;
    const first = t.firstTs[slot]!;
    const handshake = proto === 6 && (t.state[slot]! & (FlowState.SynFromA | FlowState.SynFromB)) !== 0;
    if (!handshake && first - engine.firstTs <= t.idleTimeoutUs(proto) && w.edges.early.length < MAX_EDGES) {
      const counts: EdgeConnection['counts'] = [t.clientPackets(slot), t.serverPackets(slot), t.clientBytes(slot), t.serverBytes(slot), t.lastTs[slot]!];
      w.edges.early.push(edgeOf(engine.aggregate, t, slot, row, first, counts));
    }
    const closed = proto === 6 && ((t.state[slot]! & FlowState.Rst) !== 0 || (t.state[slot]! & (FlowState.FinFromA | FlowState.FinFromB)) === (FlowState.FinFromA | FlowState.FinFromB));
    if (w.finishing && !closed && w.edges.open.length < MAX_EDGES) {
      w.edges.open.push(edgeOf(engine.aggregate, t, slot, row, t.lastTs[slot]!, null));
    }
  };
  return w;
}

/** The state of an engine that has read one file, finished now (`watch`: from watchEdges, called before reading). */
export function exportPartial(engine: Engine, file: ReportFile, watch: { edges: FileEdges; finishing: boolean } | null = null): PartialState {
  if (watch !== null) watch.finishing = true;
  engine.finish();
  engine.aggregate.onAdded = null;
  const { hosts, macs } = engine.hosts.exportRecords();
  return {
    file,
    packets: engine.packets,
    bytes: engine.bytes,
    fragmentPackets: engine.fragmentPackets,
    tunnelPackets: engine.tunnelPackets,
    firstTs: engine.firstTs,
    lastTs: engine.lastTs,
    clockJump: { ...engine.clockJump },
    linkTypes: [...engine.linkTypes],
    unknownLinkTypes: [...engine.unknownLinkTypes],
    duplicates: engine.duplicates.count,
    duplicateSources: [...engine.duplicateSources],
    problems: [...engine.problems],
    errors: engine.errors.entries(),
    connections: engine.flows.created,
    evicted: {
      flows: engine.flows.evicted,
      hosts: engine.hosts.hostEvictions,
      macs: engine.hosts.macEvictions,
      flowRows: engine.aggregate.dropped,
      flowRowsEvicted: engine.aggregate.evicted,
      fragments: engine.fragments.evicted,
      observations: engine.observations.evicted,
      observationsCapped: engine.observations.capped,
      tcpStreams: engine.dispatch.streamsDropped,
      dnsNames: engine.config?.learnedEvicted ?? 0,
    },
    hosts,
    macs,
    observations: [...engine.observations.values()],
    rows: engine.aggregate.exportRows(),
    edges: watch?.edges ?? { open: [], early: [] },
  };
}

/** exportPartial, for an engine that is done with afterwards: its connection table and dissection slots are reused by the next. */
export function exportAndRelease(engine: Engine, file: ReportFile, watch: { edges: FileEdges; finishing: boolean } | null = null): PartialState {
  const p = exportPartial(engine, file, watch);
  engine.flows.release();
  engine.dispatch.release();
  return p;
}

/**
 * Makes the engine that read the first file (in time order) the one the
 * others fold into, instead of folding its partial state into an empty
 * engine: the same result, without exporting and re-importing the largest
 * share of the work. `watch` is from watchEdges, called before reading.
 */
export function adoptAsFirst(engine: Engine, watch: { edges: FileEdges; finishing: boolean }): void {
  watch.finishing = true;
  engine.finish();
  engine.aggregate.onAdded = null;
  if (engine.packets > 0) openAtEnd.set(engine, new Map(watch.edges.open.map((e) => [e.tuple, e])));
}

/** Orders partial states as one sensor's files are read: by first timestamp, then as given. */
export function partialOrder(a: { firstTs: number; index: number }, b: { firstTs: number; index: number }): number {
  const fa = Number.isFinite(a.firstTs) ? a.firstTs : Infinity;
  const fb = Number.isFinite(b.firstTs) ? b.firstTs : Infinity;
  return fa === fb ? a.index - b.index : fa < fb ? -1 : 1;
}

/** Folds one file's state into `engine` (a fresh engine with the same configuration, fed no packets itself). */
export function absorbPartial(engine: Engine, p: PartialState): void {
  if (p.clockJump.count > 0) {
    if (engine.clockJump.count === 0) engine.clockJump.firstPacket = engine.packets + p.clockJump.firstPacket;
    engine.clockJump.count += p.clockJump.count;
    if (p.clockJump.largestUs > engine.clockJump.largestUs) engine.clockJump.largestUs = p.clockJump.largestUs;
  }
  engine.packets += p.packets;
  engine.bytes += p.bytes;
  engine.fragmentPackets += p.fragmentPackets;
  engine.tunnelPackets += p.tunnelPackets;
  if (p.firstTs < engine.firstTs) engine.firstTs = p.firstTs;
  if (p.lastTs > engine.lastTs) engine.lastTs = p.lastTs;
  for (const t of p.linkTypes) if (!engine.linkTypes.includes(t)) engine.linkTypes.push(t);
  for (const [t, n] of p.unknownLinkTypes) engine.unknownLinkTypes.set(t, (engine.unknownLinkTypes.get(t) ?? 0) + n);
  engine.duplicates.count += p.duplicates;
  for (const a of p.duplicateSources) if (engine.duplicateSources.size < 32) engine.duplicateSources.add(a);
  engine.problems.push(...p.problems);
  for (const [reason, n] of p.errors) engine.errors.count(reason, n);
  engine.flows.created += p.connections;
  engine.flows.evicted += p.evicted.flows;
  engine.fragments.evicted += p.evicted.fragments;
  engine.dispatch.streamsDropped += p.evicted.tcpStreams;
  if (engine.config !== null) engine.config.learnedEvicted += p.evicted.dnsNames;
  engine.hosts.absorbRecords({ hosts: p.hosts, macs: p.macs, hostEvictions: p.evicted.hosts, macEvictions: p.evicted.macs });
  engine.observations.absorb(p.observations, p.evicted.observations, p.evicted.observationsCapped);
  engine.aggregate.absorbRows(p.rows, p.evicted.flowRows, p.evicted.flowRowsEvicted);
  stitch(engine, p);
}

/** Connections open at the end of the files folded so far (within their idle timeout), per engine. */
const openAtEnd = new WeakMap<Engine, Map<string, EdgeConnection>>();

/**
 * A connection open at the end of an earlier file that reappears, without a
 * handshake and within its idle timeout, at the start of this one is the same
 * connection, as one engine reading the files in turn would see it: its
 * second part is not counted as another connection, and its packets and
 * bytes join the first part's row (the first part saw who started it).
 */
function stitch(engine: Engine, p: PartialState): void {
  const agg = engine.aggregate;
  const open = openAtEnd.get(engine) ?? new Map<string, EdgeConnection>();
  const continuing = new Map(p.edges.open.map((e) => [e.tuple, e]));
  for (const e of p.edges.early) {
    const o = open.get(e.tuple);
    if (o === undefined || e.ts < o.ts || e.ts - o.ts > engine.flows.idleTimeoutUs(e.proto)) continue;
    open.delete(e.tuple);
    const from = agg.findRow(e.row);
    // The first part's row may have gone to the spill file with its interval: the counts then go to
    // a new row with its key, which the report folds into the spilled one (report/interval-rows.ts).
    const to = agg.findRow(o.row, engine.hasSpilledRows);
    if (from < 0 || agg.connections(from) === 0) continue;
    agg.uncount(from);
    engine.flows.created--;
    if (to >= 0 && to !== from && e.counts !== null) agg.moveCounts(from, to, e.counts, e.client === o.client);
    // Its part in this file may go on into the next: it belongs to the first part's row.
    const c = continuing.get(e.tuple);
    if (c !== undefined) {
      c.row = o.row;
      c.client = o.client;
    }
  }
  if (p.packets === 0) return;
  // Earlier connections stay candidates while their idle timeout has not passed.
  for (const [k, o] of open) if (p.lastTs - o.ts > engine.flows.idleTimeoutUs(o.proto)) open.delete(k);
  for (const [k, c] of continuing) open.set(k, c);
  openAtEnd.set(engine, open);
}
