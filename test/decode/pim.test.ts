/**
 * PIM Register (IP protocol 103, version 2, type 1): the multicast source's
 * packet the designated router wraps for the rendezvous point is decoded as
 * if seen directly, the two routers kept as the tunnel's outer header. A
 * Null-Register (a dummy header, no packet) and a register too short to hold
 * an IP header are not opened; other PIM messages carry no packet.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

/** The source's packet: 192.168.20.10 → group 239.1.2.3, UDP. */
const data4 = B.ipPacketRaw({ src: '192.168.20.10', dst: '239.1.2.3' }, B.IPPROTO.UDP, B.udp({ srcPort: 5000, dstPort: 5001, payload: 'stream' }));
const data6 = B.ipPacketRaw({ src: 'fd00::10', dst: 'ff3e::1234' }, B.IPPROTO.UDP, B.udp({ srcPort: 5000, dstPort: 5001, payload: 'stream' }));

/** PIM: version 2, type 1 | reserved | checksum | flags (B, N) and reserved, then the packet. */
function register(flags: number, packet: Buffer): Buffer {
  return Buffer.concat([hex('21 00 0000'), Buffer.from([flags, 0, 0, 0]), packet]);
}

/** DR 192.168.0.6 → RP 192.168.1.254. */
function frame(pim: Buffer): Buffer {
  return B.linkFrame(B.ipv4({ src: '192.168.0.6', dst: '192.168.1.254', proto: 103, payload: pim }));
}

test('a register with an IPv4 packet, and over IPv6 with an IPv6 packet', () => {
  let r = decode(frame(register(0, data4)));
  assert.is(addrs(r.v), '192.168.20.10 > 239.1.2.3');
  assert.is(r.v.dstPort, 5001);
  assert.is(r.v.tunnelDepth, 1);
  assert.is(outerAddrs(r.v, 0), '192.168.0.6 > 192.168.1.254');
  assert.equal(r.errs.toObject(), {});

  r = decode(B.linkFrame(B.ipv6({ src: 'fd00::6', dst: 'fd00::1:fe', nextHeader: 103, payload: register(0x80, data6) })));
  assert.is(addrs(r.v), 'fd00::10 > ff3e::1234');
  assert.is(outerAddrs(r.v, 0), 'fd00::6 > fd00::1:fe');
  assert.equal(r.errs.toObject(), {});
});

test('a Null-Register, a register with no room for an IP header, and other PIM types are not opened', () => {
  const dummy = B.ipv4({ src: '192.168.20.10', dst: '239.1.2.3', proto: 103, payload: Buffer.alloc(0) });
  for (const [what, pim] of [
    ['null register', register(0x40, dummy)],
    ['border and null', register(0xc0, dummy)],
    ['too short', register(0, dummy.subarray(0, 12))],
    ['not IP', register(0, Buffer.alloc(24))],
    ['register-stop (type 2)', hex('22 00 0000 0000 0000 0000 0000')],
    ['hello (type 0)', hex('20 00 0000 0001 0002 0069')],
  ] as const) {
    const { v, errs } = decode(frame(pim));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(addrs(v), '192.168.0.6 > 192.168.1.254', what);
    assert.is(v.proto, 103, what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('a register header cut short is counted', () => {
  const { v, errs } = decode(frame(register(0, data4)), 1, 14 + 20 + 6);
  assert.ok(v.truncated);
  assert.equal(errs.toObject(), { 'pim.truncated': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(register(0, data4)), 1, 14 + 20 + 1);
  survivesDamage(frame(register(0, data4)), 1, 14 + 20 + 8);
});

test('tcpdump\'s PIM captures: data registers opened, null registers left', async () => {
  const seen: string[] = [];
  let errs = await sharedFrames('tcpdump', 'PIM_register_register-stop.pcap', (i, v) => {
    seen.push(`${i} ${v.tunnelDepth} ${addrs(v)}`);
  });
  if (errs === null) return;
  // tshark: frame 1 pim:ip:icmp (192.168.20.10 → 239.1.2.3), frame 2 the register-stop
  assert.equal(seen, ['1 1 192.168.20.10 > 239.1.2.3', '2 0 192.168.1.254 > 192.168.0.6']);
  assert.equal(errs.toObject(), {});

  let data = 0;
  let nulls = 0;
  errs = await sharedFrames('tcpdump', 'pim-packet-assortment.pcap', (_i, v) => {
    if (v.tunnelDepth === 1 && v.proto === 17) data++;
    if (v.tunnelDepth === 0 && v.proto === 103 && v.buf[v.l4Off] === 0x21 && v.buf[v.l4Off + 4]! & 0x40) nulls++;
  });
  if (errs === null) return;
  // tshark: 27 registers with UDP inside (18 over IPv4, 9 over IPv6); 20 Null-Registers (pim.register_flag.null_register == 1)
  assert.is(data, 27);
  assert.is(nulls, 20);
  assert.equal(errs.toObject(), {});
});

test.run();
