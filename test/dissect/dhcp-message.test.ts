/**
 * DHCP / BOOTP message parser: hand-built messages (DISCOVER, ACK, option
 * overload, RFC 3396 split options, FQDN, BOOTP), malformed option lengths,
 * every truncation of a valid message, random bytes, one real DISCOVER as a
 * fixture, and a differential test against tshark on the shared captures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDhcpMessage, type DhcpMessage } from '../../src/dissect/dhcp-message.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_UDP } from '../../src/decode/view.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { readCapture } from '../../src/capture/reader.js';
import { ip4ToString } from '../../src/inventory/addr-format.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

// ---------------------------------------------------------------------------
// A small message builder.

const COOKIE = [99, 130, 83, 99];

interface Fixed {
  op?: number;
  htype?: number;
  hlen?: number;
  xid?: number;
  secs?: number;
  flags?: number;
  ciaddr?: string;
  yiaddr?: string;
  siaddr?: string;
  giaddr?: string;
  mac?: string;
  /** Raw bytes for the sname (64) and file (128) fields. */
  sname?: number[];
  file?: number[];
}

function ipBytes(s: string): number[] {
  return s.split('.').map(Number);
}
function u32b(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
function ipNum(s: string): number {
  const b = ipBytes(s);
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}
function str(s: string): number[] {
  return [...Buffer.from(s, 'latin1')];
}
function opt(code: number, value: number[]): number[] {
  return [code, value.length, ...value];
}
function pad(b: number[], n: number): number[] {
  return [...b, ...new Array<number>(n - b.length).fill(0)].slice(0, n);
}

function fixed(f: Fixed = {}): number[] {
  const mac = (f.mac ?? '00:11:22:33:44:55').split(':').map((h) => parseInt(h, 16));
  return [
    f.op ?? 1,
    f.htype ?? 1,
    f.hlen ?? 6,
    0,
    ...u32b(f.xid ?? 0x3903f326),
    (f.secs ?? 0) >> 8,
    (f.secs ?? 0) & 255,
    (f.flags ?? 0) >> 8,
    (f.flags ?? 0) & 255,
    ...ipBytes(f.ciaddr ?? '0.0.0.0'),
    ...ipBytes(f.yiaddr ?? '0.0.0.0'),
    ...ipBytes(f.siaddr ?? '0.0.0.0'),
    ...ipBytes(f.giaddr ?? '0.0.0.0'),
    ...pad(mac, 16),
    ...pad(f.sname ?? [], 64),
    ...pad(f.file ?? [], 128),
  ];
}

function dhcp(f: Fixed, ...options: number[][]): Uint8Array {
  const b = [...fixed(f), ...COOKIE, ...options.flat()];
  assert.is(fixed(f).length, 236);
  return Uint8Array.from(b);
}

function parse(b: Uint8Array, off = 0, len = b.length): { m: DhcpMessage | null; errors: Record<string, number> } {
  const errs = new DecodeErrors();
  const m = parseDhcpMessage(b, off, len, errs);
  return { m, errors: errs.toObject() };
}

const END = [255];

const discover = dhcp(
  { xid: 0xdeadbeef, secs: 3, flags: 0x8000 },
  opt(53, [1]),
  opt(61, [1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55]),
  opt(50, ipBytes('192.168.1.20')),
  opt(12, str('my-laptop')),
  opt(60, str('MSFT 5.0')),
  opt(55, [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]),
  END,
  [0, 0, 0, 0],
);

// ---------------------------------------------------------------------------

test('DISCOVER with hostname, vendor class, parameter request list, client id', () => {
  const { m, errors } = parse(discover);
  assert.equal(errors, {});
  assert.ok(m);
  assert.equal(m, {
    op: 1,
    htype: 1,
    hlen: 6,
    xid: 0xdeadbeef,
    secs: 3,
    flags: 0x8000,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: '00:11:22:33:44:55',
    messageType: 1,
    hostname: 'my-laptop',
    clientFqdn: null,
    vendorClass: 'MSFT 5.0',
    parameterRequestList: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252],
    requestedIp: ipNum('192.168.1.20'),
    leaseSeconds: null,
    serverId: null,
    clientId: '01:00:11:22:33:44:55',
    domainName: null,
    routers: [],
    dnsServers: [],
    options: [53, 61, 50, 12, 60, 55],
  });
});

test('the message at an offset inside a larger buffer', () => {
  const big = new Uint8Array(discover.length + 50).fill(0xee);
  big.set(discover, 20);
  const { m, errors } = parse(big, 20, discover.length);
  assert.equal(errors, {});
  assert.equal(m, parse(discover).m);
});

test('ACK with lease time, server id, subnet mask, routers, DNS servers, domain', () => {
  const ack = dhcp(
    { op: 2, yiaddr: '10.0.0.57', siaddr: '10.0.0.1', giaddr: '10.0.1.1', ciaddr: '10.0.0.57', mac: 'aa:bb:cc:dd:ee:ff' },
    opt(53, [5]),
    opt(54, ipBytes('10.0.0.1')),
    opt(51, u32b(86400)),
    opt(1, ipBytes('255.255.255.0')),
    opt(3, [...ipBytes('10.0.0.1'), ...ipBytes('10.0.0.2')]),
    opt(6, [...ipBytes('10.0.0.53'), ...ipBytes('9.9.9.9')]),
    opt(15, [...str('corp.example'), 0]),
    END,
  );
  const { m, errors } = parse(ack);
  assert.equal(errors, {});
  assert.ok(m);
  assert.is(m.op, 2);
  assert.is(m.messageType, 5);
  assert.is(m.chaddr, 'aa:bb:cc:dd:ee:ff');
  assert.is(ip4ToString(m.yiaddr), '10.0.0.57');
  assert.is(ip4ToString(m.ciaddr), '10.0.0.57');
  assert.is(ip4ToString(m.siaddr), '10.0.0.1');
  assert.is(ip4ToString(m.giaddr), '10.0.1.1');
  assert.is(m.serverId, ipNum('10.0.0.1'));
  assert.is(m.leaseSeconds, 86400);
  assert.equal(m.routers.map(ip4ToString), ['10.0.0.1', '10.0.0.2']);
  assert.equal(m.dnsServers.map(ip4ToString), ['10.0.0.53', '9.9.9.9']);
  assert.is(m.domainName, 'corp.example'); // trailing NUL dropped
  assert.is(m.hostname, null);
  assert.is(m.parameterRequestList, null);
  assert.equal(m.options, [53, 54, 51, 1, 3, 6, 15]);
});

test('infinite lease, high-bit addresses and xid stay unsigned', () => {
  const { m } = parse(dhcp({ op: 2, xid: 0xffffffff, yiaddr: '255.1.2.3' }, opt(53, [5]), opt(51, u32b(0xffffffff)), opt(54, ipBytes('200.0.0.1')), END));
  assert.is(m!.xid, 0xffffffff);
  assert.is(m!.leaseSeconds, 0xffffffff);
  assert.is(m!.yiaddr, ipNum('255.1.2.3'));
  assert.is(m!.serverId, ipNum('200.0.0.1'));
});

test('option overload (52): file then sname carry options, read after the options field', () => {
  const file = [...opt(12, str('host')), ...opt(60, str('vendor-in-file')), 255];
  const sname = [0, 0, ...opt(12, str('-part2')), ...opt(55, [1, 3, 6]), 255];
  const b = dhcp({ file, sname }, opt(53, [3]), opt(52, [3]), opt(61, [0xff, 1, 2]), END);
  const { m, errors } = parse(b);
  assert.equal(errors, {});
  assert.ok(m);
  assert.is(m.messageType, 3);
  assert.is(m.vendorClass, 'vendor-in-file');
  // RFC 3396: instances concatenated in the order options, file, sname
  assert.is(m.hostname, 'host-part2');
  assert.equal(m.parameterRequestList, [1, 3, 6]);
  assert.is(m.clientId, 'ff:01:02');
  assert.equal(m.options, [53, 52, 61, 12, 60, 55]);

  // overload 1: only file; the sname bytes are a server name, not options
  const only = parse(dhcp({ file, sname }, opt(53, [3]), opt(52, [1]), END)).m!;
  assert.is(only.hostname, 'host');
  assert.is(only.parameterRequestList, null);
  // overload 2: only sname
  const only2 = parse(dhcp({ file, sname }, opt(53, [3]), opt(52, [2]), END)).m!;
  assert.is(only2.hostname, '-part2');
  assert.is(only2.vendorClass, null);
  // no overload: file and sname ignored
  const none = parse(dhcp({ file, sname }, opt(53, [3]), END)).m!;
  assert.is(none.hostname, null);
  assert.equal(none.options, [53]);
  // a bad length inside the file field is counted and stops there
  const bad = parse(dhcp({ file: [...opt(60, str('ok')), 12, 200] }, opt(53, [1]), opt(52, [3]), END));
  assert.equal(bad.errors, { 'dhcp.bad_option_length': 1 });
  assert.is(bad.m!.vendorClass, 'ok');
  assert.is(bad.m!.hostname, null);
});

test('RFC 3396: split options are concatenated (12, 55, 60, 81, 61)', () => {
  const long = 'h'.repeat(255) + 'tail';
  const b = dhcp(
    {},
    opt(53, [1]),
    opt(12, str(long.slice(0, 255))),
    opt(55, [1, 3]),
    opt(60, str('android-')),
    opt(12, str(long.slice(255))),
    opt(55, [6, 15]),
    opt(81, [0x05, 0, 0, 7, ...str('android')]),
    opt(60, str('dhcp-13')),
    opt(81, [3, ...str('lan'), 0]),
    opt(61, [1, 2]),
    opt(61, [3]),
    END,
  );
  const { m, errors } = parse(b);
  assert.equal(errors, {});
  assert.is(m!.hostname, long);
  assert.equal(m!.parameterRequestList, [1, 3, 6, 15]);
  assert.is(m!.vendorClass, 'android-dhcp-13');
  assert.is(m!.clientFqdn, 'android.lan');
  assert.is(m!.clientId, '01:02:03');
  assert.equal(m!.options, [53, 12, 55, 60, 81, 61]);
});

test('client FQDN (81): ASCII, wire format, partial and empty names', () => {
  const f = (v: number[]) => parse(dhcp({}, opt(53, [3]), opt(81, v), END)).m!.clientFqdn;
  assert.is(f([0x01, 0, 0, ...str('pc1.example.com')]), 'pc1.example.com');
  assert.is(f([0x01, 0xff, 0xff, ...str('pc1.example.com'), 0]), 'pc1.example.com');
  assert.is(f([0x05, 0, 0, 3, ...str('pc1'), 7, ...str('example'), 3, ...str('com'), 0]), 'pc1.example.com');
  assert.is(f([0x04, 0, 0, 3, ...str('pc1')]), 'pc1'); // partial name: no final zero
  assert.is(f([0x04, 0, 0, 0]), '');
  assert.is(f([0x00, 0, 0]), '');
  assert.is(f([0x04, 0, 0, 3, ...str('pc')]), ''); // label past the end: nothing kept
  assert.is(f([0x04, 0, 0, 3, ...str('pc1'), 0xc0, 0x0c]), 'pc1'); // a pointer stops the name
  assert.is(f([0x04, 0, 0, 3, 0x41, 0x0a, 0x5c, 0]), 'A\\x0a\\x5c');
  assert.is(f([0x01, 0]), null); // shorter than flags + rcode1 + rcode2
});

test('hostname: non-printable bytes escaped, trailing NULs dropped, empty value', () => {
  const h = (v: number[]) => parse(dhcp({}, opt(53, [1]), opt(12, v), END)).m!.hostname;
  assert.is(h([...str('box'), 0, 0]), 'box');
  assert.is(h([...str('b'), 0, ...str('x')]), 'b\\x00x');
  assert.is(h([0xc3, 0xa9, 0x09, 0x5c, 0x7f]), '\\xc3\\xa9\\x09\\x5c\\x7f');
  assert.is(h([]), '');
  assert.is(h([0]), '');
});

test('values of the wrong size are ignored, partial addresses dropped', () => {
  const { m, errors } = parse(
    dhcp({}, opt(53, []), opt(50, [1, 2, 3]), opt(51, [0, 0, 1]), opt(54, [1, 2, 3, 4, 5]), opt(3, [10, 0, 0, 1, 10]), opt(6, [1, 2]), END),
  );
  assert.equal(errors, {});
  assert.is(m!.messageType, null);
  assert.is(m!.requestedIp, null);
  assert.is(m!.leaseSeconds, null);
  assert.is(m!.serverId, null);
  assert.equal(m!.routers.map(ip4ToString), ['10.0.0.1']);
  assert.equal(m!.dnsServers, []);
  assert.equal(m!.options, [53, 50, 51, 54, 3, 6]);
});

test('pad, missing end option, bytes after end, chaddr for non-Ethernet', () => {
  const noEnd = parse(dhcp({}, [0, 0, 0], opt(53, [8]), [0], opt(12, str('x'))));
  assert.equal(noEnd.errors, {});
  assert.is(noEnd.m!.messageType, 8);
  assert.is(noEnd.m!.hostname, 'x');
  const after = parse(dhcp({}, opt(53, [7]), END, opt(12, str('ignored')), [7, 200]));
  assert.equal(after.errors, {});
  assert.is(after.m!.hostname, null);
  assert.equal(after.m!.options, [53]);
  assert.is(parse(dhcp({ htype: 6, hlen: 6 }, opt(53, [1]), END)).m!.chaddr, null);
  assert.is(parse(dhcp({ htype: 1, hlen: 16 }, opt(53, [1]), END)).m!.chaddr, null);
  assert.is(parse(dhcp({ htype: 0, hlen: 0 }, opt(53, [1]), END)).m!.chaddr, null);
});

test('bad option length: counted, options read before it kept', () => {
  const b = dhcp({}, opt(53, [1]), opt(12, str('kept')), [60, 30, ...str('short')]);
  const { m, errors } = parse(b);
  assert.equal(errors, { 'dhcp.bad_option_length': 1 });
  assert.is(m!.messageType, 1);
  assert.is(m!.hostname, 'kept');
  assert.is(m!.vendorClass, null);
  assert.equal(m!.options, [53, 12]);
  // a code byte with no length byte
  const c = parse(dhcp({}, opt(53, [2]), [12]));
  assert.equal(c.errors, { 'dhcp.bad_option_length': 1 });
  assert.is(c.m!.messageType, 2);
  // an overload option after the bad length is not used
  const o = parse(dhcp({ file: opt(12, str('f')) }, [60, 9], opt(52, [1])));
  assert.equal(o.errors, { 'dhcp.bad_option_length': 1 });
  assert.is(o.m!.hostname, null);
});

test('plain BOOTP: no cookie, zero cookie, bad cookie', () => {
  const hdr = fixed({ op: 2, yiaddr: '192.0.2.9' });
  // 300-byte BOOTP reply, vend field all zero
  const plain = parse(Uint8Array.from([...hdr, ...new Array<number>(64).fill(0)]));
  assert.equal(plain.errors, {});
  assert.is(plain.m!.messageType, null);
  assert.is(plain.m!.yiaddr, ipNum('192.0.2.9'));
  assert.equal(plain.m!.options, []);
  // exactly the fixed header, and 236..239 bytes
  for (let extra = 0; extra < 4; extra++) {
    const r = parse(Uint8Array.from([...hdr, ...COOKIE.slice(0, extra)]));
    assert.equal(r.errors, {});
    assert.is(r.m!.messageType, null);
  }
  // the zeek dhcp_bad_cookie_option_retention case: zero cookie, then options
  const zero = parse(Uint8Array.from([...hdr, 0, 0, 0, 0, 0, 0, 53, 1, 1, 255]));
  assert.equal(zero.errors, {});
  assert.is(zero.m!.messageType, null);
  assert.equal(zero.m!.options, []);
  const bad = parse(Uint8Array.from([...hdr, 99, 130, 83, 98, 53, 1, 1, 255]));
  assert.equal(bad.errors, { 'dhcp.bad_magic': 1 });
  assert.is(bad.m!.messageType, null);
  assert.equal(bad.m!.options, []);
});

test('every truncation of a valid message: never throws, header needed', () => {
  const full = dhcp(
    { file: [...opt(15, str('file.example')), 255] },
    opt(53, [5]),
    opt(52, [1]),
    opt(12, str('trunc-host')),
    opt(81, [0x05, 0, 0, 4, ...str('host'), 0]),
    opt(55, [1, 3, 6]),
    opt(51, u32b(3600)),
    opt(3, ipBytes('10.1.1.1')),
    END,
  );
  const whole = parse(full).m!;
  assert.is(whole.domainName, 'file.example');
  for (let n = 0; n <= full.length; n++) {
    const errs = new DecodeErrors();
    const m = parseDhcpMessage(full, 0, n, errs);
    // the same length as the end of a shorter buffer
    const m2 = parseDhcpMessage(full.subarray(0, n), 0, full.length);
    if (n < 236) {
      assert.is(m, null);
      assert.is(m2, null);
      assert.equal(errs.toObject(), { 'dhcp.truncated': 1 });
      continue;
    }
    assert.ok(m);
    assert.equal(m, m2);
    assert.is(m.xid, whole.xid);
    if (n < 240) assert.is(m.messageType, null);
    else if (n >= full.length - 1) assert.equal(m, whole); // the end option may be cut
    else if (n > 240) assert.ok(Object.keys(errs.toObject()).every((k) => k === 'dhcp.bad_option_length'));
  }
});

test('odd arguments: negative offset or length, offset past the end', () => {
  for (const [off, len] of [
    [-1, 300],
    [0, -5],
    [discover.length, 300],
    [discover.length + 10, 1],
    [0, Number.NaN],
  ] as const) {
    const errs = new DecodeErrors();
    assert.is(parseDhcpMessage(discover, off, len, errs), null);
    assert.equal(errs.toObject(), { 'dhcp.truncated': 1 });
  }
  assert.is(parseDhcpMessage(discover, 0, discover.length + 1000)!.hostname, 'my-laptop');
});

test('random bytes never throw', () => {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 16;
  };
  const errs = new DecodeErrors();
  for (let k = 0; k < 5000; k++) {
    const len = 200 + (rnd() % 400);
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = rnd() & 255;
    if (k % 2 === 0 && len >= 240) b.set(COOKIE, 236);
    if (k % 4 === 0) b[237 + 4] = 52; // make overload likely
    const m = parseDhcpMessage(b, 0, len, errs);
    if (m) {
      assert.type(m.op, 'number');
      assert.ok(Array.isArray(m.options));
    }
    parseDhcpMessage(b, rnd() % 64, len, errs);
    // mutations of a valid message
    const d = Uint8Array.from(discover);
    for (let j = 0; j < 4; j++) d[236 + (rnd() % (d.length - 236))] = rnd() & 255;
    parseDhcpMessage(d, 0, d.length, errs);
  }
});

// ---------------------------------------------------------------------------
// A real DISCOVER: zeek/dhcp/dhcp_discover_param_req_and_client_id.pcap frame 1,
// UDP payload (281 bytes).
//
// tshark -T fields -e dhcp.option.dhcp -e dhcp.option.hostname -e dhcp.option.vendor_class_id
//   -e dhcp.option.request_list_item -e dhcp.option.requested_ip_address
//   -e dhcp.option.ip_address_lease_time -e dhcp.hw.mac_addr -e dhcp.option.type:
//   1	test0000		1,3,6,42	208.67.222.222		00:0b:82:01:fc:42,00:0b:82:01:fc:42	53,61,50,55,12,0
// tshark -V: Option (61) Client identifier, length 7, hardware type Ethernet (0x01), 00:0b:82:01:fc:42
// (the trailing type 0 is tshark's Padding after the end option)
const fixture = Buffer.from(
  '0101060000003d110000000000000000000000000000000000000000000b8201fc42' +
    '0'.repeat(404) +
    '638253633501013d0701000b8201fc423204d043dede37040103062a0c087465737430303030ff000000000000',
  'hex',
);

test('real DISCOVER fixture (dhcp_discover_param_req_and_client_id.pcap) matches tshark', () => {
  assert.is(fixture.length, 281);
  const { m, errors } = parse(fixture);
  assert.equal(errors, {});
  assert.ok(m);
  assert.is(m.op, 1);
  assert.is(m.xid, 0x3d11);
  assert.is(m.messageType, 1);
  assert.is(m.hostname, 'test0000');
  assert.is(m.vendorClass, null);
  assert.equal(m.parameterRequestList, [1, 3, 6, 42]);
  assert.is(ip4ToString(m.requestedIp!), '208.67.222.222');
  assert.is(m.leaseSeconds, null);
  assert.is(m.chaddr, '00:0b:82:01:fc:42');
  assert.is(m.clientId, '01:00:0b:82:01:fc:42');
  assert.equal(m.options, [53, 61, 50, 55, 12]);
});

// ---------------------------------------------------------------------------
// Real captures: every UDP 67/68 payload, compared with tshark when installed.

interface Row {
  type: string;
  hostname: string;
  vendor: string;
  prl: string;
  requested: string;
  lease: string;
  mac: string;
  server: string;
  routers: string;
  dns: string;
  domain: string;
}

const FIELDS = [
  'dhcp.option.dhcp',
  'dhcp.option.hostname',
  'dhcp.option.vendor_class_id',
  'dhcp.option.request_list_item',
  'dhcp.option.requested_ip_address',
  'dhcp.option.ip_address_lease_time',
  'dhcp.hw.mac_addr',
  'dhcp.option.dhcp_server_id',
  'dhcp.option.router',
  'dhcp.option.domain_name_server',
  'dhcp.option.domain_name',
];

function captureFiles(): string[] {
  const out: string[] = [];
  const zd = join(sharedCaptures, 'zeek', 'dhcp');
  if (existsSync(zd)) for (const f of readdirSync(zd).sort()) if (/\.pcap(ng)?$/.test(f)) out.push(join(zd, f));
  for (const f of ['tcpdump/dhcp-rfc4388.pcap', 'tcpdump/dhcp-option-33.pcap', 'tcpdump/dhcp-option-108.pcapng', 'tcpdump/dhcpv4v6-rfc5970-rfc8572.pcap']) {
    const p = join(sharedCaptures, f);
    if (existsSync(p)) out.push(p);
  }
  return out;
}

function toRow(m: DhcpMessage): Row {
  return {
    type: m.messageType === null ? '' : String(m.messageType),
    hostname: m.hostname ?? '',
    vendor: m.vendorClass ?? '',
    prl: (m.parameterRequestList ?? []).join(','),
    requested: m.requestedIp === null ? '' : ip4ToString(m.requestedIp),
    lease: m.leaseSeconds === null ? '' : String(m.leaseSeconds),
    // tshark gives the MAC once in the header and again for option 61 type 1: compare the first
    mac: m.chaddr ?? '',
    server: m.serverId === null ? '' : ip4ToString(m.serverId),
    routers: m.routers.map(ip4ToString).join(','),
    dns: m.dnsServers.map(ip4ToString).join(','),
    domain: m.domainName ?? '',
  };
}

async function ours(file: string): Promise<{ rows: Map<number, Row>; errors: Record<string, number>; count: number }> {
  const rows = new Map<number, Row>();
  const v = new PacketView();
  const errs = new DecodeErrors();
  const dErrs = new DecodeErrors();
  let count = 0;
  await readCapture(file, (f) => {
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    if (v.proto !== IPPROTO_UDP || v.isFragment) return;
    if (v.srcPort !== 67 && v.srcPort !== 68 && v.dstPort !== 67 && v.dstPort !== 68) return;
    const m = parseDhcpMessage(v.buf, v.payloadOff, v.payloadLen, dErrs);
    count++;
    if (m) rows.set(f.index, toRow(m));
  });
  return { rows, errors: dErrs.toObject(), count };
}

function tsharkRows(file: string): Map<number, Row> {
  let out = '';
  const args = ['-r', file, '-Y', 'dhcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number'];
  for (const f of FIELDS) args.push('-e', f);
  try {
    out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const rows = new Map<number, Row>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [n = '', type = '', hostname = '', vendor = '', prl = '', requested = '', lease = '', mac = '', server = '', routers = '', dns = '', domain = ''] = line.split('\t');
    rows.set(Number(n), { type, hostname, vendor, prl, requested, lease, mac: mac.split(',')[0]!, server, routers, dns, domain });
  }
  return rows;
}

if (!haveShared()) {
  skip('../shared/captures is absent: real DHCP captures not parsed');
} else {
  const files = captureFiles();
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: DHCP fields not compared');

  test('real captures: DHCP messages parse (and match tshark when installed)', async () => {
    assert.ok(files.length > 0, 'no DHCP capture present');
    let messages = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const { rows } = await ours(file);
      messages += rows.size;
      if (!withTshark) continue;
      const theirs = tsharkRows(file);
      const name = file.slice(sharedCaptures.length + 1);
      for (const [n, t] of theirs) {
        const o = rows.get(n);
        compared++;
        if (!o) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(t)}, nps nothing`);
        else if (JSON.stringify(o) !== JSON.stringify(t)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(t)}, nps ${JSON.stringify(o)}`);
      }
    }
    process.stdout.write(`# dhcp: ${messages} messages parsed, ${compared} compared with tshark\n`);
    assert.ok(messages > 500, `only ${messages} messages`);
    if (withTshark) assert.ok(compared > 500, `only ${compared} compared`);
    assert.equal(diffs.map((d) => (d.length > 500 ? d.slice(0, 500) + '...' : d)), []);
  });
}

test.run();
