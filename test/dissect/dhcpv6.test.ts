/**
 * DHCPv6 parser: hand-built messages (SOLICIT with the usual client options,
 * REPLY with IA_NA / IA_PD, relay nesting up to and past the depth bound),
 * malformed options, one real RENEW as a fixture, every truncation of a valid
 * message, seeded random bytes, and a differential test against tshark on
 * every DHCPv6 message of the shared captures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDhcpv6, MAX_DEPTH, type Dhcpv6Message } from '../../src/dissect/dhcpv6.js';
import { IPPROTO_UDP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';

class Counter {
  counts = new Map<string, number>();
  count(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }
}

const u16b = (v: number): number[] => [(v >> 8) & 255, v & 255];
const u32b = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const opt = (code: number, v: number[]): number[] => [...u16b(code), ...u16b(v.length), ...v];
const fromHex = (h: string): number[] => [...Buffer.from(h.replace(/[^0-9a-f]/gi, ''), 'hex')];
const ip6 = (h: string): number[] => fromHex(h);
const msg = (type: number, xid: number, opts: number[][]): Uint8Array => Uint8Array.from([type, (xid >> 16) & 255, (xid >> 8) & 255, xid & 255, ...opts.flat()]);
const relay = (type: number, hops: number, link: number[], peer: number[], opts: number[][]): Uint8Array =>
  Uint8Array.from([type, hops, ...link, ...peer, ...opts.flat()]);
const dnsName = (s: string, qualified = true): number[] => [...s.split('.').flatMap((l) => [l.length, ...ascii(l)]), ...(qualified ? [0] : [])];

const LINK = ip6('20010db8000000000000000000000001');
const PEER = ip6('fe800000000000000211223344556677');

function solicit(): Uint8Array {
  return msg(1, 0x123456, [
    opt(1, [0, 1, 0, 1, ...u32b(0x2a2b2c2d), 0x00, 0x11, 0x22, 0x33, 0x44, 0x55]), // DUID-LLT, Ethernet
    opt(8, [0, 150]),
    opt(3, [...u32b(0x0e001122), ...u32b(0), ...u32b(0)]),
    opt(39, [0x01, ...dnsName('DESKTOP-AB12.corp.example')]),
    opt(16, [...u32b(311), ...u16b(8), ...ascii('MSFT 5.0')]),
    opt(6, [0, 17, 0, 23, 0, 24, 0, 39]),
  ]);
}

test('SOLICIT: type, xid, DUID-LLT with MAC, FQDN, vendor class, ORO, IA_NA, elapsed', () => {
  const c = new Counter();
  const m = parseDhcpv6(solicit(), 0, 1000, c)!;
  assert.ok(m);
  assert.is(m.msgType, 1);
  assert.is(m.msgTypeName, 'SOLICIT');
  assert.is(m.transactionId, 0x123456);
  assert.is(m.hopCount, null);
  assert.is(m.clientId!.typeName, 'LLT');
  assert.is(m.clientId!.hwType, 1);
  assert.is(m.clientId!.time, 0x2a2b2c2d);
  assert.is(m.clientId!.linkLayer, '00:11:22:33:44:55');
  assert.is(m.clientId!.mac, 0x001122334455);
  assert.is(m.clientId!.hex, '000100012a2b2c2d001122334455');
  assert.is(m.serverId, null);
  assert.equal(m.clientFqdn, { flags: 1, name: 'DESKTOP-AB12.corp.example', qualified: true });
  assert.equal(m.vendorClass, [{ enterprise: 311, data: ['MSFT 5.0'] }]);
  assert.equal(m.oro, [17, 23, 24, 39]);
  assert.is(m.elapsedTime, 150);
  assert.equal(m.ias, [{ option: 3, iaid: 0x0e001122, t1: 0, t2: 0, addresses: [], prefixes: [], status: null }]);
  assert.equal(m.options, [1, 8, 3, 39, 16, 6]);
  assert.is(c.counts.size, 0);
});

test('REPLY: DUID-EN / DUID-LL / UUID, IA_NA address, IA_TA, IA_PD prefix, status, user class, vendor opts', () => {
  const c = new Counter();
  const b = msg(7, 0xabcdef, [
    opt(1, [0, 3, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
    opt(2, [0, 2, ...u32b(9), 1, 2, 3, 4]),
    opt(3, [
      ...u32b(1),
      ...u32b(3600),
      ...u32b(5400),
      ...opt(5, [...ip6('20010db8000000000000000000000042'), ...u32b(7200), ...u32b(7500), ...opt(13, [0, 0, ...ascii('ok')])]),
    ]),
    opt(4, [...u32b(2), ...opt(5, [...ip6('fd000000000000000000000000000007'), ...u32b(10), ...u32b(20)])]),
    opt(25, [...u32b(3), ...u32b(100), ...u32b(200), ...opt(26, [...u32b(300), ...u32b(400), 56, ...ip6('20010db8ab0000000000000000000000')])]),
    opt(13, [0, 6, ...ascii('NoPrefixAvail\u00e9')]),
    opt(15, [...u16b(3), ...ascii('abc'), ...u16b(0)]),
    opt(17, [...u32b(4491), ...opt(1, [1, 2])]),
  ]);
  const m = parseDhcpv6(b, 0, b.length, c)!;
  assert.is(m.msgTypeName, 'REPLY');
  assert.is(m.clientId!.typeName, 'LL');
  assert.is(m.clientId!.mac, 0xaabbccddeeff);
  assert.is(m.clientId!.time, null);
  assert.is(m.serverId!.typeName, 'EN');
  assert.is(m.serverId!.enterprise, 9);
  assert.is(m.serverId!.identifier, '01020304');
  assert.is(m.serverId!.mac, null);
  assert.equal(m.ias[0], {
    option: 3,
    iaid: 1,
    t1: 3600,
    t2: 5400,
    addresses: [{ address: '2001:db8::42', preferred: 7200, valid: 7500, status: { code: 0, message: 'ok' } }],
    prefixes: [],
    status: null,
  });
  assert.equal(m.ias[1]!.addresses, [{ address: 'fd00::7', preferred: 10, valid: 20, status: null }]);
  assert.is(m.ias[1]!.t1, null);
  assert.equal(m.ias[2]!.prefixes, [{ prefix: '2001:db8:ab00::', prefixLength: 56, preferred: 300, valid: 400, status: null }]);
  assert.equal(m.status, { code: 6, message: 'NoPrefixAvail\\xe9' });
  assert.equal(m.userClass, ['abc', '']);
  assert.equal(m.vendorOpts, [4491]);
  assert.is(c.counts.size, 0);

  const u = Uint8Array.from([...msg(3, 1, []), ...opt(1, [0, 4, ...new Array<number>(16).fill(0xab)])]);
  assert.is(parseDhcpv6(u, 0, u.length)!.clientId!.identifier, 'ab'.repeat(16));
  // LLT with a non-Ethernet hardware type or a non-6-byte address: no MAC
  const x = Uint8Array.from([...msg(1, 1, []), ...opt(1, [0, 1, 0, 6, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6])]);
  assert.is(parseDhcpv6(x, 0, x.length)!.clientId!.mac, null);
  const y = Uint8Array.from([...msg(1, 1, []), ...opt(1, [0, 3, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8])]);
  assert.is(parseDhcpv6(y, 0, y.length)!.clientId!.mac, null);
  assert.is(parseDhcpv6(y, 0, y.length)!.clientId!.linkLayer, '01:02:03:04:05:06:07:08');
});

test('client FQDN: partial (unqualified) name, empty name, non-DNS bytes escaped', () => {
  const a = msg(1, 1, [opt(39, [0, ...dnsName('laptop', false)])]);
  assert.equal(parseDhcpv6(a, 0, a.length)!.clientFqdn, { flags: 0, name: 'laptop', qualified: false });
  const b = msg(1, 1, [opt(39, [4])]);
  assert.equal(parseDhcpv6(b, 0, b.length)!.clientFqdn, { flags: 4, name: '', qualified: false });
  const c = msg(1, 1, [opt(39, [1, 3, 0x61, 0x0a, 0x5c, 0])]);
  assert.equal(parseDhcpv6(c, 0, c.length)!.clientFqdn, { flags: 1, name: 'a\\x0a\\x5c', qualified: true });
  // a label running past the option: the labels before it are kept
  const d = msg(1, 1, [opt(39, [1, 1, 0x61, 9, 0x62])]);
  assert.equal(parseDhcpv6(d, 0, d.length)!.clientFqdn, { flags: 1, name: 'a', qualified: false });
});

test('relay messages: addresses, interface id, nested relay, depth bound', () => {
  const inner = solicit();
  const r1 = relay(12, 0, LINK, PEER, [opt(18, [1, 2, 3]), opt(9, [...inner])]);
  const m = parseDhcpv6(r1, 0, r1.length)!;
  assert.is(m.msgTypeName, 'RELAY-FORW');
  assert.is(m.transactionId, null);
  assert.is(m.hopCount, 0);
  assert.is(m.linkAddress, '2001:db8::1');
  assert.is(m.peerAddress, 'fe80::211:2233:4455:6677');
  assert.is(m.interfaceId, '010203');
  assert.is(m.relayed!.msgTypeName, 'SOLICIT');
  assert.equal(m.relayed!.oro, [17, 23, 24, 39]);

  // nested as deep as allowed
  let b: Uint8Array = inner;
  for (let i = 0; i < MAX_DEPTH - 1; i++) b = relay(12, i, LINK, PEER, [opt(9, [...b])]);
  let c = new Counter();
  let r: Dhcpv6Message | null = parseDhcpv6(b, 0, b.length, c);
  let depth = 0;
  while (r && r.relayed) {
    r = r.relayed;
    depth++;
  }
  assert.is(depth, MAX_DEPTH - 1);
  assert.is(r!.msgTypeName, 'SOLICIT');
  assert.is(c.counts.size, 0);
  // one more level: the innermost is dropped and counted
  b = relay(13, 9, LINK, PEER, [opt(9, [...b])]);
  c = new Counter();
  r = parseDhcpv6(b, 0, b.length, c);
  depth = 0;
  while (r && r.relayed) {
    r = r.relayed;
    depth++;
  }
  assert.is(depth, MAX_DEPTH - 1);
  assert.is(r!.msgTypeName, 'RELAY-FORW');
  assert.is(c.counts.get('dhcpv6.relay_depth'), 1);
  // a relay message in a client message is not followed
  const n = msg(1, 1, [opt(9, [...inner])]);
  assert.is(parseDhcpv6(n, 0, n.length)!.relayed, null);
  // a huge nesting is bounded (no stack overflow)
  let big: number[] = [...inner];
  for (let i = 0; i < 1500; i++) big = [12, 0, ...LINK, ...PEER, ...u16b(9), ...u16b(big.length & 0xffff), ...big];
  assert.ok(parseDhcpv6(Uint8Array.from(big), 0, big.length));
});

test('malformed options are counted, the rest kept', () => {
  let c = new Counter();
  const a = Uint8Array.from([...msg(1, 7, [opt(8, [0, 5])]), 0, 1, 0, 40, 1, 2]);
  let m = parseDhcpv6(a, 0, a.length, c)!;
  assert.is(m.elapsedTime, 5);
  assert.equal(m.options, [8]);
  assert.is(c.counts.get('dhcpv6.bad_option_length'), 1);
  c = new Counter();
  const b = msg(1, 7, [opt(1, [0]), opt(8, [1, 2, 3]), opt(6, [0, 1, 0]), opt(16, [0, 0, 1]), opt(15, [0, 9, 1]), opt(3, [1, 2, 3])]);
  m = parseDhcpv6(b, 0, b.length, c)!;
  assert.is(m.clientId, null);
  assert.is(m.elapsedTime, null);
  assert.equal(m.oro, [1]);
  assert.equal(m.vendorClass, []);
  assert.equal(m.userClass, []);
  assert.equal(m.ias, []);
  assert.is(c.counts.get('dhcpv6.bad_option'), 6);
  c = new Counter();
  assert.is(parseDhcpv6(Uint8Array.from([1, 2, 3]), 0, 3, c), null);
  assert.is(parseDhcpv6(Uint8Array.from([0, 2, 3, 4]), 0, 4, c), null);
  assert.is(parseDhcpv6(Uint8Array.from([12, 0, 1, 2, 3]), 0, 5, c), null);
  assert.is(c.counts.get('dhcpv6.truncated'), 2);
  assert.is(c.counts.get('dhcpv6.bad_type'), 1);
  // an unknown type is parsed with the client/server layout
  const u = msg(99, 1, [opt(8, [0, 1])]);
  assert.is(parseDhcpv6(u, 0, u.length)!.msgTypeName, null);
  // the option list is bounded
  c = new Counter();
  const many = msg(11, 1, new Array(400).fill(opt(1000, [])));
  m = parseDhcpv6(many, 0, many.length, c)!;
  assert.is(m.options.length, 256);
  assert.is(c.counts.get('dhcpv6.too_many'), 1);
});

// Frame 1 of tcpdump/dhcpv6-rfc6355-duid-uuid.pcap. tshark: Renew (5), xid 0x09f56b, client DUID-UUID
// a256e92e40abd0d2a3ab3b3ff2ff8998, server DUID-LL Ethernet a0:21:b7:e0:d8:71, ORO 23 24 23 24 1,
// elapsed 0, IA_NA IAID 39e71484 T1 3600 T2 5400, IA address 2a02:2788:7c8:4dd:4a5b:39ff:fee7:1484 pref 7200 valid 7500.
const RENEW =
  '0509f56b000100120004a256e92e40abd0d2a3ab3b3ff2ff89980002000a00030001a021b7e0d8710006000a00170018001700180001' +
  '0008000200000003002839e7148400000e1000001518000500182a02278807c804dd4a5b39fffee7148400001c2000001d4c';

test('real RENEW bytes (DUID-UUID client, DUID-LL server)', () => {
  const b = Uint8Array.from(fromHex(RENEW));
  const c = new Counter();
  const m = parseDhcpv6(b, 0, b.length, c)!;
  assert.is(m.msgTypeName, 'RENEW');
  assert.is(m.transactionId, 0x09f56b);
  assert.is(m.clientId!.typeName, 'UUID');
  assert.is(m.clientId!.identifier, 'a256e92e40abd0d2a3ab3b3ff2ff8998');
  assert.is(m.serverId!.linkLayer, 'a0:21:b7:e0:d8:71');
  assert.is(m.serverId!.mac, 0xa021b7e0d871);
  assert.equal(m.oro, [23, 24, 23, 24, 1]);
  assert.is(m.elapsedTime, 0);
  assert.equal(m.ias, [
    { option: 3, iaid: 0x39e71484, t1: 3600, t2: 5400, addresses: [{ address: '2a02:2788:7c8:4dd:4a5b:39ff:fee7:1484', preferred: 7200, valid: 7500, status: null }], prefixes: [], status: null },
  ]);
  assert.is(c.counts.size, 0);
});

test('every truncation of valid messages: no throw', () => {
  const full = [Uint8Array.from(fromHex(RENEW)), relay(12, 1, LINK, PEER, [opt(18, [1]), opt(9, [...solicit()])])];
  for (const b of full) {
    for (let n = 0; n <= b.length; n++) {
      const c = new Counter();
      const m = parseDhcpv6(b, 0, n, c);
      if (n < 4 || (b[0] === 12 && n < 34)) assert.is(m, null);
      else assert.ok(m, `length ${n}`);
      parseDhcpv6(b.subarray(0, n), 0, b.length, c);
      parseDhcpv6(b, n, b.length, c);
    }
  }
});

test('random and mutated bytes never throw; outputs bounded', () => {
  let seed = 20240611;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const c = new Counter();
  const check = (m: Dhcpv6Message | null): void => {
    for (let d = 0; m && d < 20; d++, m = m.relayed) {
      assert.ok(m.options.length <= 256 && m.ias.length <= 32 && (m.oro?.length ?? 0) <= 256);
      if (m.clientFqdn) assert.ok(m.clientFqdn.name.length <= 1024);
      if (m.status) assert.ok(m.status.message.length <= 1024);
    }
  };
  for (let i = 0; i < 4000; i++) {
    const b = new Uint8Array(rnd() % 700);
    for (let j = 0; j < b.length; j++) b[j] = rnd() & 255;
    // keep option codes in the interesting range some of the time
    if (i & 1) for (let j = 4; j + 4 < b.length; j += 2 + (rnd() % 30)) {
      b[j] = 0;
      b[j + 1] = [1, 2, 3, 4, 5, 6, 8, 9, 13, 15, 16, 17, 18, 25, 26, 39][rnd() % 16]!;
      b[j + 2] = 0;
    }
    if (b.length > 0 && i % 3 === 0) b[0] = 12;
    check(parseDhcpv6(b, 0, b.length, c));
    parseDhcpv6(b, rnd() % 10, rnd() % 800, c);
  }
  const good = relay(12, 1, LINK, PEER, [opt(9, [...solicit()])]);
  for (let i = 0; i < 10000; i++) {
    const b = Uint8Array.from(good);
    for (let k = 0; k < 3; k++) b[rnd() % b.length] = rnd() & 255;
    check(parseDhcpv6(b, 0, b.length, c));
  }
  assert.is(parseDhcpv6(good, -1, 10), null);
  assert.is(parseDhcpv6(good, good.length + 5, 10), null);
  assert.is(parseDhcpv6(good, 0, NaN), null);
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark.

/** Values in tshark's order: this message's options in wire order, relayed messages where option 9 sits. */
interface Flat {
  msgtype: string[];
  xid: string[];
  duidType: string[];
  llt: string[];
  ll: string[];
  oro: string[];
  fqdn: string[];
  vcEnterprise: string[];
  vcData: string[];
  voEnterprise: string[];
  elapsed: string[];
  en: string[];
  iaaddr: string[];
  prefix: string[];
  link: string[];
  peer: string[];
  status: string[];
}

/** Whether the '|'-separated values of `a` appear in `b` in order. */
function subsequence(a: string, b: string): boolean {
  const bs = b ? b.split('|') : [];
  let j = 0;
  for (const x of a ? a.split('|') : []) {
    while (j < bs.length && bs[j] !== x) j++;
    if (j++ >= bs.length) return false;
  }
  return true;
}

function flatten(m: Dhcpv6Message, f: Flat, depth = 0): void {
  f.msgtype.push(String(m.msgType));
  if (m.transactionId !== null) f.xid.push('0x' + m.transactionId.toString(16).padStart(6, '0'));
  if (m.linkAddress !== null) f.link.push(m.linkAddress);
  if (m.peerAddress !== null) f.peer.push(m.peerAddress);
  const seen = new Set<number>();
  let vc = 0;
  let vo = 0;
  let iaIdx = 0;
  for (const code of m.options) {
    const first = !seen.has(code);
    seen.add(code);
    if ((code === 1 || code === 2) && first) {
      const d = code === 1 ? m.clientId : m.serverId;
      if (!d) continue;
      f.duidType.push(String(d.type));
      if (d.type === 1 && d.linkLayer !== null) f.llt.push(d.linkLayer);
      if (d.type === 3 && d.linkLayer !== null) f.ll.push(d.linkLayer);
      if (d.enterprise !== null) f.en.push(String(d.enterprise));
    } else if (code === 6 && first) f.oro.push(...(m.oro ?? []).map(String));
    else if (code === 39 && first && m.clientFqdn) f.fqdn.push(m.clientFqdn.name + (m.clientFqdn.qualified ? '.' : '')); // tshark shows the root label as a final dot
    else if (code === 16) {
      const v = m.vendorClass[vc++];
      if (v) {
        f.vcEnterprise.push(String(v.enterprise));
        f.vcData.push(...v.data);
      }
    } else if (code === 17) {
      const v = m.vendorOpts[vo++];
      if (v !== undefined) f.voEnterprise.push(String(v));
    } else if (code === 8 && first && m.elapsedTime !== null) {
      f.elapsed.push(String(m.elapsedTime * 10)); // tshark shows milliseconds
    } else if (code === 3 || code === 4 || code === 25) {
      const ia = m.ias[iaIdx++];
      if (ia) {
        f.iaaddr.push(...ia.addresses.map((a) => a.address));
        f.prefix.push(...ia.prefixes.map((p) => p.prefix));
        if (ia.status) f.status.push(String(ia.status.code));
        for (const a of ia.addresses) if (a.status) f.status.push(String(a.status.code));
      }
    } else if (code === 13 && first && m.status) f.status.push(String(m.status.code));
    else if (code === 9 && first && m.relayed) flatten(m.relayed, f, depth + 1);
  }
}

if (!haveShared()) {
  skip('../shared/captures is absent: real DHCPv6 captures not parsed');
  test.run();
} else if (!haveTool('tshark')) {
  skip('tshark is not installed: DHCPv6 fields not compared');
  test.run();
} else {
  test('real captures: every DHCPv6 message against tshark', async () => {
    const files = [...listShared('tcpdump', /(dhcp.*6|dhcp6|hncp_dhcpv6|ip6-snmp-oid-unsigned).*\.pcap(ng)?$/), ...listShared('zeek/dhcp', /\.pcap(ng)?$/), ...listShared('zeek', /^erspan\.pcap$/),
      // found by scanning every shared capture for UDP ports 546 / 547: Windows clients (MSFT 5.0, partial FQDNs)
      ...listShared('ics/s7/S7Comm', /^wrapup\.pcapng$/),
      ...listShared('ics/beckoff', /^(addroute|addroute1|beckoffiplink|beckoffiplinktc2)\.pcapng$/),
    ];
    assert.ok(files.length > 0, 'no DHCPv6 capture');
    const fields = [
      'dhcpv6.msgtype',
      'dhcpv6.xid',
      'dhcpv6.duid.type',
      'dhcpv6.duidllt.link_layer_addr',
      'dhcpv6.duidll.link_layer_addr',
      'dhcpv6.requested_option_code',
      'dhcpv6.client_domain',
      'dhcpv6.vendorclass.enterprise',
      'dhcpv6.vendorclass.data',
      'dhcpv6.vendoropts.enterprise',
      'dhcpv6.elapsed_time',
      'dhcpv6.duiden.enterprise',
      'dhcpv6.iaaddr.ip',
      'dhcpv6.iaprefix.pref_addr',
      'dhcpv6.linkaddr',
      'dhcpv6.peeraddr',
      'dhcpv6.status_code',
    ];
    let compared = 0;
    let parsed = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, Dhcpv6Message | null>();
      const c = new Counter();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_UDP || (v.isFragment && v.fragOffset !== 0)) return; // tshark reads a first fragment too
        if (![546, 547].includes(v.srcPort) && ![546, 547].includes(v.dstPort)) return;
        const m = parseDhcpv6(v.buf, v.payloadOff, v.payloadLen, c);
        if (m) parsed++;
        ours.set(n, m);
      });
      const rows = tsharkByFrame(file, 'dhcpv6 && !icmpv6', fields, '|');
      const name = file.slice(sharedCaptures.length + 1);
      for (const [n, theirs] of rows) {
        compared++;
        const m = ours.get(n);
        if (!m) {
          diffs.push(`${name} frame ${n}: tshark ${theirs.join(' ')}, nps nothing`);
          continue;
        }
        const f: Flat = { msgtype: [], xid: [], duidType: [], llt: [], ll: [], oro: [], fqdn: [], vcEnterprise: [], vcData: [], voEnterprise: [], elapsed: [], en: [], iaaddr: [], prefix: [], link: [], peer: [], status: [] };
        flatten(m, f);
        const mine = [f.msgtype, f.xid, f.duidType, f.llt, f.ll, f.oro, f.fqdn, f.vcEnterprise, f.vcData, f.voEnterprise, f.elapsed, f.en, f.iaaddr, f.prefix, f.link, f.peer, f.status].map((x) => x.join('|'));
        for (let k = 0; k < fields.length; k++) {
          if (fields[k] === 'dhcpv6.vendoropts.enterprise' && subsequence(mine[k]!, theirs[k] ?? '')) continue; // tshark also lists option 17 nested in IAADDR
          if ((theirs[k] ?? '') !== mine[k]) diffs.push(`${name} frame ${n} ${fields[k]}: tshark '${theirs[k] ?? ''}', nps '${mine[k]}'`);
        }
      }
    }
    process.stdout.write(`# dhcpv6: ${parsed} messages parsed, ${compared} compared with tshark (${fields.length} fields each), ${diffs.length} differences\n`);
    for (const d of diffs.slice(0, 40)) process.stdout.write(`#   ${d}\n`);
    assert.ok(compared > 0, 'no DHCPv6 message compared');
    assert.equal(diffs, []);
  });
  test.run();
}
