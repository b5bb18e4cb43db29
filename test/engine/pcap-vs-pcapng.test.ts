// The same traffic written as pcap (µs, ns, big-endian), pcapng (tsresol 6,
// tsresol 9, two sections with different resolutions and byte orders) and
// gzip-compressed pcap must give the same report, byte for byte, once the
// fields that describe the file itself (capture.files[*].format / bytes /
// gzip) are normalised. Real shared captures converted with editcap too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LINKTYPE, memorySink, pcapBytes, pcapngBytes, PcapngWriter, type WriterPacket } from '../../src/capture/writer.js';
import type { Report } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { HOST, variedTraffic } from '../helpers/traffic.js';

const packets = variedTraffic();
let tmp = '';

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-fmt-'));
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The report with what describes the file itself normalised; `path` replaced by a placeholder everywhere. */
function normalised(r: Report, path: string, opts: { gzip?: boolean } = {}): string {
  const copy = JSON.parse(JSON.stringify(r)) as Report;
  for (const f of (copy.capture as { files: Record<string, unknown>[] }).files) {
    assert.ok(f.format === 'pcap' || f.format === 'pcapng');
    assert.ok(typeof f.bytes === 'number' && f.bytes > 0);
    if (opts.gzip !== undefined) assert.is(f.gzip, opts.gzip);
    f.format = 'X';
    f.bytes = 0;
    f.gzip = false;
  }
  return stableStringify(copy).split(path).join('CAPTURE');
}

async function reportOf(name: string, bytes: Buffer, gzip = false): Promise<{ report: Report; text: string }> {
  // the same path for every variant: file paths appear in the report
  const path = join(tmp, 'capture');
  writeFileSync(path, bytes);
  const { report } = await analyzeFiles([path]);
  const fmt = (report.capture as { files: { format: string }[] }).files[0]!.format;
  assert.is(fmt, name.startsWith('pcapng') ? 'pcapng' : 'pcap', name);
  return { report, text: normalised(report, path, { gzip }) };
}

function twoSections(): Buffer {
  const sink = memorySink();
  const w = new PcapngWriter(sink, { shb: { userappl: 'nps test', os: 'Linux' } });
  w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 6, explicitTsresol: true, name: 'eth0' });
  const third = Math.floor(packets.length / 3);
  packets.slice(0, third).forEach((p) => w.writePacket(p));
  w.newSection({ bigEndian: true });
  w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9, name: 'eth1' });
  packets.slice(third).forEach((p: WriterPacket) => w.writePacket(p));
  w.close();
  return sink.bytes();
}

const variants: [string, () => Buffer, boolean?][] = [
  ['pcap-ns', () => pcapBytes(packets, { nanosecond: true })],
  ['pcap-big-endian', () => pcapBytes(packets, { bigEndian: true })],
  ['pcapng-tsresol6', () => pcapngBytes(packets, { linkType: LINKTYPE.ETHERNET })],
  ['pcapng-tsresol9', () => pcapngBytes(packets, { linkType: LINKTYPE.ETHERNET, tsresol: 9 })],
  ['pcapng-two-sections', twoSections],
  ['pcap-gzip', () => gzipSync(pcapBytes(packets)), true],
  ['pcapng-gzip', () => gzipSync(twoSections()), true],
];

let baseline: { report: Report; text: string } | undefined;

test('baseline pcap (µs) report has the traffic that was written', async () => {
  baseline = await reportOf('pcap-us', pcapBytes(packets));
  const r = baseline.report;
  const cap = r.capture as Record<string, unknown>;
  assert.is(cap.packets, packets.length);
  assert.is(cap.bytes, packets.reduce((s, p) => s + p.data.length, 0));
  assert.equal(r.warnings, []);
  const key = (f: Record<string, unknown>): string => `${String(f.client)}>${String(f.server)}:${String(f.server_port)}/${String(f.protocol)}`;
  const flows = r.flows.map(key);
  for (const want of [
    `${HOST.client}>${HOST.web}:80/tcp`,
    `${HOST.client}>${HOST.dns}:53/udp`,
    `${HOST.v6a}>${HOST.v6b}:22/tcp`,
    `${HOST.client}>External:443/tcp`,
    `${HOST.client}>${HOST.dns}:8/icmp`,
    '10.20.0.5>10.20.0.6:161/udp',
    '10.30.0.5>10.30.0.6:502/tcp', // inside ERSPAN II/III
  ]) {
    assert.ok(flows.includes(want), `${want} not in ${flows.join(' ')}`);
  }
  const modbus = r.flows.find((f) => f.server_port === 502)!;
  assert.is(modbus.connections, 1);
  assert.is((modbus.client_packets as number) + (modbus.server_packets as number), 9);
  const qinq = r.assets.find((a) => (a.ips as string[]).includes('10.20.0.6'))!;
  assert.is(qinq.vlan, 300, 'QinQ: the inner (customer) VLAN');
  const ips = r.assets.flatMap((a) => a.ips as string[]);
  assert.not.ok(ips.includes(HOST.publicWeb), 'a public address is not an inventoried asset by default');
  // sub-millisecond timestamps survive (ns and tsresol 9 variants must round to the same µs)
  assert.match(String(cap.last_ts), /^2023-11-14T22:13:20\.\d{6}Z$/);
  assert.not.match(String(cap.last_ts), /000Z$/);
});

for (const [name, make, gz] of variants) {
  test(`${name} gives the same report as pcap (µs)`, async () => {
    assert.ok(baseline, 'baseline ran');
    const v = await reportOf(name, make(), gz === true);
    const files = (v.report.capture as { files: { gzip: boolean }[] }).files;
    assert.is(files[0]!.gzip, gz === true);
    assert.fixture(v.text, baseline!.text);
  });
}

test('the comparison notices a difference (one packet less)', async () => {
  const v = await reportOf('pcapng-short', pcapngBytes(packets.slice(0, -1), { linkType: LINKTYPE.ETHERNET }));
  assert.is.not(v.text, baseline!.text);
});

// ---- real captures converted by editcap ------------------------------------

const REAL = ['zeek/http/get.pcap', 'zeek/erspanII.pcap', 'zeek/http-qinq-0.pcap', 'zeek/dns53.pcap', 'zeek/ssh/ssh.pcap'];

if (!haveShared()) {
  skip('../shared/captures is absent: editcap comparison not run');
} else if (!haveTool('editcap')) {
  skip('editcap not installed: real captures not converted to pcapng');
} else {
  const picked = REAL.map((r) => join(sharedCaptures, r))
    .filter((p) => existsSync(p) && statSync(p).size < 4 << 20)
    .slice(0, 3);
  if (picked.length === 0) skip('none of the chosen shared captures is present');
  for (const src of picked) {
    test(`editcap -F pcapng ${basename(src)}: same report as the pcap`, async () => {
      const a = await analyzeFiles([src]);
      const aFile = (a.report.capture as { files: { format: string }[] }).files[0]!;
      assert.is(aFile.format, 'pcap');
      assert.ok((a.report.capture as { packets: number }).packets > 0);
      const out = join(tmp, `${basename(src)}.pcapng`);
      const r = spawnSync('editcap', ['-F', 'pcapng', src, out], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      const b = await analyzeFiles([out]);
      assert.is((b.report.capture as { files: { format: string }[] }).files[0]!.format, 'pcapng');
      assert.fixture(normalised(b.report, out), normalised(a.report, src));
    });
  }
}

test.run();
