/**
 * SMB stream parser: hand-built SMB1 / SMB2 messages written out from real
 * exchanges, NetBIOS session requests, compounds, encrypted streams, every
 * truncation and random bytes; and a differential test against tshark on the
 * shared captures (per TCP direction, payloads concatenated in capture order):
 * SMB2 dialect, tree path, SMB1 NativeOS / NativeLanMan, NTLMSSP host / domain.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSmbStream, smb2DialectName, MAX_MESSAGES, type SmbStream } from '../../src/dissect/smb.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { IPPROTO_TCP } from '../../src/decode/view.js';
import { decodedFrames, tsharkByFrame } from '../helpers/real-captures.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

function h(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
function u16le(n: number): string {
  return h((n & 0xff).toString(16).padStart(2, '0') + ((n >> 8) & 0xff).toString(16).padStart(2, '0')).toString('hex');
}
function utf16(s: string): string {
  return Buffer.from(s, 'utf16le').toString('hex');
}
function nbss(msg: Buffer, type = 0): Buffer {
  const l = msg.length;
  return Buffer.concat([Buffer.from([type, (l >> 16) & 255, (l >> 8) & 255, l & 255]), msg]);
}
function parse(b: Buffer, errs?: DecodeErrors): SmbStream | null {
  return parseSmbStream(b, 0, b.length, errs);
}

/** An SMB2 header: command, flags (1 = response), status, next-command. */
function smb2Hdr(cmd: number, resp: boolean, status = 0, next = 0): string {
  const b = Buffer.alloc(64);
  b.write('fe534d42', 0, 'hex');
  b.writeUInt16LE(64, 4);
  b.writeUInt32LE(status, 8);
  b.writeUInt16LE(cmd, 12);
  b.writeUInt16LE(1, 14);
  b.writeUInt32LE(resp ? 1 : 0, 16);
  b.writeUInt32LE(next, 20);
  return b.toString('hex');
}

// An NTLMSSP NEGOTIATE (as Windows 10 sends it; flags 0xe2088297, version 10.0.19041).
const NTLM_NEG = '4e544c4d5353500001000000978208e2000000000000000000000000000000000a00614a0000000f';
// SPNEGO NegTokenInit wrapping it (mechType NTLMSSP), as in the session setup request.
const SPNEGO_NEG =
  '604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a0428' + NTLM_NEG;

// ---------------------------------------------------------------------------
// SMB2

test('SMB2 NEGOTIATE request and response', () => {
  // Request: 5 dialects (2.0.2 2.1 3.0 3.0.2 3.1.1), as a Windows 10 client offers (tshark: smb2.dialect 0x0202,0x0210,0x0300,0x0302,0x0311).
  const req = h(
    smb2Hdr(0, false) +
      '2400' + '0500' + '0100' + '0000' + '7f000000' + '0102030405060708090a0b0c0d0e0f10' + '0000000000000000' +
      '0202' + '1002' + '0003' + '0203' + '1103',
  );
  const r = parse(nbss(req))!;
  assert.is(r.messages.length, 1);
  const m = r.messages[0]!;
  assert.is(m.version, 2);
  assert.is(m.offset, 4);
  assert.is(m.isResponse, false);
  assert.is(m.command, 0);
  assert.equal(m.negotiate!.dialects, [0x0202, 0x0210, 0x0300, 0x0302, 0x0311]);
  assert.equal(m.negotiate!.dialects.map(smb2DialectName), ['2.0.2', '2.1', '3.0', '3.0.2', '3.1.1']);

  // Response: dialect 3.1.1, server GUID, system time 2020-03-31T12:00:00Z, a 0x2a-byte security blob at 0x80.
  const body =
    '4100' + '0100' + '1103' + '0000' + '78563412cdab3412' + '9876543210abcdef' + '2f000000' + '00008000' + '00008000' + '00008000' +
    '006067e75307d601' + '0000000000000000' + '8000' + u16le(SPNEGO_NEG.length / 2) + '00000000';
  const resp = h(smb2Hdr(0, true) + body + SPNEGO_NEG);
  const s = parse(nbss(resp))!.messages[0]!;
  assert.is(s.isResponse, true);
  assert.is(s.status, 0);
  assert.is(s.negotiate!.dialect, 0x0311);
  assert.is(s.negotiate!.serverGuid, '12345678-abcd-1234-9876-543210abcdef');
  assert.is(new Date(s.negotiate!.systemTime!).toISOString(), '2020-03-31T12:00:00.000Z');
  assert.is(s.negotiate!.securityBlob!.offset, 4 + 0x80);
  assert.is(s.negotiate!.securityBlob!.ntlmssp!.message!.type, 1);
});

test('SMB2 SESSION_SETUP with NTLMSSP, TREE_CONNECT path, and several messages back to back', () => {
  const ss =
    smb2Hdr(1, false) + '1900' + '00' + '01' + '01000000' + '00000000' + '5800' + u16le(SPNEGO_NEG.length / 2) + '0000000000000000' + SPNEGO_NEG;
  const path = '\\\\192.168.1.10\\IPC$';
  const tc = smb2Hdr(3, false) + '0900' + '0000' + '4800' + u16le(path.length * 2) + utf16(path);
  const ssResp = smb2Hdr(1, true, 0xc0000016) + '0900' + '0000' + '4800' + u16le(SPNEGO_NEG.length / 2) + SPNEGO_NEG;
  const stream = Buffer.concat([nbss(h(ss)), nbss(h(tc))]);
  const errs = new DecodeErrors();
  const r = parse(stream, errs)!;
  assert.is(r.messages.length, 2);
  const s = r.messages[0]!.sessionSetup!;
  const nt = s.securityBlob!.ntlmssp!;
  assert.is(stream.subarray(nt.offset, nt.offset + 8).toString('latin1'), 'NTLMSSP\0');
  assert.is(nt.length, NTLM_NEG.length / 2);
  assert.equal(nt.message!.osVersion, { major: 10, minor: 0, build: 19041 });
  assert.is(r.messages[1]!.treePath, '\\x5c\\x5c192.168.1.10\\x5cIPC$');
  assert.is(errs.total, 0);
  const rr = parse(nbss(h(ssResp)))!.messages[0]!;
  assert.is(rr.status, 0xc0000016);
  assert.is(rr.sessionSetup!.securityBlob!.ntlmssp!.message!.type, 1);
  // An error response carries no buffer.
  const err = h(smb2Hdr(1, true, 0xc000006d) + '0900' + '0000' + '00000000');
  assert.is(parse(nbss(err))!.messages[0]!.sessionSetup!.securityBlob, null);
});

test('SMB2 compound, bad buffers counted, encrypted and compressed streams', () => {
  const a = smb2Hdr(5, false, 0, 72) + '00'.repeat(8);
  const b = smb2Hdr(6, false);
  const r = parse(nbss(h(a + b)))!;
  assert.equal(
    r.messages.map((m) => [m.command, m.offset, m.length]),
    [
      [5, 4, 72],
      [6, 76, 64],
    ],
  );
  const errs = new DecodeErrors();
  const bad = smb2Hdr(3, false) + '0900' + '0000' + '4800' + 'ff00';
  assert.is(parse(nbss(h(bad)), errs)!.messages[0]!.treePath, null);
  assert.equal(errs.toObject(), { 'smb.bad_buffer': 1 });
  const e2 = new DecodeErrors();
  assert.is(parse(nbss(h(smb2Hdr(5, false, 0, 12))), e2)!.messages.length, 1);
  assert.equal(e2.toObject(), { 'smb.bad_compound': 1 });
  const enc = parse(Buffer.concat([nbss(h(smb2Hdr(1, false))), nbss(h('fd534d42' + '00'.repeat(60)))]))!;
  assert.is(enc.encrypted, true);
  assert.is(enc.messages.length, 1);
  assert.is(parse(nbss(h('fc534d42' + '00'.repeat(12))))!.compressed, true);
});

// ---------------------------------------------------------------------------
// SMB1

/** An SMB1 header: command, reply flag, flags2. */
function smb1Hdr(cmd: number, reply: boolean, flags2: number): string {
  const b = Buffer.alloc(32);
  b.write('ff534d42', 0, 'hex');
  b[4] = cmd;
  b[9] = reply ? 0x98 : 0x18;
  b.writeUInt16LE(flags2, 10);
  return b.toString('hex');
}

test('SMB1 NEGOTIATE request and response (non-extended security: domain and server)', () => {
  const dialects = ['PC NETWORK PROGRAM 1.0', 'LANMAN1.0', 'NT LM 0.12', 'SMB 2.002'];
  const bytes = dialects.map((d) => '02' + Buffer.from(d + '\0', 'latin1').toString('hex')).join('');
  const req = h(smb1Hdr(0x72, false, 0xc853) + '00' + u16le(bytes.length / 2) + bytes);
  assert.equal(parse(nbss(req))!.messages[0]!.negotiate!.dialectNames, dialects);
  // Response, Unicode, no extended security: dialect 2, 8-byte challenge, domain WORKGROUP, server FILESRV.
  const words =
    '0200' + '03' + '3200' + '0100' + '04410000' + '00000100' + '00000000' + 'fdf38000' + '006067e75307d601' + '0000' + '08';
  const bb = '1122334455667788' + utf16('WORKGROUP\0') + utf16('FILESRV\0');
  const resp = h(smb1Hdr(0x72, true, 0x4003) + '11' + words + u16le(bb.length / 2) + bb);
  const n = parse(nbss(resp))!.messages[0]!.negotiate!;
  assert.is(n.dialect, 2);
  assert.is(n.domain, 'WORKGROUP');
  // The real bytes of that frame (SMB part, after the 4-byte NetBIOS header 00 00 00 65).
  const real = h(
    '00000065ff534d42720000000088034000000000000000000000000000000100000002001100000332000100044100000000' +
      '010031010000fdf3800063aaaa718d8bd301c4ff082000436d271584aa1a25540045005300540000004a00450053005300490045000000',
  );
  const rn = parse(real)!.messages[0]!.negotiate!;
  assert.equal([rn.dialect, rn.domain, rn.serverName], [0, 'TEST', 'JESSIE']);
  assert.is(n.serverName, 'FILESRV');
  assert.is(new Date(n.systemTime!).toISOString(), '2020-03-31T12:00:00.000Z');
});

test('SMB1 SESSION_SETUP_ANDX: extended security request, Unicode pad, response strings; AndX tree connect', () => {
  const blobHex = SPNEGO_NEG;
  const blobLen = blobHex.length / 2;
  // Words (12): AndX none, MaxBuffer 16644, MaxMpx 50, VC 0, session key 0, blob length, reserved, caps 0x8000e3fc.
  const words = 'ff00' + '0000' + '0441' + '3200' + '0000' + '00000000' + u16le(blobLen) + '00000000' + 'fce30080';
  // Header 32 + wc 1 + words 24 + bc 2 = 59; + blob (74) = 133: odd, so one pad byte before the Unicode strings.
  let bytes = blobHex;
  if ((59 + blobLen) % 2 === 1) bytes += '00';
  bytes += utf16('Windows 7 Professional 7601 Service Pack 1\0') + utf16('Windows 7 Professional 6.1\0');
  const req = h(smb1Hdr(0x73, false, 0xc807) + '0c' + words + u16le(bytes.length / 2) + bytes);
  const s = parse(nbss(req))!.messages[0]!.sessionSetup!;
  assert.is(s.nativeOs, 'Windows 7 Professional 7601 Service Pack 1');
  assert.is(s.nativeLanMan, 'Windows 7 Professional 6.1');
  assert.is(s.securityBlob!.ntlmssp!.message!.type, 1);

  // Response (3 words, ASCII), then an AndX TREE_CONNECT_ANDX request chain (request side).
  const rb = Buffer.from('Unix\0Samba 3.0.28a\0WORKGROUP\0', 'latin1').toString('hex');
  const resp = h(smb1Hdr(0x73, true, 0x0001) + '03' + 'ff000000' + '0000' + u16le(rb.length / 2) + rb);
  const rs = parse(nbss(resp))!.messages[0]!.sessionSetup!;
  assert.equal([rs.nativeOs, rs.nativeLanMan, rs.primaryDomain], ['Unix', 'Samba 3.0.28a', 'WORKGROUP']);

  // 13-word request (NT LM 0.12, no extended security): passwords, account, domain, OS, LanMan; AndX → tree connect at 0x80.
  const pw = '00'.repeat(24);
  const acct = Buffer.from('guest\0WORKGROUP\0Unix\0Samba\0', 'latin1').toString('hex');
  const w13 = '75000000' + '0441' + '3200' + '0000' + '00000000' + '1800' + '0000' + '00000000' + '00000000';
  let first = smb1Hdr(0x73, false, 0x0001) + '0d' + w13 + u16le((pw + acct).length / 2) + pw + acct;
  const tcAt = first.length / 2 + 2;
  first = first.replace('75000000', '7500' + u16le(tcAt));
  const tcBytes = '00' + Buffer.from('\\\\SERVER\\PUB\0?????\0', 'latin1').toString('hex');
  const chain = h(first + '0000' + '04' + 'ff000000' + '0000' + '0100' + u16le(tcBytes.length / 2) + tcBytes);
  const c = parse(nbss(chain))!.messages[0]!;
  assert.equal(
    [c.sessionSetup!.account, c.sessionSetup!.primaryDomain, c.sessionSetup!.nativeOs, c.sessionSetup!.nativeLanMan],
    ['guest', 'WORKGROUP', 'Unix', 'Samba'],
  );
  assert.is(c.treePath, '\\x5c\\x5cSERVER\\x5cPUB');
});

test('NetBIOS session request (port 139): called and calling names', () => {
  // 81 00 00 44, then 0x20 + 32 letters + 0x00 for the called name (FILESRV<20>), the same for the calling name
  // (LAPTOP-7<00>); no capture at hand has one, so the names are encoded here (RFC 1001 §14.1).
  const enc = (name: string, suffix: number): string => {
    const raw = Buffer.alloc(16, 0x20);
    raw.write(name, 'latin1');
    raw[15] = suffix;
    let s = '';
    for (const c of raw) s += String.fromCharCode(0x41 + (c >> 4), 0x41 + (c & 15));
    return '20' + Buffer.from(s, 'latin1').toString('hex') + '00';
  };
  const sr = nbss(h(enc('FILESRV', 0x20) + enc('LAPTOP-7', 0x00)), 0x81);
  const ok = nbss(Buffer.alloc(0), 0x82);
  const r = parse(sr)!;
  assert.equal(r.sessionRequest, { called: { name: 'FILESRV', suffix: 0x20 }, calling: { name: 'LAPTOP-7', suffix: 0 } });
  assert.is(r.messages.length, 0);
  const rr = parse(Buffer.concat([ok, nbss(h(smb2Hdr(0, true)))]))!;
  assert.is(rr.messages.length, 1);
  assert.is(parse(nbss(Buffer.alloc(0), 0x85))!.messages.length, 0);
});

test('not SMB: null silently; later garbage counted', () => {
  const errs = new DecodeErrors();
  for (const s of ['', '00', '00000004deadbeef', '16030100', 'GET / HTTP/1.1\r\n\r\n', '0000004000000000', '8500000a0000']) {
    const b = s.startsWith('GET') ? Buffer.from(s) : h(s);
    assert.is(parse(b, errs), null, s);
  }
  assert.is(errs.total, 0);
  const e = new DecodeErrors();
  const r = parse(Buffer.concat([nbss(h(smb2Hdr(0, false))), h('00000008 0102030405060708')]), e)!;
  assert.is(r.messages.length, 1);
  assert.equal(e.toObject(), { 'smb.bad_signature': 1 });
  const e2 = new DecodeErrors();
  parse(Buffer.concat([nbss(h(smb2Hdr(0, false))), h('4200000000')]), e2);
  assert.equal(e2.toObject(), { 'smb.bad_nbss_type': 1 });
});

test('limits: at most MAX_MESSAGES messages; long strings cut at 1024', () => {
  const one = nbss(h(smb2Hdr(13, false)));
  const many = Buffer.concat(Array.from({ length: 300 }, () => one));
  assert.is(parse(many)!.messages.length, MAX_MESSAGES);
  const long = utf16('x'.repeat(3000) + '\0');
  const req = h(smb1Hdr(0x73, true, 0x8000) + '03' + 'ff000000' + '0000' + u16le(long.length / 2 + 1) + '00' + long);
  assert.is(parse(nbss(req))!.messages[0]!.sessionSetup!.nativeOs!.length, 1024);
});

test('every truncation length and random bytes never throw', () => {
  const path = '\\\\srv\\share';
  const samples = [
    Buffer.concat([
      nbss(h(smb2Hdr(1, false) + '1900' + '00' + '01' + '01000000' + '00000000' + '5800' + u16le(SPNEGO_NEG.length / 2) + '0000000000000000' + SPNEGO_NEG)),
      nbss(h(smb2Hdr(3, false) + '0900' + '0000' + '4800' + u16le(path.length * 2) + utf16(path))),
    ]),
    nbss(
      h(
        smb1Hdr(0x73, false, 0xc807) + '0c' + 'ff000000' + '0441' + '3200' + '0000' + '00000000' + u16le(SPNEGO_NEG.length / 2) + '00000000' + 'fce30080' +
          u16le(SPNEGO_NEG.length / 2 + 1 + 10) + SPNEGO_NEG + '00' + utf16('Unix\0'),
      ),
    ),
  ];
  for (const buf of samples) {
    for (let n = 0; n <= buf.length; n++) {
      const r = parseSmbStream(buf, 0, n, new DecodeErrors());
      if (n >= 4 + 64) assert.ok(r && r.messages.length >= 1, `len ${n}`);
    }
    for (let o = 0; o <= buf.length + 1; o++) parseSmbStream(buf, o, buf.length - o + 3);
  }
  let seed = 4242;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let t = 0; t < 4000; t++) {
    const base = samples[t % 2]!;
    const buf = Buffer.from(base);
    const n = t % 3 === 0 ? rnd() % 400 : buf.length;
    const r = t % 3 === 0 ? Buffer.alloc(n) : buf;
    if (t % 3 === 0) for (let i = 0; i < n; i++) r[i] = rnd() & 255;
    else for (let k = 0; k < 1 + (rnd() % 8); k++) r[rnd() % r.length] = rnd() & 255;
    if (t % 5 === 0 && n > 8) r.write('fe534d42', 4, 'hex');
    parseSmbStream(r, 0, r.length, new DecodeErrors());
    parseSmbStream(r, rnd() % (r.length + 2), rnd() % (r.length + 2));
  }
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark.

function smbCaptures(): string[] {
  const out: string[] = [];
  const walk = (dir: string, hit: boolean, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      const t = hit || /smb|dce-rpc|ntlm|netbios|krb/i.test(n);
      if (st.isDirectory()) {
        if (depth < 3) walk(p, t, depth + 1);
      } else if (t && /\.(pcap|pcapng|cap)(\.gz)?$/i.test(n)) out.push(p);
    }
  };
  walk(sharedCaptures, false, 0);
  return out;
}

interface Dir {
  data: Buffer[];
  size: number;
  /** [start offset in the concatenation, frame number] per segment. */
  frames: Array<[number, number]>;
  nextSeq: number;
}

/** Per TCP direction to or from 445/139: payloads concatenated in capture order (exact duplicates by sequence skipped). */
async function smbDirections(file: string): Promise<Map<string, { buf: Buffer; frames: Array<[number, number]> }>> {
  const dirs = new Map<string, Dir>();
  try {
    await decodedFrames(file, (n, v) => {
      if (v.proto !== IPPROTO_TCP || v.payloadLen <= 0) return;
      const ports = [445, 139];
      if (!ports.includes(v.srcPort) && !ports.includes(v.dstPort)) return;
      const key = `${v.src4}/${Array.from(v.src6).join(',')}:${v.srcPort}>${v.dst4}/${Array.from(v.dst6).join(',')}:${v.dstPort}`;
      let d = dirs.get(key);
      if (!d) dirs.set(key, (d = { data: [], size: 0, frames: [], nextSeq: -1 }));
      if (d.nextSeq >= 0 && v.tcpSeq !== d.nextSeq && ((v.tcpSeq - d.nextSeq) | 0) < 0) return; // retransmission
      if (d.size > 8 << 20) return;
      d.frames.push([d.size, n]);
      d.data.push(Buffer.from(v.buf.subarray(v.payloadOff, v.payloadOff + v.payloadLen)));
      d.size += v.payloadLen;
      d.nextSeq = (v.tcpSeq + v.payloadLen) >>> 0;
    });
  } catch {
    // unreadable capture
  }
  const out = new Map<string, { buf: Buffer; frames: Array<[number, number]> }>();
  for (const [k, d] of dirs) out.set(k, { buf: Buffer.concat(d.data), frames: d.frames });
  return out;
}

/** The frame holding byte `at` of a direction. */
function frameAt(frames: Array<[number, number]>, at: number): number {
  let lo = 0;
  let hi = frames.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (frames[mid]![0] <= at) lo = mid;
    else hi = mid - 1;
  }
  return frames[lo]![1];
}

const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);
/** Our escaped text back to what tshark prints (backslash). */
const unesc = (s: string): string => s.replace(/\\x5c/g, '\\');

if (!haveShared()) {
  skip('shared captures not present: real SMB streams not checked');
  test.run();
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: SMB fields not compared');

  test('real captures: SMB streams parse and agree with tshark', async () => {
    const files = smbCaptures();
    const kinds = ['dialect', 'negDomain', 'negServer', 'tree', 'nativeOs', 'nativeLanMan', 'ntlmHost', 'ntlmDomain', 'ntlmUser'] as const;
    const counts: Record<string, [number, number]> = {};
    for (const k of kinds) counts[k] = [0, 0];
    const diffs: string[] = [];
    let streams = 0;
    let messages = 0;
    for (const file of files) {
      const dirs = await smbDirections(file);
      if (dirs.size === 0) continue;
      // Ours, keyed by the frame holding each message's last captured byte (where tshark reports a reassembled PDU).
      const mine = new Map<number, Partial<Record<(typeof kinds)[number], string[]>>>();
      const add = (frame: number, k: (typeof kinds)[number], v: string | null | undefined): void => {
        if (v === null || v === undefined) return;
        let e = mine.get(frame);
        if (!e) mine.set(frame, (e = {}));
        (e[k] ??= []).push(v);
      };
      for (const { buf, frames } of dirs.values()) {
        const errs = new DecodeErrors();
        const r = parseSmbStream(buf, 0, buf.length, errs);
        if (!r) continue;
        streams++;
        for (const m of r.messages) {
          messages++;
          if (m.cut) continue;
          const f = frameAt(frames, m.offset + m.length - 1);
          if (m.version === 2 && m.negotiate && m.isResponse && m.negotiate.dialect !== null) add(f, 'dialect', '0x' + m.negotiate.dialect.toString(16).padStart(4, '0'));
          if (m.version === 1 && m.negotiate && m.isResponse) {
            add(f, 'negDomain', m.negotiate.domain);
            add(f, 'negServer', m.negotiate.serverName);
          }
          if (m.treePath !== null) add(f, 'tree', unesc(m.treePath));
          const s = m.sessionSetup;
          if (s) {
            add(f, 'nativeOs', s.nativeOs);
            add(f, 'nativeLanMan', s.nativeLanMan);
            const nt = s.securityBlob?.ntlmssp?.message;
            if (nt && nt.type === 3) {
              add(f, 'ntlmHost', nt.workstation ?? '');
              add(f, 'ntlmDomain', nt.domain ?? '');
              add(f, 'ntlmUser', nt.user ?? '');
            }
          }
        }
      }
      if (!withTshark || mine.size === 0) continue;
      const fields = ['smb2.dialect', 'smb.primary_domain', 'smb.server', 'smb2.tree', 'smb.path', 'smb.native_os', 'smb.native_lanman', 'ntlmssp.auth.hostname', 'ntlmssp.auth.domain', 'ntlmssp.auth.username', 'smb2.flags.response'];
      const t = tsharkByFrame(file, 'smb || smb2', fields, '|');
      for (const [f, e] of mine) {
        const row = t.get(f);
        if (!row) continue;
        const [dialect = '', pdom = '', srv = '', tree2 = '', path1 = '', os = '', lm = '', host = '', dom = '', user = '', resp = ''] = row;
        const theirs: Record<string, string> = {
          dialect: resp.split('|').includes('1') || resp.split('|').includes('True') ? dialect : '',
          negDomain: pdom,
          negServer: srv,
          tree: tree2 || path1,
          nativeOs: os,
          nativeLanMan: lm,
          ntlmHost: host === 'NULL' ? '' : host,
          ntlmDomain: dom === 'NULL' ? '' : dom,
          ntlmUser: user === 'NULL' ? '' : user,
        };
        for (const k of kinds) {
          const ours = e[k];
          if (!ours) continue;
          const tv = theirs[k]!.split('|').filter((x) => x !== '');
          // tshark lists a request's offered dialects too; compare our chosen one with its set.
          const ov = ours.filter((x) => ascii(x));
          if (ov.length === 0 || !tv.every(ascii)) continue;
          counts[k]![1]++;
          // tshark also shows a request's tree path in its response: compare as a set for dialect and tree.
          const agree = k === 'dialect' || k === 'tree' ? ov.every((x) => tv.includes(x)) : ov.every((x, i) => x === tv[i] || (x === '' && tv[i] === undefined));
          if (agree) counts[k]![0]++;
          else diffs.push(`${file.slice(sharedCaptures.length)} frame ${f} ${k}: tshark ${JSON.stringify(tv)}, nps ${JSON.stringify(ov)}`);
        }
      }
    }
    console.log(`# ${files.length} captures, ${streams} SMB directions, ${messages} messages`);
    for (const k of kinds) console.log(`#   ${k}: ${counts[k]![0]}/${counts[k]![1]} frames agree with tshark`);
    assert.ok(streams > 0, 'some SMB streams');
    if (withTshark) assert.ok(counts.nativeOs![1] + counts.tree![1] + counts.ntlmHost![1] > 0, 'some compared');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });

  test.run();
}
