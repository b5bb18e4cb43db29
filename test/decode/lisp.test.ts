/**
 * LISP data plane (UDP 4341, RFC 9300): an 8-byte header, then the
 * endpoint's packet, decoded as if seen directly, the tunnel routers (ITR,
 * ETR) kept as the tunnel's outer header. Nothing names the payload: the
 * inner header must be IPv4 or IPv6 with a length that accounts for the
 * bytes left, the source port 1024 or more; otherwise plain UDP, uncounted.
 * (LISP control messages, UDP 4342, are not opened.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, outerAddrs, survivesDamage } from '../helpers/decode-frame.js';

const inner4 = B.ipPacketRaw({ src: '10.1.1.1', dst: '10.2.2.2' }, B.IPPROTO.ICMP, hex('0800 0000 0001 0001 6162'));
const inner6 = B.ipPacketRaw({ src: '2001:db8:1::1', dst: '2001:db8:2::2' }, B.IPPROTO.ICMPV6, hex('8000 0000 0001 0001 6162'));
/** Flags N, I | nonce | instance id 0x000100 | locator status bits. */
const HEADER = hex('88 123456 000100 01');

/** ITR 192.0.2.1 → ETR 198.51.100.1. */
function frame(payload: Buffer, sport = 61000, dport = 4341): Buffer {
  return B.udpPacket({ src: '192.0.2.1', dst: '198.51.100.1', sport, dport, payload });
}

test('IPv4 and IPv6 endpoints behind the header', () => {
  for (const [pkt, want] of [[inner4, '10.1.1.1 > 10.2.2.2'], [inner6, '2001:db8:1::1 > 2001:db8:2::2']] as const) {
    const { v, errs } = decode(frame(Buffer.concat([HEADER, pkt])));
    assert.is(addrs(v), want);
    assert.is(v.tunnelDepth, 1);
    assert.is(outerAddrs(v, 0), '192.0.2.1 > 198.51.100.1');
    assert.equal(errs.toObject(), {});
  }
});

test('not LISP: a length that does not match, no IP, N and V both set, a well-known source port, control port 4342', () => {
  for (const [what, payload, sport, dport] of [
    ['trailing bytes', Buffer.concat([HEADER, inner4, Buffer.alloc(2)]), 61000, 4341],
    ['no IP', Buffer.concat([HEADER, Buffer.alloc(24)]), 61000, 4341],
    ['N and V', Buffer.concat([hex('98 123456 000100 01'), inner4]), 61000, 4341],
    ['from port 53', Buffer.concat([HEADER, inner4]), 53, 4341],
    ['control', Buffer.concat([HEADER, inner4]), 4342, 4342],
  ] as const) {
    const { v, errs } = decode(frame(payload, sport, dport));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(addrs(v), '192.0.2.1 > 198.51.100.1', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(Buffer.concat([HEADER, inner6])), 1, 14 + 20 + 8);
  survivesDamage(frame(Buffer.concat([HEADER, inner4])), 1, 14 + 20 + 8 + 8);
});

test.run();
