/**
 * Apple's PKTAP (LINKTYPE_PKTAP 258, and DLT_USER2 149 as macOS 10.9 wrote
 * it and tshark reads it): a little-endian header of its own length
 * (pth_length, at least 108) naming the link type (pth_dlt) of the packet
 * behind it, which is decoded as a capture of that link type would be.
 * Headers are built here field by field; the last test reads tcpdump's
 * captures and compares with what tshark shows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { addrs, decode, hex, sharedFrames, survivesDamage, viewFacts } from '../helpers/decode-frame.js';

const ETHERNET = 1;
const PKTAP = 258;
const USER2 = 149;

const A = '00:16:3e:00:00:10';
const C = '00:16:3e:00:00:20';

/** A PKTAP header: length `len` (108 unless given, the rest zeros), record type, DLT, interface "en0". */
function pktap(dlt: number, o: { len?: number; type?: number } = {}): Buffer {
  const len = o.len ?? 108;
  const h = Buffer.alloc(Math.max(len, 12));
  h.writeUInt32LE(len, 0);
  h.writeUInt32LE(o.type ?? 1, 4);
  h.writeUInt32LE(dlt, 8);
  if (h.length >= 15) h.write('en0', 12, 'latin1');
  return h;
}

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const eth4 = B.ethernet({ src: A, dst: C, payload: v4 });
const ethArp = B.arpPacket({ op: 'request', senderMac: A, senderIp: '10.0.0.1', targetIp: '10.0.0.2' });

test('PKTAP and USER2 are known link types', () => {
  assert.ok(isKnownLinkType(PKTAP));
  assert.ok(isKnownLinkType(USER2));
});

test('Ethernet behind PKTAP: the same view as the Ethernet frame alone (IPv4 and ARP)', () => {
  for (const frame of [eth4, ethArp]) {
    const alone = decode(frame, ETHERNET);
    for (const lt of [PKTAP, USER2]) {
      const { v, errs } = decode(Buffer.concat([pktap(ETHERNET), frame]), lt);
      assert.equal(viewFacts(v), viewFacts(alone.v));
      assert.equal(errs.toObject(), {});
    }
  }
});

test('other inner link types: NULL, raw IP (DLT 12), IPv6; a longer header is skipped whole', () => {
  assert.is(addrs(decode(Buffer.concat([pktap(0), hex('02000000'), v4]), PKTAP).v), '10.0.0.1 > 10.0.0.2');
  assert.is(addrs(decode(Buffer.concat([pktap(0), hex('1e000000'), v6]), PKTAP).v), '2001:db8::1 > 2001:db8::2');
  assert.is(addrs(decode(Buffer.concat([pktap(12), v6]), PKTAP).v), '2001:db8::1 > 2001:db8::2');
  const long = decode(Buffer.concat([pktap(ETHERNET, { len: 156 }), eth4]), PKTAP);
  assert.is(addrs(long.v), '10.0.0.1 > 10.0.0.2');
  assert.equal(long.errs.toObject(), {});
});

test('damaged headers are counted by reason; no record is no error', () => {
  const none = decode(pktap(ETHERNET, { type: 0 }), PKTAP);
  assert.is(addrs(none.v), '-');
  assert.equal(none.errs.toObject(), {});
  const cases: [Buffer, string][] = [
    [Buffer.concat([pktap(ETHERNET, { len: 100 }), eth4]), 'pktap.bad_header_length'],
    [Buffer.concat([pktap(ETHERNET, { len: 0 }), eth4]), 'pktap.bad_header_length'],
    [Buffer.concat([pktap(ETHERNET, { type: 7 }), eth4]), 'pktap.unknown_record_type'],
    [Buffer.concat([pktap(PKTAP), pktap(ETHERNET), eth4]), 'pktap.nested'],
    [Buffer.concat([pktap(USER2), pktap(ETHERNET), eth4]), 'pktap.nested'],
    [Buffer.concat([pktap(999), eth4]), 'pktap.unsupported_dlt'],
    [(() => { const h = pktap(ETHERNET); h.writeUInt32LE(4000, 0); return Buffer.concat([h, eth4]); })(), 'pktap.truncated'],
  ];
  for (const [frame, reason] of cases) {
    const { v, errs } = decode(frame, PKTAP);
    assert.equal(errs.toObject(), { [reason]: 1 }, reason);
    assert.is(addrs(v), '-');
  }
});

test('every truncation is counted, and random bytes never throw', () => {
  const frame = Buffer.concat([pktap(ETHERNET), eth4]);
  for (let n = 0; n < 108 + 14 + 20; n++) {
    const { v, errs } = decode(frame, PKTAP, n);
    assert.ok(errs.total >= 1, `cut at ${n}`);
    assert.is(addrs(v), '-', `cut at ${n}`);
  }
  survivesDamage(frame, PKTAP);
  survivesDamage(frame, PKTAP, 12); // a valid length, type and DLT: random inner frames
  survivesDamage(Buffer.concat([pktap(ETHERNET), ethArp]), USER2, 108);
});

test('tcpdump\'s PKTAP captures: the addresses tshark shows', async () => {
  // tshark -r LINKTYPE_PKTAP.pcap -T fields -e frame.protocols -e ip.src -e ip.dst:
  // pktap:pcap_pktdata:eth:ethertype:ip:udp:dns 10.32.4.27 10.32.100.15 (and the same for USER2, user_dlt:pktap:...)
  for (const name of ['LINKTYPE_PKTAP.pcap', 'LINKTYPE_USER2_PKTAP.pcap']) {
    const seen: string[] = [];
    const errs = await sharedFrames('tcpdump', name, (_i, v) => seen.push(`${addrs(v)} ${v.dstPort}`));
    if (errs === null) return;
    assert.equal(seen, ['10.32.4.27 > 10.32.100.15 53'], name);
    assert.equal(errs.toObject(), {}, name);
  }
});

test.run();
