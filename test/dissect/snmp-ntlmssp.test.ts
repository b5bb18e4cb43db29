/**
 * SNMP and NTLMSSP parsers: hand-built messages (GetResponse with the system
 * group, v1 trap, CHALLENGE with target info and version, AUTHENTICATE),
 * every truncation and random bytes never throw, deep BER nesting, and the
 * shared captures compared with tshark when installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSnmp, snmpSystemInfo, type SnmpMessage } from '../../src/dissect/snmp.js';
import { findNtlmssp, parseNtlmssp, type NtlmsspMessage } from '../../src/dissect/ntlmssp.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { IPPROTO_UDP, IPPROTO_TCP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { berLen } from '../helpers/ber.js';

// ---------------------------------------------------------------------------
// BER builder

const len = berLen;
function tlv(tag: number, v: number[]): number[] {
  return [tag, ...len(v.length), ...v];
}
function int(n: number, tag = 0x02): number[] {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 255);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  if (n >= 0 && b[0]! & 0x80) b.unshift(0);
  if (n < 0 && !(b[0]! & 0x80)) b.unshift(0xff);
  return tlv(tag, b);
}
function oid(s: string): number[] {
  const a = s.split('.').map(Number);
  const out = [a[0]! * 40 + a[1]!];
  for (const x of a.slice(2)) {
    const g: number[] = [x & 127];
    let v = Math.floor(x / 128);
    while (v > 0) {
      g.unshift((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    out.push(...g);
  }
  return tlv(0x06, out);
}
function octets(s: string): number[] {
  return tlv(0x04, [...Buffer.from(s, 'latin1')]);
}
function seq(...parts: number[][]): number[] {
  return tlv(0x30, parts.flat());
}
function vb(o: string, val: number[]): number[] {
  return seq(oid(o), val);
}

const RESPONSE = Uint8Array.from(
  seq(
    int(1),
    octets('public'),
    tlv(
      0xa2,
      [
        int(0x1234),
        int(0),
        int(0),
        seq(
          vb('1.3.6.1.2.1.1.1.0', octets('Linux router 5.4\n\\x')),
          vb('1.3.6.1.2.1.1.2.0', oid('1.3.6.1.4.1.8072.3.2.10')),
          vb('1.3.6.1.2.1.1.3.0', int(123456789, 0x43)),
          vb('1.3.6.1.2.1.1.5.0', octets('core-sw1')),
          vb('1.3.6.1.2.1.1.6.0', octets('Rack 4')),
          vb('1.3.6.1.2.1.2.1.0', int(-5)),
          vb('1.3.6.1.2.1.4.20.1.1.10.0.0.1', tlv(0x40, [10, 0, 0, 1])),
          vb('1.3.6.1.2.1.1.4.0', tlv(0x81, [])),
        ),
      ].flat(),
    ),
  ),
);

test('SNMP v2c GetResponse with the system group', () => {
  const errs = new DecodeErrors();
  const m = parseSnmp(RESPONSE, 0, RESPONSE.length, errs);
  assert.ok(m);
  assert.is(m.version, 2);
  assert.is(m.community, 'public');
  assert.is(m.pduType, 0xa2);
  assert.is(m.requestId, 0x1234);
  assert.is(m.errorStatus, 0);
  assert.is(m.varbinds.length, 8);
  assert.equal(m.varbinds[5], { oid: '1.3.6.1.2.1.2.1.0', type: 2, value: -5 });
  assert.equal(m.varbinds[6], { oid: '1.3.6.1.2.1.4.20.1.1.10.0.0.1', type: 0x40, value: '10.0.0.1' });
  assert.equal(m.varbinds[7], { oid: '1.3.6.1.2.1.1.4.0', type: 0x81, value: null });
  assert.equal(snmpSystemInfo(m), {
    sysDescr: 'Linux router 5.4\\x0a\\x5cx',
    sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
    sysUpTime: 123456789,
    sysName: 'core-sw1',
    sysLocation: 'Rack 4',
  });
  assert.equal(errs.toObject(), {});
  // a Get request carries no system info
  const get = Uint8Array.from(seq(int(0), octets('private'), tlv(0xa0, [...int(7), ...int(0), ...int(0), ...seq(vb('1.3.6.1.2.1.1.5.0', tlv(0x05, [])))])));
  const g = parseSnmp(get, 0, get.length);
  assert.ok(g);
  assert.is(g.version, 1);
  assert.equal(g.varbinds, [{ oid: '1.3.6.1.2.1.1.5.0', type: 5, value: null }]);
  assert.equal(snmpSystemInfo(g), {});
});

const TRAP = Uint8Array.from(
  seq(
    int(0),
    octets('public'),
    tlv(
      0xa4,
      [oid('1.3.6.1.4.1.9.1.516'), tlv(0x40, [192, 168, 1, 2]), int(6), int(1), int(4242, 0x43), seq(vb('1.3.6.1.2.1.2.2.1.1.3', int(3)), vb('1.3.6.1.6.3.1.1.4.1.0', oid('1.3.6.1.6.3.1.1.5.3')))].flat(),
    ),
  ),
);

test('SNMP v1 trap', () => {
  const m = parseSnmp(TRAP, 0, TRAP.length);
  assert.ok(m);
  assert.is(m.version, 1);
  assert.is(m.pduType, 0xa4);
  assert.is(m.enterprise, '1.3.6.1.4.1.9.1.516');
  assert.is(m.agentAddr, '192.168.1.2');
  assert.is(m.genericTrap, 6);
  assert.is(m.specificTrap, 1);
  assert.is(m.timestamp, 4242);
  assert.equal(m.varbinds, [
    { oid: '1.3.6.1.2.1.2.2.1.1.3', type: 2, value: 3 },
    { oid: '1.3.6.1.6.3.1.1.4.1.0', type: 6, value: '1.3.6.1.6.3.1.1.5.3' },
  ]);
});

test('SNMP: counters, large values, bad OIDs, v3', () => {
  const big = Uint8Array.from(seq(int(1), octets('c'), tlv(0xa7, [...int(1), ...int(0), ...int(0), ...seq(vb('1.3.6.1.2.1.31.1.1.1.6.1', tlv(0x46, [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), vb('1.3.6.1.2.1.2.2.1.10.1', tlv(0x41, [0, 0xff, 0xff, 0xff, 0xff])))])));
  const m = parseSnmp(big, 0, big.length);
  assert.ok(m);
  assert.is(m.pduType, 0xa7);
  assert.equal(m.varbinds.map((v) => v.value), ['18446744073709551615', 4294967295]);
  // a sub-identifier longer than 2^53: the varbind is skipped and counted
  const bad = Uint8Array.from(seq(int(1), octets('c'), tlv(0xa2, [...int(1), ...int(0), ...int(0), ...seq(seq(tlv(0x06, [0x2b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), tlv(0x05, [])), vb('1.3.6', tlv(0x05, [])))])));
  const errs = new DecodeErrors();
  const b = parseSnmp(bad, 0, bad.length, errs);
  assert.ok(b);
  assert.equal(b.varbinds.map((v) => v.oid), ['1.3.6']);
  assert.equal(errs.toObject(), { 'snmp.bad_oid': 1 });
  // v3
  const v3 = Uint8Array.from(seq(int(3), seq(int(99), int(65507), octets('\x04'), int(3)), octets(''), seq(octets(''), octets(''), tlv(0xa0, [...int(1), ...int(0), ...int(0), ...seq()]))));
  const m3 = parseSnmp(v3, 0, v3.length);
  assert.equal(m3, { version: 3, community: '', pduType: 0xa0, requestId: 1, errorStatus: 0, varbinds: [] });
  // bad version, indefinite length
  assert.is(parseSnmp(Uint8Array.from(seq(int(2), octets('x'))), 0, 7), null);
  assert.is(parseSnmp(Uint8Array.from([0x30, 0x80, 2, 1, 0, 0, 0]), 0, 7), null);
});

test('SNMP: every truncation and random bytes never throw; deep nesting is bounded', () => {
  for (const msg of [RESPONSE, TRAP]) {
    for (let n = 0; n <= msg.length; n++) {
      const errs = new DecodeErrors();
      const m = parseSnmp(msg, 0, n, errs);
      if (n < msg.length && m) assert.ok(Object.keys(errs.toObject()).length > 0, `length ${n}: no counter`);
    }
    // a truncated response still yields the varbinds that fit whole
  }
  const cut = parseSnmp(RESPONSE, 0, RESPONSE.length - 20);
  assert.ok(cut && cut.varbinds.length > 0 && cut.varbinds.length < 8);
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let k = 0; k < 3000; k++) {
    const b = new Uint8Array(1 + (rnd() % 200));
    for (let i = 0; i < b.length; i++) b[i] = rnd();
    if (k % 2) b[0] = 0x30; // start like a message half the time
    parseSnmp(b, 0, b.length);
    const mut = RESPONSE.slice();
    mut[rnd() % mut.length] = rnd();
    mut[rnd() % mut.length] = rnd();
    parseSnmp(mut, 0, mut.length);
  }
  // 100 000 nested SEQUENCEs (long-form lengths) as the PDU's varbind value
  const depth = 100000;
  const nested = new Uint8Array(depth * 6);
  for (let i = 0; i < depth; i++) {
    const rest = nested.length - (i + 1) * 6;
    nested.set([0x30, 0x84, (rest >>> 24) & 255, (rest >>> 16) & 255, (rest >>> 8) & 255, rest & 255], i * 6);
  }
  const head = seq(int(1), octets('p'), tlv(0xa2, [...int(1), ...int(0), ...int(0), ...tlv(0x30, [...tlv(0x30, [...oid('1.3.6.1'), ...Array.from(nested)])])]));
  const dm = parseSnmp(Uint8Array.from(head), 0, head.length);
  assert.ok(dm);
  assert.equal(dm.varbinds, [{ oid: '1.3.6.1', type: 0x30, value: null }]);
  assert.is(parseSnmp(nested, 0, nested.length), null);
});

// ---------------------------------------------------------------------------
// NTLMSSP builder

function le16(n: number): number[] {
  return [n & 255, (n >> 8) & 255];
}
function le32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}
function u16le(s: string): number[] {
  return [...Buffer.from(s, 'utf16le')];
}
const SIG = [...Buffer.from('NTLMSSP\0', 'latin1')];
function av(id: number, v: number[]): number[] {
  return [...le16(id), ...le16(v.length), ...v];
}
/** Lays out the payload after a header of `headerLen` bytes; returns descriptors and payload. */
function layout(headerLen: number, fields: number[][]): { descs: number[][]; payload: number[] } {
  const descs: number[][] = [];
  const payload: number[] = [];
  for (const f of fields) {
    descs.push([...le16(f.length), ...le16(f.length), ...le32(f.length ? headerLen + payload.length : 0)]);
    payload.push(...f);
  }
  return { descs, payload };
}

const FLAGS2 = 0xe2898215; // includes UNICODE, TARGET_INFO, VERSION
const TARGET_INFO = [
  ...av(2, u16le('CORP')),
  ...av(1, u16le('DC01')),
  ...av(4, u16le('corp.example.com')),
  ...av(3, u16le('dc01.corp.example.com')),
  ...av(5, u16le('corp.example.com')),
  ...av(7, [0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01]), // 1970-01-01T00:00:00Z
  ...av(0, []),
];
const CHALLENGE = (() => {
  const { descs, payload } = layout(56, [u16le('CORP'), TARGET_INFO]);
  return Uint8Array.from([...SIG, ...le32(2), ...descs[0]!, ...le32(FLAGS2), 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, ...descs[1]!, 10, 0, 0x61, 0x4a, 0, 0, 0, 15, ...payload]);
})();

test('NTLMSSP CHALLENGE with target info and version', () => {
  const errs = new DecodeErrors();
  const m = parseNtlmssp(CHALLENGE, 0, CHALLENGE.length, errs);
  assert.equal(m, {
    type: 2,
    flags: FLAGS2,
    targetName: 'CORP',
    targetInfo: { nbDomainName: 'CORP', nbComputerName: 'DC01', dnsDomainName: 'corp.example.com', dnsComputerName: 'dc01.corp.example.com', dnsTreeName: 'corp.example.com', timestamp: 0 },
    osVersion: { major: 10, minor: 0, build: 19041 },
  });
  assert.equal(errs.toObject(), {});
  // found inside a larger payload
  const carrier = Uint8Array.from([1, 2, 3, 0x4e, 0x54, ...CHALLENGE, 9]);
  assert.is(findNtlmssp(carrier, 0, carrier.length), 5);
  assert.is(findNtlmssp(carrier, 0, 12), -1);
  assert.is(findNtlmssp(carrier, 6, carrier.length - 6), -1);
});

const FLAGS3 = 0xe2888215;
const NTV2 = [...new Array<number>(16).fill(0xaa), 1, 1, 0, 0, 0, 0, 0, 0, ...new Array<number>(8).fill(0), ...new Array<number>(8).fill(0xbb), 0, 0, 0, 0, ...TARGET_INFO, 0, 0, 0, 0];
const AUTHENTICATE = (() => {
  const { descs, payload } = layout(88, [new Array<number>(24).fill(0), NTV2, u16le('CORP'), u16le('alice\u00e9'), u16le('WS-7'), new Array<number>(16).fill(0x11)]);
  return Uint8Array.from([...SIG, ...le32(3), ...descs.flat(), ...le32(FLAGS3), 6, 1, 0xb1, 0x1d, 0, 0, 0, 15, ...new Array<number>(16).fill(0), ...payload]);
})();

test('NTLMSSP AUTHENTICATE (Unicode, NTLMv2) and NEGOTIATE', () => {
  const errs = new DecodeErrors();
  const m = parseNtlmssp(AUTHENTICATE, 0, AUTHENTICATE.length, errs);
  assert.ok(m);
  assert.is(m.type, 3);
  assert.is(m.flags, FLAGS3);
  assert.is(m.domain, 'CORP');
  assert.is(m.user, 'alice\u00e9');
  assert.is(m.workstation, 'WS-7');
  assert.equal(m.osVersion, { major: 6, minor: 1, build: 7601 });
  assert.is(m.targetInfo?.nbComputerName, 'DC01');
  assert.equal(errs.toObject(), {});
  // OEM strings when UNICODE is clear
  const { descs, payload } = layout(64, [[], [], [...Buffer.from('DOM', 'latin1')], [...Buffer.from('bob\\', 'latin1')], [...Buffer.from('PC\x01', 'latin1')], []]);
  const oem = Uint8Array.from([...SIG, ...le32(3), ...descs.flat(), ...le32(0x00000202), ...payload]);
  assert.equal(parseNtlmssp(oem, 0, oem.length), { type: 3, flags: 0x202, domain: 'DOM', user: 'bob\\x5c', workstation: 'PC\\x01' });
  // NEGOTIATE with OEM domain and workstation
  const n = layout(40, [[...Buffer.from('CORP', 'latin1')], [...Buffer.from('WS', 'latin1')]]);
  const neg = Uint8Array.from([...SIG, ...le32(1), ...le32(0xe2088297 | 0x3000), ...n.descs.flat(), 10, 0, 0x61, 0x4a, 0, 0, 0, 15, ...n.payload]);
  assert.equal(parseNtlmssp(neg, 0, neg.length), { type: 1, flags: (0xe2088297 | 0x3000) >>> 0, domain: 'CORP', workstation: 'WS', osVersion: { major: 10, minor: 0, build: 19041 } });
  // a buffer outside the message is ignored and counted
  const bad = AUTHENTICATE.slice();
  bad.set(le32(0xfffffff0), 36 + 4);
  const e2 = new DecodeErrors();
  const b = parseNtlmssp(bad, 0, bad.length, e2);
  assert.ok(b && b.user === undefined && b.domain === 'CORP');
  assert.equal(e2.toObject(), { 'ntlmssp.bad_buffer': 1 });
  assert.is(parseNtlmssp(Uint8Array.from([...SIG, ...le32(4), 0, 0, 0, 0]), 0, 16), null);
});

test('NTLMSSP: every truncation and random bytes never throw', () => {
  for (const msg of [CHALLENGE, AUTHENTICATE]) for (let n = 0; n <= msg.length; n++) parseNtlmssp(msg, 0, n);
  let seed = 777;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let k = 0; k < 3000; k++) {
    const b = new Uint8Array(12 + (rnd() % 200));
    for (let i = 0; i < b.length; i++) b[i] = rnd();
    b.set(SIG, 0);
    b[8] = 1 + (k % 3);
    b[9] = b[10] = b[11] = 0;
    parseNtlmssp(b, 0, b.length);
    findNtlmssp(b, 1, b.length);
    const mut = (k % 2 ? CHALLENGE : AUTHENTICATE).slice();
    for (let j = 0; j < 3; j++) mut[8 + (rnd() * 256 + rnd()) % (mut.length - 8)] = rnd();
    parseNtlmssp(mut, 0, mut.length);
  }
});

// ---------------------------------------------------------------------------
// Real captures

if (!haveShared()) {
  skip('../shared/captures is absent: real SNMP / NTLMSSP captures not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: SNMP / NTLMSSP fields not compared');

  test('real captures: SNMP (and tshark community / varbind names when installed)', async () => {
    const files = [...listShared('zeek/snmp', /\.pcap(ng)?$/), ...listShared('tcpdump', /snmp.*\.pcap(ng)?$/)];
    assert.ok(files.length > 0, 'no SNMP capture');
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    const sys: string[] = [];
    for (const file of files) {
      const ours = new Map<number, SnmpMessage>();
      const errs = new DecodeErrors();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_UDP || v.isFragment) return;
        if (![161, 162].includes(v.srcPort) && ![161, 162].includes(v.dstPort)) return;
        const m = parseSnmp(v.buf, v.payloadOff, v.payloadLen, errs);
        if (m) {
          parsed++;
          ours.set(n, m);
          const s = snmpSystemInfo(m);
          if (Object.keys(s).length) sys.push(JSON.stringify(s));
        }
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      for (const [n, [community = '', names = '']] of tsharkByFrame(file, 'snmp', ['snmp.community', 'snmp.name'])) {
        const o = ours.get(n);
        if (!community && !names) continue; // tshark could not read it either
        compared++;
        if (!o) {
          diffs.push(`${name} frame ${n}: tshark ${community} ${names}, nps nothing`);
          continue;
        }
        const mine = [o.community, o.varbinds.map((b) => b.oid).join(',')];
        if (mine[0] !== community || mine[1] !== names) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify([community, names])}, nps ${JSON.stringify(mine)}`);
      }
    }
    process.stdout.write(`# snmp: ${parsed} messages parsed, ${compared} compared with tshark; system info: ${sys.slice(0, 3).join(' ')}\n`);
    assert.ok(parsed > 10, `only ${parsed}`);
    assert.equal(diffs, []);
  });

  test('real captures: NTLMSSP (and tshark user / domain / host when installed)', async () => {
    const files = [
      ...listShared('zeek/smb', /\.pcap(ng)?$/),
      ...listShared('zeek/ldap', /ntlm.*\.pcap(ng)?$/),
      ...listShared('zeek/dce-rpc', /\.pcap(ng)?$/),
      ...listShared('zeek/ntlm', /\.pcap(ng)?$/),
    ];
    assert.ok(files.length > 0, 'no NTLMSSP capture');
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, NtlmsspMessage>();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_TCP && v.proto !== IPPROTO_UDP) return;
        if (v.isFragment) return;
        const at = findNtlmssp(v.buf, v.payloadOff, v.payloadLen);
        if (at < 0) return;
        const m = parseNtlmssp(v.buf, at, v.payloadOff + v.payloadLen - at);
        if (m) {
          parsed++;
          ours.set(n, m);
        }
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      const rows = tsharkByFrame(file, 'ntlmssp', ['ntlmssp.messagetype', 'ntlmssp.auth.username', 'ntlmssp.auth.domain', 'ntlmssp.auth.hostname', 'ntlmssp.challenge.target_name']);
      for (const [n, [mt = '', user = '', domain = '', host = '', target = '']] of rows) {
        const o = ours.get(n);
        if (mt.includes(',')) continue; // several NTLMSSP messages in one frame: only the first is ours
        const type = parseInt(mt, 16);
        if (!o) {
          // reassembled over several segments by tshark: first segment only
          continue;
        }
        compared++;
        const theirs = [type, user === 'NULL' ? '' : user, domain === 'NULL' ? '' : domain, host === 'NULL' ? '' : host, target];
        const mine = [o.type, o.user ?? '', o.domain ?? '', o.workstation ?? '', o.targetName ?? ''];
        if (o.type !== 3) {
          theirs[1] = theirs[2] = theirs[3] = '';
          mine[1] = mine[2] = mine[3] = '';
        }
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(mine)}`);
      }
    }
    process.stdout.write(`# ntlmssp: ${parsed} messages parsed, ${compared} compared with tshark\n`);
    assert.ok(parsed > 0);
    assert.equal(diffs, []);
  });
}

test.run();
