/**
 * SPEC §7: one test per row of the merge table, against a managed asset (the
 * "sensors" column is the network) and between two sensors' reports (it is
 * the sensor), plus the hostname, lease and inactivity refinements.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeDecisions, type MergeRecord } from '../../src/merge/decide.js';
import type { SensorReport } from '../../src/merge/passive.js';
import type { ManagedAsset, MergeSettings, PassiveAsset } from '../../src/merge/types.js';

const H = 3600e6;
const T0 = Date.UTC(2026, 0, 14, 6, 0, 0) * 1000;
const SETTINGS: MergeSettings = { hostnameMatch: 'exact', hostnameExclusions: ['localhost', 'android', 'iphone'], ipInactivityUs: 24 * H };

function passive(p: Partial<PassiveAsset> & { id: string }): PassiveAsset {
  return {
    sensor: 'branch-a',
    network: 'corp',
    report: 0,
    mac: null,
    ips: [],
    hostnames: [],
    assignment: 'unknown',
    staticRange: null,
    lease: null,
    firstUs: T0,
    lastUs: T0 + H,
    ...p,
  };
}

function seenOn(ip: string, firstUs = T0, lastUs = T0 + H) {
  return [{ ip, firstUs, lastUs }];
}

function managed(m: Partial<ManagedAsset> & { id: string }): ManagedAsset {
  return { macs: [], ips: [], hostnames: [], network: 'corp', lastScanUs: T0 + 2 * H, line: 2, ...m };
}

function report(sensor: string, network: string, assets: PassiveAsset[], firstUs = T0): SensorReport {
  return {
    path: `${sensor}.json`,
    sha256: sensor,
    sensor,
    network,
    firstUs,
    lastUs: firstUs + H,
    internal: null,
    assets: assets.map((a) => ({ ...a, sensor, network })),
  };
}

function decideOne(p: PassiveAsset, m: ManagedAsset[], settings = SETTINGS): MergeRecord {
  const out = mergeDecisions([report(p.sensor, p.network, [p])], m, settings);
  assert.is(out.records.length, 1);
  return out.records[0]!;
}

const MAC_A = '00:11:22:33:44:55';
const MAC_B = '00:11:22:33:44:66';

/**
 * The SPEC §7 table. MACs/hostnames: same, different, or not available (na) on
 * the passive side; IPs same or different; sensors same or different.
 */
const TABLE: { macs: 'same' | 'different' | 'na'; ips: 'same' | 'different'; names: 'same' | 'different' | 'na'; sensors: 'same' | 'different' | 'any'; merge: boolean; rule: string | null }[] = [
  { macs: 'same', ips: 'same', names: 'different', sensors: 'any', merge: true, rule: 'mac' },
  { macs: 'different', ips: 'different', names: 'same', sensors: 'any', merge: true, rule: 'hostname' },
  { macs: 'different', ips: 'same', names: 'different', sensors: 'same', merge: true, rule: 'ip-inactivity' },
  { macs: 'different', ips: 'same', names: 'different', sensors: 'different', merge: false, rule: null },
  { macs: 'na', ips: 'same', names: 'na', sensors: 'same', merge: true, rule: 'ip-inactivity' },
  { macs: 'na', ips: 'same', names: 'na', sensors: 'different', merge: false, rule: null },
  { macs: 'na', ips: 'same', names: 'same', sensors: 'any', merge: true, rule: 'hostname' },
  { macs: 'na', ips: 'same', names: 'different', sensors: 'same', merge: true, rule: 'ip-inactivity' },
  { macs: 'na', ips: 'same', names: 'different', sensors: 'different', merge: false, rule: null },
  { macs: 'na', ips: 'different', names: 'same', sensors: 'same', merge: true, rule: 'hostname' },
  { macs: 'na', ips: 'different', names: 'same', sensors: 'different', merge: true, rule: 'hostname' },
];

TABLE.forEach((row, i) => {
  const label = `row ${i + 1}: MACs ${row.macs}, IPs ${row.ips}, hostnames ${row.names}, sensors ${row.sensors} → ${row.merge ? 'merge' : 'no merge'}`;
  const mk = (side: 'a' | 'b') => ({
    mac: row.macs === 'na' ? null : side === 'a' || row.macs === 'same' ? MAC_A : MAC_B,
    ip: side === 'a' || row.ips === 'same' ? '10.10.10.5' : '10.10.10.6',
    name: row.names === 'na' ? null : side === 'a' || row.names === 'same' ? 'ws-0042' : 'ws-0099',
  });

  test(`managed, ${label}`, () => {
    const a = mk('a');
    const b = mk('b');
    // "not available" is about the passive side; the managed asset lists what it has.
    const m = managed({
      id: 'M1',
      macs: row.macs === 'na' ? [] : [b.mac!],
      ips: [b.ip],
      hostnames: row.names === 'na' ? [] : [b.name!],
      network: row.sensors === 'different' ? 'lab' : 'corp',
    });
    const p = passive({ id: 'p1', mac: a.mac, ips: seenOn(a.ip), hostnames: a.name ? [a.name] : [] });
    const r = decideOne(p, [m]);
    assert.is(r.decision, row.merge ? 'merge' : 'no-merge', r.reason);
    assert.is(r.rule, row.rule, r.reason);
    assert.is(r.managed_id, row.merge ? 'M1' : null);
    assert.ok(r.reason.length > 20);
    if (row.sensors === 'different' && row.ips === 'same' && !row.merge) assert.match(r.reason, /network "lab", not the sensor's "corp"/);
  });

  test(`two sensors' reports, ${label}`, () => {
    const a = mk('a');
    const b = mk('b');
    const pa = passive({ id: 'pa', mac: a.mac, ips: seenOn(a.ip), hostnames: a.name ? [a.name] : [] });
    const pb = passive({ id: 'pb', mac: b.mac, ips: seenOn(b.ip, T0 + 3 * H, T0 + 4 * H), hostnames: b.name ? [b.name] : [] });
    const ra = report('branch-a', 'corp', [pa]);
    const rb = report(row.sensors === 'different' ? 'branch-b' : 'branch-a', 'corp', [pb], T0 + 3 * H);
    const out = mergeDecisions([ra, rb], [], SETTINGS);
    assert.is(out.records.length, row.merge ? 1 : 2, JSON.stringify(out.records.map((r) => r.joined)));
    if (row.merge) {
      assert.is(out.records[0]!.joined.length, 1);
      assert.is(out.records[0]!.joined[0]!.rule, row.rule);
      assert.is(out.records[0]!.assets.length, 2);
    }
  });
});

test('the IP rows need ip_inactivity: a last_scan 3 days after the sensor last saw the address does not merge', () => {
  const p = passive({ id: 'p1', ips: seenOn('10.10.10.5') });
  const r = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 73 * H })]);
  assert.is(r.decision, 'no-merge');
  assert.match(r.reason, /last_scan 2026-01-17T07:00:00Z is 3d from the time the sensor saw the asset on it/);
  assert.match(r.reason, /beyond ip_inactivity 1d/);
  const closer = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 20 * H })]);
  assert.is(closer.rule, 'ip-inactivity');
  assert.match(closer.reason, /is 19h from the time the sensor saw the asset on it \(2026-01-14T06:00:00Z to 2026-01-14T07:00:00Z\), within ip_inactivity 1d/);
});

test('a hostname in hostname_exclusions blocks a match, and the reason says so', () => {
  const p = passive({ id: 'p1', hostnames: ['Android'], ips: seenOn('10.10.10.5') });
  const r = decideOne(p, [managed({ id: 'M1', hostnames: ['android'], ips: ['10.10.10.9'] })]);
  assert.is(r.decision, 'no-merge');
  assert.match(r.reason, /hostname "Android" is in merge.hostname_exclusions/);
  // Without the exclusion the same pair merges.
  const open = decideOne(p, [managed({ id: 'M1', hostnames: ['android'], ips: ['10.10.10.9'] })], { ...SETTINGS, hostnameExclusions: [] });
  assert.is(open.rule, 'hostname');
  // A name whose first label is excluded (iPhone.local) is excluded too.
  const iphone = decideOne(passive({ id: 'p2', hostnames: ['iPhone.local'] }), [managed({ id: 'M2', hostnames: ['iphone.local'] })]);
  assert.is(iphone.decision, 'no-merge');
});

test('hostnames: exact and case-insensitive; johndoe and johndoe.example.org match only with --hostname-match short', () => {
  const p = passive({ id: 'p1', hostnames: ['JOHNDOE'] });
  const m = [managed({ id: 'M1', hostnames: ['johndoe.example.org'] })];
  const exact = decideOne(p, m);
  assert.is(exact.decision, 'no-merge');
  const short = decideOne(p, m, { ...SETTINGS, hostnameMatch: 'short' });
  assert.is(short.decision, 'merge');
  assert.is(short.rule, 'hostname');
  assert.match(short.reason, /first label "johndoe" of hostname "JOHNDOE" equals that of "johndoe.example.org" on managed asset M1 \(--hostname-match short\)/);
  const caseOnly = decideOne(passive({ id: 'p2', hostnames: ['JohnDoe.Example.org.'] }), m);
  assert.is(caseOnly.rule, 'hostname');
  assert.match(caseOnly.reason, /hostname "JohnDoe.Example.org." equals "johndoe.example.org" on managed asset M1 \(exact, case-insensitive\)/);
});

test('a dynamic IP merges only when last_scan is inside the observed lease', () => {
  const lease = { ip: '10.10.10.5', startUs: T0 + 10 * H, seconds: 8 * 3600 };
  const p = passive({ id: 'p1', mac: MAC_A, assignment: 'dhcp', lease, ips: seenOn('10.10.10.5', T0 + 10 * H, T0 + 12 * H) });
  const inside = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 17 * H })]);
  assert.is(inside.rule, 'ip-dhcp-lease');
  assert.match(inside.reason, /last_scan 2026-01-14T23:00:00Z falls inside the DHCP lease the sensor saw for it \(2026-01-14T16:00:00Z to 2026-01-15T00:00:00Z\)/);
  // Inside ip_inactivity but outside the lease: the lease decides.
  const after = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 19 * H })]);
  assert.is(after.decision, 'no-merge');
  assert.match(after.reason, /outside the DHCP lease the sensor saw for it/);
  const before = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 2 * H })]);
  assert.is(before.decision, 'no-merge');
});

test('with no lease seen, a dynamic IP falls back to ip_inactivity; a lease for another address does not count', () => {
  const p = passive({
    id: 'p1',
    assignment: 'dhcp',
    lease: { ip: '10.10.10.7', startUs: T0, seconds: 3600 },
    ips: [...seenOn('10.10.10.5', T0, T0 + H), ...seenOn('10.10.10.7', T0 + H, T0 + 2 * H)],
  });
  const r = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 + 10 * H })]);
  assert.is(r.rule, 'ip-inactivity');
  assert.match(r.reason, /no DHCP lease for this address was seen/);
});

test('a static IP qualifies at once, whatever last_scan says', () => {
  const p = passive({ id: 'p1', assignment: 'static', ips: seenOn('10.10.10.5') });
  const r = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: T0 - 900 * H })]);
  assert.is(r.rule, 'ip-static');
  const noScan = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], lastScanUs: null })]);
  assert.is(noScan.rule, 'ip-static');
});

test('different networks never merge by IP, static or not', () => {
  for (const assignment of ['static', 'dhcp', 'unknown'] as const) {
    const p = passive({ id: 'p1', assignment, ips: seenOn('10.10.10.5') });
    const r = decideOne(p, [managed({ id: 'M1', ips: ['10.10.10.5'], network: 'lab', lastScanUs: T0 })]);
    assert.is(r.decision, 'no-merge', assignment);
  }
  // Two reports of different networks, same sensor name: no IP dedup either.
  const out = mergeDecisions([report('s', 'corp', [passive({ id: 'a', ips: seenOn('10.1.1.1') })]), report('s', 'lab', [passive({ id: 'b', ips: seenOn('10.1.1.1') })])], [], SETTINGS);
  assert.is(out.records.length, 2);
});

test('MAC wins over hostname and IP; ties go to the lowest managed id, and the reason names the others', () => {
  const p = passive({ id: 'p1', mac: MAC_A, hostnames: ['ws-1'], assignment: 'static', ips: seenOn('10.10.10.5') });
  const r = decideOne(p, [
    managed({ id: 'B-ip', ips: ['10.10.10.5'] }),
    managed({ id: 'C-name', hostnames: ['ws-1'] }),
    managed({ id: 'Z-mac', macs: [MAC_A] }),
    managed({ id: 'Y-mac', macs: [MAC_A] }),
  ]);
  assert.is(r.managed_id, 'Y-mac');
  assert.is(r.rule, 'mac');
  assert.match(r.reason, /managed asset Z-mac also matches by MAC; Y-mac was chosen as the first by id/);
});

test('the result does not depend on the order of the reports or of the managed assets', () => {
  const ra = report('branch-a', 'corp', [
    passive({ id: 'mac:00:11:22:33:44:55', mac: MAC_A, hostnames: ['ws-1'], ips: seenOn('10.1.0.5') }),
    passive({ id: 'ip:10.1.0.9', ips: seenOn('10.1.0.9') }),
  ]);
  const rb = report('branch-b', 'corp', [passive({ id: 'mac:00:11:22:33:44:66', mac: MAC_B, hostnames: ['WS-1'], ips: seenOn('10.2.0.5') })], T0 + H);
  const rc = report('branch-a', 'corp', [passive({ id: 'ip:10.1.0.9', ips: seenOn('10.1.0.9', T0 + 5 * H, T0 + 6 * H) })], T0 + 5 * H);
  const m = [managed({ id: 'M1', hostnames: ['ws-1'] }), managed({ id: 'M2', ips: ['10.1.0.9'], lastScanUs: T0 + 5 * H })];
  const clone = (r: SensorReport) => ({ ...r, assets: r.assets.map((a) => ({ ...a })) });
  const first = JSON.stringify(mergeDecisions([ra, rb, rc].map(clone), m, SETTINGS));
  for (const order of [
    [rc, rb, ra],
    [rb, ra, rc],
    [rb, rc, ra],
  ]) {
    assert.is(JSON.stringify(mergeDecisions(order.map(clone), [...m].reverse(), SETTINGS)), first);
  }
  const out = JSON.parse(first) as { records: MergeRecord[] };
  assert.is(out.records.length, 2);
  const ws = out.records.find((r) => r.hostnames.includes('ws-1'))!;
  assert.equal(ws.sensors, ['branch-a', 'branch-b']);
  assert.is(ws.managed_id, 'M1');
  const ip = out.records.find((r) => r.asset_id === 'ip:10.1.0.9')!;
  assert.is(ip.assets.length, 1, 'the same asset id of one sensor in two reports is listed once');
  assert.is(ip.joined[0]!.rule, 'ip-inactivity');
  assert.is(ip.managed_id, 'M2');
});

test('assets of one report are never grouped with each other', () => {
  const r = report('branch-a', 'corp', [
    passive({ id: 'mac:00:11:22:33:44:55', mac: MAC_A, ips: seenOn('10.1.0.5') }),
    passive({ id: 'mac:00:11:22:33:44:66', mac: MAC_B, ips: seenOn('10.1.0.5') }),
  ]);
  assert.is(mergeDecisions([r], [], SETTINGS).records.length, 2);
});

test('managed and unmanaged lists', () => {
  const out = mergeDecisions(
    [report('s', 'corp', [passive({ id: 'a', mac: MAC_A }), passive({ id: 'b', mac: MAC_B })])],
    [managed({ id: 'M1', macs: [MAC_A] }), managed({ id: 'M0', hostnames: ['never-seen'] })],
    SETTINGS,
  );
  assert.equal(
    out.managed.map((m) => [m.managed_id, m.seen, m.passive, m.rules]),
    [
      ['M0', false, [], []],
      ['M1', true, ['a'], ['mac']],
    ],
  );
  assert.equal(
    out.unmanaged.map((u) => u.asset_id),
    ['b'],
  );
});

test.run();
