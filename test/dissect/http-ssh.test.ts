/**
 * HTTP head and SSH banner parsers: hand-built requests, responses, SSDP
 * NOTIFY / M-SEARCH, folded headers, truncated heads, every truncation and
 * random bytes; SSH banners of several servers and their OS hints; and a
 * differential test of Host / User-Agent / Server and the SSH identification
 * string against tshark on the shared captures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHttpHead, header, MAX_HEADERS, MAX_VALUE, type HttpHead } from '../../src/dissect/http-head.js';
import { parseSshBanner, sshOsHint } from '../../src/dissect/ssh-banner.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_TCP } from '../../src/decode/view.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { readCapture } from '../../src/capture/reader.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { has, recorder } from '../helpers/dissect-context.js';
import { ssdpDissector } from '../../src/dissect/ssdp.js';

function b(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
function http(s: string, errs?: DecodeErrors): HttpHead | null {
  const buf = b(s);
  return parseHttpHead(buf, 0, buf.length, errs);
}

// ---------------------------------------------------------------------------
// HTTP

const GET =
  'GET /index.html?q=1 HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\n' +
  'Accept: */*\r\n' +
  '\r\n';

test('request: start line, headers in order, lower-cased names, header()', () => {
  const h = http(GET)!;
  assert.ok(h);
  assert.is(h.kind, 'request');
  assert.is(h.method, 'GET');
  assert.is(h.target, '/index.html?q=1');
  assert.is(h.version, 'HTTP/1.1');
  assert.is(h.status, null);
  assert.is(h.reason, null);
  assert.equal(h.headers, [
    ['host', 'www.example.com'],
    ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'],
    ['accept', '*/*'],
  ]);
  assert.is(h.complete, true);
  assert.is(h.headerBytes, GET.length);
  assert.is(header(h, 'Host'), 'www.example.com');
  assert.is(header(h, 'USER-AGENT'), 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0');
  assert.is(header(h, 'cookie'), null);
});

test('request with a body: headerBytes is where the body starts; off is honoured', () => {
  const body = 'a=1&b=2';
  const msg = 'POST /form HTTP/1.0\r\nHost: h\r\nContent-Length: 7\r\n\r\n' + body;
  const buf = b('xxxx' + msg + 'yyyy');
  const h = parseHttpHead(buf, 4, msg.length)!;
  assert.is(h.method, 'POST');
  assert.is(h.version, 'HTTP/1.0');
  assert.is(h.complete, true);
  assert.is(buf.toString('latin1', 4 + h.headerBytes, 4 + msg.length), body);
  assert.is(header(h, 'content-length'), '7');
});

test('response: status, reason, Server; first value of a repeated header', () => {
  const h = http('HTTP/1.1 404 Not Found\r\nServer: nginx/1.18.0 (Ubuntu)\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n')!;
  assert.is(h.kind, 'response');
  assert.is(h.method, null);
  assert.is(h.target, null);
  assert.is(h.version, 'HTTP/1.1');
  assert.is(h.status, 404);
  assert.is(h.reason, 'Not Found');
  assert.is(header(h, 'server'), 'nginx/1.18.0 (Ubuntu)');
  assert.is(header(h, 'set-cookie'), 'a=1');
  assert.is(h.headers.length, 3);
  // No reason phrase, with and without the space.
  assert.is(http('HTTP/1.1 200\r\n\r\n')!.reason, '');
  assert.is(http('HTTP/1.1 200 \r\n\r\n')!.reason, '');
  assert.is(http('HTTP/1.0 301 Moved Permanently\r\nLocation: /x\r\n\r\n')!.status, 301);
});

test('SSDP NOTIFY and M-SEARCH, and a search response', () => {
  const n = http(
    'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n' +
      'LOCATION: http://192.168.1.1:49152/rootDesc.xml\r\nSERVER: Linux/3.14 UPnP/1.0 MiniUPnPd/2.1\r\n' +
      'NT: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nNTS: ssdp:alive\r\n' +
      'USN: uuid:12345678-1234-1234-1234-123456789abc::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n',
  )!;
  assert.is(n.method, 'NOTIFY');
  assert.is(n.target, '*');
  assert.is(header(n, 'location'), 'http://192.168.1.1:49152/rootDesc.xml');
  assert.is(header(n, 'server'), 'Linux/3.14 UPnP/1.0 MiniUPnPd/2.1');
  assert.is(header(n, 'nt'), 'urn:schemas-upnp-org:device:InternetGatewayDevice:1');
  assert.is(header(n, 'usn'), 'uuid:12345678-1234-1234-1234-123456789abc::urn:schemas-upnp-org:device:InternetGatewayDevice:1');
  assert.is(n.complete, true);

  const m = http('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ssdp:all\r\n\r\n')!;
  assert.is(m.method, 'M-SEARCH');
  assert.is(header(m, 'st'), 'ssdp:all');
  assert.is(header(m, 'man'), '"ssdp:discover"');

  const r = http('HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nUSN: uuid:x::upnp:rootdevice\r\nEXT:\r\nSERVER: Windows/10 UPnP/1.0\r\nLOCATION: http://10.0.0.5:2869/desc\r\n\r\n')!;
  assert.is(r.status, 200);
  assert.is(header(r, 'ext'), '');
  assert.is(header(r, 'server'), 'Windows/10 UPnP/1.0');
});

test('whitespace after the version of a start line is ignored (UPnP stacks send it)', () => {
  // S7Comm/wrapup.pcapng frame 1829: a Broadcom router's "NOTIFY * HTTP/1.1 \r\n"
  const text =
    'NOTIFY * HTTP/1.1 \r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=3000\r\n' +
    'LOCATION: http://192.168.0.253:5431/igdevicedesc.xml\r\nSERVER: UPnP/1.0 BLR-TX4S/1.0\r\n' +
    'NT: upnp:rootdevice\r\nUSN: uuid:f5c1d177-62e5-45d1-a6e7-c412f504c74a::upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n';
  const n = http(text)!;
  assert.ok(n);
  assert.is(n.method, 'NOTIFY');
  assert.is(n.version, 'HTTP/1.1');
  assert.is(header(n, 'server'), 'UPnP/1.0 BLR-TX4S/1.0');
  const ctx = recorder(false, 17);
  ssdpDissector.dissect(b(text), 0, text.length, ctx);
  assert.ok(has(ctx.obs, 'src', 'server', 'UPnP/1.0 BLR-TX4S/1.0'), JSON.stringify(ctx.obs));
  assert.ok(has(ctx.obs, 'src', 'location', 'http://192.168.0.253:5431/igdevicedesc.xml'));
  assert.is(http('GET / HTTP/1.1\t \r\nHost: a\r\n\r\n')!.target, '/');
  const r = http('HTTP/1.1 200 OK \r\nServer: x\r\n\r\n')!;
  assert.is(r.status, 200);
  assert.is(r.reason, 'OK');
  // still not HTTP: nothing but a method and spaces
  assert.is(http('GET   \r\n\r\n'), null);
});

test('RTSP and SIP versions are accepted', () => {
  const r = http('OPTIONS rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n')!;
  assert.is(r.version, 'RTSP/1.0');
  const s = http('INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33\r\nUser-Agent: Linphone/5\r\n\r\n')!;
  assert.is(s.version, 'SIP/2.0');
  assert.is(header(s, 'user-agent'), 'Linphone/5');
  const sr = http('SIP/2.0 180 Ringing\r\n\r\n')!;
  assert.is(sr.kind, 'response');
  assert.is(sr.status, 180);
});

test('a request line without its target (Zeek no-uri.pcap: "GET HTTP/1.1") is read, target empty', () => {
  const r = http('GET HTTP/1.1\r\nUser-Agent: Wget/1.14 (darwin12.2.0)\r\nHost: bro.org\r\n\r\n')!;
  assert.is(r.kind, 'request');
  assert.is(r.method, 'GET');
  assert.is(r.target, '');
  assert.is(r.version, 'HTTP/1.1');
  assert.is(header(r, 'host'), 'bro.org');
  assert.ok(r.complete);
  // Still no method alone, and no empty target between two spaces.
  assert.is(http('GET\r\n\r\n'), null);
  assert.is(http('GET  HTTP/1.1\r\n\r\n'), null);
});

test('folded headers, bare LF, whitespace, bad lines counted and skipped', () => {
  const errs = new DecodeErrors();
  const h = http(
    'GET / HTTP/1.1\nHost:   a.example  \nX-Long: one\n  two\n\tthree\nthis line has no colon\n: empty name\nUser-Agent:ua\n\n',
    errs,
  )!;
  assert.ok(h);
  assert.equal(h.headers, [
    ['host', 'a.example'],
    ['x-long', 'one two three'],
    ['user-agent', 'ua'],
  ]);
  assert.is(h.complete, true);
  assert.equal(errs.toObject(), { 'http.bad_header_line': 2 });
  // A fold with nothing before it.
  const e2 = new DecodeErrors();
  const h2 = http('GET / HTTP/1.1\r\n folded\r\nHost: x\r\n\r\n', e2)!;
  assert.equal(h2.headers, [['host', 'x']]);
  assert.equal(e2.toObject(), { 'http.bad_header_line': 1 });
});

test('limits: at most 64 headers, values cut at 1024', () => {
  let s = 'GET / HTTP/1.1\r\n';
  for (let i = 0; i < 100; i++) s += `X-H${i}: ${i}\r\n`;
  s += 'Long: ' + 'v'.repeat(5000) + '\r\n\r\n';
  const errs = new DecodeErrors();
  const h = http(s, errs)!;
  assert.is(h.headers.length, MAX_HEADERS);
  assert.equal(h.headers[63], ['x-h63', '63']);
  assert.is(h.complete, true);
  assert.is(h.headerBytes, s.length);
  assert.equal(errs.toObject(), { 'http.too_many_headers': 1 });
  const g = http('HTTP/1.1 200 OK\r\nServer: ' + 's'.repeat(3000) + '\r\n\r\n')!;
  assert.is(header(g, 'server')!.length, MAX_VALUE);
});

test('truncated heads: complete false, partial last line ignored', () => {
  const h = http('GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozi')!;
  assert.is(h.complete, false);
  assert.equal(h.headers, [['host', 'example.com']]);
  assert.is(h.headerBytes, 'GET / HTTP/1.1\r\nHost: example.com\r\n'.length);
  const s = http('GET / HTTP/1.1')!;
  assert.is(s.method, 'GET');
  assert.is(s.complete, false);
  assert.is(http('GET /index.ht'), null);
});

test('non-HTTP payloads give null silently', () => {
  const errs = new DecodeErrors();
  for (const s of [
    '',
    'hello world\r\n\r\n',
    'GET /\r\n\r\n', // HTTP/0.9
    'GET / HTTP/1\r\n\r\n',
    'GET  / HTTP/1.1\r\n\r\n',
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/1.1 2000 OK\r\n\r\n',
    'FOO/1.0 200 OK\r\n\r\n',
    'SSH-2.0-OpenSSH_8.9\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    ' GET / HTTP/1.1\r\n\r\n',
  ]) {
    assert.is(http(s, errs), null, JSON.stringify(s));
  }
  assert.is(errs.total, 0);
  assert.is(parseHttpHead(b(GET), GET.length, 10), null);
  assert.is(parseHttpHead(b(GET), 0, 0), null);
});

test('HTTP: every truncation length and random bytes never throw', () => {
  const samples = [GET, 'HTTP/1.1 200 OK\r\nServer: x\r\n folded\r\nbad\r\n\r\nbody', 'NOTIFY * HTTP/1.1\nNT: a\n\n'];
  for (const s of samples) {
    const buf = b(s);
    for (let n = 0; n <= buf.length; n++) {
      const h = parseHttpHead(buf, 0, n, new DecodeErrors());
      if (h) assert.ok(h.headerBytes <= n);
      if (n < buf.length - 4 && h) assert.is(h.complete, false);
    }
    for (let o = 0; o <= buf.length; o++) parseHttpHead(buf, o, buf.length - o);
  }
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = b('GET HTTP/1.1 200 :\r\n\t aZ0');
  for (let t = 0; t < 3000; t++) {
    const n = rnd() % 300;
    const buf = Buffer.alloc(n);
    const mixed = t % 2 === 0;
    for (let i = 0; i < n; i++) buf[i] = mixed ? alphabet[rnd() % alphabet.length]! : rnd() & 255;
    if (t % 3 === 0 && n > 16) b('GET / HTTP/1.1\r\n').copy(buf);
    parseHttpHead(buf, 0, n, new DecodeErrors());
    parseHttpHead(buf, rnd() % (n + 2), rnd() % (n + 2));
  }
});

// ---------------------------------------------------------------------------
// SSH

function ssh(s: string): ReturnType<typeof parseSshBanner> {
  const buf = b(s);
  return parseSshBanner(buf, 0, buf.length);
}

test('SSH banners of several servers', () => {
  assert.equal(ssh('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n'), {
    protoVersion: '2.0',
    software: 'OpenSSH_8.9p1',
    comments: 'Ubuntu-3ubuntu0.1',
    raw: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1',
  });
  assert.equal(ssh('SSH-1.99-OpenSSH_3.9p1\n'), { protoVersion: '1.99', software: 'OpenSSH_3.9p1', comments: null, raw: 'SSH-1.99-OpenSSH_3.9p1' });
  assert.is(ssh('SSH-2.0-dropbear_2019.78\r\n')!.software, 'dropbear_2019.78');
  assert.is(ssh('SSH-2.0-Cisco-1.25\r\n')!.software, 'Cisco-1.25');
  assert.is(ssh('SSH-2.0-ROSSSH\r\n')!.software, 'ROSSSH');
  assert.is(ssh('SSH-2.0-OpenSSH_for_Windows_8.1\r\n')!.software, 'OpenSSH_for_Windows_8.1');
  assert.is(ssh('SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\r\n')!.comments, 'Debian-10+deb9u7');
  assert.is(ssh('SSH-2.0-PuTTY_Release_0.72\r\nrest')!.software, 'PuTTY_Release_0.72');
  // KEXINIT in the same segment.
  assert.is(ssh('SSH-2.0-Go\r\n\x00\x00\x01\x2c\x0a\x14')!.software, 'Go');
  // Non-printable bytes are escaped.
  assert.is(ssh('SSH-2.0-X c\x01\\\r\n')!.comments, 'c\\x01\\x5c');
});

test('SSH banner after other lines (RFC 4253 §4.2), limits', () => {
  const pre = 'Welcome to host\r\nAuthorized use only\r\n';
  assert.is(ssh(pre + 'SSH-2.0-OpenSSH_9.7\r\n')!.raw, 'SSH-2.0-OpenSSH_9.7');
  assert.is(ssh('l\r\n'.repeat(7) + 'SSH-2.0-A\r\n')!.software, 'A');
  assert.is(ssh('l\r\n'.repeat(8) + 'SSH-2.0-A\r\n'), null);
  assert.is(ssh('x'.repeat(300) + '\r\nSSH-2.0-A\r\n'), null);
  assert.is(ssh('SSH-2.0-' + 'a'.repeat(260) + '\r\n'), null);
  // Cut, malformed, not SSH.
  assert.is(ssh('SSH-2.0-OpenSSH_8.9p1'), null);
  assert.is(ssh('SSH-2.0-\r\n'), null);
  assert.is(ssh('SSH-x-OpenSSH\r\n'), null);
  assert.is(ssh('GET / HTTP/1.1\r\n\r\n'), null);
  assert.is(ssh(''), null);
});

test('SSH: every truncation and random bytes never throw', () => {
  const buf = b('banner\r\nSSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n');
  for (let n = 0; n <= buf.length; n++) {
    const r = parseSshBanner(buf, 0, n);
    assert.is(r !== null, n === buf.length, `len ${n}`);
  }
  for (let o = 0; o <= buf.length + 1; o++) parseSshBanner(buf, o, buf.length);
  let seed = 99;
  for (let t = 0; t < 2000; t++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = seed % 400;
    const r = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      r[i] = t % 2 ? seed & 255 : b('SSH-2.0 \r\n')[seed % 10]!;
    }
    const x = parseSshBanner(r, 0, n);
    if (x) sshOsHint(x);
  }
});

test('SSH OS hints', () => {
  const hint = (s: string): ReturnType<typeof sshOsHint> => sshOsHint(ssh(s + '\r\n')!);
  assert.equal(hint('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1'), { os: 'Ubuntu', version: '3ubuntu0.1' });
  assert.equal(hint('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1'), { os: 'Debian', version: '11' });
  assert.equal(hint('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2'), { os: 'Debian', version: '12' });
  assert.equal(hint('SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2'), { os: 'Debian', version: '10' });
  assert.equal(hint('SSH-2.0-OpenSSH_6.7p1 Debian-3'), { os: 'Debian', version: null });
  assert.equal(hint('SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2'), { os: 'Raspbian', version: '10' });
  assert.equal(hint('SSH-2.0-OpenSSH_7.8 FreeBSD-20180909'), { os: 'FreeBSD', version: null });
  assert.equal(hint('SSH-2.0-OpenSSH_for_Windows_8.1'), { os: 'Windows', version: null });
  assert.equal(hint('SSH-2.0-dropbear_2019.78'), { os: 'embedded Linux', version: null });
  assert.equal(hint('SSH-2.0-Cisco-1.25'), { os: 'Cisco IOS', version: null });
  assert.equal(hint('SSH-2.0-ROSSSH'), { os: 'MikroTik RouterOS', version: null });
  assert.is(hint('SSH-2.0-OpenSSH_9.7'), null);
  assert.is(hint('SSH-2.0-PuTTY_Release_0.72'), null);
  assert.is(hint('SSH-2.0-libssh_0.9.6'), null);
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark when installed.

function captures(re: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string, hit: boolean): void => {
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
      const t = hit || re.test(n);
      if (st.isDirectory()) walk(p, t);
      else if (t && /\.(pcap|pcapng|cap)(\.gz)?$/i.test(n)) out.push(p);
    }
  };
  walk(join(sharedCaptures, 'zeek'), false);
  return out;
}

type Row = string[];

async function ours(file: string, parse: (v: PacketView) => Row | null): Promise<Map<number, Row>> {
  const rows = new Map<number, Row>();
  const v = new PacketView();
  const errs = new DecodeErrors();
  let n = 0;
  try {
    await readCapture(file, (f) => {
      n++;
      decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
      if (v.proto !== IPPROTO_TCP || v.payloadLen <= 0) return;
      const r = parse(v);
      if (r) rows.set(n, r);
    });
  } catch {
    // unreadable capture: nothing to compare
  }
  return rows;
}

function tshark(file: string, filter: string, fields: string[]): Map<number, Row> {
  const rows = new Map<number, Row>();
  let out = '';
  try {
    out = execFileSync(
      'tshark',
      ['-r', file, '-o', 'http.desegment_body:FALSE', '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.number', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 },
    );
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [num, ...rest] = line.split('\t');
    rows.set(Number(num), rest);
  }
  return rows;
}

/** tshark prints values as UTF-8 with non-printables escaped: compare only plain ASCII values. */
const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

if (!haveShared()) {
  skip('shared captures not present: real HTTP heads and SSH banners not checked');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: Host / User-Agent / Server / SSH banners not compared');

  test('real captures: HTTP heads parse (and Host / User-Agent / Server match tshark)', async () => {
    const files = captures(/http/i);
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const req = await ours(file, (v) => {
        const h = parseHttpHead(v.buf, v.payloadOff, v.payloadLen);
        if (!h) return null;
        parsed++;
        if (!h.complete) return null; // tshark reassembles: compare complete heads only
        return h.kind === 'request' ? ['q', header(h, 'host') ?? '', header(h, 'user-agent') ?? ''] : ['r', header(h, 'server') ?? ''];
      });
      if (!withTshark || req.size === 0) continue;
      const tq = tshark(file, 'http.request', ['http.host', 'http.user_agent']);
      const tr = tshark(file, 'http.response', ['http.server']);
      for (const [n, o] of req) {
        const t = o[0] === 'q' ? tq.get(n) : tr.get(n);
        if (!t) continue; // tshark did not see an HTTP message start in this frame
        const mine = o.slice(1);
        if (!mine.every(ascii) || !t.every(ascii)) continue;
        compared++;
        if (JSON.stringify(mine) !== JSON.stringify(t)) diffs.push(`${file} frame ${n}: tshark ${JSON.stringify(t)}, nps ${JSON.stringify(mine)}`);
      }
    }
    console.log(`# ${files.length} HTTP captures, ${parsed} heads parsed, ${compared} compared with tshark`);
    assert.ok(parsed > 0, 'some heads found');
    if (withTshark) assert.ok(compared > 0, 'some compared');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });

  test('real captures: SSH banners parse (and match tshark ssh.protocol)', async () => {
    const files = captures(/^ssh/i);
    let parsed = 0;
    let compared = 0;
    let missed = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const mine = await ours(file, (v) => {
        const s = parseSshBanner(v.buf, v.payloadOff, v.payloadLen);
        return s ? [s.raw] : null;
      });
      parsed += mine.size;
      if (!withTshark) continue;
      const theirs = tshark(file, 'ssh.protocol', ['ssh.protocol']);
      for (const [n, t] of theirs) {
        const o = mine.get(n);
        if (!o) {
          missed++;
          diffs.push(`${file} frame ${n}: tshark ${JSON.stringify(t)}, nps none`);
          continue;
        }
        compared++;
        if (o[0] !== t[0]) diffs.push(`${file} frame ${n}: tshark ${JSON.stringify(t)}, nps ${JSON.stringify(o)}`);
      }
    }
    console.log(`# ${files.length} SSH captures, ${parsed} banners parsed, ${compared} compared with tshark, ${missed} missed`);
    assert.ok(parsed > 0, 'some banners found');
    if (withTshark) assert.ok(compared > 0, 'some compared');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });
}

test.run();
