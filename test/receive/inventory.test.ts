/**
 * The receiver's inventory and store without a server: pushes applied in
 * order, sensors kept apart by name and network, and the NDJSON store's
 * records replayed into the same inventory after a reopen.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inventory } from '../../src/receive/inventory.js';
import { PushStore } from '../../src/receive/store.js';
import { validatePush } from '../../src/receive/validate.js';
import type { JsonObject, PushDocument } from '../../src/push/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'nps-inventory-'));

function doc(sensor: string, network: string, sequence: number, parts: Partial<PushDocument>): PushDocument {
  return {
    schema: 'nps.push/v1',
    generator: { name: 'nps', version: 't' },
    sensor: { name: sensor, network },
    sequence,
    idempotency_key: `${sensor}/${network}/${sequence}`,
    interval: { start: `2026-01-01T00:0${sequence - 1}:00.000000Z`, end: `2026-01-01T00:0${sequence}:00.000000Z` },
    final: false,
    new_assets: [],
    changed_assets: [],
    removed_assets: [],
    flows: [],
    ...parts,
  };
}

const row = (interval: string, server: string, n: number, first: string, last: string): JsonObject => ({
  interval_start: interval,
  interval_end: interval.replace('T00', 'T01'),
  client: 'c',
  client_ip: null,
  server,
  server_ip: null,
  server_port: 1,
  protocol: 'udp',
  ip_version: 4,
  application: 'x',
  family: 'y',
  connections: n,
  client_packets: n,
  server_packets: n,
  client_bytes: n,
  server_bytes: n,
  first_seen: first,
  last_seen: last,
});

test('sensors by name then network; removed assets dropped; flows sorted by interval then key', () => {
  const inv = new Inventory();
  inv.apply(doc('b', 'n1', 1, { new_assets: [{ id: 'ip:10.0.0.2', ips: ['10.0.0.2'] }, { id: 'ip:10.0.0.1', ips: ['10.0.0.1'] }] }));
  inv.apply(doc('a', 'n2', 1, { flows: [row('2026-01-01T00:30:00.000000Z', 's1', 1, '2026-01-01T00:30:01.000000Z', '2026-01-01T00:30:02.000000Z')] }));
  inv.apply(doc('a', 'n1', 1, {}));
  inv.apply(doc('b', 'n1', 2, { removed_assets: ['ip:10.0.0.2'], changed_assets: [{ id: 'ip:10.0.0.1', ips: ['10.0.0.1', '10.0.0.9'] }], final: true }));
  inv.apply(
    doc('a', 'n2', 2, {
      flows: [
        row('2026-01-01T00:00:00.000000Z', 's2', 5, '2026-01-01T00:00:01.000000Z', '2026-01-01T00:00:02.000000Z'),
        row('2026-01-01T00:30:00.000000Z', 's1', 2, '2026-01-01T00:30:05.000000Z', '2026-01-01T00:30:01.500000Z'),
      ],
    }),
  );
  const d = inv.toDocument();
  assert.equal(d.sensors.map((s) => `${s.name}/${s.network}`), ['a/n1', 'a/n2', 'b/n1']);
  assert.is(inv.pushes, 5);
  assert.is(inv.sensorCount, 3);
  const b = d.sensors[2]!;
  assert.equal(b.assets, [{ id: 'ip:10.0.0.1', ips: ['10.0.0.1', '10.0.0.9'] }]);
  assert.is(b.final_seen, true);
  assert.is(b.last_sequence, 2);
  const a2 = d.sensors[1]!;
  assert.equal(a2.flows.map((f) => [f.server, f.connections]), [['s2', 5], ['s1', 3]]);
  // first_seen is the minimum, last_seen the maximum, whatever the order of pushes.
  assert.is(a2.flows[1]!.first_seen, '2026-01-01T00:30:01.000000Z');
  assert.is(a2.flows[1]!.last_seen, '2026-01-01T00:30:02.000000Z');
  assert.is(d.sensors[0]!.pushes, 1);
  assert.equal(d.sensors[0]!.assets, []);
});

test('the inventory does not alias the pushed documents', () => {
  const inv = new Inventory();
  const asset: JsonObject = { id: 'ip:10.0.0.1', ips: ['10.0.0.1'] };
  inv.apply(doc('s', 'n', 1, { new_assets: [asset] }));
  inv.apply(doc('s', 'n', 2, { changed_assets: [{ id: 'ip:10.0.0.1', hostnames: ['h'] }] }));
  assert.equal(asset, { id: 'ip:10.0.0.1', ips: ['10.0.0.1'] });
});

test('the store replays its records in order into an equal inventory after a reopen', () => {
  const dir = join(tmp, 'store');
  const live = new Inventory();
  const s = PushStore.open(dir);
  const docs = [doc('s', 'n', 1, { new_assets: [{ id: 'ip:10.0.0.1', ips: [] }] }), doc('s', 'n', 2, { changed_assets: [{ id: 'ip:10.0.0.1', ips: ['10.0.0.1'] }] })];
  for (const d of docs) {
    assert.not.ok(s.has(d.idempotency_key));
    s.append(d);
    live.apply(d);
    assert.ok(s.has(d.idempotency_key));
  }
  assert.throws(() => s.append(docs[0]!), /already stored/);
  s.close();
  s.close();
  const text = readFileSync(join(dir, 'pushes.ndjson'), 'utf8');
  assert.is(text.split('\n').length, 3);
  assert.ok(text.endsWith('\n'));
  const again = new Inventory();
  const r = PushStore.open(dir, { readOnly: true, onRecord: (rec) => again.apply(rec.document) });
  assert.is(r.count, 2);
  r.close();
  assert.equal(again.toDocument(), live.toDocument());
});

test('validatePush defaults removed_assets and reports paths', () => {
  const d = doc('s', 'n', 1, {}) as Partial<PushDocument>;
  delete d.removed_assets;
  const ok = validatePush(JSON.parse(JSON.stringify(d)));
  assert.ok(ok.ok);
  if (ok.ok) assert.equal(ok.doc.removed_assets, []);
  const bad = validatePush({ ...d, sequence: 0, flows: [{}] });
  assert.not.ok(bad.ok);
  if (!bad.ok) {
    assert.ok(bad.errors.some((e) => e.path === '/sequence'));
    assert.ok(bad.errors.some((e) => e.path === '/flows/0'));
    assert.ok(bad.errors.length <= 10);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
