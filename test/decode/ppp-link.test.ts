/**
 * PPP and Cisco HDLC as a capture's link type: LINKTYPE_PPP (9) and
 * PPP_HDLC (50) frames are a PPP frame (address and control 0xff 0x03 when
 * not compressed away, a 1- or 2-byte protocol), PPP_WITH_DIR (204) the same
 * after a direction byte; C_HDLC (104) is address, control and an EtherType.
 * IPv4, IPv6 and MPLS inside are read; the packet is the frame's own (no
 * tunnel).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const PPP = 9;
const PPP_HDLC = 50;
const PPP_WITH_DIR = 204;
const C_HDLC = 104;

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });

test('PPP frames: with and without address/control, 2- and 1-byte protocols', () => {
  for (const [head, pkt, want] of [
    ['ff03 0021', v4, '10.0.0.1 > 10.0.0.2'],
    ['0021', v4, '10.0.0.1 > 10.0.0.2'],
    ['21', v4, '10.0.0.1 > 10.0.0.2'],
    ['ff03 0057', v6, '2001:db8::1 > 2001:db8::2'],
    ['57', v6, '2001:db8::1 > 2001:db8::2'],
  ] as const) {
    for (const lt of [PPP, PPP_HDLC]) {
      const { v, errs } = decode(Buffer.concat([hex(head), pkt]), lt);
      assert.is(addrs(v), want, `${lt} ${head}`);
      assert.is(v.dstPort, 53);
      assert.is(v.tunnelDepth, 0, 'the frame\'s own packet');
      assert.equal(errs.toObject(), {});
    }
  }
});

test('PPP with direction, MPLS in PPP, and Cisco HDLC', () => {
  assert.is(addrs(decode(Buffer.concat([hex('01 ff03 0021'), v4]), PPP_WITH_DIR).v), '10.0.0.1 > 10.0.0.2');
  // MPLS unicast (0x0281): one label with the bottom-of-stack bit, then IPv4.
  assert.is(addrs(decode(Buffer.concat([hex('ff03 0281 | 00012 1 40'), v4]), PPP).v), '10.0.0.1 > 10.0.0.2');
  assert.is(addrs(decode(Buffer.concat([hex('0f00 0800'), v4]), C_HDLC).v), '10.0.0.1 > 10.0.0.2');
  assert.is(addrs(decode(Buffer.concat([hex('8f00 86dd'), v6]), C_HDLC).v), '2001:db8::1 > 2001:db8::2');
  // LCP (0xc021) carries no packet: nothing read, nothing counted.
  const lcp = decode(hex('ff03 c021 0101 0004'), PPP);
  assert.is(addrs(lcp.v), '-');
  assert.equal(lcp.errs.toObject(), {});
});

test('every truncation and random bytes: the decoders return', () => {
  survivesDamage(Buffer.concat([hex('ff03 0021'), v4]), PPP);
  survivesDamage(Buffer.concat([hex('01 ff03 0057'), v6]), PPP_WITH_DIR);
  survivesDamage(Buffer.concat([hex('0f00 0800'), v4]), C_HDLC);
});

test('tcpdump\'s PPP and Cisco HDLC captures: the addresses tshark shows', async () => {
  // tshark -r mpls-ldp-hello.pcap -T fields -e ip.src -e ip.dst: 10.1.1.3 224.0.0.2 (PPP, then MPLS, then IPv4).
  let seen: string[] = [];
  let errs = await sharedFrames('tcpdump', 'mpls-ldp-hello.pcap', (_i, v) => seen.push(addrs(v)));
  if (errs === null) return;
  assert.equal(seen, ['10.1.1.3 > 224.0.0.2']);
  assert.equal(errs.toObject(), {});
  // Cisco HDLC with IS-IS only (tshark: no IP layer): nothing read, nothing counted.
  seen = [];
  errs = await sharedFrames('tcpdump', 'ISIS_p2p_adjacency.pcap', (_i, v) => seen.push(addrs(v)));
  if (errs === null) return;
  assert.ok(seen.length > 0 && seen.every((a) => a === '-'));
  assert.equal(errs.toObject(), {});
});

test.run();
