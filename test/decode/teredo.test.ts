/**
 * Teredo (UDP 3544 on either side): the IPv6 packet, behind the optional
 * authentication and origin indication headers, is decoded as if seen
 * directly. Nothing names the payload, so an IPv6 header whose payload
 * length accounts for exactly the bytes left decides; anything else stays
 * plain UDP, uncounted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

/** Client 2001:0:4136:e378:8000:63bf:3fff:fdd2 → 2001:db8::1, an ICMPv6 echo request. */
const inner = B.ipv6({
  src: '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  dst: '2001:db8::1',
  nextHeader: B.IPPROTO.ICMPV6,
  payload: hex('80 00 0000 0001 0001 61626364'),
});

/** Client 192.0.2.10:40000 ↔ Teredo server 198.51.100.1:3544. */
function frame(payload: Buffer, sport = 40000, dport = 3544): Buffer {
  return B.udpPacket({ src: '192.0.2.10', dst: '198.51.100.1', sport, dport, payload });
}

test('IPv6 right after the UDP header, to the server and back', () => {
  for (const [sport, dport] of [[40000, 3544], [3544, 40000]] as const) {
    const { v, errs } = decode(frame(inner, sport, dport));
    assert.is(v.l3, L3.IPv6);
    assert.is(addrs(v), '2001:0:4136:e378:8000:63bf:3fff:fdd2 > 2001:db8::1');
    assert.is(v.proto, 58);
    assert.is(v.tunnelDepth, 1);
    assert.is(outerAddrs(v, 0), '192.0.2.10 > 198.51.100.1');
    assert.equal(errs.toObject(), {});
  }
});

test('authentication indicator and origin indication before the IPv6 header', () => {
  const auth = hex('0001 | 03 | 02 | 616263 | 0102 | 1122334455667788 | 00'); // type | id len | auth len | id | auth value | nonce | confirmation
  const origin = hex('0000 | 63bf | 3fff fdd2'); // type | obfuscated port | obfuscated address
  for (const payload of [Buffer.concat([auth, inner]), Buffer.concat([origin, inner]), Buffer.concat([auth, origin, inner])]) {
    const { v, errs } = decode(frame(payload));
    assert.is(addrs(v), '2001:0:4136:e378:8000:63bf:3fff:fdd2 > 2001:db8::1');
    assert.equal(errs.toObject(), {});
  }
});

test('a bubble (no next header, payload length 0) is IPv6 too', () => {
  const bubble = B.ipv6({ src: '2001:0:4136:e378:8000:63bf:3fff:fdd2', dst: '2001:0:4136:e378:8000:1234:3fff:0001', nextHeader: 59, payload: Buffer.alloc(0) });
  const { v } = decode(frame(bubble));
  assert.is(v.l3, L3.IPv6);
  assert.is(v.proto, 59);
});

test('not IPv6, or a payload length that does not match: plain UDP and nothing counted', () => {
  const wrongLength = Buffer.from(inner);
  wrongLength.writeUInt16BE(inner.length - 40 + 1, 4);
  const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: B.udp({ srcPort: 1, dstPort: 2 }) });
  const padded = Buffer.concat([inner, Buffer.alloc(4)]);
  for (const [what, payload] of [['length', wrongLength], ['IPv4', v4], ['trailing bytes', padded], ['DNS', hex('abcd 8180 0001 0000 0000 0000')]] as const) {
    const { v, errs } = decode(frame(payload, 53, 3544));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(addrs(v), '192.0.2.10 > 198.51.100.1', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(Buffer.concat([hex('0001 00 00 1122334455667788 00'), inner])), 1, 14 + 20 + 8);
});

test('zeek\'s Teredo.pcap: the four Teredo frames are opened, as tshark shows them', async () => {
  const opened: string[] = [];
  const errs = await sharedFrames('zeek', 'tunnels/Teredo.pcap', (i, v) => {
    if (v.tunnelDepth > 0) opened.push(`${i} ${addrs(v)}`);
  });
  if (errs === null) return;
  // tshark -Y teredo -e frame.number -e ipv6.src -e ipv6.dst
  assert.equal(opened, [
    '6 fe80::8000:ffff:ffff:fffd > ff02::2',
    '7 fe80::8000:f227:bec8:61af > fe80::8000:ffff:ffff:fffd',
    '30 2001:0:4137:9e50:8000:f12a:b9c8:2815 > 2001:4860:0:2001::68',
    '31 fe80::708d:fe83:4114:a512 > 2001:0:4137:9e50:8000:f12a:b9c8:2815',
  ]);
  assert.equal(errs.toObject(), {});
});

test.run();
