/**
 * SIP head parser: a real REGISTER (zeek/sip/wireshark.pcap frame 1),
 * responses, compact header forms, folding, limits, every truncation and
 * random bytes; and a differential test of method, status code, User-Agent
 * and Server against tshark on the shared SIP captures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSip, sipHeader, MAX_HEADERS, MAX_VALUE, type SipMessage } from '../../src/dissect/sip.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../src/decode/view.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { haveShared, haveTool, skip } from '../helpers/skip.js';

function b(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
function sip(s: string, errs?: DecodeErrors): SipMessage | null {
  const buf = b(s);
  return parseSip(buf, 0, buf.length, errs);
}

// Frame 1 of zeek/sip/wireshark.pcap (UDP 5060 → sip.cybercity.dk); tshark: sip.Method REGISTER,
// sip.User-Agent "Nero SIPPS IP Phone Version 2.0.51.16".
const REGISTER =
  'REGISTER sip:sip.cybercity.dk SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 192.168.1.2;branch=z9hG4bKnp151248737-46ea715e192.168.1.2;rport\r\n' +
  'From: <sip:voi18063@sip.cybercity.dk>;tag=903df0a\r\n' +
  'To: <sip:voi18063@sip.cybercity.dk>\r\n' +
  'Call-ID: 578222729-4665d775@578222732-4665d772\r\n' +
  'Contact:  <sip:voi18063@192.168.1.2:5060;line=9c7d2dbd8822013c>;expires=1200;q=0.500\r\n' +
  'Expires: 1200\r\n' +
  'CSeq: 68 REGISTER\r\n' +
  'Content-Length: 0\r\n' +
  'Max-Forwards: 70\r\n' +
  'User-Agent: Nero SIPPS IP Phone Version 2.0.51.16\r\n' +
  '\r\n';

test('real REGISTER request', () => {
  const m = sip(REGISTER)!;
  assert.is(m.kind, 'request');
  assert.is(m.method, 'REGISTER');
  assert.is(m.requestUri, 'sip:sip.cybercity.dk');
  assert.is(m.status, null);
  assert.is(m.userAgent, 'Nero SIPPS IP Phone Version 2.0.51.16');
  assert.is(m.server, null);
  assert.is(m.from, '<sip:voi18063@sip.cybercity.dk>;tag=903df0a');
  assert.is(m.to, '<sip:voi18063@sip.cybercity.dk>');
  assert.is(m.contact, '<sip:voi18063@192.168.1.2:5060;line=9c7d2dbd8822013c>;expires=1200;q=0.500');
  assert.is(m.callId, '578222729-4665d775@578222732-4665d772');
  assert.is(m.via, 'SIP/2.0/UDP 192.168.1.2;branch=z9hG4bKnp151248737-46ea715e192.168.1.2;rport');
  assert.is(m.cseq, '68 REGISTER');
  assert.is(m.headers.length, 10);
  assert.equal(m.compact, []);
  assert.is(m.complete, true);
  assert.is(m.headerBytes, REGISTER.length);
  assert.is(sipHeader(m, 'MAX-FORWARDS'), '70');
});

test('responses: status, reason, Server, method from CSeq; several Via entries', () => {
  const m = sip(
    'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK2\r\n' +
      'Via: SIP/2.0/TCP 10.1.1.1\r\nCSeq: 1 INVITE\r\nServer: Asterisk PBX 18.10.0\r\n' +
      'WWW-Authenticate: Digest realm="asterisk",nonce="abc"\r\nContent-Length: 0\r\n\r\n',
  )!;
  assert.is(m.kind, 'response');
  assert.is(m.status, 401);
  assert.is(m.reason, 'Unauthorized');
  assert.is(m.method, 'INVITE');
  assert.is(m.requestUri, null);
  assert.is(m.server, 'Asterisk PBX 18.10.0');
  assert.is(m.via, 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1');
  assert.is(sip('SIP/2.0 100 Trying\r\n\r\n')!.reason, 'Trying');
  assert.is(sip('SIP/2.0 200\r\n\r\n')!.reason, '');
  assert.is(sip('SIP/2.0 200 OK\n\n')!.complete, true);
});

test('compact forms, any case, folding, bad lines counted', () => {
  const errs = new DecodeErrors();
  const m = sip(
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n' +
      'v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n' +
      'f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
      't: Bob <sip:bob@biloxi.example.com>\r\n' +
      'i: a84b4c76e66710@pc33.atlanta.example.com\r\n' +
      'M: <sip:alice@pc33.atlanta.example.com>\r\n' +
      'user-AGENT: Linphone/5.2.0\r\n   (belle-sip/5.2.0)\r\n' +
      'no colon here\r\n' +
      'l: 0\r\n\r\nv=0\r\n',
    errs,
  )!;
  assert.is(m.via, 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8');
  assert.is(m.from, 'Alice <sip:alice@atlanta.example.com>;tag=1928301774');
  assert.is(m.to, 'Bob <sip:bob@biloxi.example.com>');
  assert.is(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.is(m.contact, '<sip:alice@pc33.atlanta.example.com>');
  assert.is(m.userAgent, 'Linphone/5.2.0 (belle-sip/5.2.0)');
  assert.equal(m.compact, ['via', 'from', 'to', 'call-id', 'contact', 'content-length']);
  assert.is(sipHeader(m, 'l'), '0');
  assert.is(m.complete, true);
  assert.equal(errs.toObject(), { 'sip.bad_header_line': 1 });
  // Control bytes are escaped.
  assert.is(sip('OPTIONS sip:x SIP/2.0\r\nUser-Agent: a\x1b[2Jb\\\r\n\r\n')!.userAgent, 'a\\x1b[2Jb\\x5c');
});

test('not SIP: null silently; cut heads', () => {
  const errs = new DecodeErrors();
  for (const s of ['', 'GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n', 'SIP/2.0 20 OK\r\n\r\n', 'SIP/3.0 200 OK\r\n\r\n', 'INVITE sip:x SIP/2.0', ' INVITE sip:x SIP/2.0\r\n\r\n', 'INVITE  sip:x SIP/2.0\r\n\r\n', '\x00\x01\x02']) {
    assert.is(sip(s, errs), null, JSON.stringify(s));
  }
  assert.is(errs.total, 0);
  const c = sip('INVITE sip:x SIP/2.0\r\nFrom: a\r\nTo: b')!;
  assert.is(c.complete, false);
  assert.is(c.from, 'a');
  assert.is(c.to, null);
});

test('limits: MAX_HEADERS headers, MAX_VALUE characters', () => {
  let s = 'OPTIONS sip:a SIP/2.0\r\n';
  for (let i = 0; i < 100; i++) s += `X-H${i}: ${i}\r\n`;
  s += 'User-Agent: late\r\n\r\n';
  const errs = new DecodeErrors();
  const m = sip(s, errs)!;
  assert.is(m.headers.length, MAX_HEADERS);
  assert.is(m.userAgent, null);
  assert.is(m.complete, true);
  assert.equal(errs.toObject(), { 'sip.too_many_headers': 1 });
  assert.is(sip('OPTIONS sip:a SIP/2.0\r\nServer: ' + 'x'.repeat(5000) + '\r\n\r\n')!.server!.length, MAX_VALUE);
  const e2 = new DecodeErrors();
  const long = sip('OPTIONS sip:a SIP/2.0\r\nServer: ' + 'x'.repeat(9000) + '\r\n\r\n', e2)!;
  assert.is(long.complete, false);
  assert.equal(e2.toObject(), { 'sip.long_line': 1 });
});

test('every truncation length and random bytes never throw', () => {
  const buf = b(REGISTER + 'v=0\r\n');
  for (let n = 0; n <= buf.length; n++) {
    const m = parseSip(buf, 0, n, new DecodeErrors());
    assert.is(m !== null, n >= 'REGISTER sip:sip.cybercity.dk SIP/2.0\r\n'.length, `len ${n}`);
    if (m) {
      assert.ok(m.headerBytes <= n);
      assert.is(m.complete, n >= REGISTER.length);
    }
  }
  for (let o = 0; o <= buf.length + 1; o++) parseSip(buf, o, buf.length);
  let seed = 5060;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = b('SIP/2.0 INVITE sip:a@b 200 :;,"\r\n\t vfmit');
  for (let t = 0; t < 4000; t++) {
    const n = rnd() % 400;
    const r = Buffer.alloc(n);
    for (let i = 0; i < n; i++) r[i] = t % 2 ? rnd() & 255 : alphabet[rnd() % alphabet.length]!;
    if (t % 3 === 0 && n > 24) b('SIP/2.0 200 OK\r\nv: ').copy(r);
    if (t % 3 === 1 && n > 24) b('BYE sip:x SIP/2.0\r\n').copy(r);
    parseSip(r, 0, n, new DecodeErrors());
    parseSip(r, rnd() % (n + 2), rnd() % (n + 2));
  }
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark.

if (!haveShared()) {
  skip('shared captures not present: real SIP messages not checked');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: SIP fields not compared');

  test('real captures: SIP heads parse and agree with tshark', async () => {
    const files = [...listShared('zeek/sip', /\.pcap/), ...listShared('tcpdump', /sip|rtp/i)];
    let parsed = 0;
    let compared = 0;
    let fieldsAgree = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const mine = new Map<number, string[]>();
      try {
        await decodedFrames(file, (n, v) => {
          if ((v.proto !== IPPROTO_UDP && v.proto !== IPPROTO_TCP) || v.payloadLen <= 0) return;
          const m = parseSip(v.buf, v.payloadOff, v.payloadLen);
          if (!m) return;
          parsed++;
          mine.set(n, [m.kind === 'request' ? m.method! : '', m.status === null ? '' : String(m.status), m.userAgent ?? '', m.server ?? '']);
        });
      } catch {
        continue;
      }
      if (!withTshark) continue;
      const t = tsharkByFrame(file, 'sip', ['sip.Method', 'sip.Status-Code', 'sip.User-Agent', 'sip.Server']);
      for (const [n, o] of mine) {
        const row = t.get(n);
        if (!row) {
          diffs.push(`${file} frame ${n}: tshark no SIP, nps ${JSON.stringify(o)}`);
          continue;
        }
        const theirs = [0, 1, 2, 3].map((k) => row[k] ?? '');
        compared++;
        if (JSON.stringify(theirs) === JSON.stringify(o)) fieldsAgree++;
        else diffs.push(`${file} frame ${n}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(o)}`);
      }
      for (const n of t.keys()) if (!mine.has(n)) diffs.push(`${file} frame ${n}: tshark SIP, nps none`);
    }
    console.log(`# ${files.length} SIP captures, ${parsed} heads parsed, method/status/User-Agent/Server: ${fieldsAgree}/${compared} frames agree with tshark`);
    assert.ok(parsed > 0, 'some SIP heads');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });
}

test.run();
