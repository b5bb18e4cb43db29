/**
 * The detail view of one asset as lines of text: identity, OS and device with
 * their evidence and alternatives, DHCP, open ports, traffic (totals, by
 * family, by application, by peer), its flows and the raw attributes.
 */
import type { Json, Report } from '../report/build.js';
import { layout } from '../report/table.js';
import { humanBytes, num, obj, pct, shortTime, str, strings, type Obj } from './format.js';

export type LineStyle = 'title' | 'head' | 'dim' | 'warn' | 'plain';
export interface DetailLine {
  text: string;
  style: LineStyle;
}

/** Most flow rows listed in the detail view. */
export const MAX_DETAIL_FLOWS = 500;

export function findAsset(report: Report, id: string): Obj | null {
  for (const a of report.assets) if (str(a.id) === id) return a;
  return null;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s.padEnd(n);
}

export function detailLines(report: Report, asset: Obj, width = 80): DetailLine[] {
  const out: DetailLine[] = [];
  const line = (text: string, style: LineStyle = 'plain') => out.push({ text, style });
  const head = (text: string) => {
    if (out.length) line('');
    line(text, 'head');
  };
  const field = (label: string, value: string, style: LineStyle = 'plain') => line(`  ${pad(label, 14)}${value || '-'}`, style);

  const ips = strings(asset.ips);
  const id = str(asset.id);

  head('Identity');
  field('id', `${id}${asset.identity ? `  (identity: ${str(asset.identity)})` : ''}`);
  const history = (Array.isArray(asset.ip_history) ? asset.ip_history : []).map(obj).filter((h): h is Obj => h !== null);
  if (history.length) {
    const w = Math.max(...history.map((h) => str(h.ip).length));
    history.forEach((h, i) =>
      field(i === 0 ? 'IPs' : '', `${pad(str(h.ip), w)}  ${shortTime(h.first_seen)} .. ${shortTime(h.last_seen)}`),
    );
  } else field('IPs', ips.join(', '));
  const mac = str(asset.mac);
  field('MAC', mac ? `${mac}${asset.mac_vendor ? `  ${str(asset.mac_vendor)}` : ''}${asset.mac_local === true ? '  (locally administered)' : ''}` : '');
  field('VLAN', asset.vlan === null || asset.vlan === undefined ? '' : str(asset.vlan));
  field('hostnames', strings(asset.hostnames).join(', '));
  field('domain', str(asset.domain));
  field('IP assignment', str(asset.ip_assignment));
  field('seen', `${shortTime(asset.first_seen)} .. ${shortTime(asset.last_seen)}`);
  if (asset.nat_suspected === true) field('NAT', 'suspected: several devices may share this address', 'warn');
  const apps = strings(asset.applications);
  if (apps.length) field('applications', apps.join(', '));

  const evidence = (list: Json | undefined, indent: string) => {
    const items = (Array.isArray(list) ? list : []).map(obj).filter((e): e is Obj => e !== null);
    for (const e of items) {
      line(`${indent}${pad(str(e.source), 8)} ${pad(str(e.kind), 16)} ${pad(shortTime(e.time) || '-', 19)}  ${str(e.value)}`, 'dim');
    }
  };
  const guess = (title: string, g: Obj | null, describe: (g: Obj) => string) => {
    head(title);
    if (g === null) {
      line('  (nothing pointed to one)', 'dim');
      return;
    }
    line(`  ${describe(g)}  confidence ${pct(g.confidence)}`);
    const ev = Array.isArray(g.evidence) ? g.evidence : [];
    if (ev.length) {
      line('  evidence:', 'dim');
      evidence(ev, '    ');
    }
    const alts = (Array.isArray(g.alternatives) ? g.alternatives : []).map(obj).filter((x): x is Obj => x !== null);
    if (alts.length) {
      line('  alternatives:', 'dim');
      for (const a of alts) {
        line(`    ${describe(a)}  confidence ${pct(a.confidence)}`);
        evidence(a.evidence, '      ');
      }
    }
  };
  guess('OS', obj(asset.os), (o) => [str(o.name), str(o.version), o.family ? `(${str(o.family)})` : ''].filter(Boolean).join(' '));
  guess('Device', obj(asset.device), (d) => {
    const parts = [str(d.type), str(d.vendor), str(d.model)].filter(Boolean).join(' ');
    const extra = [d.firmware ? `firmware ${str(d.firmware)}` : '', d.serial ? `serial ${str(d.serial)}` : '', strings(d.roles).length ? `roles ${strings(d.roles).join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    return extra ? `${parts || '(unknown)'}; ${extra}` : parts || '(unknown)';
  });

  const dhcp = obj(asset.dhcp);
  head('DHCP');
  if (dhcp === null) line('  (none seen)', 'dim');
  else {
    field('address', str(dhcp.address));
    field('lease start', shortTime(dhcp.lease_start));
    field('lease', dhcp.lease_seconds === null || dhcp.lease_seconds === undefined ? '' : `${str(dhcp.lease_seconds)} s`);
    field('server', str(dhcp.server));
    field('fingerprint', str(dhcp.fingerprint));
    field('vendor class', str(dhcp.vendor_class));
  }

  head('Open ports');
  const ports = (Array.isArray(asset.open_ports) ? asset.open_ports : []).map(obj).filter((p): p is Obj => p !== null);
  if (ports.length === 0) line('  (none seen)', 'dim');
  for (const p of ports) line(`  ${pad(`${num(p.port)}/${str(p.proto)}`, 12)}${str(p.application)}`);

  head('Traffic');
  const t = obj(asset.traffic) ?? {};
  const inOut = (x: Obj | null) => `in ${humanBytes(num(x?.ingress_bytes))}  out ${humanBytes(num(x?.egress_bytes))}`;
  field('total', `in ${humanBytes(num(t.ingress_bytes))} (${num(t.ingress_packets)} pkts)  out ${humanBytes(num(t.egress_bytes))} (${num(t.egress_packets)} pkts)`);
  if (obj(t.as_client)) field('as client', inOut(obj(t.as_client)));
  if (obj(t.as_server)) field('as server', inOut(obj(t.as_server)));
  const group = (label: string, v: Json | undefined) => {
    const o = obj(v);
    if (!o || Object.keys(o).length === 0) return;
    line(`  ${label}:`, 'dim');
    const entries = Object.entries(o).sort((a, b) => total(obj(b[1])) - total(obj(a[1])));
    for (const [k, x] of entries) line(`    ${pad(k, 24)}${inOut(obj(x))}`);
  };
  group('by family', t.by_family);
  group('by application', t.by_application);
  // By peer: the traffic rows of this asset, summed per peer.
  const peers = new Map<string, { in: number; out: number; conns: number }>();
  for (const r of report.traffic) {
    if (str(r.asset_id) !== str(asset.id)) continue;
    const k = str(r.peer);
    const p = peers.get(k) ?? { in: 0, out: 0, conns: 0 };
    p.in += num(r.ingress_bytes);
    p.out += num(r.egress_bytes);
    p.conns += num(r.connections);
    peers.set(k, p);
  }
  if (peers.size) {
    line('  by peer:', 'dim');
    for (const [k, p] of [...peers].sort((a, b) => b[1].in + b[1].out - (a[1].in + a[1].out))) {
      line(`    ${pad(k, 24)}in ${humanBytes(p.in)}  out ${humanBytes(p.out)}  ${p.conns} conn${p.conns === 1 ? '' : 's'}`);
    }
  }

  const ipSet = new Set(ips);
  const flows = report.flows.filter((f) => ipSet.has(str(f.client_ip)) || ipSet.has(str(f.server_ip)));
  head(`Flows (${flows.length})`);
  if (flows.length === 0) line('  (none)', 'dim');
  else {
    const rows = flows.slice(0, MAX_DETAIL_FLOWS).map((f) => [
      `${str(f.client)} -> ${str(f.server)}`,
      `${num(f.server_port)}/${str(f.protocol)}`,
      str(f.application),
      String(num(f.connections)),
      humanBytes(num(f.client_bytes)),
      humanBytes(num(f.server_bytes)),
      shortTime(f.last_seen),
    ]);
    const lines = layout(['CLIENT -> SERVER', 'PORT', 'APP', 'CONNS', 'SENT', 'RECEIVED', 'LAST SEEN'], rows, width - 2, [6, 3, 2], [0], 20);
    lines.forEach((l, i) => line(`  ${l}`, i === 0 ? 'dim' : 'plain'));
  }
  if (flows.length > MAX_DETAIL_FLOWS) line(`  … ${flows.length - MAX_DETAIL_FLOWS} more (see the Flows view)`, 'dim');

  head('Attributes');
  const attrs = obj(asset.attributes);
  if (!attrs || Object.keys(attrs).length === 0) line('  (none)', 'dim');
  else {
    for (const [proto, kinds] of Object.entries(attrs)) {
      const k = obj(kinds);
      if (!k) {
        line(`  ${proto}: ${str(kinds)}`);
        continue;
      }
      for (const [kind, values] of Object.entries(k)) {
        const list = Array.isArray(values) ? values.map((v) => str(v)) : [str(values)];
        list.forEach((v, i) => line(`  ${pad(i === 0 ? `${proto}.${kind}` : '', 26)}${v}`));
      }
    }
  }
  return out;
}

function total(x: Obj | null): number {
  return num(x?.ingress_bytes) + num(x?.egress_bytes);
}

/** Lines longer than `width` continued on the next lines, indented under their text. */
export function wrapLines(lines: DetailLine[], width: number): DetailLine[] {
  const out: DetailLine[] = [];
  for (const l of lines) {
    if (l.text.length <= width || width < 10) {
      out.push(l);
      continue;
    }
    const indent = Math.min(/^ */.exec(l.text)![0].length + 4, Math.floor(width / 2));
    let rest = l.text;
    let first = true;
    while (rest.length > 0) {
      const room = first ? width : width - indent;
      out.push({ text: (first ? '' : ' '.repeat(indent)) + rest.slice(0, room), style: l.style });
      rest = rest.slice(room);
      first = false;
    }
  }
  return out;
}
