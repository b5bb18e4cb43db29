/**
 * LINKTYPE_IPV4 (228) promises IPv4, but captures exist with IPv6 in such
 * frames; tcpdump and tshark both read them as IPv6 (by the version nibble),
 * and so does nps. (LINKTYPE_IPV6 holding IPv4: tshark refuses it, tcpdump
 * reads IPv4; nps follows tshark and counts a bad IPv6 version.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;

const v4 = B.ipv4({ src: '192.168.1.100', dst: '9.9.9.9', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 12345, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: '2001:db8::1', dst: '2620:fe::9', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 12345, dstPort: 53, payload: 'q' }) });

test('IPv4 and IPv6 in LINKTYPE_IPV4 frames', () => {
  let r = decode(v4, LINKTYPE_IPV4);
  assert.is(addrs(r.v), '192.168.1.100 > 9.9.9.9');
  r = decode(v6, LINKTYPE_IPV4);
  assert.is(r.v.l3, L3.IPv6);
  assert.is(addrs(r.v), '2001:db8::1 > 2620:fe::9');
  assert.is(r.v.dstPort, 53);
  assert.equal(r.errs.toObject(), {});
});

test('neither version is counted; LINKTYPE_IPV6 stays strict, as in tshark', () => {
  let r = decode(Buffer.from([0x50, ...v4.subarray(1)]), LINKTYPE_IPV4);
  assert.equal(r.errs.toObject(), { 'raw.bad_ip_version': 1 });
  r = decode(B.ipv4({ src: '192.168.1.100', dst: '9.9.9.9', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 12345, dstPort: 53, payload: 'a longer query' }) }), LINKTYPE_IPV6);
  assert.equal(r.errs.toObject(), { 'ipv6.bad_version': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(v6, LINKTYPE_IPV4);
});

test('tcpdump\'s LINKTYPE_IPV4_invalid.pcap: the IPv6 DNS query tcpdump and tshark show', async () => {
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'LINKTYPE_IPV4_invalid.pcap', (_i, v) => seen.push(`${addrs(v)} ${v.srcPort}>${v.dstPort}`));
  if (errs === null) return;
  // tcpdump: IP6 2001:db8::1.12345 > 2620:fe::9.53: 4660+ A? example.com.
  assert.equal(seen, ['2001:db8::1 > 2620:fe::9 12345>53']);
  assert.equal(errs.toObject(), {});
});

test.run();
