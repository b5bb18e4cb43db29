/**
 * The OT sample (samples/ot-cell.pcapng): the generator rebuilds it byte for
 * byte, its report equals the committed expected report, and that report
 * shows each controller with vendor, model, firmware and role, and the
 * industrial flows under the Industrial family.
 * After an intended change: `npm run sample:ot`, then review the diff of
 * samples/expected/ot-cell.json.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcapngBytes } from '../../src/capture/writer.js';
import { LINKTYPE } from '../../src/capture/builder.js';
import { OT_SAMPLE, otCellPackets } from '../../scripts/make-ot-sample.js';
import { runBin } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';
import { reportSchemaErrors } from '../helpers/schema.js';

const EXPECTED = 'samples/expected/ot-cell.json';

test('the generator rebuilds the committed capture byte for byte', () => {
  const built = pcapngBytes(otCellPackets(), { linkType: LINKTYPE.ETHERNET });
  const committed = readFileSync(join(projectRoot, OT_SAMPLE));
  assert.ok(built.equals(committed), 'samples/ot-cell.pcapng differs from what scripts/make-ot-sample.ts builds: run npm run sample:ot');
});

function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  expected: ${y[i] ?? '(end)'}\n  actual:   ${x[i] ?? '(end)'}`;
  }
  return '';
}

test('the report equals samples/expected/ot-cell.json', () => {
  const r = runBin(['analyze', '-q', '--deterministic', '-f', 'json', OT_SAMPLE]);
  assert.is(r.status, 0, r.stderr);
  const expected = readFileSync(join(projectRoot, EXPECTED), 'utf8');
  assert.ok(r.stdout === expected, `report differs from ${EXPECTED} (npm run sample:ot refreshes it):\n${firstDifference(r.stdout, expected)}`);
});

type Asset = { ips: string[]; hostnames: string[]; device: { type: string | null; vendor: string | null; model: string | null; firmware: string | null; serial: string | null; roles: string[] } | null };

test('each controller shows vendor, model, firmware and role; ICS flows are Industrial', () => {
  const report = JSON.parse(readFileSync(join(projectRoot, EXPECTED), 'utf8')) as { assets: Asset[]; traffic: { application: string; family: string }[]; flows: { application: string; family: string }[] };
  assert.equal(reportSchemaErrors(report as never), []);
  const by = (ip: string) => report.assets.find((a) => a.ips.includes(ip))!.device!;
  const plc = by('10.20.0.10');
  assert.equal([plc.vendor, plc.model, plc.firmware], ['Schneider Electric', 'BMX P34 2020', 'v3.10']);
  assert.ok(plc.roles.includes('modbus-server'));
  const s7 = by('10.20.0.20');
  assert.equal([s7.type, s7.vendor, s7.model, s7.firmware, s7.serial], ['industrial controller', 'Siemens', '6ES7 315-2EH14-0AB0', 'V3.2.6', 'S C-X4U421302009']);
  assert.ok(s7.roles.includes('s7-server'));
  const bacnet = by('10.20.0.30');
  assert.equal([bacnet.type, bacnet.model, bacnet.firmware], ['building controller', 'FX-PCG2611', '10.2.3']);
  assert.ok(bacnet.roles.includes('bacnet-device'));
  const enip = by('10.20.0.40');
  assert.equal([enip.type, enip.vendor, enip.model, enip.firmware], ['industrial controller', 'Rockwell Automation/Allen-Bradley', '1756-L73/B LOGIX5573', '31.11']);
  assert.ok(enip.roles.includes('enip-adapter'));
  const io = by('10.20.0.60');
  assert.equal([io.type, io.vendor, io.model], ['field device', 'Siemens', 'ET 200SP']);
  assert.ok(io.roles.includes('profinet-device'));
  const hmi = by('10.20.0.50');
  assert.is(hmi.type, 'hmi/engineering station');
  for (const app of ['Modbus', 'S7comm', 'BACnet', 'EtherNet/IP', 'OPC-UA']) {
    assert.ok(report.flows.some((f) => f.application === app && f.family === 'Industrial'), `flow ${app}`);
    assert.ok(report.traffic.some((t) => t.application === app && t.family === 'Industrial'), `traffic ${app}`);
  }
});

test.run();
