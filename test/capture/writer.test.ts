import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LINKTYPE,
  PcapWriter,
  PcapngWriter,
  fileSink,
  memorySink,
  pcapBytes,
  pcapngBytes,
  pcapngTimestamp,
  writePcapFile,
  type ByteSink,
} from '../../src/capture/writer.js';
import * as B from '../../src/capture/builder.js';
import { haveTool, skip } from '../helpers/skip.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const T0 = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z
const pkt = (n: number, fill = 0xab): Buffer => Buffer.alloc(n, fill);

// ---------------------------------------------------------------------------
// classic pcap

test('pcap global header: LE/µs default, BE/ns', () => {
  const le = pcapBytes([]);
  assert.is(hex(le), 'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
  const be = pcapBytes([], { bigEndian: true, nanosecond: true, linkType: LINKTYPE.LINUX_SLL, snaplen: 65535 });
  assert.is(hex(be), 'a1b23c4d' + '0002' + '0004' + '00000000' + '00000000' + '0000ffff' + '00000071');
});

test('pcap record header: timestamps, lengths, snaplen truncation', () => {
  const data = Uint8Array.of(1, 2, 3, 4, 5);
  const le = pcapBytes([{ tsUs: T0 + 123456, data }]);
  assert.is(hex(le.subarray(24)), '00f15365' + '40e20100' + '05000000' + '05000000' + '0102030405');
  const ns = pcapBytes([{ tsUs: T0 + 123456, data, origLen: 60 }], { nanosecond: true, bigEndian: true });
  assert.is(hex(ns.subarray(24)), '6553f100' + '075bca00' + '00000005' + '0000003c' + '0102030405');
  const snap = pcapBytes([{ tsUs: 0, data: pkt(10) }], { snaplen: 4 });
  assert.is(hex(snap.subarray(24 + 8, 24 + 16)), '04000000' + '0a000000');
  assert.is(snap.length, 24 + 16 + 4);
});

test('pcap writeRaw writes lying headers for malformed-capture tests', () => {
  const sink = memorySink();
  const w = new PcapWriter(sink);
  w.writeRaw(1, 2_000_000, Uint8Array.of(9, 9), 100, 100);
  w.writeBytes(Uint8Array.of(1, 2, 3)); // truncated trailing record
  w.close();
  const b = sink.bytes();
  assert.is(b.readUInt32LE(24 + 4), 2_000_000);
  assert.is(b.readUInt32LE(24 + 8), 100);
  assert.is(b.length, 24 + 16 + 2 + 3);
  assert.is(w.packets, 1);
});

test('chunking: small chunks, packets bigger than the chunk, file sink == memory sink', () => {
  const packets = Array.from({ length: 3000 }, (_, i) => ({ tsUs: T0 + i, data: pkt((i * 37) % 1600, i & 0xff) }));
  packets.splice(100, 0, { tsUs: T0 + 100, data: pkt(20000, 7) }); // > chunk
  const ref = pcapBytes(packets);
  let writes = 0;
  const mem = memorySink();
  const counting: ByteSink = {
    write(c) {
      writes++;
      mem.write(c);
    },
  };
  const w = new PcapWriter(counting, { chunkSize: 4096 });
  for (const p of packets) w.writePacket(p);
  w.close();
  assert.ok(writes > 100, `several chunks (${writes})`);
  assert.ok(mem.bytes().equals(ref));
  const dir = mkdtempSync(join(tmpdir(), 'nps-writer-'));
  try {
    const f = join(dir, 'a.pcap');
    const fw = new PcapWriter(fileSink(f, { chunkSize: 8192 }), { chunkSize: 16384 });
    for (const p of packets) fw.writePacket(p);
    fw.close();
    fw.close(); // idempotent
    assert.ok(readFileSync(f).equals(ref));
    assert.throws(() => fw.write(T0, pkt(1)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('streams many packets to a file with the expected size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nps-writer-'));
  try {
    const f = join(dir, 'big.pcap');
    const frame = B.tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, flags: 'PA', payload: pkt(100) });
    const n = 200_000;
    const w = new PcapWriter(fileSink(f));
    for (let i = 0; i < n; i++) w.write(T0 + i, frame);
    w.close();
    assert.is(statSync(f).size, 24 + n * (16 + frame.length));
    assert.is(w.packets, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('timestamps must be non-negative integers', () => {
  const w = new PcapWriter(memorySink());
  assert.throws(() => w.write(-1, pkt(1)));
  assert.throws(() => w.write(1.5, pkt(1)));
});

// ---------------------------------------------------------------------------
// pcapng

test('pcapngTimestamp converts exactly for every resolution', () => {
  const ts = 1_700_000_000_123_457;
  const split = (v: bigint): [number, number] => [Number(v >> 32n), Number(v & 0xffffffffn)];
  assert.equal(pcapngTimestamp(ts, 6), split(BigInt(ts)));
  assert.equal(pcapngTimestamp(ts, 9), split(BigInt(ts) * 1000n));
  assert.equal(pcapngTimestamp(ts, 3), split(BigInt(ts) / 1000n));
  assert.equal(pcapngTimestamp(ts, 0x80 | 20), split((BigInt(ts) << 20n) / 1000000n));
  assert.equal(pcapngTimestamp(ts, 6, 1_600_000_000), split(BigInt(ts) - 1_600_000_000_000_000n));
  assert.throws(() => pcapngTimestamp(ts, 19)); // 10^-19 s units overflow 64 bits
});

interface Block {
  type: number;
  body: Buffer;
  le: boolean;
  offset: number;
}
/** Minimal independent pcapng walker: checks both length fields of every block. */
function blocks(b: Buffer): Block[] {
  const out: Block[] = [];
  let off = 0;
  let le = true;
  while (off < b.length) {
    if (b.readUInt32LE(off) === 0x0a0d0d0a) le = b.readUInt32LE(off + 8) === 0x1a2b3c4d;
    const r32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const type = r32(off);
    const len = r32(off + 4);
    assert.ok(len % 4 === 0 && len >= 12, `block length ${len} at ${off}`);
    assert.is(r32(off + len - 4), len, `trailing length at ${off}`);
    out.push({ type, body: b.subarray(off + 8, off + len - 4), le, offset: off });
    off += len;
  }
  assert.is(off, b.length);
  return out;
}
function options(body: Buffer, le: boolean): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  let o = 0;
  while (o + 4 <= body.length) {
    const code = le ? body.readUInt16LE(o) : body.readUInt16BE(o);
    const len = le ? body.readUInt16LE(o + 2) : body.readUInt16BE(o + 2);
    if (code === 0) break;
    m.set(code, body.subarray(o + 4, o + 4 + len));
    o += 4 + ((len + 3) & ~3);
  }
  return m;
}

test('pcapng blocks: SHB, IDB options, EPB, SPB, OPB, unknown, second big-endian section', () => {
  const sink = memorySink();
  const w = new PcapngWriter(sink, { shb: { userappl: 'nps-test' } });
  const e0 = w.addInterface({ linkType: LINKTYPE.ETHERNET, name: 'eth0' });
  const e1 = w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 9, snaplen: 8 });
  assert.equal([e0, e1], [0, 1]);
  w.writeEnhanced(e0, T0 + 1, Uint8Array.of(1, 2, 3), 70, { comment: 'hi', flags: 2 });
  w.writeEnhanced(e1, T0 + 2, pkt(12));
  w.writeSimple(pkt(5), 9);
  w.writeObsolete(e1, T0 + 3, pkt(4));
  w.writeUnknownBlock(0x40000001, Uint8Array.of(1, 2, 3, 4, 5));
  w.newSection({ bigEndian: true });
  const s2 = w.addInterface({ linkType: LINKTYPE.LINUX_SLL, tsresol: 3, tsoffset: 1_600_000_000 });
  assert.is(s2, 0);
  w.writeEnhanced(s2, T0 + 5000, pkt(6));
  assert.throws(() => w.writeEnhanced(1, T0, pkt(1))); // only one interface in section 2
  w.close();
  assert.is(w.packets, 5);
  const bl = blocks(sink.bytes());
  assert.equal(
    bl.map((x) => [x.type, x.le]),
    [
      [0x0a0d0d0a, true],
      [1, true],
      [1, true],
      [6, true],
      [6, true],
      [3, true],
      [2, true],
      [0x40000001, true],
      [0x0a0d0d0a, false],
      [1, false],
      [6, false],
    ],
  );
  const [shb, idb0, idb1, epb0, epb1, spb, opb, unk, shb2, idb2, epb2] = bl as [Block, Block, Block, Block, Block, Block, Block, Block, Block, Block, Block];
  assert.is(hex(shb.body.subarray(0, 16)), '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff');
  assert.is(options(shb.body.subarray(16), true).get(4)!.toString(), 'nps-test');
  assert.is(hex(idb0.body.subarray(0, 8)), '0100' + '0000' + '00000400');
  assert.is(options(idb0.body.subarray(8), true).get(2)!.toString(), 'eth0');
  assert.is(options(idb0.body.subarray(8), true).has(9), false); // default µs: no if_tsresol
  assert.is(hex(options(idb1.body.subarray(8), true).get(9)!), '09');
  // EPB: if, ts high/low, caplen, origlen, data padded, options
  assert.is(epb0.body.readUInt32LE(0), 0);
  const ts0 = BigInt(T0 + 1);
  assert.is(epb0.body.readUInt32LE(4), Number(ts0 >> 32n));
  assert.is(epb0.body.readUInt32LE(8), Number(ts0 & 0xffffffffn));
  assert.is(epb0.body.readUInt32LE(12), 3);
  assert.is(epb0.body.readUInt32LE(16), 70);
  assert.is(hex(epb0.body.subarray(20, 24)), '01020300');
  const eo = options(epb0.body.subarray(24), true);
  assert.is(eo.get(1)!.toString(), 'hi');
  assert.is(eo.get(2)!.readUInt32LE(0), 2);
  // snaplen 8 on interface 1: 12 bytes truncated to 8, nanosecond timestamp
  const ts1 = BigInt(T0 + 2) * 1000n;
  assert.is(epb1.body.readUInt32LE(4), Number(ts1 >> 32n));
  assert.is(epb1.body.readUInt32LE(8), Number(ts1 & 0xffffffffn));
  assert.is(epb1.body.readUInt32LE(12), 8);
  assert.is(epb1.body.readUInt32LE(16), 12);
  assert.is(spb.body.readUInt32LE(0), 9);
  assert.is(spb.body.length, 4 + 8);
  assert.is(opb.body.readUInt16LE(0), 1);
  assert.is(opb.body.readUInt32LE(16), 4);
  assert.is(hex(unk.body), '0102030405000000');
  assert.is(hex(shb2.body.subarray(0, 4)), '1a2b3c4d');
  assert.is(hex(idb2.body.subarray(0, 8)), '0071' + '0000' + '00040000');
  const o2 = options(idb2.body.subarray(8), false);
  assert.is(hex(o2.get(9)!), '03');
  assert.is(o2.get(14)!.readBigInt64BE(0), 1_600_000_000n);
  const ts2 = (BigInt(T0 + 5000) - 1_600_000_000_000_000n) / 1000n;
  assert.is(epb2.body.readUInt32BE(4), Number(ts2 >> 32n));
  assert.is(epb2.body.readUInt32BE(8), Number(ts2 & 0xffffffffn));
});

test('pcapng blocks larger than the chunk buffer stay well-formed', () => {
  const sink = memorySink();
  const w = new PcapngWriter(sink, { chunkSize: 4096, shb: { comment: 'c'.repeat(9000) } });
  w.addInterface({ linkType: 1, name: 'n'.repeat(5000) });
  for (let i = 0; i < 50; i++) w.writeEnhanced(0, T0 + i, pkt(1 + i * 97), undefined, { comment: 'x'.repeat(i * 211) });
  w.writeEnhanced(0, T0, pkt(3), undefined, { comment: 'y'.repeat(20000) });
  w.close();
  const bl = blocks(sink.bytes());
  assert.is(bl.length, 2 + 51);
  assert.is(options(bl[52]!.body.subarray(24), true).get(1)!.length, 20000);
});

test('pcapngBytes convenience and writePacket(ifIndex)', () => {
  const b = pcapngBytes([{ tsUs: T0, data: pkt(3) }, { tsUs: T0 + 1, data: pkt(4), origLen: 99 }]);
  const bl = blocks(b);
  assert.equal(bl.map((x) => x.type), [0x0a0d0d0a, 1, 6, 6]);
  assert.is(bl[3]!.body.readUInt32LE(16), 99);
  const w = new PcapngWriter(memorySink());
  w.addInterface({ linkType: 1 });
  assert.throws(() => w.writePacket({ tsUs: T0, data: pkt(1), ifIndex: 1 }));
});

// ---------------------------------------------------------------------------
// tshark cross-check

function tshark(file: string, fields: string[], extra: string[] = []): string[][] {
  const r = spawnSync('tshark', ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.trimEnd().split('\n').map((l) => l.split('|'));
}

test('tshark reads the pcap and pcapng output', () => {
  if (!haveTool('tshark')) {
    skip('tshark not installed: writer output not cross-checked with Wireshark');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nps-writer-'));
  try {
    const eth = B.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 7000, dport: 7001, payload: 'hello' });
    const raw = B.ipPacketRaw({ src: 'fd00::1', dst: 'fd00::2' }, 17, B.udp({ srcPort: 7000, dstPort: 7002, payload: 'raw' }));
    const sllFrame = B.sll({ payload: B.ipPacketRaw({ src: '10.0.0.3', dst: '10.0.0.4' }, 17, B.udp({ srcPort: 1, dstPort: 7003 })) });

    // classic pcap in every flavour
    for (const [name, opts] of [
      ['le-us', {}],
      ['be-us', { bigEndian: true }],
      ['le-ns', { nanosecond: true }],
      ['be-ns', { nanosecond: true, bigEndian: true }],
    ] as const) {
      const f = join(dir, `${name}.pcap`);
      writePcapFile(f, [{ tsUs: T0 + 123456, data: eth }, { tsUs: T0 + 2_000_001, data: eth, origLen: eth.length + 10 }], opts);
      const rows = tshark(f, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'ip.src']);
      const frac = name.endsWith('ns') ? ['.123456000', '.000001000'] : ['.123456000', '.000001000'];
      assert.equal(
        rows,
        [
          [`1700000000${frac[0]}`, String(eth.length), String(eth.length), '10.0.0.1'],
          [`1700000002${frac[1]}`, String(eth.length + 10), String(eth.length), '10.0.0.1'],
        ],
        name,
      );
    }
    // snap length
    const sf = join(dir, 'snap.pcap');
    writePcapFile(sf, [{ tsUs: T0, data: eth }], { snaplen: 20 });
    assert.equal(tshark(sf, ['frame.len', 'frame.cap_len']), [[String(eth.length), '20']]);

    // pcapng: two sections (LE then BE), several interfaces, all packet block kinds, unknown block
    const nf = join(dir, 'multi.pcapng');
    const w = new PcapngWriter(fileSink(nf), { shb: { userappl: 'nps-test' } });
    const e0 = w.addInterface({ linkType: LINKTYPE.ETHERNET, name: 'eth0' });
    const e1 = w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 9, name: 'raw0' });
    w.writeEnhanced(e0, T0 + 1, eth, undefined, { comment: 'first', flags: 1 });
    w.writeEnhanced(e1, T0 + 2, raw);
    w.writeSimple(eth);
    w.writeObsolete(e1, T0 + 3, raw);
    w.writeUnknownBlock(0x40000001, Uint8Array.of(1, 2, 3));
    w.newSection({ bigEndian: true });
    const s0 = w.addInterface({ linkType: LINKTYPE.LINUX_SLL, tsresol: 0x80 | 20 });
    w.writeEnhanced(s0, T0 + 4, sllFrame);
    const s1 = w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 3, tsoffset: 1_600_000_000 });
    w.writeEnhanced(s1, T0 + 5000, eth);
    w.close();
    const rows = tshark(nf, ['frame.time_epoch', 'frame.comment', 'frame.packet_flags_direction', 'frame.protocols', 'udp.dstport']);
    assert.equal(rows, [
      ['1700000000.000001000', 'first', '0x00000001', 'eth:ethertype:ip:udp:data', '7001'],
      ['1700000000.000002000', '', '', 'raw:ipv6:udp:data', '7002'],
      ['', '', '', 'eth:ethertype:ip:udp:data', '7001'], // simple packet block: no timestamp
      ['1700000000.000003000', '', '', 'raw:ipv6:udp:data', '7002'],
      ['1700000000.000003814', '', '', 'sll:ethertype:ip:udp', '7003'], // 2^-20 s ticks
      ['1700000000.005000000', '', '', 'eth:ethertype:ip:udp:data', '7001'], // ms ticks + if_tsoffset
    ]);
    // Interface names of the first section (Wireshark 4.0 numbers later sections' interfaces
    // inconsistently, so only the first section is checked by id).
    assert.equal(tshark(nf, ['frame.interface_name'], ['-Y', 'frame.number <= 2']), [['eth0'], ['raw0']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
