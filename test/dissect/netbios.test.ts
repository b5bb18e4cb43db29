/**
 * NetBIOS name service / datagram service / browser announcements:
 * hand-built messages (query, registration with a pointer, positive response,
 * WACK, node status response, host / domain announcements), every truncation,
 * random bytes and mutations, and the shared captures compared with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeNetbiosName,
  parseNbns,
  parseNetbiosDatagram,
  parseBrowserAnnouncement,
  serverTypeNames,
  type NbnsMessage,
  type NetbiosDatagram,
} from '../../src/dissect/netbios.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_UDP } from '../../src/decode/view.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { readCapture } from '../../src/capture/reader.js';
import { ip4ToString } from '../../src/inventory/addr-format.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { tsharkByFrame } from '../helpers/real-captures.js';

// ---------------------------------------------------------------------------
// Builders

function encodeName(name: string, suffix: number, padByte = 0x20): number[] {
  const raw = [...Buffer.from(name.padEnd(15, String.fromCharCode(padByte)).slice(0, 15), 'latin1'), suffix];
  const out: number[] = [];
  for (const b of raw) out.push(0x41 + (b >> 4), 0x41 + (b & 15));
  return out;
}
function label(name: string, suffix: number, scope: string[] = []): number[] {
  const out = [32, ...encodeName(name, suffix)];
  for (const s of scope) out.push(s.length, ...Buffer.from(s, 'latin1'));
  out.push(0);
  return out;
}
const u16b = (v: number): number[] => [(v >> 8) & 255, v & 255];
const u32b = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le16 = (v: number): number[] => [v & 255, (v >> 8) & 255];
const le32 = (v: number): number[] => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
const ipb = (s: string): number[] => s.split('.').map(Number);
const ipn = (s: string): number => {
  const b = ipb(s);
  return b[0]! * 16777216 + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
};

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): number[] {
  return [...u16b(id), ...u16b(flags), ...u16b(qd), ...u16b(an), ...u16b(ns), ...u16b(ar)];
}

class Counter {
  m: Record<string, number> = {};
  count(r: string): void {
    this.m[r] = (this.m[r] ?? 0) + 1;
  }
}

const QUERY = Buffer.from([...header(0x8a2b, 0x0110, 1, 0, 0, 0), ...label('WORKGROUP', 0x1d), ...u16b(0x20), ...u16b(1)]);

// Registration: question + additional record whose name points at the question (0xc00c).
const REGISTRATION = Buffer.from([
  ...header(0x1234, 0x2910, 1, 0, 0, 1),
  ...label('DESKTOP-ABC', 0x00),
  ...u16b(0x20),
  ...u16b(1),
  0xc0,
  0x0c,
  ...u16b(0x20),
  ...u16b(1),
  ...u32b(300000),
  ...u16b(6),
  ...u16b(0x0000),
  ...ipb('192.168.1.23'),
]);

const POSITIVE = Buffer.from([
  ...header(0x8a2b, 0x8500, 0, 1, 0, 0),
  ...label('FILESRV', 0x20, ['corp', 'example']),
  ...u16b(0x20),
  ...u16b(1),
  ...u32b(259200),
  ...u16b(12),
  ...u16b(0x6000),
  ...ipb('10.0.0.5'),
  ...u16b(0x8000),
  ...ipb('10.0.0.6'),
]);

const WACK = Buffer.from([...header(0x4444, 0xbc00, 0, 1, 0, 0), ...label('HOST', 0), ...u16b(0x20), ...u16b(1), ...u32b(2), ...u16b(2), ...u16b(0x2910)]);

function nbstatEntry(name: string, suffix: number, flags: number): number[] {
  return [...Buffer.from(name.padEnd(15, ' '), 'latin1'), suffix, ...u16b(flags)];
}
const NBSTAT_NAMES = [nbstatEntry('PC-42', 0x00, 0x0400), nbstatEntry('WORKGROUP', 0x00, 0x8400), nbstatEntry('PC-42', 0x20, 0x0400), nbstatEntry('WORKGROUP', 0x1e, 0x8400)];
const NBSTAT_RDATA = [4, ...NBSTAT_NAMES.flat(), 0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e, ...new Array<number>(40).fill(0)];
const NBSTAT = Buffer.from([
  ...header(0x0001, 0x8400, 0, 1, 0, 0),
  32,
  ...encodeName('*', 0x00, 0),
  0,
  ...u16b(0x21),
  ...u16b(1),
  ...u32b(0),
  ...u16b(NBSTAT_RDATA.length),
  ...NBSTAT_RDATA,
]);

function announcement(cmd: number, server: string, major: number, minor: number, type: number, comment: string): number[] {
  const name = [...Buffer.from(server, 'latin1')];
  while (name.length < 16) name.push(0);
  return [cmd, 3, ...le32(720000), ...name, major, minor, ...le32(type), 15, 1, 0x55, 0xaa, ...Buffer.from(comment, 'latin1'), 0];
}

function datagram(data: number[], mailslot = '\\MAILSLOT\\BROWSE', msgType = 0x11): Buffer {
  const smb = [0xff, 0x53, 0x4d, 0x42, 0x25, ...new Array<number>(27).fill(0)];
  const nameBytes = [...Buffer.from(mailslot, 'latin1'), 0];
  const wc = 17;
  const bytesStart = 32 + 1 + 2 * wc + 2;
  const dataOffset = bytesStart + nameBytes.length;
  const words = [
    ...le16(0), // total param
    ...le16(data.length), // total data
    ...le16(0),
    ...le16(0),
    0,
    0,
    ...le16(0),
    ...le32(0),
    ...le16(0),
    ...le16(0), // param count
    ...le16(dataOffset), // param offset
    ...le16(data.length),
    ...le16(dataOffset),
    3,
    0,
    ...le16(1),
    ...le16(1),
    ...le16(2),
  ];
  const smbMsg = [...smb, wc, ...words, ...le16(nameBytes.length + data.length), ...nameBytes, ...data];
  const names = [...label('PC-42', 0x00), ...label('WORKGROUP', 0x1d)];
  const body = [...names, ...smbMsg];
  return Buffer.from([msgType, 0x02, ...u16b(0x9999), ...ipb('192.168.1.42'), ...u16b(138), ...u16b(body.length), ...u16b(0), ...body]);
}

const HOST_ANN = datagram(announcement(0x01, 'PC-42', 6, 1, 0x00011003, 'Alice laptop'));
const DOMAIN_ANN = datagram(announcement(0x0c, 'WORKGROUP', 6, 1, 0x80001000, 'PC-42'), '\\MAILSLOT\\BROWSE', 0x11);

// ---------------------------------------------------------------------------
// Hand-built messages

test('decodeNetbiosName: string and bytes, trailing spaces trimmed, invalid input', () => {
  const enc = Buffer.from(encodeName('WORKGROUP', 0x1d)).toString('latin1');
  assert.equal(decodeNetbiosName(enc), { name: 'WORKGROUP', suffix: 0x1d });
  assert.equal(decodeNetbiosName(new Uint8Array(encodeName('FOO BAR', 0x20))), { name: 'FOO BAR', suffix: 0x20 });
  assert.equal(decodeNetbiosName('CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { name: '*', suffix: 0 });
  // Classic RFC 1001 example: "FRED" padded with spaces
  assert.equal(decodeNetbiosName('EGFCEFEECACACACACACACACACACACACA'), { name: 'FRED', suffix: 0x20 });
  assert.equal(decodeNetbiosName(Buffer.from(encodeName('\x01\x02__MSBROWSE__\x02', 0x01)).toString('latin1')), { name: '\\x01\\x02__MSBROWSE__\\x02', suffix: 1 });
  assert.is(decodeNetbiosName('ABC'), null);
  assert.is(decodeNetbiosName('ckaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), null);
  assert.is(decodeNetbiosName('QKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), null);
});

test('NBNS name query (broadcast)', () => {
  const m = parseNbns(QUERY, 0, QUERY.length)!;
  assert.equal(m.id, 0x8a2b);
  assert.is(m.opcode, 0);
  assert.is(m.isResponse, false);
  assert.is(m.broadcast, true);
  assert.is(m.rd, true);
  assert.equal(m.questions, [{ name: 'WORKGROUP', suffix: 0x1d, type: 0x20, scope: '' }]);
  assert.equal(m.records, []);
});

test('NBNS registration with a compressed additional record', () => {
  const c = new Counter();
  const m = parseNbns(REGISTRATION, 0, REGISTRATION.length, c)!;
  assert.is(m.opcode, 5);
  assert.equal(m.questions[0]!.name, 'DESKTOP-ABC');
  assert.is(m.records.length, 1);
  const r = m.records[0]!;
  assert.is(r.section, 3);
  assert.is(r.name, 'DESKTOP-ABC');
  assert.is(r.suffix, 0);
  assert.is(r.ttl, 300000);
  assert.equal(r.addresses, [ipn('192.168.1.23')]);
  assert.equal(r.nbFlags, [0]);
  assert.equal(c.m, {});
});

test('NBNS positive response: several addresses, scope', () => {
  const m = parseNbns(POSITIVE, 0, POSITIVE.length)!;
  assert.is(m.isResponse, true);
  assert.is(m.aa, true);
  const r = m.records[0]!;
  assert.is(r.section, 1);
  assert.is(r.name, 'FILESRV');
  assert.is(r.suffix, 0x20);
  assert.is(r.scope, 'corp.example');
  assert.equal(r.addresses.map(ip4ToString), ['10.0.0.5', '10.0.0.6']);
  assert.equal(r.nbFlags, [0x6000, 0x8000]);
});

test('NBNS WACK: no addresses', () => {
  const m = parseNbns(WACK, 0, WACK.length)!;
  assert.is(m.opcode, 7);
  assert.equal(m.records[0]!.addresses, []);
});

test('NBNS node status response: names, group flag, MAC', () => {
  const m = parseNbns(NBSTAT, 0, NBSTAT.length)!;
  const r = m.records[0]!;
  assert.is(r.name, '*');
  assert.is(r.type, 0x21);
  assert.equal(
    r.names!.map((n) => [n.name, n.suffix, n.group]),
    [
      ['PC-42', 0x00, false],
      ['WORKGROUP', 0x00, true],
      ['PC-42', 0x20, false],
      ['WORKGROUP', 0x1e, true],
    ],
  );
  assert.is(r.mac, '00:1b:21:3c:4d:5e');
});

test('NBNS: an offset inside a larger buffer', () => {
  const b = Buffer.concat([Buffer.alloc(7, 0xee), REGISTRATION, Buffer.alloc(5, 0xee)]);
  const m = parseNbns(b, 7, REGISTRATION.length)!;
  assert.equal(m.records[0]!.addresses, [ipn('192.168.1.23')]);
});

test('NBNS: non-NetBIOS name kept and counted; forward pointer rejected', () => {
  const b = Buffer.from([...header(1, 0, 1, 0, 0, 0), 3, 0x66, 0x6f, 0x6f, 0, 0, 0x20, 0, 1]);
  const c = new Counter();
  const m = parseNbns(b, 0, b.length, c)!;
  assert.equal(m.questions[0], { name: 'foo', suffix: -1, type: 0x20, scope: '' });
  assert.equal(c.m, { 'nbns.not_netbios': 1 });
  const f = Buffer.from([...header(1, 0, 1, 0, 0, 0), 0xc0, 0x0c, 0, 0x20, 0, 1]);
  const c2 = new Counter();
  assert.is(parseNbns(f, 0, f.length, c2), null);
  assert.equal(c2.m, { 'nbns.bad_name': 1 });
});

test('NBNS: bad NB rdlength keeps whole entries', () => {
  const b = Buffer.from(POSITIVE);
  const rdlenAt = b.length - 14;
  b[rdlenAt + 1] = 11; // 12 -> 11
  const c = new Counter();
  const m = parseNbns(b, 0, b.length - 1, c)!;
  assert.equal(m.records[0]!.addresses.map(ip4ToString), ['10.0.0.5']);
  assert.equal(c.m, { 'nbns.bad_rdlength': 1 });
});

test('browser host announcement through datagram + SMB + mailslot', () => {
  const c = new Counter();
  const d = parseNetbiosDatagram(HOST_ANN, 0, HOST_ANN.length, c)!;
  assert.is(d.msgType, 0x11);
  assert.is(ip4ToString(d.sourceIp), '192.168.1.42');
  assert.is(d.sourcePort, 138);
  assert.equal(d.sourceName, { name: 'PC-42', suffix: 0 });
  assert.equal(d.destName, { name: 'WORKGROUP', suffix: 0x1d });
  assert.is(d.mailslot, '\\MAILSLOT\\BROWSE');
  const b = d.browser!;
  assert.is(b.command, 1);
  assert.is(b.serverName, 'PC-42');
  assert.is(b.osMajor, 6);
  assert.is(b.osMinor, 1);
  assert.is(b.serverType, 0x00011003);
  assert.equal(b.serverTypeNames, ['workstation', 'server', 'nt-workstation', 'potential-browser']);
  assert.is(b.comment, 'Alice laptop');
  assert.is(b.updateCount, 3);
  assert.is(b.periodicity, 720000);
  assert.is(b.browserVersionMajor, 15);
  assert.is(b.browserVersionMinor, 1);
  assert.equal(c.m, {});
});

test('browser domain announcement; other mailslots and commands give no announcement', () => {
  const d = parseNetbiosDatagram(DOMAIN_ANN, 0, DOMAIN_ANN.length)!;
  assert.is(d.browser!.command, 0x0c);
  assert.is(d.browser!.serverName, 'WORKGROUP');
  assert.equal(d.browser!.serverTypeNames, ['nt-workstation', 'domain-enum']);
  assert.is(d.browser!.comment, 'PC-42');
  const lanman = datagram(announcement(0x01, 'X', 4, 0, 1, ''), '\\MAILSLOT\\LANMAN');
  const l = parseNetbiosDatagram(lanman, 0, lanman.length)!;
  assert.is(l.mailslot, '\\MAILSLOT\\LANMAN');
  assert.is(l.browser, null);
  const election = datagram([0x08, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0]);
  const c = new Counter();
  assert.is(parseNetbiosDatagram(election, 0, election.length, c)!.browser, null);
  assert.equal(c.m, {});
  assert.equal(serverTypeNames(0xffffffff).length, 25);
});

test('parseBrowserAnnouncement directly; short announcement counted', () => {
  const a = Buffer.from(announcement(0x0f, 'MASTER', 10, 0, 0x00040003, ''));
  assert.is(parseBrowserAnnouncement(a, 0, a.length)!.serverName, 'MASTER');
  assert.is(parseBrowserAnnouncement(a, 0, a.length)!.comment, '');
  const c = new Counter();
  assert.is(parseBrowserAnnouncement(a, 0, 31, c), null);
  assert.equal(c.m, { 'browser.truncated': 1 });
});

// ---------------------------------------------------------------------------
// Robustness

const SAMPLES: Array<[string, Buffer, (b: Buffer, o: number, l: number, e: Counter) => unknown]> = [
  ['query', QUERY, parseNbns],
  ['registration', REGISTRATION, parseNbns],
  ['positive', POSITIVE, parseNbns],
  ['wack', WACK, parseNbns],
  ['nbstat', NBSTAT, parseNbns],
  ['host announcement', HOST_ANN, parseNetbiosDatagram],
  ['domain announcement', DOMAIN_ANN, parseNetbiosDatagram],
];

test('every truncation: no throw, NBNS truncations give null', () => {
  for (const [name, buf, fn] of SAMPLES) {
    for (let n = 0; n <= buf.length; n++) {
      const c = new Counter();
      let r: unknown;
      try {
        r = fn(buf, 0, n, c);
      } catch (e) {
        assert.unreachable(`${name} length ${n}: ${String(e)}`);
      }
      // a copy of exactly n bytes behaves the same
      assert.equal(fn(Buffer.from(buf.subarray(0, n)), 0, n + 50, new Counter()), r, `${name} ${n}`);
      if (fn === parseNbns && n < buf.length - (name === 'nbstat' ? 1000 : 0)) {
        // NB rdata is length-prefixed: every cut inside the message breaks framing
        assert.is(r, null, `${name} length ${n}`);
      }
    }
  }
  // A truncated announcement keeps the names but loses the browser PDU.
  const d = parseNetbiosDatagram(HOST_ANN, 0, HOST_ANN.length - 20) as NetbiosDatagram;
  assert.is(d.sourceName!.name, 'PC-42');
  assert.is(d.browser, null);
});

test('random bytes and mutations never throw', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let i = 0; i < 20000; i++) {
    const n = rnd() % 300;
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = rnd() & 255;
    parseNbns(b, 0, n, new Counter());
    parseNetbiosDatagram(b, 0, n, new Counter());
    parseBrowserAnnouncement(b, 0, n, new Counter());
    const [, base, fn] = SAMPLES[i % SAMPLES.length]!;
    const m = Buffer.from(base);
    for (let k = 0; k < 1 + (rnd() % 4); k++) m[rnd() % m.length] = rnd() & 255;
    fn(m, 0, m.length, new Counter());
  }
  // out-of-range offsets and lengths
  for (const [, b, fn] of SAMPLES) {
    fn(b, b.length + 5, 10, new Counter());
    fn(b, -3, 10, new Counter());
    fn(b, 0, -1, new Counter());
  }
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark when installed.

function captureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/(nbns|netbios|browser|nbt|smb|cifs|samba|wins)/i.test(p) && /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(p);
    }
  };
  walk(sharedCaptures);
  // Captures with NetBIOS traffic whose names do not say so (found with tshark -Y 'nbns or nbdgm').
  for (const f of ['tcpdump/eapon1.pcap', 'zeek/wikipedia.pcap', 'zeek/erspan.pcap']) {
    const p = join(sharedCaptures, f);
    if (existsSync(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

interface Ours {
  nbns: Map<number, NbnsMessage>;
  dgm: Map<number, NetbiosDatagram>;
}

async function ours(file: string): Promise<Ours> {
  const v = new PacketView();
  const errs = new DecodeErrors();
  const nbns = new Map<number, NbnsMessage>();
  const dgm = new Map<number, NetbiosDatagram>();
  await readCapture(file, (f) => {
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    if (v.proto !== IPPROTO_UDP || v.isFragment) return;
    if (v.srcPort === 137 || v.dstPort === 137) {
      const m = parseNbns(v.buf, v.payloadOff, v.payloadLen, new Counter());
      if (m) nbns.set(f.index, m);
    } else if (v.srcPort === 138 || v.dstPort === 138) {
      const d = parseNetbiosDatagram(v.buf, v.payloadOff, v.payloadLen, new Counter());
      if (d) dgm.set(f.index, d);
    }
  });
  return { nbns, dgm };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
/** tshark's rendering: non-printable bytes as <NN>, the suffix as <NN>, then the scope. */
function tsName(name: string, suffix: number, scope: string): string {
  return `${name.replace(/\\x([0-9a-f]{2})/g, '<$1>')}<${hex2(suffix)}>${scope ? '.' + scope : ''}`;
}
/** tshark appends the suffix meaning, e.g. "WG<1d> (Local Master Browser)": dropped. */
function stripMeaning(names: string): string {
  return names
    .split('|')
    .map((n) => n.replace(/ \([^)]*\)$/, ''))
    .join('|');
}

if (!haveShared()) {
  skip('../shared/captures is absent: real NetBIOS captures not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: NetBIOS fields not compared');

  test('real captures: NBNS and browser messages parse (and match tshark when installed)', async () => {
    const files = captureFiles();
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const o = await ours(file);
      parsed += o.nbns.size + o.dgm.size;
      if (!withTshark || o.nbns.size + o.dgm.size === 0) continue;
      const name = file.slice(sharedCaptures.length + 1);
      for (const [n, t] of tsharkByFrame(file, 'nbns', ['nbns.name', 'nbns.addr'], '|')) {
        const m = o.nbns.get(n);
        t[0] = stripMeaning(t[0] ?? '');
        compared++;
        if (!m) {
          diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(t)}, nps nothing`);
          continue;
        }
        const names = [...m.questions, ...m.records].map((q) => tsName(q.name, q.suffix, q.scope)).join('|');
        const addrs = m.records
          .filter((r) => r.type === 0x20)
          .flatMap((r) => r.addresses.map(ip4ToString))
          .join('|');
        const mine = [names, addrs];
        if (JSON.stringify(mine) !== JSON.stringify(t)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(t)}, nps ${JSON.stringify(mine)}`);
      }
      for (const [n, t] of tsharkByFrame(file, 'browser', ['browser.server', 'browser.os_major', 'browser.os_minor'], '|')) {
        const d = o.dgm.get(n);
        if (!t[0] || !t[1]) continue; // not an announcement (e.g. an election request names its sender)
        compared++;
        const b = d?.browser;
        const mine = b ? [b.serverName, String(b.osMajor), String(b.osMinor)] : null;
        if (JSON.stringify(mine) !== JSON.stringify(t)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(t)}, nps ${JSON.stringify(mine)}`);
      }
    }
    process.stdout.write(`# netbios: ${files.length} files, ${parsed} messages parsed, ${compared} compared with tshark\n`);
    assert.equal(diffs.map((d) => (d.length > 500 ? d.slice(0, 500) + '...' : d)), []);
  });
}

test.run();
