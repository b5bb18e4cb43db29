/** The comparison's rules on small hand-made reports: matching, sets, tolerance, ordering. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assetChanges, beyondTolerance, compareReports, idCompare, naturalCompare } from '../../src/diff/compare.js';
import { renderDiff, summaryLine } from '../../src/diff/render.js';
import type { Json, Report } from '../../src/report/build.js';

type Obj = { [k: string]: Json };

function asset(id: string, extra: Obj = {}): Obj {
  return {
    id,
    ips: [],
    mac: null,
    hostnames: [],
    domain: null,
    os: null,
    device: null,
    open_ports: [],
    applications: [],
    ip_assignment: 'unknown',
    vlan: null,
    nat_suspected: false,
    traffic: { ingress_bytes: 0, egress_bytes: 0 },
    ...extra,
  };
}

function report(assets: Obj[], flows: Obj[] = [], warnings: Obj[] = []): Report {
  return { schema: 'nps.report/v1', assets, flows, traffic: [], warnings } as Report;
}

function flow(client: string, server: string, port: number, proto: string, bytes: number, interval = 0): Obj {
  return { client, server, server_port: port, protocol: proto, client_bytes: bytes, server_bytes: 0, interval_start: String(interval) };
}

test('tolerance: |new − old| > tol% × old', () => {
  assert.ok(beyondTolerance(100, 101, 0));
  assert.not.ok(beyondTolerance(100, 100, 0));
  assert.ok(beyondTolerance(0, 1, 0));
  assert.ok(beyondTolerance(0, 1, 100));
  assert.not.ok(beyondTolerance(100, 105, 5));
  assert.ok(beyondTolerance(100, 106, 5));
  assert.not.ok(beyondTolerance(100, 95, 5));
  assert.ok(beyondTolerance(100, 94, 5));
});

test('order: addresses numerically, MAC ids as text', () => {
  assert.equal(['10.0.0.10', '10.0.0.9', '10.0.0.100', 'External'].sort(naturalCompare), ['10.0.0.9', '10.0.0.10', '10.0.0.100', 'External']);
  assert.equal(['mac:00:1b:00:00:00:00', 'mac:00:15:00:00:00:00'].sort(idCompare), ['mac:00:15:00:00:00:00', 'mac:00:1b:00:00:00:00']);
  assert.equal(['ip:10.0.0.10', 'ip:10.0.0.2', 'mac:00:00:00:00:00:01'].sort(idCompare), ['ip:10.0.0.2', 'ip:10.0.0.10', 'mac:00:00:00:00:00:01']);
});

test('sets compare as sets; host names keep their order in old/new', () => {
  const a = asset('x', { hostnames: ['a', 'b'], applications: ['DNS', 'SSH'], open_ports: [{ port: 22, proto: 'tcp', application: 'SSH' }] });
  const b = asset('x', { hostnames: ['b', 'a'], applications: ['SSH', 'DNS'], open_ports: [{ port: 22, proto: 'tcp', application: 'ssh?' }] });
  assert.equal(assetChanges(a, b), []);
  const c = asset('x', { hostnames: ['z', 'a'] });
  assert.equal(assetChanges(a, c).find((ch) => ch.field === 'hostnames'), { field: 'hostnames', old: ['a', 'b'], new: ['z', 'a'], added: ['z'], removed: ['b'] });
});

test('OS and device: name, version, family and type, vendor, model, firmware; confidence alone is no change', () => {
  const os = { name: 'Windows', version: '10', family: 'Windows', confidence: 0.5, evidence: [], alternatives: [] };
  const a = asset('x', { os, device: null });
  const b = asset('x', { os: { ...os, confidence: 0.9 }, device: null });
  assert.equal(assetChanges(a, b), []);
  const c = asset('x', { os: null, device: { type: 'printer', vendor: 'HP', model: null, firmware: null, serial: 'S1' } });
  assert.equal(
    assetChanges(a, c).map((ch) => [ch.field, ch.old, ch.new]),
    [
      ['os.name', 'Windows', null],
      ['os.version', '10', null],
      ['os.family', 'Windows', null],
      ['device.type', null, 'printer'],
      ['device.vendor', null, 'HP'],
    ],
  );
});

test('flows are summed over intervals and rows before comparing', () => {
  const base = report([], [flow('10.0.0.1', '10.0.0.2', 53, 'udp', 50, 0), flow('10.0.0.1', '10.0.0.2', 53, 'udp', 50, 1)]);
  const cur = report([], [flow('10.0.0.1', '10.0.0.2', 53, 'udp', 100, 2)]);
  assert.is(compareReports(base, cur, { tolerancePct: 0 }).equal, true);
  const more = report([], [flow('10.0.0.1', '10.0.0.2', 53, 'udp', 103, 2)]);
  const d = compareReports(base, more, { tolerancePct: 2 });
  assert.equal(d.traffic_changed, [{ kind: 'flow', key: '10.0.0.1 -> 10.0.0.2 53/udp', old_bytes: 100, new_bytes: 103, change_pct: 3 }]);
  assert.is(compareReports(base, more, { tolerancePct: 3 }).equal, true);
});

test('rows sorted; the summary line counts everything', () => {
  const base = report([asset('ip:10.0.0.9'), asset('ip:10.0.0.10')], [], [{ code: 'clock-jump', message: 'm', count: 1 }]);
  const cur = report([asset('ip:10.0.0.100'), asset('ip:10.0.0.11'), asset('ip:10.0.0.10', { vlan: 5 })], [flow('10.0.0.10', 'External', 443, 'tcp', 1)]);
  const d = compareReports(base, cur, { tolerancePct: 0 });
  assert.equal(d.assets_added.map((a) => a.id), ['ip:10.0.0.11', 'ip:10.0.0.100']);
  assert.equal(d.assets_removed.map((a) => a.id), ['ip:10.0.0.9']);
  assert.equal(d.warnings_removed, ['clock-jump']);
  assert.is(
    summaryLine(d.summary, 0),
    '6 differences: 2 assets added, 1 removed, 1 changed; 1 flow added, 0 removed; 0 traffic changes beyond ±0%; 0 warnings added, 1 removed',
  );
  const text = renderDiff(d, 'table', { width: 80, color: false });
  assert.ok(text.includes('      vlan: (none) → 5\n'), text);
  assert.ok(text.includes('Warnings (1)\n  − clock-jump\n'), text);
  assert.ok(text.includes('Flows added (1)'), text);
});

test.run();
