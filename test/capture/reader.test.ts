import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, readCaptureStream, captureSize, CaptureOpenError, type ReadOptions } from '../../src/capture/reader.js';
import type { CaptureInfo, Frame } from '../../src/capture/frame.js';

// ---------------------------------------------------------------- builders

class W {
  private parts: Buffer[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(Buffer.from([v & 0xff]));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (this.le) b.writeBigInt64LE(v);
    else b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  pad4(): this {
    const n = this.length() % 4;
    if (n) this.parts.push(Buffer.alloc(4 - n));
    return this;
  }
  length(): number {
    return this.parts.reduce((a, b) => a + b.length, 0);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

interface Rec {
  sec: number;
  frac: number;
  data: Buffer;
  orig?: number;
  cap?: number;
}

function pcapFile(o: { le: boolean; ns?: boolean; linkType?: number; snaplen?: number }, recs: Rec[]): Buffer {
  const w = new W(o.le);
  w.u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(o.snaplen ?? 262144).u32(o.linkType ?? 1);
  for (const r of recs) w.u32(r.sec).u32(r.frac).u32(r.cap ?? r.data.length).u32(r.orig ?? r.data.length).bytes(r.data);
  return w.done();
}

/** Kuznetsov's "modified" pcap: its own magic, and 8 bytes (ifindex, protocol, packet type, pad) after each record header. */
function kuznetsovFile(le: boolean, recs: Rec[]): Buffer {
  const w = new W(le);
  w.u32(0xa1b2cd34).u16(2).u16(4).u32(0).u32(0).u32(262144).u32(1);
  for (const r of recs) {
    w.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.orig ?? r.data.length);
    w.u32(2).u16(0x0800).u16(0x0400); // ifindex 2, IPv4, PACKET_OUTGOING
    w.bytes(r.data);
  }
  return w.done();
}

function block(le: boolean, type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const len = padded.length + 12;
  return new W(le).u32(type).u32(len).bytes(padded).u32(len).done();
}
function shb(le: boolean): Buffer {
  const body = new W(le).u32(0x1a2b3c4d).u16(1).u16(0).i64(-1n).done();
  return block(le, 0x0a0d0d0a, body);
}
function opt(le: boolean, code: number, value: Buffer): Buffer {
  return new W(le).u16(code).u16(value.length).bytes(value).pad4().done();
}
function idb(le: boolean, linkType: number, o: { snaplen?: number; tsresol?: number; tsoffset?: bigint } = {}): Buffer {
  const w = new W(le).u16(linkType).u16(0).u32(o.snaplen ?? 262144);
  if (o.tsresol !== undefined) w.bytes(opt(le, 9, Buffer.from([o.tsresol])));
  if (o.tsoffset !== undefined) w.bytes(opt(le, 14, new W(le).i64(o.tsoffset).done()));
  w.bytes(opt(le, 2, Buffer.from('eth0'))); // if_name, ignored
  if (w.length() > 8) w.u16(0).u16(0); // opt_endofopt
  return block(le, 1, w.done());
}
function epb(le: boolean, ifid: number, ts: bigint, data: Buffer, orig?: number): Buffer {
  const w = new W(le).u32(ifid).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(orig ?? data.length).bytes(data).pad4();
  return block(le, 6, w.done());
}
function spb(le: boolean, data: Buffer, orig?: number): Buffer {
  return block(le, 3, new W(le).u32(orig ?? data.length).bytes(data).done());
}
function pb(le: boolean, ifid: number, ts: bigint, data: Buffer): Buffer {
  const w = new W(le).u16(ifid).u16(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(data.length).bytes(data);
  return block(le, 2, w.done());
}

function payload(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

// ---------------------------------------------------------------- reading helpers

interface Got {
  index: number;
  tsUs: number;
  capLen: number;
  origLen: number;
  linkType: number;
  ifIndex: number;
  fileOffset: number;
  hex: string;
}
function snap(f: Frame): Got {
  return {
    index: f.index,
    tsUs: f.tsUs,
    capLen: f.capLen,
    origLen: f.origLen,
    linkType: f.linkType,
    ifIndex: f.ifIndex,
    fileOffset: f.fileOffset,
    hex: f.buf.toString('hex', f.off, f.off + f.capLen),
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'nps-reader-'));
let fileNo = 0;
function tmpFile(data: Buffer, name?: string): string {
  const p = join(tmp, name ?? `f${fileNo++}.bin`);
  writeFileSync(p, data);
  return p;
}

async function readFile(data: Buffer, opts?: ReadOptions): Promise<{ info: CaptureInfo; frames: Got[] }> {
  const frames: Got[] = [];
  const info = await readCapture(tmpFile(data), (f) => void frames.push(snap(f)), opts);
  return { info, frames };
}
async function readChunks(chunks: Buffer[], opts?: ReadOptions): Promise<{ info: CaptureInfo; frames: Got[] }> {
  const frames: Got[] = [];
  const info = await readCaptureStream(Readable.from(chunks), 'test-stream', (f) => void frames.push(snap(f)), opts);
  return { info, frames };
}
function split(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  let i = 0;
  while (p < buf.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]);
    out.push(buf.subarray(p, p + n));
    p += n;
  }
  return out;
}
async function rejects(p: Promise<unknown>): Promise<CaptureOpenError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CaptureOpenError, `expected CaptureOpenError, got ${String(e)}`);
    return e as CaptureOpenError;
  }
  assert.unreachable('expected a CaptureOpenError');
  throw new Error('unreachable');
}

// ---------------------------------------------------------------- classic pcap

const recs3: Rec[] = [
  { sec: 1700000000, frac: 123456, data: payload(60, 1) },
  { sec: 1700000001, frac: 999999, data: payload(1, 2), orig: 1514 },
  { sec: 4000000000, frac: 0, data: payload(73, 3) },
];

for (const le of [true, false]) {
  test(`pcap µs ${le ? 'little' : 'big'} endian`, async () => {
    const file = pcapFile({ le, linkType: 113 }, recs3);
    const { info, frames } = await readFile(file);
    assert.equal(info.format, 'pcap');
    assert.equal(info.gzip, false);
    assert.equal(info.packets, 3);
    assert.equal(info.linkTypes, [113]);
    assert.equal(info.problems, []);
    assert.equal(info.bytesRead, file.length);
    assert.equal(frames.map((f) => f.index), [1, 2, 3]);
    assert.equal(frames.map((f) => f.tsUs), [1700000000123456, 1700000001999999, 4000000000000000]);
    assert.equal(frames.map((f) => f.capLen), [60, 1, 73]);
    assert.equal(frames.map((f) => f.origLen), [60, 1514, 73]);
    assert.equal(frames.map((f) => f.fileOffset), [24, 24 + 16 + 60, 24 + 16 + 60 + 16 + 1]);
    assert.equal(frames.map((f) => f.hex), recs3.map((r) => r.data.toString('hex')));
    assert.ok(frames.every((f) => f.linkType === 113 && f.ifIndex === 0));
  });

  test(`pcap ns ${le ? 'little' : 'big'} endian`, async () => {
    const file = pcapFile({ le, ns: true }, [
      { sec: 1700000000, frac: 123456789, data: payload(10, 1) },
      { sec: 1700000000, frac: 999, data: payload(10, 2) },
      { sec: 1700000000, frac: 999999999, data: payload(10, 3) },
    ]);
    const { info, frames } = await readFile(file);
    assert.equal(info.packets, 3);
    assert.equal(frames.map((f) => f.tsUs), [1700000000123456, 1700000000000000, 1700000000999999]);
  });
}

for (const le of [true, false]) {
  test(`pcap, Kuznetsov's modified format, ${le ? 'little' : 'big'} endian: the 8 extra bytes of each record header are skipped`, async () => {
    const file = kuznetsovFile(le, recs3);
    for (const { info, frames } of [await readFile(file), await readChunks([file.subarray(0, 30), file.subarray(30, 61), file.subarray(61)])]) {
      assert.equal(info.format, 'pcap');
      assert.equal(info.problems, []);
      assert.equal(info.packets, 3);
      assert.equal(frames.map((f) => f.tsUs), [1700000000123456, 1700000001999999, 4000000000000000]);
      assert.equal(frames.map((f) => f.origLen), [60, 1514, 73]);
      assert.equal(frames.map((f) => f.fileOffset), [24, 24 + 24 + 60, 24 + 24 + 60 + 24 + 1]);
      assert.equal(frames.map((f) => f.hex), recs3.map((r) => r.data.toString('hex')));
    }
  });
}

test('pcap link type: FCS bits in the upper half are masked', async () => {
  // FCS len 2 (16-bit words), P bit set, LINKTYPE_ETHERNET
  const { info, frames } = await readFile(pcapFile({ le: true, linkType: 0x24000001 }, recs3));
  assert.equal(info.linkTypes, [1]);
  assert.equal(frames[0].linkType, 1);
});

test('pcap: captured length > original length is read on, as libpcap does', async () => {
  const recs = [recs3[0], { sec: 1, frac: 0, data: payload(40, 9), orig: 20 }, recs3[2]];
  const { info, frames } = await readFile(pcapFile({ le: true }, recs));
  assert.equal(frames.length, 3);
  assert.equal(info.packets, 3);
  assert.equal(info.problems.length, 0);
  // The wire length can't be shorter than what was captured.
  assert.equal(frames[1].capLen, 40);
  assert.equal(frames[1].origLen, 40);
});

test('pcap: absurd captured length is damage', async () => {
  const file = pcapFile({ le: false }, recs3.slice(0, 2));
  const bad = new W(false).u32(1).u32(2).u32(0x7fffffff).u32(0x7fffffff).done();
  const { info, frames } = await readFile(Buffer.concat([file, bad, payload(100, 1)]));
  assert.equal(frames.length, 2);
  assert.equal(info.problems.map((p) => p.code), ['bad-record']);
  assert.equal(info.problems[0].byteOffset, file.length);
  assert.match(info.problems[0].message, /2147483647/);
});

test('pcap: a big snaplen allows records larger than 256 KiB', async () => {
  const big = payload(300_000, 5);
  const { info, frames } = await readFile(pcapFile({ le: true, snaplen: 1 << 20 }, [recs3[0], { sec: 5, frac: 6, data: big }]));
  assert.equal(info.problems, []);
  assert.equal(frames[1].capLen, 300_000);
  assert.equal(frames[1].hex, big.toString('hex'));
});

test('pcap: record larger than the 8 MiB read buffer (buffer grows)', async () => {
  const big = payload(9 * 1024 * 1024, 7);
  const recs = [recs3[0], { sec: 5, frac: 6, data: big }, recs3[1]];
  const { info, frames } = await readFile(pcapFile({ le: true, snaplen: 16 << 20 }, recs));
  assert.equal(info.problems, []);
  assert.equal(frames.length, 3);
  assert.equal(frames[1].capLen, big.length);
  assert.ok(frames[1].hex === big.toString('hex'));
  assert.equal(frames[2].hex, recs3[1].data.toString('hex'));
});

test('pcap with no packets', async () => {
  const { info, frames } = await readFile(pcapFile({ le: true }, []));
  assert.equal(frames.length, 0);
  assert.equal(info.packets, 0);
  assert.equal(info.problems, []);
  assert.equal(info.linkTypes, []);
});

// ---------------------------------------------------------------- pcapng

const T0 = 1700000000n; // seconds
/** Two sections of different byte order, 3 interfaces, all packet block kinds, junk blocks. */
function multiSection(): { file: Buffer; expect: Partial<Got>[] } {
  const a = true; // section 1: little endian
  const b = false; // section 2: big endian
  const s1 = [
    shb(a),
    idb(a, 1, { tsresol: 9 }), // ns
    idb(a, 101, { tsresol: 3, snaplen: 64 }), // ms, snaplen 64
    epb(a, 0, T0 * 1_000_000_000n + 123_456_789n, payload(60, 1)),
    block(a, 4, Buffer.from([1, 0, 4, 0, 10, 0, 0, 1, 0, 0, 0, 0])), // name resolution block
    epb(a, 1, T0 * 1000n + 5n, payload(33, 2), 1500),
    block(a, 0x0bad, Buffer.from('custom block!')), // custom
    block(a, 0x12345678, payload(17, 3)), // unknown
    spb(a, payload(100, 4), 100), // interface 0, no timestamp
    pb(a, 1, T0 * 1000n + 7n, payload(20, 5)), // obsolete packet block
    epb(a, 7, 0n, payload(4, 6)), // bad interface: skipped
    block(a, 5, payload(24, 7)), // interface statistics
  ];
  const s2 = [
    shb(b),
    // 2^-10 s units, offset 100 s
    idb(b, 113, { tsresol: 0x8a, tsoffset: 100n }),
    epb(b, 0, (T0 << 10n) + 512n + 1n, payload(42, 8)), // +0.5009765625 s
    spb(b, payload(10, 9), 1400), // snaplen 262144, orig 1400 > available 12 (padded) -> min
    epb(b, 1, 0n, payload(4, 6)), // bad interface (section 2 has only one)
    epb(b, 0, (T0 << 10n) + 1023n, payload(8, 10), 8),
  ];
  const file = Buffer.concat([...s1, ...s2]);
  const off = (blocks: Buffer[], i: number, base = 0) => base + blocks.slice(0, i).reduce((n, x) => n + x.length, 0);
  const s1len = off(s1, s1.length);
  const expect: Partial<Got>[] = [
    { index: 1, tsUs: Number(T0) * 1e6 + 123456, capLen: 60, origLen: 60, linkType: 1, ifIndex: 0, fileOffset: off(s1, 3), hex: payload(60, 1).toString('hex') },
    { index: 2, tsUs: Number(T0) * 1e6 + 5000, capLen: 33, origLen: 1500, linkType: 101, ifIndex: 1, fileOffset: off(s1, 5) },
    { index: 3, tsUs: Number(T0) * 1e6 + 5000, capLen: 100, origLen: 100, linkType: 1, ifIndex: 0, fileOffset: off(s1, 8), hex: payload(100, 4).toString('hex') },
    { index: 4, tsUs: Number(T0) * 1e6 + 7000, capLen: 20, origLen: 20, linkType: 101, ifIndex: 1, fileOffset: off(s1, 9), hex: payload(20, 5).toString('hex') },
    { index: 5, tsUs: (Number(T0) + 100) * 1e6 + 500976, capLen: 42, linkType: 113, ifIndex: 2, fileOffset: off(s2, 2, s1len) },
    { index: 6, tsUs: (Number(T0) + 100) * 1e6 + 500976, capLen: 12, origLen: 1400, linkType: 113, ifIndex: 2, fileOffset: off(s2, 3, s1len) },
    { index: 7, tsUs: (Number(T0) + 100) * 1e6 + 999023, capLen: 8, linkType: 113, ifIndex: 2, fileOffset: off(s2, 5, s1len) },
  ];
  return { file, expect };
}

function checkMulti(info: CaptureInfo, frames: Got[], expect: Partial<Got>[], fileLen: number): void {
  assert.equal(info.format, 'pcapng');
  assert.equal(info.packets, expect.length);
  assert.equal(info.linkTypes, [1, 101, 113]);
  assert.equal(info.bytesRead, fileLen);
  assert.equal(
    info.problems.map((p) => p.code),
    ['bad-interface', 'bad-interface'],
  );
  assert.equal(info.problems[0].packetNumber, 5);
  assert.equal(frames.length, expect.length);
  for (let i = 0; i < expect.length; i++) {
    const got = frames[i] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expect[i])) assert.equal(got[k], v, `packet ${i + 1} ${k}`);
  }
}

test('pcapng: two sections, byte orders, interfaces, resolutions, SPB, PB, unknown blocks', async () => {
  const { file, expect } = multiSection();
  const { info, frames } = await readFile(file);
  checkMulti(info, frames, expect, file.length);
});

test('pcapng: the same through a stream in awkward chunks', async () => {
  const { file, expect } = multiSection();
  for (const sizes of [[1], [2, 3], [7, 1, 13], [4096], [11, 200, 3, 64]]) {
    const { info, frames } = await readChunks(split(file, sizes));
    checkMulti(info, frames, expect, file.length);
  }
});

test('pcapng: timestamps: tsresol 10^-9 beyond 2^53 ns, 10^-12, 2^-30, 10^0, BigInt fallbacks, if_tsoffset', async () => {
  const le = true;
  const ns = 1_767_663_089_500_330_493n; // > 2^53
  const file = Buffer.concat([
    shb(le),
    idb(le, 1, { tsresol: 9 }),
    idb(le, 1, { tsresol: 12 }),
    idb(le, 1, { tsresol: 0x80 | 30 }),
    idb(le, 1, { tsresol: 0 }),
    idb(le, 1, { tsresol: 15, tsoffset: -10n }),
    idb(le, 1, { tsresol: 0x80 | 40 }),
    epb(le, 0, ns, payload(1, 1)),
    epb(le, 0, 999n, payload(1, 1)),
    epb(le, 1, 1_000_123_456_789_999n, payload(1, 1)), // ps: 1000.123456789999 s
    epb(le, 1, 0xfffffffffffffffen, payload(1, 1)),
    epb(le, 2, (1_700_000_000n << 30n) + (1n << 29n), payload(1, 1)),
    epb(le, 3, 1_700_000_000n, payload(1, 1)),
    epb(le, 4, 123_456_789_999_999_999n, payload(1, 1)), // fs
    epb(le, 5, (1000n << 40n) + (1n << 39n) + 1n, payload(1, 1)),
  ]);
  const { info, frames } = await readFile(file);
  assert.equal(info.problems, []);
  assert.equal(frames.map((f) => f.tsUs), [
    1_767_663_089_500_330,
    0,
    1_000_123_456,
    Number(0xfffffffffffffffen / 1_000_000n),
    1_700_000_000_500_000,
    1_700_000_000_000_000,
    123_456_789 - 10_000_000,
    1_000_500_000,
  ]);
});

test('pcapng: bad blocks stop reading with bad-block, earlier packets delivered', async () => {
  const le = false;
  const good = Buffer.concat([shb(le), idb(le, 1), epb(le, 0, 1n, payload(20, 1))]);
  const next = epb(le, 0, 2n, payload(20, 2));
  // trailing length differs
  const t1 = Buffer.from(next);
  t1.writeUInt32BE(next.length + 4, next.length - 4);
  // length not a multiple of 4
  const t2 = Buffer.from(next);
  t2.writeUInt32BE(next.length - 2, 4);
  // length < 12
  const t3 = Buffer.from(next);
  t3.writeUInt32BE(8, 4);
  // captured length larger than the block
  const t4 = Buffer.from(next);
  t4.writeUInt32BE(1000, 20);
  // later section header with a bad byte-order magic
  const t5 = Buffer.from(shb(true));
  t5.writeUInt32LE(0x12345678, 8);
  for (const bad of [t1, t2, t3, t4, t5]) {
    const { info, frames } = await readFile(Buffer.concat([good, bad, next]));
    assert.equal(frames.length, 1);
    assert.equal(info.problems.length, 1);
    assert.equal(info.problems[0].code, 'bad-block');
    assert.equal(info.problems[0].byteOffset, good.length);
    assert.equal(info.problems[0].packetNumber, 2);
    assert.equal(info.bytesRead, good.length);
  }
});

test('pcapng: a bad first section header is not a capture', async () => {
  const s = Buffer.from(shb(true));
  s.writeUInt32LE(0x01020304, 8);
  const e = await rejects(readCapture(tmpFile(Buffer.concat([s, idb(true, 1)])), () => {}));
  assert.equal(e.reason, 'not-a-capture');
  const v = Buffer.from(shb(true));
  v.writeUInt16LE(2, 12); // version 2.0
  const e2 = await rejects(readCapture(tmpFile(v), () => {}));
  assert.equal(e2.reason, 'not-a-capture');
  assert.match(e2.message, /version 2/);
});

// ---------------------------------------------------------------- truncation at every offset

/** Ends of complete units (file header / records / blocks) and which of them are packets. */
function pcapLayout(file: Buffer, header: number, recs: Rec[]): { ends: number[]; isPacket: boolean[] } {
  const ends = [header];
  const isPacket = [false];
  let p = header;
  for (const r of recs) {
    p += 16 + r.data.length;
    ends.push(p);
    isPacket.push(true);
  }
  assert.equal(p, file.length);
  return { ends, isPacket };
}

async function truncationSweep(file: Buffer, headerLen: number, ends: number[], isPacket: boolean[], viaFile: boolean): Promise<void> {
  for (let cut = 0; cut <= file.length; cut++) {
    const part = file.subarray(0, cut);
    const frames: Got[] = [];
    const run = viaFile
      ? readCapture(tmpFile(part, 'cut.bin'), (f) => void frames.push(snap(f)))
      : readCaptureStream(Readable.from(split(part, [3, 1, 5])), 'cut', (f) => void frames.push(snap(f)));
    if (cut < headerLen) {
      const e = await rejects(run);
      assert.equal(e.reason, cut === 0 ? 'empty' : 'not-a-capture', `cut ${cut}`);
      continue;
    }
    const info = await run;
    let complete = 0;
    let packets = 0;
    for (let i = 0; i < ends.length; i++) {
      if (ends[i] <= cut) {
        complete = ends[i];
        if (isPacket[i]) packets++;
      }
    }
    assert.equal(info.packets, packets, `cut ${cut}: packets`);
    assert.equal(frames.length, packets, `cut ${cut}: frames`);
    assert.equal(info.bytesRead, complete, `cut ${cut}: bytesRead`);
    if (complete === cut) {
      assert.equal(info.problems, [], `cut ${cut}: no problem at a boundary`);
    } else {
      assert.equal(info.problems.length, 1, `cut ${cut}`);
      const p = info.problems[0];
      assert.equal(p.code, 'truncated-capture', `cut ${cut}`);
      assert.equal(p.byteOffset, complete, `cut ${cut}: offset`);
      assert.equal(p.packetNumber, packets + 1, `cut ${cut}: packet number`);
    }
  }
}

test('truncation at every byte offset: pcap (file and stream)', async () => {
  const recs: Rec[] = [recs3[0], recs3[1], { sec: 9, frac: 9, data: Buffer.alloc(0) }, recs3[2]];
  for (const le of [true, false]) {
    const file = pcapFile({ le }, recs);
    const { ends, isPacket } = pcapLayout(file, 24, recs);
    await truncationSweep(file, 24, ends, isPacket, true);
    await truncationSweep(file, 24, ends, isPacket, false);
  }
});

test('truncation at every byte offset: pcapng (file and stream)', async () => {
  for (const le of [true, false]) {
    const blocks: [Buffer, boolean][] = [
      [shb(le), false],
      [idb(le, 1, { tsresol: 9 }), false],
      [epb(le, 0, 5n, payload(13, 1)), true],
      [block(le, 0x99, payload(5, 2)), false],
      [spb(le, payload(7, 3)), true],
      [shb(!le), false],
      [idb(!le, 105), false],
      [pb(!le, 0, 77n, payload(3, 4)), true],
    ];
    const file = Buffer.concat(blocks.map((b) => b[0]));
    const ends: number[] = [];
    let p = 0;
    for (const [b] of blocks) ends.push((p += b.length));
    await truncationSweep(file, blocks[0][0].length, ends, blocks.map((b) => b[1]), true);
    await truncationSweep(file, blocks[0][0].length, ends, blocks.map((b) => b[1]), false);
  }
});

// ---------------------------------------------------------------- streams, stdin-like

test('pcap through streams split at every chunk size 1..40', async () => {
  const file = pcapFile({ le: false, ns: true }, recs3);
  const ref = await readFile(file);
  for (let n = 1; n <= 40; n++) {
    const got = await readChunks(split(file, [n]));
    assert.equal(got.frames, ref.frames, `chunk ${n}`);
    assert.equal(got.info, ref.info, `chunk ${n}`);
  }
  // string chunks are not expected, but an empty chunk is harmless
  const got = await readChunks([Buffer.alloc(0), ...split(file, [5, 0, 9])]);
  assert.equal(got.frames, ref.frames);
});

test('stream: a record larger than the carry buffer', async () => {
  const big = payload(200_000, 3);
  const file = pcapFile({ le: true }, [recs3[0], { sec: 1, frac: 2, data: big }, recs3[1]]);
  const got = await readChunks(split(file, [1000, 77, 65536]));
  assert.equal(got.info.problems, []);
  assert.equal(got.frames.map((f) => f.capLen), [60, 200_000, 1]);
  assert.ok(got.frames[1].hex === big.toString('hex'));
});

test('stream: empty, short and garbage input', async () => {
  assert.equal((await rejects(readChunks([]))).reason, 'empty');
  assert.equal((await rejects(readChunks([Buffer.from([0xd4, 0xc3])]))).reason, 'not-a-capture');
  const e = await rejects(readChunks(split(Buffer.from('<html><body>nope</body></html>'), [1])));
  assert.equal(e.reason, 'not-a-capture');
  assert.match(e.message, /first bytes 3c 68 74 6d/);
  assert.equal(e.path, 'test-stream');
});

test('stream: an error from the source after the header is a problem, not a rejection', async () => {
  const file = pcapFile({ le: true }, recs3);
  async function* src() {
    yield file.subarray(0, 24 + 16 + 60 + 5);
    throw new Error('EIO: device went away');
  }
  const frames: Got[] = [];
  const info = await readCaptureStream(Readable.from(src()), 'dev', (f) => void frames.push(snap(f)));
  assert.equal(frames.length, 1);
  assert.equal(info.problems.map((p) => p.code), ['read-error']);
});

// ---------------------------------------------------------------- gzip

test('gzip: file and stream, pcap and pcapng', async () => {
  const { file: ng, expect } = multiSection();
  const gz = gzipSync(ng);
  const a = await readFile(gz);
  assert.equal(a.info.gzip, true);
  checkMulti(a.info, a.frames, expect, ng.length);
  const b = await readChunks(split(gz, [1, 2, 3, 50]));
  assert.equal(b.info.gzip, true);
  checkMulti(b.info, b.frames, expect, ng.length);
  const p = pcapFile({ le: true }, recs3);
  const c = await readFile(gzipSync(p));
  assert.equal(c.info.format, 'pcap');
  assert.equal(c.frames.length, 3);
});

test('gzip: truncated stream delivers what was decompressed, then truncated-capture', async () => {
  const recs: Rec[] = [];
  for (let i = 0; i < 3000; i++) recs.push({ sec: 1700000000 + i, frac: i, data: payload(64 + (i % 200), i) });
  const file = pcapFile({ le: true }, recs);
  const gz = gzipSync(file);
  for (const frac of [0.5, 0.9, 0.999]) {
    const cut = gz.subarray(0, Math.floor(gz.length * frac));
    for (const via of ['file', 'stream'] as const) {
      const r = via === 'file' ? await readFile(cut) : await readChunks(split(cut, [4096]));
      assert.ok(r.info.packets > 0 && r.info.packets < recs.length, `${via} ${frac}: ${r.info.packets}`);
      assert.equal(r.info.problems.length, 1);
      assert.equal(r.info.problems[0].code, 'truncated-capture');
      assert.equal(r.info.problems[0].packetNumber, r.info.packets + 1);
      assert.equal(r.frames[r.frames.length - 1].hex, recs[r.frames.length - 1].data.toString('hex'));
    }
  }
  // cut inside the gzip header: nothing to read at all
  const e = await rejects(readCapture(tmpFile(gz.subarray(0, 5)), () => {}));
  assert.equal(e.reason, 'not-a-capture');
  // gzip of an empty stream
  assert.equal((await rejects(readCapture(tmpFile(gzipSync(Buffer.alloc(0))), () => {}))).reason, 'empty');
  // gzip of something else
  const e3 = await rejects(readCapture(tmpFile(gzipSync(Buffer.from('hello world'))), () => {}));
  assert.equal(e3.reason, 'not-a-capture');
  assert.match(e3.message, /68 65 6c 6c/);
});

/** Pseudo-random bytes (a linear congruential generator from `seed`): incompressible payloads. */
function noiseFrom(seed: number): (n: number) => Buffer {
  let x = seed;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return b;
  };
}

test('gzip: damaged data after some packets is a problem', async () => {
  const recs: Rec[] = [];
  const noise = noiseFrom(12345);
  for (let i = 0; i < 3000; i++) recs.push({ sec: 1700000000 + i, frac: i, data: noise(100) });
  const gz = Buffer.from(gzipSync(pcapFile({ le: true }, recs), { level: 1 }));
  for (let i = Math.floor(gz.length * 0.6); i < Math.floor(gz.length * 0.6) + 64; i++) gz[i] ^= 0x5a;
  const r = await readFile(gz);
  assert.ok(r.info.packets > 0 && r.info.packets < recs.length, String(r.info.packets));
  assert.equal(r.info.problems.length, 1);
  assert.ok(['bad-gzip', 'truncated-capture', 'bad-record'].includes(r.info.problems[0].code), r.info.problems[0].code);
});

test('gzip: damage loses at most 256 KiB of what came before it (a capture of several MB, file and stream)', async () => {
  const recs: Rec[] = [];
  const noise = noiseFrom(777);
  // Half noise, half zeros: about 2:1 compression, so one compressed slice inflates to more than it holds.
  for (let i = 0; i < 30000; i++) recs.push({ sec: 1700000000 + i, frac: i, data: Buffer.concat([noise(60), Buffer.alloc(60)]) });
  const file = pcapFile({ le: true }, recs);
  const gz = Buffer.from(gzipSync(file, { level: 6 }));
  const at = Math.floor(gz.length * 0.6);
  // What inflates cleanly before the damage (zlib's own reading of the prefix).
  const clean = gunzipSync(gz.subarray(0, at), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
  for (let i = at; i < at + 64; i++) gz[i] ^= 0x5a;
  // Records that end at least 256 KiB before the clean prefix ends must all be read.
  let end = 24;
  let due = 0;
  for (const r of recs) {
    end += 16 + r.data.length;
    if (end > clean - 256 * 1024) break;
    due++;
  }
  assert.ok(due > 10000, `test set-up: ${due}`);
  for (const via of ['file', 'stream'] as const) {
    const r = via === 'file' ? await readFile(gz) : await readChunks(split(gz, [65536]));
    assert.ok(r.info.packets >= due && r.info.packets < recs.length, `${via}: ${r.info.packets} packets read, ${due} due`);
    assert.equal(r.info.problems.length, 1);
    assert.equal(r.frames[due - 1]!.hex, recs[due - 1]!.data.toString('hex'));
  }
});

// ---------------------------------------------------------------- options, early stop, errors

test('maxPackets, callback returning false, onProgress', async () => {
  const file = pcapFile({ le: true }, recs3);
  const a = await readFile(file, { maxPackets: 2 });
  assert.equal(a.frames.length, 2);
  assert.equal(a.info.packets, 2);
  assert.equal(a.info.problems, []);
  assert.equal(a.info.bytesRead, a.frames[1].fileOffset + 16 + 1);
  const z = await readFile(file, { maxPackets: 0 });
  assert.equal(z.frames.length, 0);

  let n = 0;
  const b = await readCapture(tmpFile(file), () => ++n < 1);
  assert.equal(n, 1);
  assert.equal(b.packets, 1);

  const { file: ng } = multiSection();
  const c = await readChunks(split(ng, [9]), { maxPackets: 3 });
  assert.equal(c.frames.length, 3);
  const d = await readChunks(split(gzipSync(ng), [9]), { maxPackets: 1 });
  assert.equal(d.frames.length, 1);

  const seen: number[] = [];
  await readCapture(tmpFile(ng), () => {}, { onProgress: (x) => seen.push(x) });
  assert.ok(seen.length >= 1);
  assert.equal(seen[seen.length - 1], ng.length);
  const seen2: number[] = [];
  const gz = gzipSync(ng);
  await readCapture(tmpFile(gz), () => {}, { onProgress: (x) => seen2.push(x) });
  assert.equal(seen2[seen2.length - 1], gz.length);
  assert.ok(seen2.every((x, i) => i === 0 || x > seen2[i - 1]));
});

test('stopping early destroys the stream', async () => {
  const file = pcapFile({ le: true }, recs3);
  const s = Readable.from(split(file, [30]));
  await readCaptureStream(s, 's', () => false);
  await new Promise((r) => setImmediate(r));
  assert.ok(s.destroyed);
});

test('an exception from the callback is passed through', async () => {
  const file = pcapFile({ le: true }, recs3);
  try {
    await readCapture(tmpFile(file), () => {
      throw new RangeError('boom');
    });
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof RangeError);
  }
});

test('open errors', async () => {
  const missing = await rejects(readCapture(join(tmp, 'nope.pcap'), () => {}));
  assert.equal(missing.reason, 'not-found');
  assert.equal(missing.path, join(tmp, 'nope.pcap'));
  const dir = join(tmp, 'adir');
  mkdirSync(dir, { recursive: true });
  assert.equal((await rejects(readCapture(dir, () => {}))).reason, 'unreadable');
  assert.equal((await rejects(readCapture(tmpFile(Buffer.alloc(0)), () => {}))).reason, 'empty');
  assert.equal((await rejects(readCapture(tmpFile(Buffer.from([0xa1, 0xb2, 0xc3])), () => {}))).reason, 'not-a-capture');
  const html = await rejects(readCapture(tmpFile(Buffer.from('<html>\n')), () => {}));
  assert.equal(html.reason, 'not-a-capture');
  assert.match(html.message, /not a pcap or pcapng file \(first bytes 3c 68 74 6d\)/);
  const snoop = await rejects(readCapture(tmpFile(Buffer.from('snoop\0\0\0\0\0\0\x02\0\0\0\x04')), () => {}));
  assert.match(snoop.message, /snoop/);
  assert.match(snoop.message, /editcap/);
  const netmon = await rejects(readCapture(tmpFile(Buffer.from('GMBU\x00\x02')), () => {}));
  assert.match(netmon.message, /Network Monitor/);
  // a pcap header cut short
  const short = await rejects(readCapture(tmpFile(pcapFile({ le: true }, []).subarray(0, 20)), () => {}));
  assert.equal(short.reason, 'not-a-capture');
  if (process.getuid?.() !== 0) {
    const locked = tmpFile(pcapFile({ le: true }, recs3));
    const { chmodSync } = await import('node:fs');
    chmodSync(locked, 0);
    assert.equal((await rejects(readCapture(locked, () => {}))).reason, 'unreadable');
  }
});

test('captureSize', () => {
  const f = tmpFile(pcapFile({ le: true }, recs3));
  assert.equal(captureSize(f), 24 + 3 * 16 + 60 + 1 + 73);
  assert.equal(captureSize('-'), undefined);
  assert.equal(captureSize(join(tmp, 'missing')), undefined);
});

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test.run();
