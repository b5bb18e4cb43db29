/**
 * Builds the `nps.report/v1` document (SPEC §6.2) from the engine's state.
 * Field names are snake_case; rows are sorted so that the same capture and
 * configuration always give byte-identical JSON.
 */
import type { CaptureInfo } from '../capture/frame.js';
import type { Engine } from '../engine/engine.js';
import { applicationByPort, protoName } from '../flows/applications.js';
import type { FlowAggregator, RowId } from '../flows/aggregate.js';
import type { ConfigWarning } from '../config/types.js';
import { emptyTotals, summariseTraffic, totalsRecord, type TrafficSummary } from './traffic.js';
import { TrafficSpill } from './traffic-spill.js';
import { rowGroups, type RowGroup } from './interval-rows.js';
import { buildAssets, type AddressConflict, type AssetDraft } from '../inventory/assets.js';
import type { Observation } from '../inventory/observations.js';
import { profile, type Profile } from '../inventory/profile.js';
import { AddrClass } from '../config/classify.js';
import { macToString, parseIpWords } from '../inventory/addr-format.js';
import { macVendor } from '../inventory/oui.js';
import { linkTypeName } from './link-types.js';
import { isoUs, isoUsRepeated } from './time.js';

export const REPORT_SCHEMA = 'nps.report/v1';

export interface ReportFile {
  path: string;
  info: CaptureInfo;
}

export interface ReportOptions {
  generator: { name: string; version: string };
  sensor?: { name: string; network: string };
  config?: { path: string | null; sha256: string | null };
  deterministic?: boolean;
  /** A live snapshot: open connections are counted but stay open, and the engine goes on. */
  snapshot?: boolean;
  now?: Date;
  /** Problems the configuration loader found that do not stop the analysis. */
  configWarnings?: ConfigWarning[];
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Report = { [k: string]: Json } & {
  assets: { [k: string]: Json }[];
  flows: { [k: string]: Json }[];
  traffic: { [k: string]: Json }[];
  warnings: { [k: string]: Json }[];
};

export function buildLazyReport(engine: Engine, files: ReportFile[], opts: ReportOptions): LazyReport {
  if (opts.snapshot) engine.checkpoint();
  else {
    engine.finish();
    engine.releaseForReport();
  }
  // Assets whose MAC is excluded (SPEC §2.1) collect nothing: drop them whole.
  const described = new Map<number, { first: number; last: number }>();
  for (const o of engine.observations.values()) {
    if (!o.macBound || o.mac < 0) continue;
    const d = described.get(o.mac);
    if (d === undefined) described.set(o.mac, { first: o.first, last: o.last });
    else {
      if (o.first < d.first) d.first = o.first;
      if (o.last > d.last) d.last = o.last;
    }
  }
  const routers = new Set<number>();
  const conflicts: AddressConflict[] = [];
  const drafts = buildAssets(engine.hosts, described, routers, conflicts).filter((a) => a.macNumber < 0 || !engine.isExcludedMac(a.macNumber));

  // Applications each asset used, as client or server, from the flow rows.
  const assetOfIp = new Map<string, number>();
  drafts.forEach((a, i) => a.ips.forEach((ip) => assetOfIp.set(ip.ip, i)));
  const appsOf: Set<string>[] = drafts.map(() => new Set());
  const assetIds = drafts.map((a) => a.id);
  const totals = emptyTotals(drafts.length);
  // One group of rows, or one per interval when closed intervals were spilled
  // (a long capture): then each interval's traffic rows go to a scratch file
  // as they are made, and are merged back in report order when written.
  const spilled = engine.hasSpilledRows;
  const trafficSpill = spilled ? TrafficSpill.open() : null;
  let summary: TrafficSummary | null = null;
  /** The one group when nothing was spilled: its sorted rows serve the flows too. */
  let single: RowGroup | null = null;
  let flowCount = 0;
  /** (asset index, proto << 16 | port) → the application its flow rows name, for `open_ports`. */
  const portAppOf = new Map<number, string>();
  for (const group of rowGroups(engine)) {
    const { agg, rows } = group;
    if (!spilled) single = group;
    flowCount += rows.length;
    for (const r of rows) {
      const app = agg.applicationOf(r).application;
      if (app === 'unknown') continue;
      const [cIp, sIp] = agg.addresses(r);
      const c = cIp !== null ? assetOfIp.get(cIp) : undefined;
      const s = sIp !== null ? assetOfIp.get(sIp) : undefined;
      if (c !== undefined) appsOf[c]!.add(app);
      if (s !== undefined) {
        appsOf[s]!.add(app);
        // The server's open port is named as its rows are (payload beats port), the first such row's name kept.
        const key = s * 0x1000000 + ((agg.proto(r) << 16) | agg.port(r));
        if (!portAppOf.has(key)) portAppOf.set(key, app);
      }
    }
    summary = summariseTraffic(agg, rows, assetOfIp, assetIds, totals);
    if (trafficSpill !== null) {
      trafficSpill.beginRun();
      for (let i = 0; i < summary.count; i++) trafficSpill.add(summary.assetOf(i), JSON.stringify(summary.record(i)));
      summary = null;
    }
  }

  const observed = observationsByAsset(engine, drafts, assetOfIp, routers);
  const profiles = drafts.map((a, i) => {
    const firstIp = a.ips[0];
    return profile({
      observations: observed[i]!,
      ips: a.ips.map((x) => x.ip),
      macVendor: a.mac ? macVendor(a.mac) : null,
      rangeAssignment: firstIp ? rangeAssignment(engine, firstIp.ip, firstIp.version) : null,
      first: a.first,
      last: a.last,
      openPorts: a.openPorts,
    });
  });

  // Keys in sorted order at every level we make here: the JSON writer then
  // serialises most of a record natively instead of sorting it key by key.
  const assets = drafts.map((a, i) => ({
    applications: [...appsOf[i]!].sort(),
    attributes: a.macEvidence.length ? withSource(profiles[i]!.attributes, 'link', { mac_binding: a.macEvidence }) : profiles[i]!.attributes,
    device: profiles[i]!.device,
    dhcp: profiles[i]!.dhcp,
    domain: profiles[i]!.domain,
    first_seen: isoUs(a.first),
    hostnames: profiles[i]!.hostnames,
    id: a.id,
    identity: a.identity,
    ip_assignment: profiles[i]!.ipAssignment,
    ip_history: a.ips.map((x) => ({ first_seen: isoUs(x.first), ip: x.ip, last_seen: isoUs(x.last) })),
    ips: a.ips.map((x) => x.ip),
    last_seen: isoUs(a.last),
    mac: a.mac,
    mac_local: a.mac ? (parseInt(a.mac.slice(0, 2), 16) & 0x02) !== 0 : false,
    mac_vendor: a.mac ? macVendor(a.mac) : null,
    nat_suspected: profiles[i]!.natSuspected,
    open_ports: a.openPorts.map((p) => {
      const proto = p >>> 16;
      const port = p & 0xffff;
      return { application: portAppOf.get(i * 0x1000000 + p) ?? applicationByPort(proto, port).application, port, proto: protoName(proto) };
    }),
    os: profiles[i]!.os,
    traffic: {
      ...totalsRecord(totals[i]!),
      egress_bytes: a.egressBytes,
      egress_packets: a.egressPackets,
      ingress_bytes: a.ingressBytes,
      ingress_packets: a.ingressPackets,
    },
    vlan: a.vlan,
  }));

  const flowRecord = (agg: FlowAggregator, row: RowId): { [k: string]: Json } => {
    const r = agg.render(row);
    // Keys in sorted order: the JSON writer then serialises the row natively.
    return {
      application: r.application,
      client: r.client,
      client_bytes: r.clientBytes,
      client_ip: r.clientIp,
      client_packets: r.clientPackets,
      community_id: r.communityIds[0] ?? null,
      community_ids: r.communityIds,
      connections: r.connections,
      family: r.family,
      first_seen: isoUs(r.first),
      interval_end: isoUsRepeated(r.intervalEnd),
      interval_start: isoUsRepeated(r.intervalStart),
      ip_version: r.ipVersion,
      last_seen: isoUs(r.last),
      protocol: protoName(r.proto),
      server: r.server,
      server_bytes: r.serverBytes,
      server_ip: r.serverIp,
      server_packets: r.serverPackets,
      server_port: r.serverPort,
    };
  };
  function* flows(): Generator<{ [k: string]: Json }> {
    for (const { agg, rows } of single !== null ? [single] : rowGroups(engine)) for (const row of rows) yield flowRecord(agg, row);
  }

  const oneSummary = summary;
  function* traffic(): Generator<{ [k: string]: Json }> {
    if (trafficSpill !== null) yield* trafficSpill.records();
    else if (oneSummary !== null) for (let i = 0; i < oneSummary.count; i++) yield oneSummary.record(i);
  }

  const linkTypes = engine.linkTypes.map(linkTypeName);
  const report: Report = {
    schema: REPORT_SCHEMA,
    generator: opts.generator,
    sensor: opts.sensor ?? { name: 'nps', network: 'default' },
    capture: {
      files: files.map((f) => ({
        path: f.path,
        format: f.info.format,
        gzip: f.info.gzip,
        packets: f.info.packets,
        bytes: f.info.bytesRead,
        link_types: f.info.linkTypes.map(linkTypeName),
      })),
      packets: engine.packets,
      bytes: engine.bytes,
      first_ts: engine.packets ? isoUs(engine.firstTs) : null,
      last_ts: engine.packets ? isoUs(engine.lastTs) : null,
      link_types: linkTypes,
      decode_errors: engine.errors.toObject(),
      duplicates: engine.duplicates.count,
      connections: engine.flows.created,
    },
    config: {
      path: opts.config?.path ?? null,
      sha256: opts.config?.sha256 ?? null,
      internal: (engine.config?.config.internal ?? []).map((g) => ({
        assignment: g.assignment,
        inventory: g.inventory,
        name: g.name,
        ranges: g.ranges.map((r) => r.text),
      })),
    },
    assets,
    flows: [],
    traffic: [],
    warnings: [...configWarnings(opts.configWarnings ?? []), ...buildWarnings(engine), ...natWarnings(drafts, profiles), ...conflictWarnings(conflicts)],
  };
  if (!opts.deterministic) report.generated_at = isoUs((opts.now ?? new Date()).getTime() * 1000);
  const close = (): void => trafficSpill?.close();
  const trafficJson = trafficSpill !== null ? () => trafficSpill.lines() : null;
  return { report, flows, flowCount, traffic, trafficCount: trafficSpill !== null ? trafficSpill.rows : (oneSummary?.count ?? 0), trafficJson, close };
}

/**
 * A report whose flow rows are rendered on demand: writers that stream
 * (JSON, NDJSON) iterate `flows()` once instead of holding every row.
 */
export interface LazyReport {
  /** The document with `flows: []`. */
  report: Report;
  flows: () => Iterable<{ [k: string]: Json }>;
  flowCount: number;
  traffic: () => Iterable<{ [k: string]: Json }>;
  trafficCount: number;
  /** The traffic rows as compact JSON text, when they are kept that way (a long capture's): saves parsing them back to write JSON. */
  trafficJson: (() => Iterable<string>) | null;
  /** Frees what the rows were kept in (a scratch file for a long capture); the rows cannot be read after. */
  close: () => void;
}

/** The whole report in memory (flows included). */
export function buildReport(engine: Engine, files: ReportFile[], opts: ReportOptions): Report {
  const lazy = buildLazyReport(engine, files, opts);
  lazy.report.flows = [...lazy.flows()];
  lazy.report.traffic = [...lazy.traffic()];
  return lazy.report;
}

/** Reader problem codes after which the rest of the file was not read. */
const STOPPING_PROBLEMS = new Set(['truncated-capture', 'bad-record', 'bad-block', 'bad-gzip', 'read-error']);


function configWarnings(list: ConfigWarning[]): { [k: string]: Json }[] {
  return list.map((w) => ({
    code: w.code,
    message: w.file ? `${w.file}:${w.line ?? 1}:${w.column ?? 1}: ${w.message}` : w.message,
    count: 1,
    ...(w.file ? { file: w.file } : {}),
  }));
}

function buildWarnings(engine: Engine): { [k: string]: Json }[] {
  const w: { [k: string]: Json }[] = [];
  for (const p of engine.problems) {
    const stopped = STOPPING_PROBLEMS.has(p.code);
    w.push({
      code: stopped ? 'truncated-capture' : 'decode-errors',
      message: stopped
        ? `${p.file}: ${p.message}; read up to byte ${p.byteOffset} (packet ${p.packetNumber}), the rest was not analysed`
        : `${p.file}: ${p.message} at byte ${p.byteOffset} (packet ${p.packetNumber})`,
      count: 1,
      file: p.file,
      reason: p.code,
      byte_offset: p.byteOffset,
      packet: p.packetNumber,
    });
  }
  const errs = engine.errors.total;
  if (errs > 0) {
    w.push({
      code: 'decode-errors',
      message: `${errs} malformed or truncated header(s) were counted and skipped (see capture.decode_errors)`,
      count: errs,
      reasons: engine.errors.toObject(),
    });
  }
  if (engine.duplicates.count > 0) {
    w.push({
      code: 'duplicate-packets',
      message: `${engine.duplicates.count} duplicate packet(s) within ${engine.duplicates.windowUs} µs were not counted in traffic volumes (a SPAN or TAP feeding the same frames twice?)`,
      count: engine.duplicates.count,
      addresses: [...engine.duplicateSources].sort(),
    });
  }
  for (const [t, n] of [...engine.unknownLinkTypes].sort((a, b) => a[0] - b[0])) {
    w.push({
      code: 'unknown-link-type',
      message: `${n} packet(s) with link type ${linkTypeName(t)} (${t}) are not decoded`,
      count: n,
      link_type: t,
    });
  }
  if (engine.clockJump.count > 0) {
    w.push({
      code: 'clock-jump',
      message: `timestamps went backwards ${engine.clockJump.count} time(s), by up to ${(engine.clockJump.largestUs / 1e6).toFixed(6)} s (first at packet ${engine.clockJump.firstPacket})`,
      count: engine.clockJump.count,
      largest_step_seconds: engine.clockJump.largestUs / 1e6,
      first_packet: engine.clockJump.firstPacket,
    });
  }
  // [table, entries evicted or refused, the `limits:` key(s) that bound it]
  const agg = engine.aggregate;
  const limits: [string, number, string][] = [
    ['flows', engine.flows.evicted, 'flows'],
    ['hosts', engine.hosts.hostEvictions, 'assets'],
    ['macs', engine.hosts.macEvictions, 'macs'],
    ['flow_rows', agg.evicted + agg.dropped, 'flow_rows'],
    ['fragments', engine.fragments.evicted, 'fragments or limits.fragment_bytes'],
    ['observations', engine.observations.evicted, 'observations'],
    ['tcp_streams', engine.dispatch.streamsDropped, 'tcp_streams'],
    ['dns_names', engine.config?.learnedEvicted ?? 0, 'dns_names'],
  ];
  for (const [table, n, key] of limits) {
    if (n > 0) {
      const what = table === 'flow_rows' ? flowRowLosses(agg.evicted, agg.dropped) : `${n} entr${n === 1 ? 'y was' : 'ies were'} evicted, oldest first`;
      w.push({
        code: 'table-limit',
        message: `the ${table} table reached its bound: ${what} (raise limits.${key} in the configuration)`,
        count: n,
        table,
      });
    }
  }
  return w;
}

/** Flow rows lost to the bound: rows of the oldest intervals evicted, and new rows refused (all in one interval). */
function flowRowLosses(evicted: number, dropped: number): string {
  const parts: string[] = [];
  if (evicted > 0) parts.push(`${evicted} row${evicted === 1 ? '' : 's'} of the oldest intervals ${evicted === 1 ? 'was' : 'were'} evicted`);
  if (dropped > 0) parts.push(`${dropped} new row${dropped === 1 ? ' was' : 's were'} dropped`);
  return parts.join(', and ');
}

/**
 * Which asset each observation is about. A MAC that is an asset's identity
 * (and not a router's) decides first, so that what a device said follows the
 * device when its address is reused; otherwise the address decides. A fact
 * bound to a MAC (DHCP, LLDP) never lands on an asset with another MAC.
 */
function observationsByAsset(engine: Engine, drafts: AssetDraft[], assetOfIp: Map<string, number>, routers: Set<number>): Observation[][] {
  const out: Observation[][] = drafts.map(() => []);
  const assetOfMac = new Map<number, number>();
  drafts.forEach((a, i) => {
    if (a.macNumber >= 0) assetOfMac.set(a.macNumber, i);
  });
  for (const o of engine.observations.values()) {
    let i: number | undefined;
    if (o.mac >= 0 && !routers.has(o.mac)) i = assetOfMac.get(o.mac);
    if (i === undefined && o.ip !== null) {
      i = assetOfIp.get(o.ip);
      if (i !== undefined && o.macBound && o.mac >= 0 && drafts[i]!.macNumber >= 0 && drafts[i]!.macNumber !== o.mac) i = undefined;
    }
    if (i !== undefined) out[i]!.push(o);
  }
  return out;
}

/** The `assignment` of the configured internal range holding `ip`, or null. */
function rangeAssignment(engine: Engine, ip: string, version: 4 | 6): 'dhcp' | 'static' | null {
  const cfg = engine.config;
  if (cfg === null) return null;
  const w = parseIpWords(ip, version);
  if (w === null) return null;
  const cls = version === 4 ? cfg.classify4(w[0]!) : cfg.classify6(w);
  if (cls !== AddrClass.Inventoried) return null;
  const g = version === 4 ? cfg.group4(w[0]!) : cfg.group6(w);
  return g >= 0 ? cfg.config.internal[g]?.assignment ?? null : null;
}

function natWarnings(drafts: AssetDraft[], profiles: Profile[]): { [k: string]: Json }[] {
  const hits = drafts.map((a, i) => ({ a, p: profiles[i]! })).filter((x) => x.p.natSuspected);
  if (hits.length === 0) return [];
  return [
    {
      code: 'nat-suspected',
      message: `${hits.length} address(es) look like several devices behind NAT (${hits
        .slice(0, 4)
        .map((x) => `${x.a.ips[0]?.ip ?? x.a.id}: ${x.p.natEvidence.join('; ')}`)
        .join(' | ')}); list them under \`excluded\` in the configuration so they are not inventoried as one asset`,
      count: hits.length,
      addresses: hits.map((x) => x.a.ips[0]?.ip ?? x.a.id),
      evidence: hits.map((x) => ({ asset: x.a.id, reasons: x.p.natEvidence })),
    },
  ];
}

/**
 * Addresses claimed in ARP/ND by a MAC that never sent IP from them, while
 * another MAC sent all their packets: ARP spoofing (a man in the middle
 * answering for others), or a stale proxy. The inventory follows the packets.
 */
function conflictWarnings(unsorted: AddressConflict[]): { [k: string]: Json }[] {
  if (unsorted.length === 0) return [];
  const conflicts = [...unsorted].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const how = (c: AddressConflict) => (c.claimedHow === 'icmpv6-nd' ? 'neighbour discovery' : 'ARP');
  const claimants = [...new Set(conflicts.map((c) => macToString(c.claimedBy)))];
  return [
    {
      code: 'address-conflict',
      message: `${conflicts.length} address(es) were claimed in ARP or neighbour discovery by a MAC that never sent IP from them, while another MAC sent all their packets (ARP spoofing, a man in the middle?): ${conflicts
        .slice(0, 4)
        .map((c) => `${c.ip} claimed by ${macToString(c.claimedBy)}, used by ${macToString(c.sentFrom)}`)
        .join('; ')}; the inventory follows the packets`,
      count: conflicts.length,
      addresses: conflicts.map((c) => c.ip),
      evidence: conflicts.map((c) => ({
        asset: `mac:${macToString(c.sentFrom)}`,
        reasons: [`${c.ip} claimed in ${how(c)} by ${macToString(c.claimedBy)}`, `IP packets from ${c.ip} came from ${macToString(c.sentFrom)} only`],
      })),
      claimed_by: claimants,
    },
  ];
}

/** `attributes` with one more source, keys kept in sorted order. */
function withSource(attributes: { [k: string]: Json }, source: string, value: Json): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const k of [...Object.keys(attributes).filter((k) => k !== source), source].sort()) out[k] = k === source ? value : attributes[k]!;
  return out;
}
