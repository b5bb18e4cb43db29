/**
 * WCCP redirection in GRE (protocol 0x883e): a router sends intercepted
 * traffic to a cache engine with a 4-byte WCCPv2 redirect header before the
 * IPv4 packet (WCCPv1 had none: an IPv4 header right away). The packet is
 * decoded as if seen directly, router and cache kept as the tunnel's outer
 * header.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

/** The client's SYN: 10.254.127.195 → 10.254.108.228:445. */
const inner = B.ipPacketRaw({ src: '10.254.127.195', dst: '10.254.108.228' }, B.IPPROTO.TCP, B.tcp({ srcPort: 1291, dstPort: 445, flags: 'S', seq: 1 }));

/** Router 10.254.127.194 → cache 10.254.214.82. */
function frame(payload: Buffer): Buffer {
  return B.linkFrame(B.ipv4({ src: '10.254.127.194', dst: '10.254.214.82', proto: B.IPPROTO.GRE, payload: B.gre({ protocol: 0x883e, payload }) }));
}

test('WCCPv2: the redirect header (flags, service id 0x59, buckets) before IPv4', () => {
  const { v, errs } = decode(frame(Buffer.concat([hex('05 59 00 48'), inner])));
  assert.is(addrs(v), '10.254.127.195 > 10.254.108.228');
  assert.is(v.dstPort, 445);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), '10.254.127.194 > 10.254.214.82');
  assert.equal(errs.toObject(), {});
});

test('WCCPv1: IPv4 right after the GRE header', () => {
  const { v, errs } = decode(frame(inner));
  assert.is(addrs(v), '10.254.127.195 > 10.254.108.228');
  assert.equal(errs.toObject(), {});
});

test('a redirect header with no packet behind it is counted as a truncated tunnel', () => {
  const { v, errs } = decode(frame(hex('05 59 00 48 0000')));
  assert.is(v.tunnelDepth, 0);
  assert.equal(errs.toObject(), { 'tunnel.inner_truncated': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(Buffer.concat([hex('05 59 00 48'), inner])), 1, 14 + 20 + 4);
});

test('tcpdump\'s wccp_redirect_gre.pcap: the redirected SMB packet', async () => {
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'wccp_redirect_gre.pcap', (_i, v) => {
    seen.push(`${outerAddrs(v, 0)} | ${addrs(v)} ${v.srcPort}>${v.dstPort}`);
  });
  if (errs === null) return;
  // tshark: ip:gre:ip:tcp:nbss:smb, 10.254.127.194 → 10.254.214.82, inside 10.254.127.195:1291 → 10.254.108.228:445
  assert.equal(seen, ['10.254.127.194 > 10.254.214.82 | 10.254.127.195 > 10.254.108.228 1291>445']);
  assert.equal(errs.toObject(), {});
});

test.run();
