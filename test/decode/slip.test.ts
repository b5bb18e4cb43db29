/**
 * SLIP (8): the 16-byte pseudo-header is skipped and the IP version nibble
 * read, as tcpdump does; tshark 4.0 shows these packets as data, so the
 * shared captures (fuzzing finds, one packet each) are compared with tcpdump.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, agreesWithTcpdump, decode, survivesDamage } from '../helpers/decode-frame.js';
import { haveTool, skip } from '../helpers/skip.js';

const SLIP = 8;
const pseudo = (dir: number, type: number) => Buffer.concat([Buffer.from([dir, type]), Buffer.alloc(14)]);
const v4 = B.ipv4({ src: '192.168.7.1', dst: '192.168.7.2', proto: B.IPPROTO.TCP, payload: B.tcp({ srcPort: 1023, dstPort: 23, flags: 'S' }) });
const v6 = B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });

test('IPv4 and IPv6 after the pseudo-header, whatever its direction and compression type', () => {
  assert.ok(isKnownLinkType(SLIP));
  for (const [head, ip, want] of [
    [pseudo(0, 0x40), v4, '192.168.7.1 > 192.168.7.2'],
    [pseudo(1, 0x70), v4, '192.168.7.1 > 192.168.7.2'],
    [pseudo(1, 0x40), v6, 'fd00::1 > fd00::2'],
  ] as const) {
    const { v, errs } = decode(Buffer.concat([head, ip]), SLIP);
    assert.is(addrs(v), want);
    assert.is(v.macSrc, -1);
    assert.equal(errs.toObject(), {});
  }
});

test('a packet no longer than the pseudo-header is counted; another IP version too', () => {
  const f = Buffer.concat([pseudo(0, 0x40), v4]);
  for (let n = 0; n < 16 + 20; n++) {
    const { v, errs } = decode(f, SLIP, n);
    assert.ok(errs.total >= 1, `cut at ${n}`);
    assert.is(v.l3, L3.None, `cut at ${n}`);
  }
  const bad = Buffer.from(f);
  bad[16] = 0xe5;
  assert.equal(decode(bad, SLIP).errs.toObject(), { 'raw.bad_ip_version': 1 });
  survivesDamage(f, SLIP);
});

test('the shared captures: the IPv6 addresses tcpdump shows', async () => {
  if (!haveTool('tcpdump')) return skip('tcpdump is not installed');
  for (const name of ['icmp6_nodeinfo_oobr.pcap', 'cve2015-0261-crash.pcap']) {
    await agreesWithTcpdump('tcpdump', name);
  }
});

test.run();
