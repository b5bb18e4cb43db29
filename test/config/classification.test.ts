/**
 * SPEC §2.1 classification end to end: traffic built in code goes through the
 * engine with a configuration, and the report shows each class as specified.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import type { WriterPacket } from '../../src/capture/writer.js';
import { ConfigClassifier } from '../../src/config/classifier.js';
import { AddrClass } from '../../src/config/classify.js';
import { parseConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { explain } from '../../src/cli/config-cmd.js';
import { T0, dnsMessage } from '../helpers/traffic.js';

const BRANCH_A = `
sensor: { name: branch-a, network: corp }
internal:
  - name: Subnet-A
    ranges: [10.10.10.0/24, "fd00:a::/64"]
    inventory: true
  - name: Subnet-B
    ranges: [10.20.20.0/24, "fd00:b::/64"]
    inventory: false
excluded:
  - name: gateways
    ips: [10.10.10.1]
    macs: ["02:00:00:00:00:99"]
external:
  - name: social-media
    fqdns: [facebook.com, "*.fbcdn.net"]
    ips: [31.13.64.0/18]
`;
// The other sensor: inventories B, tracks A (the recommended multi-sensor pattern).
const BRANCH_B = BRANCH_A.replace('branch-a', 'branch-b').replace('inventory: true', 'inventory: X').replace('inventory: false', 'inventory: true').replace('inventory: X', 'inventory: false');

const M = { a5: '00:16:3e:0a:00:05', b7: '00:16:3e:0b:00:07', gw: '00:16:3e:00:00:01', ex: '02:00:00:00:00:99', a6: '00:16:3e:6a:00:05', b6: '00:16:3e:6b:00:07' };

function traffic(): WriterPacket[] {
  const pkts: WriterPacket[] = [];
  const session = (client: string, cmac: string, server: string, smac: string, sport: number, start: number) =>
    B.tcpSession({ client, server, clientMac: cmac, serverMac: smac, cport: 40000 + (start % 1000), sport, startUs: T0 + start, requests: [{ fromClient: true, data: 'hello' }, { fromClient: false, data: 'world!' }] }).forEach((p) => pkts.push(p));
  // 1. subnet A talks to subnet B (SMB)
  session('10.10.10.5', M.a5, '10.20.20.7', M.b7, 445, 1_000);
  // 2. DNS through the excluded gateway: an answer for a monitored name
  pkts.push({ tsUs: T0 + 100_000, data: B.udpPacket({ srcMac: M.a5, dstMac: M.gw, src: '10.10.10.5', dst: '10.10.10.1', sport: 5353 + 1, dport: 53, payload: dnsMessage(7, 'static.xx.fbcdn.net') }) });
  pkts.push({ tsUs: T0 + 101_000, data: B.udpPacket({ srcMac: M.gw, dstMac: M.a5, src: '10.10.10.1', dst: '10.10.10.5', sport: 53, dport: 5354, payload: dnsMessage(7, 'static.xx.fbcdn.net', '157.240.1.1') }) });
  // 3. later, HTTPS to the learned address (monitored by name), 4. to the group's range, 5. to an ordinary external server
  session('10.10.10.5', M.a5, '157.240.1.1', M.gw, 443, 200_000);
  session('10.10.10.5', M.a5, '31.13.70.1', M.gw, 443, 300_000);
  session('10.10.10.5', M.a5, '8.8.8.8', M.gw, 853, 400_000);
  // 6. a device with an excluded MAC, which changes its address
  pkts.push({ tsUs: T0 + 500_000, data: B.arpPacket({ op: 'request', senderMac: M.ex, senderIp: '10.10.10.50', targetIp: '10.10.10.5' }) });
  session('10.10.10.50', M.ex, '10.10.10.5', M.a5, 22, 510_000);
  pkts.push({ tsUs: T0 + 600_000, data: B.arpPacket({ op: 'request', senderMac: M.ex, senderIp: '10.10.10.51', targetIp: '10.10.10.5' }) });
  session('10.10.10.51', M.ex, '10.10.10.5', M.a5, 22, 610_000);
  // DNS over TCP: an answer for facebook.com, then a connection to it
  const tcpDns = dnsMessage(9, 'facebook.com', '157.240.9.9');
  const frame = (m: Buffer) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]);
  const framed = frame(tcpDns);
  B.tcpSession({ client: '10.10.10.5', server: '10.10.10.1', clientMac: M.a5, serverMac: M.gw, cport: 41000, sport: 53, startUs: T0 + 150_000,
    requests: [{ fromClient: true, data: frame(dnsMessage(9, 'facebook.com')) }, { fromClient: false, data: framed }] }).forEach((p) => pkts.push(p));
  session('10.10.10.5', M.a5, '157.240.9.9', M.gw, 8443, 800_000);
  // 7. IPv6 between the two subnets
  session('fd00:a::5', M.a6, 'fd00:b::7', M.b6, 80, 700_000);
  return pkts.sort((x, y) => x.tsUs - y.tsUs);
}

function analyse(yaml: string): Report {
  const loaded = parseConfig(yaml, 'test.yaml');
  const engine = new Engine({ classifier: new ConfigClassifier(loaded.config) });
  for (const p of traffic()) engine.packet(Buffer.from(p.data), 0, p.data.length, p.data.length, p.tsUs, 1);
  return buildReport(engine, [], {
    generator: { name: 'nps', version: 'test' },
    deterministic: true,
    sensor: loaded.config.sensor,
    config: { path: 'test.yaml', sha256: null },
    configWarnings: loaded.warnings,
  });
}

const assetIps = (r: Report) => r.assets.flatMap((a) => a.ips as string[]).sort();
const flowOf = (r: Report, port: number) => r.flows.filter((f) => f.server_port === port);

test('branch A: inventoried, tracked, excluded (IP and MAC), monitored by range and by DNS name, External', () => {
  const r = analyse(BRANCH_A);
  assert.equal(assetIps(r), ['10.10.10.5', 'fd00:a::5']);
  assert.equal(r.sensor, { name: 'branch-a', network: 'corp' });
  // tracked B is shown by IP in flows, but is no asset
  const smb = flowOf(r, 445)[0]!;
  assert.is(smb.client, '10.10.10.5');
  assert.is(smb.server, '10.20.20.7');
  // DNS to the excluded gateway: "Excluded", no address
  const dns = flowOf(r, 53)[0]!;
  assert.is(dns.server, 'Excluded');
  assert.is(dns.server_ip, null);
  // HTTPS to the address learned from the DNS answer: the group's name, no address
  const https = flowOf(r, 443);
  const byName = https.find((f) => f.server_ip === null)!;
  assert.is(byName.server, 'social-media');
  // ... and to the group's range: the name with the address
  const byRange = https.find((f) => f.server_ip !== null)!;
  assert.is(byRange.server, 'social-media');
  assert.is(byRange.server_ip, '31.13.70.1');
  // an ordinary public server
  assert.is(flowOf(r, 853)[0]!.server, 'External');
  // a name learned from a DNS answer over TCP
  assert.is(flowOf(r, 8443)[0]!.server, 'social-media');
  // the excluded MAC's host, under both of its addresses
  const ssh = flowOf(r, 22);
  assert.is(ssh.length, 1, 'both SSH sessions fold into one Excluded row');
  assert.is(ssh[0]!.client, 'Excluded');
  assert.is(ssh[0]!.connections, 2);
  assert.not.ok(r.assets.some((a) => a.mac === M.ex), 'no asset for the excluded MAC');
  // IPv6: A inventoried, B tracked
  const v6 = flowOf(r, 80)[0]!;
  assert.is(v6.client, 'fd00:a::5');
  assert.is(v6.server, 'fd00:b::7');
});

test('branch B is the complement of branch A', () => {
  const a = analyse(BRANCH_A);
  const b = analyse(BRANCH_B);
  assert.equal(assetIps(b), ['10.20.20.7', 'fd00:b::7']);
  assert.equal(b.sensor, { name: 'branch-b', network: 'corp' });
  const both = new Set([...assetIps(a), ...assetIps(b)]);
  assert.is(both.size, assetIps(a).length + assetIps(b).length, 'no asset in both inventories');
  // the shared SMB flow is seen identically by both
  assert.equal(flowOf(a, 445)[0], flowOf(b, 445)[0]);
});

test('traffic summary: per asset, role, peer and port; totals add up to the flows', () => {
  const r = analyse(BRANCH_A);
  const a5 = r.assets.find((a) => (a.ips as string[]).includes('10.10.10.5'))!;
  const rows = r.traffic.filter((t) => t.asset_id === a5.id);
  const smb = rows.find((t) => t.server_port === 445)!;
  assert.is(smb.role, 'client');
  assert.is(smb.peer, '10.20.20.7');
  const flow = flowOf(r, 445)[0]!;
  assert.is(smb.egress_bytes, flow.client_bytes);
  assert.is(smb.ingress_bytes, flow.server_bytes);
  const ssh = rows.find((t) => t.server_port === 22)!;
  assert.is(ssh.role, 'server');
  assert.is(ssh.peer, 'Excluded');
  const t = a5.traffic as Record<string, any>;
  const sum = (k: string) => rows.reduce((n, x) => n + (x[k] as number), 0);
  assert.is(t.as_client.egress_bytes + t.as_server.egress_bytes, sum('egress_bytes'));
  assert.is(t.by_application.SMB.egress_bytes, smb.egress_bytes);
  assert.ok(t.by_family['File Sharing'], 'by family');
});

test('overlapping inventoried ranges: a warning, and the most specific range wins', () => {
  const yaml = `
internal:
  - name: wide
    ranges: [10.0.0.0/8]
  - name: lab
    ranges: [10.5.0.0/16]
    inventory: false
  - name: lab-servers
    ranges: ["10.5.1.10-10.5.1.20"]
`;
  const loaded = parseConfig(yaml, 'o.yaml');
  assert.ok(loaded.warnings.some((w) => w.code === 'overlapping-inventory-ranges'));
  const c = new ConfigClassifier(loaded.config);
  const ip = (s: string) => B.parseIpv4(s).reduce((n, b) => n * 256 + b, 0);
  assert.is(c.classify4(ip('10.9.9.9')), AddrClass.Inventoried);
  assert.is(c.classify4(ip('10.5.9.9')), AddrClass.Tracked);
  assert.is(c.classify4(ip('10.5.1.15')), AddrClass.Inventoried);
  assert.is(c.classify4(ip('10.5.1.21')), AddrClass.Tracked);
  assert.is(c.classify4(ip('11.0.0.1')), AddrClass.External);
  assert.match(explain('10.5.1.15', loaded), /lab-servers/);
  assert.match(explain('10.5.9.9', loaded), /not inventoried/);
});

test('IPv6: every class through the range tables, and names learned for IPv6 answers', () => {
  const loaded = parseConfig(`
internal:
  - name: campus
    ranges: ["2001:db8::/32"]
  - name: lab
    ranges: ["2001:db8:5::/48"]
    inventory: false
  - name: lab-hosts
    ranges: ["2001:db8:5::10-2001:db8:5::20"]
excluded:
  - name: firewall
    ips: ["2001:db8::1"]
external:
  - name: cdn
    fqdns: ["*.cdn.example"]
    ips: ["2606:4700::/32"]
`, 'v6.yaml');
  const c = new ConfigClassifier(loaded.config);
  const w = (s: string) => {
    const b = B.parseIpv6(s);
    return Uint32Array.from([0, 4, 8, 12], (i) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  };
  assert.is(c.classify6(w('2001:db8::1')), AddrClass.Excluded);
  assert.is(c.classify6(w('2001:db8::2')), AddrClass.Inventoried);
  assert.is(c.classify6(w('2001:db8:5::99')), AddrClass.Tracked);
  assert.is(c.classify6(w('2001:db8:5::15')), AddrClass.Inventoried);
  assert.is(c.classify6(w('2606:4700::1111')), AddrClass.Monitored);
  assert.is(c.groupName(AddrClass.Monitored, c.group6(w('2606:4700::1111'))), 'cdn');
  assert.is(c.classify6(w('fe80::1')), AddrClass.Inventoried, 'link-local');
  assert.is(c.classify6(w('ff02::1')), AddrClass.Special);
  assert.is(c.classify6(w('2a00:1450::1')), AddrClass.External);
  assert.is(c.groupForName('img.cdn.example'), 0);
  assert.is(c.groupForName('cdn.example'), -1, 'a wildcard does not match the bare domain');
  c.learn6(w('2a00:1450::1'), 0);
  assert.is(c.classify6(w('2a00:1450::1')), AddrClass.MonitoredByName);
  assert.is(c.group6(w('2a00:1450::1')), 0);
  // IPv4-mapped addresses follow the IPv4 rules (defaults: none here, so External)
  assert.is(c.classify6(w('::ffff:10.0.0.1')), AddrClass.External);
});

test('config explain names the rule for every class', () => {
  const loaded = parseConfig(BRANCH_A, 'a.yaml');
  assert.match(explain('10.10.10.1', loaded), /excluded \(rule 1\).*gateways/);
  assert.match(explain('10.10.10.9', loaded), /inventoried \(rule 2\).*Subnet-A/);
  assert.match(explain('10.20.20.9', loaded), /not inventoried \(rule 3\).*Subnet-B/);
  assert.match(explain('31.13.64.1', loaded), /monitored external \(rule 4\).*social-media/);
  assert.match(explain('1.1.1.1', loaded), /External \(rule 5\)[\s\S]*fbcdn/);
  assert.match(explain('fd00:b::1', loaded), /rule 3/);
  assert.match(explain('02:00:00:00:00:99', loaded), /excluded/);
  assert.match(explain('fe80::1', loaded), /link-local/);
  assert.match(explain('224.0.0.251', loaded), /special/);
});

test.run();
