/**
 * Arista's vendor EtherType (0xd28b): a timestamp header (64- or 48-bit)
 * that switches and TAP aggregators insert before the original EtherType.
 * The packet behind it is decoded as if the header were not there.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as B from '../../src/capture/builder.js';
import { readCapture } from '../../src/capture/reader.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { L3, PacketView } from '../../src/decode/view.js';
import { ip4ToString } from '../../src/inventory/addr-format.js';
import { sharedCaptures, skip } from '../helpers/skip.js';

const ETHERNET = 1;

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Ethernet header, the Arista header with `version` and a timestamp of `tsLen` bytes, then `type` and `payload`. */
function aristaFrame(version: number, tsLen: number, type: number, payload: Buffer, subtype = 1): Buffer {
  const h = Buffer.alloc(4 + tsLen + 2);
  h.writeUInt16BE(subtype, 0);
  h.writeUInt16BE(version, 2);
  h.fill(0x5c, 4, 4 + tsLen);
  h.writeUInt16BE(type, 4 + tsLen);
  return Buffer.concat([hex('000000000001 001122334455 d28b'), h, payload]);
}

function decode(frame: Buffer): { v: PacketView; errs: DecodeErrors } {
  const v = new PacketView();
  const errs = new DecodeErrors();
  decodeFrame(v, errs, frame, 0, frame.length, frame.length, 0, ETHERNET);
  return { v, errs };
}

const ip = B.ipv4({ src: '10.136.1.32', dst: '10.2.23.24', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 1000, dstPort: 53, payload: Buffer.from('x') }) });

test('64-bit and 48-bit timestamps (TAI and UTC, either hardware), then IPv4', () => {
  for (const [version, tsLen] of [[0x0010, 8], [0x0011, 8], [0x0110, 8], [0x0020, 6], [0x0120, 6], [0x0021, 6]] as const) {
    const { v, errs } = decode(aristaFrame(version, tsLen, 0x0800, ip));
    assert.is(v.l3, L3.IPv4, `version 0x${version.toString(16)}`);
    assert.is(ip4ToString(v.src4), '10.136.1.32');
    assert.is(v.dstPort, 53);
    assert.equal(errs.toObject(), {});
  }
});

test('a VLAN tag after the Arista header', () => {
  const { v } = decode(aristaFrame(0x0010, 8, 0x8100, Buffer.concat([hex('0064 0800'), ip])));
  assert.is(v.vlan, 100);
  assert.is(ip4ToString(v.src4), '10.136.1.32');
});

test('another subtype or timestamp format is counted, and nothing behind it is guessed', () => {
  for (const [version, subtype] of [[0x0030, 1], [0x0010, 2]] as const) {
    const { v, errs } = decode(aristaFrame(version, 8, 0x0800, ip, subtype));
    assert.is(v.l3, L3.None);
    assert.equal(errs.toObject(), { 'arista.unknown_header': 1 });
  }
});

test('a header cut short is counted as truncated', () => {
  const whole = aristaFrame(0x0010, 8, 0x0800, ip);
  const { v, errs } = decode(whole.subarray(0, 14 + 10));
  assert.is(v.l3, L3.None);
  assert.ok(v.truncated);
  assert.equal(errs.toObject(), { 'arista.truncated': 1 });
});

test('tcpdump\'s arista_ether.pcap: every frame decodes, as tcpdump reads it', async () => {
  const file = join(sharedCaptures, 'tcpdump', 'arista_ether.pcap');
  if (!existsSync(file)) {
    skip('../shared/captures/tcpdump/arista_ether.pcap is absent');
    return;
  }
  const v = new PacketView();
  const errs = new DecodeErrors();
  let frames = 0;
  let ipv4 = 0;
  const sources = new Set<string>();
  await readCapture(file, (f) => {
    frames++;
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    if (v.l3 === L3.IPv4) {
      ipv4++;
      sources.add(ip4ToString(v.src4));
    }
  });
  // tcpdump: an IPv4 packet behind every header (some over VLAN and MPLS). tshark 4.0 stops at the
  // four whose version word has the hardware bit set (R3), and shows 12.
  assert.is(frames, 16);
  assert.is(ipv4, 16);
  assert.equal([...sources], ['10.136.1.32']);
  assert.equal(errs.toObject(), {});
});

test.run();
