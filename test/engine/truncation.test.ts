// A small capture built in code (HTTP session, DNS, ARP, VLAN, IPv6 ND,
// IPv6 UDP) is cut at every byte offset, as pcap and as pcapng, and analysed
// through the stream reader (one chunk and 7-byte chunks) and the file reader.
// It must never throw (but CaptureOpenError while the file header is
// incomplete); a cut inside a record gives a truncated-capture warning naming
// that record, a cut at a record boundary gives none; in both cases the
// report is the one of a clean capture of the complete records before the cut.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureOpenError, readCapture, readCaptureStream } from '../../src/capture/reader.js';
import type { CaptureInfo } from '../../src/capture/frame.js';
import { LINKTYPE, memorySink, pcapBytes, PcapngWriter, type WriterPacket } from '../../src/capture/writer.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { HOST, pcapBoundaries, pcapngBlocks, smallTraffic, T0 } from '../helpers/traffic.js';

const NAME = 'cut.cap';
const packets = smallTraffic();
const N = packets.length;

/** Engine with small tables (the default flow table costs ~6 ms to allocate; thousands of runs here). */
const newEngine = (): Engine => new Engine({ flows: { maxFlows: 256 } });

type Source = 'stream' | 'chunks' | 'file';
let tmp = '';

async function analyse(bytes: Buffer, how: Source): Promise<{ report: Report; info: CaptureInfo } | CaptureOpenError> {
  const engine = newEngine();
  let info: CaptureInfo;
  try {
    if (how === 'file') {
      const path = join(tmp, NAME);
      writeFileSync(path, bytes);
      info = await readCapture(path, (f) => engine.frame(f));
    } else {
      const chunks: Buffer[] = [];
      if (how === 'stream') chunks.push(bytes);
      else for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
      info = await readCaptureStream(Readable.from(chunks), NAME, (f) => engine.frame(f));
    }
  } catch (e) {
    if (e instanceof CaptureOpenError) return e;
    throw e;
  }
  engine.addProblems(NAME, info.problems);
  const report = buildReport(engine, [{ path: NAME, info }], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  return { report, info };
}

/** What must not depend on how (or where) the capture ended: everything but the file record and the warnings. */
function content(r: Report): string {
  const { capture, warnings: _w, ...rest } = r;
  const { files: _f, ...cap } = capture as Record<string, unknown>;
  return stableStringify({ ...rest, capture: cap });
}

/** Reference content for a clean capture of the first k packets. */
const reference: string[] = [];

test.before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-trunc-'));
  for (let k = 0; k <= N; k++) {
    const r = await analyse(pcapBytes(packets.slice(0, k)), 'stream');
    assert.ok(!(r instanceof CaptureOpenError));
    reference.push(content(r.report));
  }
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the capture is what the test thinks it is', async () => {
  assert.ok(N >= 18 && N <= 24, `${N} packets`);
  const r = await analyse(pcapBytes(packets), 'stream');
  assert.ok(!(r instanceof CaptureOpenError));
  const rep = r.report;
  const cap = rep.capture as Record<string, unknown>;
  assert.is(cap.packets, N);
  assert.is(cap.bytes, packets.reduce((s, p) => s + p.data.length, 0));
  assert.is(cap.first_ts, '2023-11-14T22:13:20.000000Z');
  assert.equal(rep.warnings, []);
  const flows = rep.flows.map((f) => `${String(f.client)}>${String(f.server)}:${String(f.server_port)}/${String(f.protocol)}`);
  assert.ok(flows.includes(`${HOST.client}>${HOST.web}:80/tcp`), flows.join(' '));
  assert.ok(flows.includes(`${HOST.client}>${HOST.dns}:53/udp`), flows.join(' '));
  assert.ok(flows.includes(`${HOST.vlanA}>${HOST.vlanB}:5000/udp`), flows.join(' '));
  assert.ok(flows.includes(`${HOST.v6a}>${HOST.v6b}:7000/udp`), flows.join(' '));
  const http = rep.flows.find((f) => f.server_port === 80)!;
  assert.is(http.application, 'HTTP');
  assert.is(http.connections, 1);
  assert.is((http.client_packets as number) + (http.server_packets as number), 9);
  const vlanB = rep.assets.find((a) => (a.ips as string[]).includes(HOST.vlanB))!;
  assert.is(vlanB.vlan, 100);
  const v6b = rep.assets.find((a) => (a.ips as string[]).includes(HOST.v6b))!;
  assert.is(v6b.mac, '00:16:3e:00:60:20');
  const dns = rep.assets.find((a) => (a.ips as string[]).includes(HOST.dns))!;
  assert.is(dns.mac, '00:16:3e:00:00:01');
  // every clean prefix gives a different report: a wrong packet count cannot go unnoticed
  assert.is(new Set(reference).size, N + 1);
});

interface Layout {
  bytes: Buffer;
  /** Bytes needed before the file can be opened at all. */
  headerEnd: number;
  /** Record (block) boundaries after the header, and the number of packets complete at each. */
  boundaries: Map<number, number>;
}

function pcapLayout(): Layout {
  const bytes = pcapBytes(packets);
  const b = pcapBoundaries(bytes);
  return { bytes, headerEnd: 24, boundaries: new Map(b.map((off, i) => [off, i])) };
}

/** Two sections: the first (tsresol 6) with the first half of the packets, the second (tsresol 9) with the rest. */
function pcapngLayout(): Layout {
  const sink = memorySink();
  const w = new PcapngWriter(sink, { shb: { userappl: 'nps truncation test' } });
  w.addInterface({ linkType: LINKTYPE.ETHERNET, name: 'eth0' });
  const half = N >> 1;
  packets.slice(0, half).forEach((p) => w.writePacket(p));
  w.newSection();
  w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9, name: 'eth1' });
  packets.slice(half).forEach((p: WriterPacket) => w.writePacket(p));
  w.close();
  const bytes = sink.bytes();
  const blocks = pcapngBlocks(bytes);
  assert.is(blocks.filter((x) => x.type === 6).length, N);
  assert.is(blocks.filter((x) => x.type === 0x0a0d0d0a).length, 2);
  const boundaries = new Map<number, number>();
  let done = 0;
  boundaries.set(blocks[0]!.end, 0);
  for (const blk of blocks.slice(1)) {
    if (blk.type === 6) done++;
    boundaries.set(blk.end, done);
  }
  return { bytes, headerEnd: blocks[0]!.end, boundaries };
}

async function cutEverywhere(layout: Layout, how: Source): Promise<void> {
  const { bytes, headerEnd, boundaries } = layout;
  const failures: string[] = [];
  let lastBoundary = headerEnd;
  let complete = 0;
  for (let cut = 0; cut <= bytes.length; cut++) {
    if (boundaries.has(cut)) {
      lastBoundary = cut;
      complete = boundaries.get(cut)!;
    }
    let r: Awaited<ReturnType<typeof analyse>>;
    try {
      r = await analyse(bytes.subarray(0, cut), how);
    } catch (e) {
      failures.push(`cut ${cut}: threw ${(e as Error)?.stack ?? String(e)}`);
      continue;
    }
    if (cut < headerEnd) {
      if (!(r instanceof CaptureOpenError)) failures.push(`cut ${cut}: inside the file header but opened`);
      else if (r.reason !== (cut === 0 ? 'empty' : 'not-a-capture')) failures.push(`cut ${cut}: reason ${r.reason}`);
      continue;
    }
    if (r instanceof CaptureOpenError) {
      failures.push(`cut ${cut}: CaptureOpenError after a complete header: ${r.message}`);
      continue;
    }
    const { report, info } = r;
    const cap = report.capture as Record<string, unknown>;
    if (cap.packets !== complete || info.packets !== complete) failures.push(`cut ${cut}: ${String(cap.packets)} packets, want ${complete}`);
    const trunc = report.warnings.filter((w) => w.code === 'truncated-capture');
    if (boundaries.has(cut)) {
      if (report.warnings.length !== 0) failures.push(`cut ${cut} (boundary): warnings ${JSON.stringify(report.warnings)}`);
      if (info.bytesRead !== cut) failures.push(`cut ${cut} (boundary): bytesRead ${info.bytesRead}`);
    } else {
      if (trunc.length !== 1) failures.push(`cut ${cut} (inside a record): ${trunc.length} truncated-capture warnings ${JSON.stringify(report.warnings)}`);
      else {
        const w = trunc[0]!;
        if (w.byte_offset !== lastBoundary) failures.push(`cut ${cut}: warning at byte ${String(w.byte_offset)}, want ${lastBoundary}`);
        if (w.packet !== complete + 1) failures.push(`cut ${cut}: warning names packet ${String(w.packet)}, want ${complete + 1}`);
        if (w.file !== NAME || !String(w.message).includes(NAME)) failures.push(`cut ${cut}: warning does not name the file: ${String(w.message)}`);
      }
      if (report.warnings.length !== trunc.length) failures.push(`cut ${cut}: other warnings ${JSON.stringify(report.warnings)}`);
    }
    if (content(report) !== reference[complete]) failures.push(`cut ${cut}: report differs from a clean capture of ${complete} packets`);
    if (failures.length > 20) break;
  }
  assert.equal(failures, []);
}

for (const how of ['stream', 'chunks', 'file'] as Source[]) {
  test(`pcap cut at every byte offset (${how})`, async () => {
    const l = pcapLayout();
    assert.is(l.boundaries.size, N + 1);
    await cutEverywhere(l, how);
  });
  test(`pcapng (two sections) cut at every byte offset (${how})`, async () => {
    await cutEverywhere(pcapngLayout(), how);
  });
}

test('gzip-compressed pcap cut at every byte offset: never throws, warns, keeps what it read', async () => {
  const gz = gzipSync(pcapBytes(packets));
  const failures: string[] = [];
  let opened = 0;
  let maxPackets = 0;
  for (let cut = 0; cut <= gz.length; cut++) {
    let r: Awaited<ReturnType<typeof analyse>>;
    try {
      r = await analyse(gz.subarray(0, cut), cut % 2 ? 'file' : 'stream');
    } catch (e) {
      failures.push(`cut ${cut}: threw ${(e as Error)?.stack ?? String(e)}`);
      continue;
    }
    if (r instanceof CaptureOpenError) continue;
    opened++;
    const n = (r.report.capture as { packets: number }).packets;
    maxPackets = Math.max(maxPackets, n);
    const trunc = r.report.warnings.filter((w) => w.code === 'truncated-capture');
    if (cut === gz.length) {
      if (n !== N || r.report.warnings.length) failures.push(`whole file: ${n} packets, ${JSON.stringify(r.report.warnings)}`);
    } else if (trunc.length !== 1) failures.push(`cut ${cut}: ${JSON.stringify(r.report.warnings)}`);
    if (!r.info.gzip) failures.push(`cut ${cut}: gzip not noted`);
    if (content(r.report) !== reference[n]) failures.push(`cut ${cut}: report differs from a clean capture of ${n} packets`);
    if (failures.length > 20) break;
  }
  assert.equal(failures, []);
  assert.ok(opened > gz.length / 2, `only ${opened} of ${gz.length} cuts opened`);
  assert.is(maxPackets, N);
});

test('timestamps of a cut capture end at the last complete packet', async () => {
  const l = pcapLayout();
  const b = [...l.boundaries.keys()];
  const r = await analyse(l.bytes.subarray(0, b[5]! + 3), 'stream');
  assert.ok(!(r instanceof CaptureOpenError));
  const cap = r.report.capture as Record<string, unknown>;
  assert.is(cap.packets, 5);
  assert.is(cap.first_ts, '2023-11-14T22:13:20.000000Z');
  const lastUs = packets[4]!.tsUs - T0;
  assert.is(cap.last_ts, `2023-11-14T22:13:20.${String(lastUs).padStart(6, '0')}Z`);
});

test.run();
