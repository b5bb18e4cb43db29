// `nps analyze` in-process through main(argv, io) with fake streams: usage
// errors, help, the three formats, colours, -o, --deterministic, --internal,
// -c, --strict/--quiet on a damaged file. Stdin is checked through the built
// binary with the capture piped in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pcapBytes } from '../../src/capture/writer.js';
import { main } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { ensureBuilt, fakeIO, runBin, TextSink, type FakeIO } from '../helpers/cli-run.js';
import { HOST, variedTraffic } from '../helpers/traffic.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

const packets = variedTraffic();
let tmp = '';
let cap = '';
let damaged = '';

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-cli-'));
  cap = join(tmp, 'traffic.pcap');
  const bytes = pcapBytes(packets);
  writeFileSync(cap, bytes);
  damaged = join(tmp, 'damaged.pcap');
  writeFileSync(damaged, bytes.subarray(0, bytes.length - 10)); // the last record loses 10 bytes
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function run(argv: string[], o: Parameters<typeof fakeIO>[0] = {}): Promise<{ code: number; io: FakeIO }> {
  const io = fakeIO(o);
  const code = await main(argv, io);
  return { code, io };
}

type Doc = {
  schema: string;
  generated_at?: string;
  capture: { packets: number; files: { path: string; packets: number }[] };
  assets: { ips: string[] }[];
  flows: { client: string; server: string; server_ip: string | null; server_port: number; protocol: string }[];
  warnings: { code: string }[];
};

test('analyze with no capture → exit 2, a message on stderr, nothing on stdout', async () => {
  const { code, io } = await run(['analyze']);
  assert.is(code, 2);
  assert.is(io.stdout.text, '');
  assert.match(io.stderr.text, /no capture given/);
  assert.match(io.stderr.text, /^nps: /);
});

test('analyze --help → exit 0 and mentions every option', async () => {
  const { code, io } = await run(['analyze', '--help']);
  assert.is(code, 0);
  const help = io.stdout.text;
  for (const flag of ['-r, --read', '-f, --format', '-o, --output', '-c, --count', '--internal', '--deterministic', '--strict', '--no-progress', '-q, --quiet', '-h, --help']) {
    assert.ok(help.includes(flag), `help lacks ${flag}`);
  }
  for (const f of ['table', 'json', 'ndjson']) assert.ok(help.includes(f), `help lacks format ${f}`);
  assert.match(help, /Exit codes/);
  // and every option commander knows about
  const analyze = buildProgram(fakeIO(), { code: 0 }).commands.find((c) => c.name() === 'analyze')!;
  assert.ok(analyze.options.length >= 9);
  for (const opt of analyze.options) assert.ok(help.includes(opt.long!), `help lacks ${opt.long}`);
});

test('nps --help lists analyze; --version prints the version', async () => {
  const h = await run(['--help']);
  assert.is(h.code, 0);
  assert.match(h.io.stdout.text, /analyze/);
  const v = await run(['--version']);
  assert.is(v.code, 0);
  assert.match(v.io.stdout.text, /^\d+\.\d+\.\d+/);
});

test('-f json: parses, schema nps.report/v1, the packets and flows written', async () => {
  const { code, io } = await run(['analyze', '-f', 'json', cap]);
  assert.is(code, 0, io.stderr.text);
  assert.is(io.stderr.text, '');
  const doc = JSON.parse(io.stdout.text) as Doc;
  assert.is(doc.schema, 'nps.report/v1');
  assert.is(doc.capture.packets, packets.length);
  assert.is(doc.capture.files[0]!.path, cap);
  const http = doc.flows.find((f) => f.server_port === 80 && f.protocol === 'tcp');
  assert.ok(http);
  assert.is(http!.client, HOST.client);
  assert.is(http!.server, HOST.web);
});

test('default format: json on a pipe, table on a terminal', async () => {
  const pipe = await run(['analyze', cap]);
  assert.is(pipe.code, 0);
  assert.is((JSON.parse(pipe.io.stdout.text) as Doc).schema, 'nps.report/v1');
  const tty = await run(['analyze', cap], { stdoutTTY: true, columns: 80, env: { NO_COLOR: '1' } });
  assert.is(tty.code, 0);
  assert.match(tty.io.stdout.text, /^Assets \(\d+\)/);
});

test('-f ndjson: every line parses and has a type, summary first, one line per asset and flow', async () => {
  const { code, io } = await run(['analyze', '-f', 'ndjson', '--deterministic', cap]);
  assert.is(code, 0);
  assert.ok(io.stdout.text.endsWith('\n'));
  const lines = io.stdout.text.trimEnd().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
  for (const r of recs) assert.ok(['summary', 'asset', 'flow', 'traffic', 'warning', 'merge'].includes(r.type), r.type);
  assert.is(recs[0]!.type, 'summary');
  assert.is(recs.filter((r) => r.type === 'summary').length, 1);
  assert.is(recs[0]!.schema, 'nps.report/v1');
  assert.is((recs[0]!.capture as { packets: number }).packets, packets.length);
  const json = JSON.parse((await run(['analyze', '-f', 'json', '--deterministic', cap])).io.stdout.text) as Doc;
  assert.is(recs.filter((r) => r.type === 'asset').length, json.assets.length);
  assert.is(recs.filter((r) => r.type === 'flow').length, json.flows.length);
  assert.ok(json.flows.length >= 10);
});

test('-f table on a TTY, NO_COLOR=1: Assets header, no ANSI escapes', async () => {
  const { code, io } = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 80, env: { NO_COLOR: '1' } });
  assert.is(code, 0);
  const out = io.stdout.text;
  // 11 hosts, and the switch that sends the ERSPAN mirror (a tunnel endpoint).
  assert.match(out, /^Assets \(12\)$/m);
  assert.match(out, /^Flows \(12 rows\)$/m);
  assert.not.match(out, ANSI);
  assert.match(out, new RegExp(`^${packets.length} packets`, 'm'));
});

test('-f table on a TTY, FORCE_COLOR=1: ANSI escapes; NO_COLOR wins over FORCE_COLOR', async () => {
  const c = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 80, env: { FORCE_COLOR: '1' } });
  assert.is(c.code, 0);
  assert.match(c.io.stdout.text, ANSI);
  assert.match(stripAnsi(c.io.stdout.text), /^Assets \(\d+\)/m);
  const both = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 80, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
  assert.not.match(both.io.stdout.text, ANSI);
  // a plain TTY colours by default; a pipe does not
  const tty = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 80 });
  assert.match(tty.io.stdout.text, ANSI);
  const pipe = await run(['analyze', '-f', 'table', cap]);
  assert.not.match(pipe.io.stdout.text, ANSI);
});

/** The Assets section of a table (up to the blank line before Flows). */
const assetSection = (out: string): string => out.slice(0, out.indexOf('\nFlows ('));

test('-f table: every line fits the terminal (80 and 60 columns) (SPEC 6.1: widths fit the terminal)', async () => {
  for (const columns of [80, 60]) {
    const { io } = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns, env: { NO_COLOR: '1' } });
    const wide = io.stdout.text.split('\n').filter((l) => l.length > columns);
    assert.equal(wide, [], `lines wider than ${columns} columns`);
  }
  const wide = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 200, env: { NO_COLOR: '1' } });
  assert.ok(Math.max(...wide.io.stdout.text.split('\n').map((l) => l.length)) > 80, 'a wide terminal gets wider columns');
});

test('-f table at 80 columns: the asset IP addresses are shown in full', async () => {
  const { io } = await run(['analyze', '-f', 'table', cap], { stdoutTTY: true, columns: 80, env: { NO_COLOR: '1' } });
  const assets = assetSection(io.stdout.text);
  for (const ip of [HOST.client, HOST.web, HOST.dns, HOST.v6a, HOST.v6b, HOST.vlanA]) assert.ok(assets.includes(ip), `${ip} not in the Assets table:\n${assets}`);
});

test('-o FILE writes the report there and prints nothing on stdout', async () => {
  const out = join(tmp, 'report.json');
  const { code, io } = await run(['analyze', '-o', out, '--deterministic', cap], { stdoutTTY: true, columns: 80 });
  assert.is(code, 0, io.stderr.text);
  assert.is(io.stdout.text, '');
  assert.ok(existsSync(out));
  const doc = JSON.parse(readFileSync(out, 'utf8')) as Doc; // -o without -f: json even on a terminal
  assert.is(doc.capture.packets, packets.length);
  const table = join(tmp, 'report.txt');
  const t = await run(['analyze', '-f', 'table', '-o', table, cap], { stdoutTTY: true, columns: 80, env: { FORCE_COLOR: '1' } });
  assert.is(t.code, 0);
  assert.is(t.io.stdout.text, '');
  const text = readFileSync(table, 'utf8');
  assert.match(text, /^Assets/);
  assert.not.match(text, ANSI, 'no colour in a file');
});

test('-o into a missing directory → exit 3 with a message naming the path', async () => {
  const out = join(tmp, 'no', 'such', 'dir', 'r.json');
  const { code, io } = await run(['analyze', '-o', out, cap]);
  assert.is(code, 3);
  assert.ok(io.stderr.text.includes(out), io.stderr.text);
});

test('--deterministic: byte-identical runs without generated_at; without it generated_at is present', async () => {
  const a = await run(['analyze', '-f', 'json', '--deterministic', cap]);
  await new Promise((r) => setTimeout(r, 5));
  const b = await run(['analyze', '-f', 'json', '--deterministic', cap]);
  assert.is(a.io.stdout.text, b.io.stdout.text);
  assert.not.ok('generated_at' in (JSON.parse(a.io.stdout.text) as Doc));
  assert.not.ok(a.io.stdout.text.includes('generated_at'));
  const c = await run(['analyze', '-f', 'json', cap]);
  const doc = JSON.parse(c.io.stdout.text) as Doc;
  assert.type(doc.generated_at, 'string');
  assert.match(doc.generated_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.ok(Math.abs(Date.parse(doc.generated_at!) - Date.now()) < 60_000);
});

test('--internal 0.0.0.0/0 shows public servers as IPs; the default shows External', async () => {
  const def = JSON.parse((await run(['analyze', '-f', 'json', cap])).io.stdout.text) as Doc;
  const https = def.flows.find((f) => f.server_port === 443)!;
  assert.is(https.server, 'External');
  assert.not.ok(def.flows.some((f) => f.server === HOST.publicWeb));
  assert.not.ok(def.assets.some((a) => a.ips.includes(HOST.publicWeb)));

  const all = JSON.parse((await run(['analyze', '-f', 'json', '--internal', '0.0.0.0/0', cap])).io.stdout.text) as Doc;
  const https2 = all.flows.find((f) => f.server_port === 443)!;
  assert.is(https2.server, HOST.publicWeb);
  assert.is(all.flows.find((f) => f.server_port === 123)!.server, '198.51.100.7');
  assert.ok(all.assets.some((a) => a.ips.includes(HOST.publicWeb)));

  // a list of ranges, comma separated and repeated
  const some = JSON.parse((await run(['analyze', '-f', 'json', '--internal', '192.168.0.0/16,fd00::/8', '--internal', '93.184.216.0/24', cap])).io.stdout.text) as Doc;
  assert.is(some.flows.find((f) => f.server_port === 443)!.server, HOST.publicWeb);
  assert.is(some.flows.find((f) => f.server_port === 123)!.server, 'External');
  assert.not.ok(some.assets.some((a) => a.ips.includes('10.10.0.5')), '10/8 is no longer internal');
});

test('--internal nonsense → exit 2 naming the bad range', async () => {
  const { code, io } = await run(['analyze', '--internal', 'nonsense', cap]);
  assert.is(code, 2);
  assert.is(io.stdout.text, '');
  assert.match(io.stderr.text, /"nonsense"/);
  const half = await run(['analyze', '--internal', '10.0.0.0/8,10.0.0.0/33', cap]);
  assert.is(half.code, 2);
});

test('usage errors → exit 2: bad format, bad count, unknown option, stdin twice', async () => {
  for (const argv of [
    ['analyze', '-f', 'xml', cap],
    ['analyze', '-c', '0', cap],
    ['analyze', '-c', 'ten', cap],
    ['analyze', '--no-such-option', cap],
    ['analyze', '-', '-'],
    ['frobnicate'],
  ]) {
    const { code, io } = await run(argv);
    assert.is(code, 2, argv.join(' '));
    assert.is(io.stdout.text, '', argv.join(' '));
    assert.ok(io.stderr.text.length > 0, argv.join(' '));
  }
});

test('-c 5 → 5 packets; -r is an alias for the capture argument', async () => {
  const c = JSON.parse((await run(['analyze', '-f', 'json', '-c', '5', cap])).io.stdout.text) as Doc;
  assert.is(c.capture.packets, 5);
  const r = JSON.parse((await run(['analyze', '-f', 'json', '-r', cap])).io.stdout.text) as Doc;
  assert.is(r.capture.packets, packets.length);
  // -c counts over all captures
  const two = JSON.parse((await run(['analyze', '-f', 'json', '-c', String(packets.length + 3), cap, cap])).io.stdout.text) as Doc;
  assert.is(two.capture.packets, packets.length + 3);
  assert.is(two.capture.files.length, 2);
  assert.is(two.capture.files[1]!.packets, 3);
});

test('a missing file → exit 3 naming it; a non-capture → exit 3', async () => {
  const missing = join(tmp, 'nope.pcap');
  const m = await run(['analyze', missing]);
  assert.is(m.code, 3);
  assert.ok(m.io.stderr.text.includes(missing));
  assert.is(m.io.stdout.text, '');
  const text = join(tmp, 'notes.txt');
  writeFileSync(text, 'hello, this is not a capture\n');
  const t = await run(['analyze', text]);
  assert.is(t.code, 3);
  assert.is(t.io.stderr.text.trimEnd().split('\n').length, 1);
  assert.ok(t.io.stderr.text.includes(text));
});

test('a damaged capture: exit 0 with a warning; --strict exit 1; --quiet silences stderr', async () => {
  const d = await run(['analyze', '-f', 'json', damaged]);
  assert.is(d.code, 0);
  const doc = JSON.parse(d.io.stdout.text) as Doc;
  assert.is(doc.capture.packets, packets.length - 1);
  assert.ok(doc.warnings.some((w) => w.code === 'truncated-capture'));
  assert.match(d.io.stderr.text, /^nps: warning: /m);
  assert.ok(d.io.stderr.text.includes(damaged));
  assert.not.match(d.io.stderr.text, ANSI);
  const s = await run(['analyze', '-f', 'json', '--strict', damaged]);
  assert.is(s.code, 1);
  assert.is((JSON.parse(s.io.stdout.text) as Doc).capture.packets, packets.length - 1);
  const q = await run(['analyze', '-f', 'json', '--quiet', '--strict', damaged], { stderrTTY: true });
  assert.is(q.code, 1);
  assert.is(q.io.stderr.text, '');
  // --strict on a clean capture is still 0
  assert.is((await run(['analyze', '-f', 'json', '--strict', cap])).code, 0);
});

test('progress goes to a TTY stderr only, and never to stdout', async () => {
  const { code, io } = await run(['analyze', '-f', 'json', cap], { stderrTTY: true, env: { NO_COLOR: '1' } });
  assert.is(code, 0);
  assert.is((JSON.parse(io.stdout.text) as Doc).capture.packets, packets.length);
  const np = await run(['analyze', '-f', 'json', '--no-progress', cap], { stderrTTY: true });
  assert.is(np.io.stderr.text, '');
  const q = await run(['analyze', '-f', 'json', '--quiet', cap], { stderrTTY: true });
  assert.is(q.io.stderr.text, '');
});

test('stdin (-) through the built binary: same report as the file', () => {
  ensureBuilt();
  const bytes = readFileSync(cap);
  const r = runBin(['analyze', '-f', 'json', '--deterministic', '-'], bytes);
  assert.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.is(doc.capture.packets, packets.length);
  assert.is(doc.capture.files[0]!.path, '-');
  const f = runBin(['analyze', '-f', 'json', '--deterministic', cap]);
  const norm = (s: string, p: string): string => s.split(JSON.stringify(p)).join('"X"');
  assert.is(norm(r.stdout, '-'), norm(f.stdout, cap));
  // gzip on stdin too
  const g = runBin(['analyze', '-f', 'json', '--deterministic', '-'], gzipSync(bytes));
  assert.is(g.status, 0, g.stderr);
  assert.is((JSON.parse(g.stdout) as Doc).capture.packets, packets.length);
  // empty stdin → exit 3
  const e = runBin(['analyze', '-'], Buffer.alloc(0));
  assert.is(e.status, 3);
  assert.match(e.stderr, /stdin/);
});

test('TextSink collects text (helper self-check)', () => {
  const s = new TextSink({ isTTY: true, columns: 42 });
  s.write('a');
  s.write(Buffer.from('b'));
  assert.is(s.text, 'ab');
  assert.is(s.columns, 42);
});

test.run();
