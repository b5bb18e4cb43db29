/**
 * The one place where observations become asset attributes (the
 * `Software::found` pattern of ARCHITECTURE): hostnames, domain, operating
 * system, device, IP assignment and DHCP lease, NAT suspicion, and the raw
 * per-protocol discovery data. Every inferred value carries its confidence
 * and the evidence behind it; conflicting guesses are kept as alternatives.
 *
 * Weighing: each observation that a table can read gives a guess with a
 * confidence (DHCP fingerprints, User-Agents, SMB/NTLMSSP versions and system
 * descriptions are strong; TCP stack guesses are capped at family level).
 * Guesses for the same name (OS) or type (device) add up: the best one's
 * confidence plus a small bonus for each further independent source.
 */
import type { Json } from '../report/build.js';
import { isoUs } from '../report/time.js';
import type { Observation } from './observations.js';
import { inferFromDhcp } from './infer/dhcp-fingerprint.js';
import {
  deviceFromCdpCapabilities,
  deviceFromDhcpVendorClass,
  deviceFromHttpServer,
  deviceFromLldpCapabilities,
  deviceFromMdnsService,
  deviceFromOuiVendor,
  deviceFromPlatform,
  deviceFromSsdp,
  deviceFromSysObjectId,
} from './infer/device.js';
import { osFromText, osFromWindowsVersion, type OsTextSource } from './infer/os-text.js';
import { inferFromTcpStack } from './infer/tcp-stack.js';
import type { DeviceGuess, DeviceType, OsGuess, TcpStackSample } from './infer/types.js';
import { inferFromUserAgent as inferUa, type UaInference } from './infer/user-agent.js';

/** User-Agents repeat across assets: each distinct one is read once (bounded). */
const uaMemo = new Map<string, UaInference>();
function inferFromUserAgent(ua: string): UaInference {
  let r = uaMemo.get(ua);
  if (r === undefined) {
    if (uaMemo.size >= 8192) uaMemo.clear();
    r = inferUa(ua);
    uaMemo.set(ua, r);
  }
  return r;
}

type JsonObject = { [k: string]: Json };

export interface ProfileInput {
  observations: Observation[];
  /** The asset's addresses (text). */
  ips: string[];
  macVendor: string | null;
  /** Assignment of the configured range holding the asset's first address, if any. */
  rangeAssignment: 'dhcp' | 'static' | null;
  first: number;
  last: number;
  openPorts: number[];
}

export interface Profile {
  hostnames: string[];
  domain: string | null;
  os: JsonObject | null;
  device: JsonObject | null;
  ipAssignment: 'dhcp' | 'static' | 'unknown';
  dhcp: JsonObject | null;
  natSuspected: boolean;
  natEvidence: string[];
  attributes: JsonObject;
}

/** How much a hostname source is trusted, by `source` (and record kind for DNS). */
function hostnameWeight(o: Observation): number {
  switch (o.source) {
    case 'dhcp':
    case 'dhcpv6':
    case 'lldp':
    case 'cdp':
    case 'ntlmssp':
    case 'smb':
      return 0.9;
    case 'netbios-ns':
    case 'browser':
    case 'snmp':
    case 'kerberos':
      return 0.85;
    case 'mdns':
      return 0.8;
    case 'llmnr':
      return 0.7;
    case 'dns':
      return o.data?.['record'] === 'PTR' ? 0.7 : 0.5;
    case 'smtp':
      return 0.6;
    case 'http':
      return 0.4;
    case 'tls':
    case 'quic':
      return o.data?.['from'] === 'certificate' ? 0.6 : 0.35;
    default:
      return 0.5;
  }
}

/** Sources whose names are about the asset as a server reached under many names: kept only when few. */
const MAX_HOSTNAMES = 16;
const MAX_EVIDENCE = 12;
const MAX_ATTR_VALUES = 16;

interface Weighted<T> {
  guess: T;
  o: Observation;
}

// Records below are made with their keys in sorted order, so the JSON writer
// can serialise them natively (see report/json.ts).

function evidence(o: Observation, extra?: string): JsonObject {
  const time = isoUs(o.first);
  return extra ? { kind: o.kind, note: extra, source: o.source, time, value: o.value } : { kind: o.kind, source: o.source, time, value: o.value };
}

function byTime(a: Observation, b: Observation): number {
  return a.first - b.first || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** The OS guesses observations support. */
function osGuesses(obs: Observation[]): Weighted<OsGuess>[] {
  const out: Weighted<OsGuess>[] = [];
  const push = (g: OsGuess | null, o: Observation) => {
    if (g !== null) out.push({ guess: g, o });
  };
  for (const o of obs) {
    switch (o.kind) {
      case 'user_agent':
        push(inferFromUserAgent(o.value).os, o);
        break;
      case 'dhcp_fingerprint': {
        const vc = obs.find((x) => x.kind === 'vendor_class' && x.source === o.source)?.value ?? null;
        const prl = o.value.split(',').map(Number).filter((n) => Number.isInteger(n));
        const opts = typeof o.data?.['options'] === 'string' ? (o.data['options'] as string).split(',').map(Number) : null;
        push(inferFromDhcp({ prl, vendorClass: vc, options: opts }).os, o);
        break;
      }
      case 'vendor_class':
        if (!obs.some((x) => x.kind === 'dhcp_fingerprint' && x.source === o.source)) push(inferFromDhcp({ prl: null, vendorClass: o.value }).os, o);
        break;
      case 'tcp_stack': {
        const d = o.data ?? {};
        const s: TcpStackSample = {
          ttl: Number(d['ttl'] ?? 0),
          ipv6: d['ipv6'] === true,
          window: Number(d['window'] ?? 0),
          mss: Number(d['mss'] ?? -1),
          wscale: Number(d['wscale'] ?? -1),
          options: String(d['options'] ?? ''),
          df: d['df'] === true,
          synAck: d['syn_ack'] === true,
        };
        push(inferFromTcpStack(s), o);
        break;
      }
      case 'os_version': {
        const d = o.data ?? {};
        const major = Number(d['major']);
        const minor = Number(d['minor']);
        const build = d['build'] === undefined || d['build'] === null ? null : Number(d['build']);
        if (Number.isInteger(major) && Number.isInteger(minor) && major > 0) push(osFromWindowsVersion(major, minor, build), o);
        break;
      }
      case 'native_os':
        push(osFromText('smb', o.value), o);
        break;
      case 'ssh_banner':
        push(osFromText('ssh', o.value), o);
        break;
      case 'sys_descr':
        push(osFromText(textSource(o.source), o.value), o);
        break;
      case 'server':
        push(osFromText(o.source === 'http' || o.source === 'ssdp' ? 'http-server' : 'banner', o.value), o);
        break;
      case 'banner':
        // Service greetings name their software; other banners are protocol details.
        if (GREETING_SOURCES.has(o.source)) push(osFromText('banner', o.value), o);
        break;
      default:
        break;
    }
  }
  return out;
}

const GREETING_SOURCES = new Set(['smtp', 'ftp', 'pop3', 'imap', 'telnet']);

function textSource(source: string): OsTextSource {
  return source === 'snmp' || source === 'lldp' || source === 'cdp' ? source : 'banner';
}

function deviceGuesses(obs: Observation[], macVendor: string | null, os: OsGuess | null): Weighted<DeviceGuess>[] {
  const out: Weighted<DeviceGuess>[] = [];
  const push = (g: DeviceGuess | null, o: Observation) => {
    if (g !== null) out.push({ guess: g, o });
  };
  const txt: Record<string, string> = {};
  for (const o of obs) {
    if (o.kind !== 'txt') continue;
    const eq = o.value.indexOf('=');
    if (eq > 0 && !(o.value.slice(0, eq) in txt)) txt[o.value.slice(0, eq)] = o.value.slice(eq + 1);
  }
  const ssdp = { server: null as string | null, deviceType: null as string | null, location: null as string | null };
  let ssdpObs: Observation | null = null;
  for (const o of obs) {
    switch (o.kind) {
      case 'user_agent':
        push(inferFromUserAgent(o.value).device, o);
        break;
      case 'dhcp_fingerprint': {
        const vc = obs.find((x) => x.kind === 'vendor_class' && x.source === o.source)?.value ?? null;
        const prl = o.value.split(',').map(Number).filter((n) => Number.isInteger(n));
        push(inferFromDhcp({ prl, vendorClass: vc }).device, o);
        break;
      }
      case 'vendor_class':
        push(deviceFromDhcpVendorClass(o.value), o);
        break;
      case 'service':
        push(deviceFromMdnsService(o.value, txt), o);
        break;
      case 'device_type':
        if (o.source === 'ssdp') {
          ssdp.deviceType ??= o.value;
          ssdpObs ??= o;
        } else if (DEVICE_TYPES.has(o.value)) {
          // Industrial protocols say what a device is (ListIdentity, DCP device role, SZL, I-Am).
          push({ type: o.value as DeviceType, vendor: null, model: null, firmware: null, confidence: 0.85 }, o);
        }
        break;
      case 'server':
        if (o.source === 'ssdp') {
          ssdp.server ??= o.value;
          ssdpObs ??= o;
        } else if (o.source === 'http') push(deviceFromHttpServer(o.value), o);
        break;
      case 'location':
        if (o.source === 'ssdp') ssdp.location ??= o.value;
        break;
      case 'capabilities':
        if (o.source === 'lldp') push(deviceFromLldpCapabilities(o.value.split(',')), o);
        else if (o.source === 'cdp') push(deviceFromCdpCapabilities(Number(o.data?.['bits'] ?? 0)), o);
        break;
      case 'platform':
        push(deviceFromPlatform(o.value), o);
        break;
      case 'sys_object_id':
        push(deviceFromSysObjectId(o.value), o);
        break;
      case 'role':
        push(roleDevice(o.value), o);
        break;
      case 'vendor':
        push({ type: null, vendor: o.value, model: null, firmware: null, confidence: 0.85 }, o);
        break;
      case 'model':
        push({ type: null, vendor: null, model: o.value, firmware: null, confidence: 0.85 }, o);
        break;
      case 'firmware':
        push({ type: null, vendor: null, model: null, firmware: o.value, confidence: 0.85 }, o);
        break;
      default:
        break;
    }
    // A SIP User-Agent is a phone or a softphone: weakly a VoIP phone.
    if (o.kind === 'user_agent' && o.source === 'sip') push({ type: 'voip phone', vendor: null, model: null, firmware: null, confidence: 0.35 }, o);
  }
  if (ssdpObs !== null) push(deviceFromSsdp(ssdp), ssdpObs);
  if (macVendor !== null) {
    const g = deviceFromOuiVendor(macVendor);
    if (g !== null) out.push({ guess: g, o: pseudo('oui', 'vendor', macVendor) });
  }
  if (os !== null) {
    // What the operating system implies about the device, weakly.
    const t = os.family === 'iOS' ? (/ipad/i.test(os.name) ? 'tablet' : 'phone') : os.family === 'Android' ? 'phone' : os.family === 'Network OS' ? 'network device' : os.family === 'Printer OS' ? 'printer' : os.family === 'Game console' ? 'game console' : /server/i.test(os.name) ? 'server' : null;
    if (t !== null) out.push({ guess: { type: t, vendor: null, model: null, firmware: null, confidence: 0.4 }, o: pseudo('os', 'os', os.name) });
  }
  return out;
}

const DEVICE_TYPES = new Set<string>([
  'workstation', 'laptop', 'server', 'phone', 'tablet', 'printer', 'network device', 'wireless access point', 'firewall', 'voip phone',
  'media device', 'smart tv', 'game console', 'camera', 'storage', 'iot', 'virtual machine', 'industrial controller',
  'hmi/engineering station', 'field device', 'building controller',
]);

/**
 * What a role says about a device, weakly: answering an industrial protocol
 * as a server suggests a controller or field device, driving it an HMI or
 * engineering station; serving DHCP, Kerberos or time, an infrastructure server.
 */
const ROLE_TYPES: Record<string, [DeviceType, number]> = {
  'modbus-server': ['industrial controller', 0.35],
  's7-server': ['industrial controller', 0.5],
  'enip-adapter': ['industrial controller', 0.35],
  'dnp3-outstation': ['field device', 0.4],
  'iec104-controlled': ['field device', 0.4],
  'profinet-device': ['field device', 0.4],
  'bacnet-device': ['building controller', 0.4],
  'opcua-server': ['industrial controller', 0.3],
  'modbus-client': ['hmi/engineering station', 0.35],
  's7-client': ['hmi/engineering station', 0.35],
  'enip-scanner': ['hmi/engineering station', 0.3],
  'dnp3-master': ['hmi/engineering station', 0.35],
  'iec104-controlling': ['hmi/engineering station', 0.35],
  'profinet-controller': ['hmi/engineering station', 0.3],
  'opcua-client': ['hmi/engineering station', 0.3],
  'kerberos-kdc': ['server', 0.5],
};

function roleDevice(role: string): DeviceGuess {
  const t = ROLE_TYPES[role];
  if (t !== undefined) return { type: t[0], vendor: null, model: null, firmware: null, confidence: t[1] };
  return { type: 'server', vendor: null, model: null, firmware: null, confidence: 0.3 };
}

/** Roles an asset played, by protocol ("modbus-server", "dhcp-server"), sorted. */
function rolesOf(obs: Observation[]): string[] {
  return [...new Set(obs.filter((o) => o.kind === 'role').map((o) => o.value))].sort();
}

function pseudo(source: string, kind: string, value: string): Observation {
  return { kind: kind as Observation['kind'], source, value, ip: null, mac: -1, macBound: false, first: NaN, last: NaN, count: 1, data: null };
}

function evidenceOf(o: Observation): JsonObject {
  if (Number.isNaN(o.first)) return { kind: o.kind, source: o.source, time: null, value: o.value };
  return evidence(o);
}

interface Choice<T> {
  key: string;
  best: T;
  score: number;
  support: Weighted<T>[];
}

/** Groups guesses by `key`, scores each group (best confidence + 0.05 per further distinct source, at most 0.99). */
function choose<T extends { confidence: number }>(list: Weighted<T>[], key: (g: T) => string | null): Choice<T>[] {
  const groups = new Map<string, Weighted<T>[]>();
  for (const w of list) {
    const k = key(w.guess);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(w);
  }
  const out: Choice<T>[] = [];
  for (const [k, g] of groups) {
    g.sort((a, b) => b.guess.confidence - a.guess.confidence || byTime(a.o, b.o));
    const sources = new Set(g.map((w) => w.o.source));
    const score = Math.min(0.99, g[0]!.guess.confidence + 0.05 * (sources.size - 1));
    out.push({ key: k, best: g[0]!.guess, score, support: g });
  }
  out.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function osRecord(guesses: Weighted<OsGuess>[]): { record: JsonObject | null; chosen: OsGuess | null } {
  const ranked = choose(guesses, (g) => g.name);
  if (ranked.length === 0) return { record: null, chosen: null };
  const top = ranked[0]!;
  // A family-level guess (TCP stack) agreeing with the chosen family supports it.
  let score = top.score;
  // Family-level guesses (name = family, e.g. a TCP stack's "Windows") agree with a more precise name.
  const generic = (g: OsGuess) => g.name === g.family || g.name === top.best.family;
  const agreeing = guesses.filter((w) => w.guess.family === top.best.family && w.guess.name !== top.key && generic(w.guess));
  if (agreeing.length > 0) score = Math.min(0.99, score + 0.05);
  const version = top.support.find((w) => w.guess.version !== null)?.guess.version ?? null;
  const ev = [...top.support, ...agreeing].slice(0, MAX_EVIDENCE).map((w) => evidenceOf(w.o));
  const record: JsonObject = {
    alternatives: ranked.slice(1).filter((c) => !(c.best.family === top.best.family && generic(c.best))).slice(0, 5).map((c) => ({
      confidence: round2(c.score),
      evidence: c.support.slice(0, 4).map((w) => evidenceOf(w.o)),
      family: c.best.family,
      name: c.best.name,
      version: c.support.find((w) => w.guess.version !== null)?.guess.version ?? null,
    })),
    confidence: round2(score),
    evidence: ev,
    family: top.best.family,
    name: top.best.name,
    version,
  };
  return { record, chosen: { ...top.best, version, confidence: score } };
}

function deviceRecord(guesses: Weighted<DeviceGuess>[], obs: Observation[]): JsonObject | null {
  const roles = rolesOf(obs);
  const serial = obs.find((o) => o.kind === 'serial')?.value ?? null;
  if (guesses.length === 0 && roles.length === 0 && serial === null) return null;
  const types = choose(guesses, (g) => g.type);
  const vendors = choose(guesses, (g) => g.vendor);
  const models = choose(guesses, (g) => g.model);
  const firmwares = choose(guesses, (g) => g.firmware);
  const top = types[0] ?? null;
  const vendor = vendors[0] ?? null;
  const model = models[0] ?? null;
  const firmware = firmwares[0] ?? null;
  const used = new Set<Weighted<DeviceGuess>>();
  for (const c of [top, vendor, model, firmware]) if (c) for (const w of c.support) used.add(w);
  const scores = [top, vendor, model].filter((c) => c !== null).map((c) => c!.score);
  const serialObs = obs.find((o) => o.kind === 'serial');
  const ev = [...used].sort((a, b) => b.guess.confidence - a.guess.confidence || byTime(a.o, b.o)).slice(0, MAX_EVIDENCE).map((w) => evidenceOf(w.o));
  if (serialObs && ev.length < MAX_EVIDENCE) ev.push(evidenceOf(serialObs));
  return {
    alternatives: types.slice(1, 5).map((c) => ({ confidence: round2(c.score), evidence: c.support.slice(0, 4).map((w) => evidenceOf(w.o)), type: c.best.type })),
    confidence: round2(top !== null ? top.score : scores.length ? Math.max(...scores) : 0),
    evidence: ev,
    firmware: firmware?.best.firmware ?? null,
    model: model?.best.model ?? null,
    roles,
    serial,
    type: top?.best.type ?? null,
    vendor: vendor?.best.vendor ?? null,
  };
}

/** Long observation without DHCP that makes an address static (SPEC §4 "across a long observation"). */
export const STATIC_AFTER_US = 24 * 3600e6;

export function profile(input: ProfileInput): Profile {
  const obs = [...input.observations].sort(byTime);

  // Hostnames, best first.
  const names = new Map<string, number>();
  for (const o of obs) {
    if (o.kind !== 'hostname') continue;
    const n = o.value.toLowerCase().replace(/\.$/, '');
    if (!n) continue;
    const w = hostnameWeight(o);
    if ((names.get(n) ?? 0) < w) names.set(n, w);
  }
  const hostnames = [...names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_HOSTNAMES).map(([n]) => n);

  // Domain: said outright (DHCP option 15, Kerberos realm, NTLMSSP DNS domain), else the suffix of a strong FQDN.
  const domains = new Map<string, number>();
  for (const o of obs) if (o.kind === 'domain') domains.set(o.value.toLowerCase(), (domains.get(o.value.toLowerCase()) ?? 0) + 2);
  for (const [n, w] of names) {
    const dot = n.indexOf('.');
    if (dot > 0 && w >= 0.7 && !n.endsWith('.local') && !n.endsWith('.arpa')) domains.set(n.slice(dot + 1), (domains.get(n.slice(dot + 1)) ?? 0) + 1);
  }
  const domain = [...domains].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;

  const { record: os, chosen } = osRecord(osGuesses(obs));
  const device = deviceRecord(deviceGuesses(obs, input.macVendor, chosen), obs);

  // DHCP lease: the latest ACK for one of the asset's addresses.
  // Observations reach an asset by its MAC or one of its addresses, so every lease here is its own.
  const leases = obs.filter((o) => o.kind === 'dhcp_lease');
  let dhcp: JsonObject | null = null;
  let ipAssignment: Profile['ipAssignment'] = 'unknown';
  const fp = obs.find((o) => o.kind === 'dhcp_fingerprint' && o.source === 'dhcp');
  const vc = obs.find((o) => o.kind === 'vendor_class' && o.source === 'dhcp');
  if (leases.length > 0) {
    const l = leases.reduce((a, b) => (b.last > a.last ? b : a));
    ipAssignment = 'dhcp';
    const secs = l.data?.['lease_seconds'];
    dhcp = {
      address: l.value,
      fingerprint: fp?.value ?? null,
      lease_seconds: typeof secs === 'number' ? secs : null,
      lease_start: isoUs(l.last),
      server: typeof l.data?.['server'] === 'string' ? (l.data['server'] as string) : null,
      vendor_class: vc?.value ?? null,
    };
  } else if (fp || vc) {
    dhcp = { address: null, fingerprint: fp?.value ?? null, lease_seconds: null, lease_start: null, server: null, vendor_class: vc?.value ?? null };
  }
  if (ipAssignment === 'unknown') {
    const sawDhcp = fp !== undefined || vc !== undefined;
    if (input.rangeAssignment === 'static') ipAssignment = 'static';
    else if (!sawDhcp && input.ips.length > 0 && input.last - input.first >= STATIC_AFTER_US) ipAssignment = 'static';
  }

  // NAT: several stacks (initial TTLs of SYNs) or several OS families in User-Agents behind one address.
  const natEvidence: string[] = [];
  const ttls = new Set<number>();
  for (const o of obs) if (o.kind === 'tcp_stack' && o.data?.['syn_ack'] === false) ttls.add(Number(o.data['initial_ttl']));
  if (ttls.size >= 2) natEvidence.push(`SYNs with initial TTLs ${[...ttls].sort((a, b) => a - b).join(' and ')}`);
  const uaFamilies = new Set<string>();
  for (const o of obs) {
    if (o.kind !== 'user_agent') continue;
    const g = inferFromUserAgent(o.value);
    if (g.os !== null && g.os.confidence >= 0.6 && g.client === 'browser') uaFamilies.add(g.os.family);
  }
  if (uaFamilies.size >= 2) natEvidence.push(`browser User-Agents of ${[...uaFamilies].sort().join(', ')}`);

  // Raw discovery data: what each protocol said, verbatim.
  const found: Record<string, Record<string, string[]>> = {};
  for (const o of obs) {
    if (o.kind === 'dhcp_lease') continue;
    const bySource = (found[o.source] ??= {});
    const list = (bySource[o.kind] ??= []);
    if (list.length < MAX_ATTR_VALUES && !list.includes(o.value)) list.push(o.value);
  }
  const attributes: JsonObject = {};
  for (const source of Object.keys(found).sort()) {
    const kinds: JsonObject = {};
    for (const kind of Object.keys(found[source]!).sort()) kinds[kind] = found[source]![kind]!.sort();
    attributes[source] = kinds;
  }

  return { hostnames, domain, os, device, ipAssignment, dhcp, natSuspected: natEvidence.length > 0, natEvidence, attributes };
}
