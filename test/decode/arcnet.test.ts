/**
 * ARCNET as BSD (7) and Linux (129) capture it: RFC 1051 and RFC 1201
 * system codes, BSD exception frames and fragments, no MAC recorded, and the
 * shared captures' packets as tcpdump shows them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, agreesWithTcpdump, decode, hex, survivesDamage } from '../helpers/decode-frame.js';
import { haveTool, skip } from '../helpers/skip.js';

const BSD = 7;
const LINUX = 129;
const v4 = B.ipv4({ src: '10.80.131.1', dst: '10.80.131.254', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const frame = (head: string, payload: Buffer) => Buffer.concat([hex(head), payload]);

test('both link types are known', () => {
  assert.ok(isKnownLinkType(BSD));
  assert.ok(isKnownLinkType(LINUX));
});

test('Linux: RFC 1051 (code 240) and RFC 1201 (212 with split flag and sequence) IPv4, and IPv6 (0xc4)', () => {
  for (const [head, payload, want] of [
    ['01 fe 0000 f0', v4, '10.80.131.1 > 10.80.131.254'],
    ['01 fe 0000 d4 00 0007', v4, '10.80.131.1 > 10.80.131.254'],
    ['01 fe 0000 c4 00 0008', v6, 'fd00::1 > fd00::2'],
  ] as const) {
    const { v, errs } = decode(frame(head, payload), LINUX);
    assert.is(addrs(v), want, head);
    assert.is(v.proto, B.IPPROTO.UDP);
    assert.is(v.macSrc, -1, 'a station id is not a MAC');
    assert.equal(errs.toObject(), {});
  }
});

test('BSD: no offset field; an exception frame repeats code, flag and sequence; later fragments are skipped', () => {
  assert.is(addrs(decode(frame('01 fe f0', v4), BSD).v), '10.80.131.1 > 10.80.131.254');
  assert.is(addrs(decode(frame('01 fe d4 00 0007', v4), BSD).v), '10.80.131.1 > 10.80.131.254');
  assert.is(addrs(decode(frame('01 fe d4 ff ffff d4 00 0007', v4), BSD).v), '10.80.131.1 > 10.80.131.254', 'exception frame');
  assert.is(addrs(decode(frame('01 fe d4 01 0007', v4), BSD).v), '10.80.131.1 > 10.80.131.254', 'first of two fragments');
  const later = decode(frame('01 fe d4 02 0007', v4), BSD);
  assert.is(later.v.l3, L3.None, 'a middle or last fragment holds no IP header');
  assert.equal(later.errs.toObject(), {});
});

test('ARP over ARCNET and unknown codes give nothing and count nothing', () => {
  for (const head of ['01 fe 0000 d5 00 0001', '01 fe 0000 f1', '01 fe 0000 fa 00 0001']) {
    const { v, errs } = decode(frame(head, hex('0007 0800 01 04 0001 01 0a50 8301 00 0a50 83fe')), LINUX);
    assert.is(v.l3, L3.None, head);
    assert.equal(errs.toObject(), {}, head);
  }
});

test('every cut short of the IP header is counted; random bytes never throw', () => {
  for (const [lt, f] of [[LINUX, frame('01 fe 0000 d4 00 0007', v4)], [BSD, frame('01 fe d4 ff ffff d4 00 0007', v4)]] as const) {
    const hdr = f.length - v4.length;
    for (let n = 0; n < hdr + 20; n++) {
      const { v, errs } = decode(f, lt, n);
      assert.ok(errs.total >= 1, `${lt}: cut at ${n}`);
      assert.is(addrs(v), '-', `${lt}: cut at ${n}`);
    }
    survivesDamage(f, lt);
  }
});

test('the shared captures: the IPv4 packets tcpdump shows, and no error', async () => {
  if (!haveTool('tcpdump')) return skip('tcpdump is not installed');
  for (const name of ['arcnet-rfc1051-arp-icmp-http.pcap', 'arcnet-rfc1201-arp-icmp-http.pcap']) {
    const errs = await agreesWithTcpdump('tcpdump', name);
    if (errs !== null) assert.equal(errs.toObject(), {}, name);
  }
});

test.run();
