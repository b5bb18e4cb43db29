/**
 * The samples built by scripts/make-samples.ts (office.pcapng with
 * office.yaml, branch-erspan.pcap, messy.pcap): the generator rebuilds each
 * committed file byte for byte, and the analysis finds what
 * samples/README.md promises for it (assets, hostnames, OS families, device
 * types, applications, the monitored group, VLANs, warnings).
 * After an intended change: `node --import tsx scripts/make-samples.ts`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BRANCH,
  BRANCH_SAMPLE,
  ERSPAN,
  MESSY,
  MESSY_SAMPLE,
  OFFICE,
  OFFICE_SAMPLE,
  OFFICE_YAML,
  branchBytes,
  messyBytes,
  officeBytes,
} from '../../scripts/make-samples.js';
import { runBin } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';

const committed = (p: string) => readFileSync(join(projectRoot, p));

test('the generator rebuilds every committed sample byte for byte', () => {
  const cases: [string, Buffer][] = [
    [OFFICE_SAMPLE, officeBytes()],
    [BRANCH_SAMPLE, branchBytes()],
    [MESSY_SAMPLE, messyBytes()],
  ];
  for (const [path, built] of cases) {
    assert.ok(built.equals(committed(path)), `${path} differs from what scripts/make-samples.ts builds: run node --import tsx scripts/make-samples.ts`);
    assert.ok(built.length < 300 * 1024, `${path} is ${built.length} bytes`);
  }
  assert.is(committed('samples/office.yaml').toString('utf8'), OFFICE_YAML);
});

test('building twice gives the same bytes', () => {
  assert.ok(officeBytes().equals(officeBytes()));
  assert.ok(messyBytes().equals(messyBytes()));
});

interface Guess {
  name: string;
  version: string | null;
  family: string;
  alternatives?: { name: string }[];
}
interface Asset {
  ips: string[];
  mac: string | null;
  hostnames: string[];
  os: Guess | null;
  device: { type: string | null; vendor: string | null; model: string | null } | null;
  applications?: string[];
  vlan: number | null;
  nat_suspected: boolean;
  dhcp: { lease_seconds: number | null; vendor_class: string | null } | null;
}
interface Report {
  sensor: { name: string; network: string };
  assets: Asset[];
  flows: { client: string; server: string; application: string; server_port: number }[];
  warnings: { code: string; addresses?: string[]; count: number }[];
  capture: { packets: number; duplicates: number };
}

function analyze(file: string, config?: string): { report: Report; status: number | null; stderr: string } {
  const r = runBin(['analyze', '-q', '--deterministic', '-f', 'json', ...(config ? ['--config', config] : []), file]);
  return { report: JSON.parse(r.stdout) as Report, status: r.status, stderr: r.stderr };
}

function assetOf(report: Report, ip: string): Asset {
  const a = report.assets.find((x) => x.ips.includes(ip));
  assert.ok(a, `no asset with ${ip}`);
  return a!;
}

test('office: every client identified with hostname, OS family and device; servers and services found', () => {
  const { report, status, stderr } = analyze(OFFICE_SAMPLE, 'samples/office.yaml');
  assert.is(status, 0, stderr);
  assert.equal(report.sensor, { ...report.sensor, name: 'office', network: 'corp' });
  assert.equal(report.warnings, []);
  const expect: [string, string, string, string | null][] = [
    // ip, hostname, OS family, device type
    [OFFICE.windows.ip, 'laptop-k3v9qx2d', 'Windows', null],
    [OFFICE.mac.ip, 'annas-macbook-pro', 'macOS', 'laptop'],
    [OFFICE.linux.ip, 'dev-ws03', 'Linux', null],
    [OFFICE.android.ip, 'galaxy-s23', 'Android', 'phone'],
    [OFFICE.iphone.ip, 'marcs-iphone', 'iOS', 'phone'],
    [OFFICE.printer.ip, 'hplj-m404', 'Printer OS', 'printer'],
    [OFFICE.fileServer.ip, 'filesrv01', 'Windows', 'server'],
  ];
  for (const [ip, host, family, type] of expect) {
    const a = assetOf(report, ip);
    assert.ok(a.hostnames.includes(host), `${ip}: hostnames ${a.hostnames.join(', ')}`);
    assert.is(a.os?.family, family, ip);
    if (type !== null) assert.is(a.device?.type, type, ip);
  }
  // The Windows laptop's NTLMSSP version names Windows 11 (kept at least as an alternative).
  const win = assetOf(report, OFFICE.windows.ip);
  assert.ok(win.os!.name === 'Windows 11' || (win.os!.alternatives ?? []).some((g) => g.name === 'Windows 11'), JSON.stringify(win.os));
  assert.is(win.dhcp?.vendor_class, 'MSFT 5.0');
  assert.is(win.dhcp?.lease_seconds, 86400);
  assert.is(assetOf(report, OFFICE.fileServer.ip).os!.name, 'Windows Server 2022');
  assert.is(assetOf(report, OFFICE.linux.ip).os!.name, 'Ubuntu');
  assert.is(assetOf(report, OFFICE.android.ip).os!.version, '14');
  const mac = assetOf(report, OFFICE.mac.ip).device!;
  assert.equal([mac.vendor, mac.model], ['Apple', 'MacBook Pro (MacBookPro18,3)']);
  const printer = assetOf(report, OFFICE.printer.ip).device!;
  assert.equal([printer.vendor, printer.model], ['HP', 'HP LaserJet Pro M404dn']);
  const sonos = assetOf(report, OFFICE.sonos.ip).device!;
  assert.equal([sonos.type, sonos.vendor], ['media device', 'Sonos']);
  assert.ok(assetOf(report, OFFICE.buildServer.ip).hostnames.includes('build01.corp.example.net'));
  assert.is(assetOf(report, OFFICE.buildServer.ip).os?.family, 'Linux');

  const apps = new Set(report.flows.map((f) => f.application));
  for (const app of ['DHCP', 'DNS', 'mDNS', 'NetBIOS-NS', 'SSDP', 'HTTP', 'HTTPS', 'SSH', 'SMB', 'JetDirect']) assert.ok(apps.has(app), `no ${app} flow`);
  // The monitored external group, learned from the DNS answers for www.facebook.com / static.xx.fbcdn.net.
  const social = report.flows.filter((f) => f.server === 'social-media');
  assert.ok(social.length >= 3, JSON.stringify(social));
  assert.ok(social.every((f) => f.application === 'HTTPS' && f.server_port === 443));
  for (const ip of [OFFICE.windows.ip, OFFICE.mac.ip, OFFICE.android.ip]) assert.ok(social.some((f) => f.client === ip), `${ip} → social-media`);
  // www.example.com stays plain External.
  assert.ok(report.flows.some((f) => f.server === 'External' && f.application === 'HTTPS'));
});

test('branch-erspan: the inner hosts with their VLANs; the switch sending the mirror is an asset, the tunnel is no flow', () => {
  const { report, status, stderr } = analyze(BRANCH_SAMPLE);
  assert.is(status, 0, stderr);
  assert.equal(report.warnings, []);
  // The switch sent every mirrored frame (an asset with its MAC); the collector only received them (not inventoried).
  const sw = report.assets.find((a) => a.ips.includes(ERSPAN.switch.ip));
  assert.ok(sw, 'the switch sending ERSPAN is an asset');
  assert.is(sw!.mac, ERSPAN.switch.mac);
  assert.not.ok(report.assets.some((a) => a.ips.includes(ERSPAN.collector.ip)), 'the collector is not an asset');
  for (const ip of [ERSPAN.switch.ip, ERSPAN.collector.ip]) assert.not.ok(report.flows.some((f) => f.client === ip || f.server === ip), `a flow of tunnel endpoint ${ip}`);
  const expect: [string, number, string, string][] = [
    [BRANCH.windows.ip, 10, 'desktop-8q3zl5t', 'Windows'],
    [BRANCH.mac.ip, 10, 'jamies-macbook-air', 'macOS'],
    [BRANCH.fileServer.ip, 10, 'brfs01', 'Windows'],
    [BRANCH.printer.ip, 20, 'hplj-m404-br', 'Printer OS'],
    [BRANCH.android.ip, 20, 'galaxy-a54', 'Android'],
  ];
  for (const [ip, vlan, host, family] of expect) {
    const a = assetOf(report, ip);
    assert.is(a.vlan, vlan, ip);
    assert.ok(a.hostnames.includes(host), `${ip}: ${a.hostnames.join(', ')}`);
    assert.is(a.os?.family, family, ip);
  }
  assert.is(assetOf(report, BRANCH.printer.ip).device?.type, 'printer');
  assert.is(assetOf(report, BRANCH.android.ip).device?.type, 'phone');
  const apps = new Set(report.flows.map((f) => f.application));
  for (const app of ['DHCP', 'DNS', 'HTTP', 'HTTPS', 'SMB']) assert.ok(apps.has(app), `no ${app} flow`);
  assert.not.ok(apps.has('GRE'));
});

test('messy: duplicates, NAT and the truncated last record are reported; the analysis still succeeds', () => {
  const { report, status, stderr } = analyze(MESSY_SAMPLE);
  assert.is(status, 0, stderr);
  const codes = report.warnings.map((w) => w.code).sort();
  assert.equal(codes, ['duplicate-packets', 'nat-suspected', 'truncated-capture']);
  assert.is(report.warnings.find((w) => w.code === 'duplicate-packets')!.count, 40);
  assert.equal(report.warnings.find((w) => w.code === 'nat-suspected')!.addresses, [MESSY.nat.ip]);
  assert.ok(assetOf(report, MESSY.nat.ip).nat_suspected);
  assert.not.ok(assetOf(report, MESSY.workstation.ip).nat_suspected);
  assert.is(assetOf(report, MESSY.server.ip).os?.name, 'Windows Server 2022');
  // --strict turns the damaged file into a failure.
  const strict = runBin(['analyze', '-q', '--strict', '-f', 'json', MESSY_SAMPLE]);
  assert.is.not(strict.status, 0);
});

test.run();
