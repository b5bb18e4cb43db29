/**
 * MACsec (EtherType 0x88e5): with integrity only (neither E nor C in the
 * TCI) the frame behind the SecTAG is in clear, and decoded as if the tag
 * were not there: the EtherType after the SecTAG, the payload up to the
 * 16-byte ICV (or the short length's end). The frame's MACs are the hosts'
 * (one protected link, no tunnel). Encrypted or changed data is left alone
 * without counting an error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const HOST_MAC = 'ca:f9:df:4f:50:9a';
const ICV = Buffer.alloc(16, 0xee);
const ip = B.ipv4({ src: '192.168.114.1', dst: '192.168.114.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 37459, dstPort: 6666, payload: '123\n' }) });
const big = B.ipv4({ src: '192.168.113.1', dst: '192.168.113.2', proto: B.IPPROTO.ICMP, payload: Buffer.alloc(64, 0x61) });

/** TCI/AN | short length | packet number | [SCI], then the secure data and the ICV, on Ethernet. */
function macsec(tci: number, sl: number, data: Buffer, sci = true): Buffer {
  const tag = Buffer.concat([Buffer.from([tci | (sci ? 0x20 : 0), sl]), hex('00000042'), sci ? hex('caf9df4f509a 0064') : Buffer.alloc(0)]);
  return B.linkFrame(Buffer.concat([tag, data, ICV]), { etherType: 0x88e5, srcMac: HOST_MAC });
}

test('integrity only, with the SCI and a short length: the IPv4 packet, and the hosts\' MAC', () => {
  const data = Buffer.concat([hex('0800'), ip]);
  const { v, errs } = decode(macsec(0x00, data.length, data));
  assert.is(addrs(v), '192.168.114.1 > 192.168.114.2');
  assert.is(v.dstPort, 6666);
  assert.is(v.macSrc, 0xcaf9df4f509a);
  assert.is(v.tunnelDepth, 0);
  assert.is(v.etherType, 0x0800);
  assert.equal(errs.toObject(), {});
});

test('short length 0 (48 bytes or more): the data ends before the ICV', () => {
  for (const sci of [true, false]) {
    const data = Buffer.concat([hex('0800'), big]);
    const { v, errs } = decode(macsec(0x00, 0, data, sci));
    assert.is(addrs(v), '192.168.113.1 > 192.168.113.2');
    assert.is(v.l3End, v.l3Off + big.length);
    assert.equal(errs.toObject(), {}, 'no IPv4 length complaint: the ICV is not part of the packet');
  }
});

test('the ICV is not part of the payload: an IPv4 length running into it is counted', () => {
  const longer = Buffer.from(big);
  longer.writeUInt16BE(big.length + 16, 2);
  const { v, errs } = decode(macsec(0x00, 0, Buffer.concat([hex('0800'), longer])));
  assert.is(v.l3, L3.IPv4);
  assert.equal(errs.toObject(), { 'ipv4.total_length_exceeds_frame': 1 });
});

test('a VLAN tag or IPv6 behind the SecTAG', () => {
  const ip6 = B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 59, payload: Buffer.alloc(0) });
  let r = decode(macsec(0x00, 0, Buffer.concat([hex('8100 0064 86dd'), ip6, Buffer.alloc(8)])));
  assert.is(r.v.vlan, 100);
  assert.is(addrs(r.v), 'fd00::1 > fd00::2');
  r = decode(macsec(0x00, 0, Buffer.concat([hex('86dd'), ip6, Buffer.alloc(8)])));
  assert.is(addrs(r.v), 'fd00::1 > fd00::2');
});

test('encrypted (E and C) or changed (C) data: nothing decoded and nothing counted', () => {
  for (const tci of [0x0c, 0x04, 0x08]) {
    const { v, errs } = decode(macsec(tci, 0, Buffer.concat([hex('0800'), big])));
    assert.is(v.l3, L3.None);
    assert.is(v.etherType, 0x88e5);
    assert.equal(errs.toObject(), {});
  }
});

test('version bit set is counted as bad; a SecTAG cut short as truncated', () => {
  let r = decode(macsec(0x80, 0, Buffer.concat([hex('0800'), big])));
  assert.equal(r.errs.toObject(), { 'macsec.bad_version': 1 });
  const f = macsec(0x00, 0, Buffer.concat([hex('0800'), big]));
  r = decode(f, 1, 14 + 10);
  assert.ok(r.v.truncated);
  assert.equal(r.errs.toObject(), { 'macsec.truncated': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(macsec(0x00, 0, Buffer.concat([hex('0800'), big])), 1, 14);
  survivesDamage(macsec(0x00, 0, Buffer.concat([hex('0800'), big])), 1, 15);
});

test('tcpdump\'s MACsec captures, as tshark reads them', async () => {
  const seen: string[] = [];
  for (const name of ['macsec-integonly.pcap', 'macsec-short-valid.pcap', 'macsec-encrypted.pcap', 'macsec-changed.pcap', 'icmp-rfc8335-missing-bytes.pcap']) {
    const errs = await sharedFrames('tcpdump', name, (_i, v) => seen.push(`${name}: ${addrs(v)}`));
    if (errs === null) return;
    // The last one's IPv4 header claims 84 bytes where 33 are left before the ICV (tshark: "exceeds packet length").
    assert.equal(errs.toObject(), name.startsWith('icmp') ? { 'ipv4.total_length_exceeds_frame': 1 } : {}, name);
  }
  // tshark: macsec:ethertype:ip for the integrity-only frames, macsec:data for the encrypted and changed ones
  assert.equal(seen, [
    'macsec-integonly.pcap: 192.168.113.1 > 192.168.113.2',
    'macsec-short-valid.pcap: 192.168.114.1 > 192.168.114.2',
    'macsec-encrypted.pcap: -',
    'macsec-changed.pcap: -',
    'icmp-rfc8335-missing-bytes.pcap: 35.36.42.37 > 38.39.40.41',
  ]);
});

test.run();
