/**
 * Turns the per-address and per-MAC evidence into assets (SPEC §4), once, at
 * report time. Identity is the MAC when the MAC is the host's own (bound by
 * ARP/ND, or the only MAC the address ever sent from, and not a router's),
 * else the IP. When the two disagree (ARP/ND says one MAC, every IP packet
 * from the address came from another, which is no router) the packets win:
 * that is what ARP spoofing looks like, and the conflict is reported.
 */
import { ip4ToString, ip6ToString, isGroupMac, macToString } from './addr-format.js';
import type { HostRecord, HostTable, MacRecord } from './hosts.js';

export interface AssetIp {
  ip: string;
  version: 4 | 6;
  first: number;
  last: number;
  sortKey: string;
}

export interface AssetDraft {
  id: string;
  identity: 'mac' | 'ip';
  mac: string | null;
  /** The MAC as a number, -1 for IP identity. */
  macNumber: number;
  ips: AssetIp[];
  vlan: number | null;
  first: number;
  last: number;
  ingressBytes: number;
  egressBytes: number;
  ingressPackets: number;
  egressPackets: number;
  /** (proto << 16 | port) */
  openPorts: number[];
  /** How the MAC was tied to the addresses: 'arp', 'icmpv6-nd', 'source-mac'. */
  macEvidence: string[];
  sortKey: string;
}

/** An address claimed in ARP/ND by one MAC while all its IP packets came from another. */
export interface AddressConflict {
  ip: string;
  /** The MAC that claimed the address (ARP or neighbour discovery). */
  claimedBy: number;
  claimedHow: string;
  /** The MAC every IP packet from the address came from: its owner in the inventory. */
  sentFrom: number;
  /** Orders conflicts by address (as assets are). */
  sortKey: string;
}

/**
 * A first-hop redundancy group's virtual MAC (VRRP 00-00-5E-00-01/02-xx,
 * HSRP 00-00-0C-07-AC-xx and 00-00-0C-9F-Fx-xx, GLBP 00-07-B4-xx-xx-xx): ARP
 * binds the virtual address to it while the active router may send from its
 * own MAC. That is no conflict.
 */
function isVirtualRouterMac(mac: number): boolean {
  const top40 = Math.floor(mac / 0x100);
  return (
    top40 === 0x00005e0001 || // VRRP for IPv4
    top40 === 0x00005e0002 || // VRRP for IPv6
    top40 === 0x00000c07ac || // HSRP version 1
    Math.floor(mac / 0x1000) === 0x00000c9ff || // HSRP version 2
    Math.floor(mac / 0x1000000) === 0x0007b4 // GLBP
  );
}

/** More distinct internal IPv4 sources than this behind one MAC (not bound to it) marks a router. */
const ROUTER_SOURCES = 2;

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0');
}

function ipOf(h: HostRecord): AssetIp {
  if (h.ver === 4) {
    return { ip: ip4ToString(h.v4), version: 4, first: h.first, last: h.last, sortKey: '4' + hex(h.v4, 8) };
  }
  const w = h.v6!;
  return { ip: ip6ToString(w), version: 6, first: h.first, last: h.last, sortKey: '6' + hex(w[0]!, 8) + hex(w[1]!, 8) + hex(w[2]!, 8) + hex(w[3]!, 8) };
}

function isLinkLocal6(h: HostRecord): boolean {
  return h.ver === 6 && h.v6![0]! >>> 22 === 0x3fa;
}

const NO_SOURCES: ReadonlySet<number> = new Set();

/**
 * `describedMacs`: MACs that protocols described as devices (DHCP clients,
 * LLDP/CDP speakers); such a MAC becomes an asset even when it never used an
 * inventoried address. `routersOut` receives the MACs found to forward for others.
 */
export function buildAssets(
  table: HostTable,
  describedMacs?: Map<number, { first: number; last: number }>,
  routersOut?: Set<number>,
  conflictsOut?: AddressConflict[],
): AssetDraft[] {
  // Which MACs forward traffic for others.
  const routers = routersOut ?? new Set<number>();
  for (const m of table.macRecords()) {
    if (m.routesExternal) {
      routers.add(m.mac);
      continue;
    }
    let unbound = 0;
    for (const ip of m.v4Sources ?? NO_SOURCES) {
      const h = table.find4(ip);
      if (h === null || h.boundMac !== m.mac) unbound++;
    }
    if (unbound > ROUTER_SOURCES) routers.add(m.mac);
  }

  const byMac = new Map<number, HostRecord[]>();
  const byIp: HostRecord[] = [];
  const evidence = new Map<number, Set<string>>();
  for (const h of table.hosts()) {
    if (!h.sent) continue; // only addressed, never heard from: no evidence it exists
    let owner = -1;
    let how = '';
    const onlySource = h.macs.length === 1 && !h.macOverflow && (!routers.has(h.macs[0]!) || isLinkLocal6(h)) ? h.macs[0]! : -1;
    if (h.boundMac >= 0 && (onlySource < 0 || onlySource === h.boundMac || isVirtualRouterMac(h.boundMac))) {
      owner = h.boundMac;
      how = h.boundBy;
    } else if (onlySource >= 0) {
      owner = onlySource;
      how = 'source-mac';
      if (h.boundMac >= 0 && conflictsOut) {
        const { ip, sortKey } = ipOf(h);
        conflictsOut.push({ ip, claimedBy: h.boundMac, claimedHow: h.boundBy, sentFrom: onlySource, sortKey });
      }
    }
    if (owner >= 0) {
      let list = byMac.get(owner);
      if (!list) byMac.set(owner, (list = []));
      list.push(h);
      let ev = evidence.get(owner);
      if (!ev) evidence.set(owner, (ev = new Set()));
      ev.add(how);
    } else {
      byIp.push(h);
    }
  }

  const assets: AssetDraft[] = [];
  for (const [mac, members] of byMac) {
    const macRec = table.findMac(mac);
    assets.push(draft(`mac:${macToString(mac)}`, 'mac', macToString(mac), mac, members, macRec, [...(evidence.get(mac) ?? [])].sort()));
  }
  for (const h of byIp) {
    const ip = ipOf(h);
    assets.push(draft(`ip:${ip.ip}`, 'ip', null, -1, [h], null, []));
  }
  // Devices that only spoke below IP (switches sending LLDP/STP, ...).
  for (const m of table.macRecords()) {
    if (byMac.has(m.mac) || isGroupMac(m.mac) || m.mac === 0) continue;
    if (m.ipSent && !(describedMacs?.has(m.mac) && !routers.has(m.mac))) continue;
    const a = draft(`mac:${macToString(m.mac)}`, 'mac', macToString(m.mac), m.mac, [], m, []);
    assets.push(a);
  }
  // Devices only described by others (a relayed DHCP client, whose own frames were not captured).
  if (describedMacs) {
    for (const [mac, span] of describedMacs) {
      if (byMac.has(mac) || routers.has(mac) || isGroupMac(mac) || mac === 0 || table.findMac(mac) !== null) continue;
      const a = draft(`mac:${macToString(mac)}`, 'mac', macToString(mac), mac, [], null, []);
      a.first = span.first;
      a.last = span.last;
      assets.push(a);
    }
  }
  assets.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return assets;
}

function draft(id: string, identity: 'mac' | 'ip', mac: string | null, macNumber: number, members: HostRecord[], macRec: MacRecord | null, macEvidence: string[]): AssetDraft {
  const ips = members.map(ipOf).sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  let first = Infinity;
  let last = -Infinity;
  let ingressBytes = 0, egressBytes = 0, ingressPackets = 0, egressPackets = 0;
  let vlan = -1;
  const ports = new Set<number>();
  for (const h of members) {
    if (h.first < first) first = h.first;
    if (h.last > last) last = h.last;
    ingressBytes += h.bytesIn;
    egressBytes += h.bytesOut;
    ingressPackets += h.pktsIn;
    egressPackets += h.pktsOut;
    if (h.vlan >= 0) vlan = h.vlan;
    if (h.ports) for (const p of h.ports) ports.add(p);
  }
  if (macRec !== null) {
    if (macRec.first < first) first = macRec.first;
    if (macRec.last > last) last = macRec.last;
    if (vlan < 0 && macRec.vlan >= 0) vlan = macRec.vlan;
    if (members.length === 0) {
      egressBytes = macRec.bytesOut;
      egressPackets = macRec.pktsOut;
    }
  }
  return {
    id,
    identity,
    mac,
    macNumber,
    ips,
    vlan: vlan >= 0 ? vlan : null,
    first,
    last,
    ingressBytes,
    egressBytes,
    ingressPackets,
    egressPackets,
    openPorts: [...ports].sort((a, b) => a - b),
    macEvidence,
    sortKey: ips.length ? ips[0]!.sortKey : '9' + (mac ?? ''),
  };
}
