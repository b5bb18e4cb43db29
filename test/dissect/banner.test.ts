/**
 * Service greetings: SMTP / FTP 220 replies (multi-line included), FTP SYST,
 * SMTP EHLO / HELO, POP3 / IMAP greetings, Telnet text with option
 * negotiation removed, product hints; every truncation and random bytes; and
 * a differential test against tshark on the shared SMTP / FTP / POP3 / Telnet
 * captures (per TCP direction, payloads concatenated in capture order).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseSmtpGreeting,
  parseFtpGreeting,
  parseFtpSyst,
  parseSmtpHelo,
  parsePop3Greeting,
  parseImapGreeting,
  parseTelnetText,
  productFromBanner,
  MAX_LINES,
} from '../../src/dissect/banner.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { IPPROTO_TCP } from '../../src/decode/view.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { haveShared, haveTool, skip } from '../helpers/skip.js';

function b(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
type P<T> = (buf: Uint8Array, off: number, len: number, errs?: DecodeErrors) => T;
function run<T>(f: P<T>, s: string | Buffer, errs?: DecodeErrors): T {
  const buf = typeof s === 'string' ? b(s) : s;
  return f(buf, 0, buf.length, errs);
}

// ---------------------------------------------------------------------------
// SMTP

test('SMTP greetings (real): Postfix, Exim multi-line; host and product', () => {
  // zeek/smtp/rfc3030-bdat-example1.pcap frame 4; tshark smtp.rsp.parameter "example.com ESMTP Postfix (Debian/GNU)".
  const p = run(parseSmtpGreeting, '220 example.com ESMTP Postfix (Debian/GNU)\r\n')!;
  assert.equal(p, {
    code: 220,
    lines: ['example.com ESMTP Postfix (Debian/GNU)'],
    text: 'example.com ESMTP Postfix (Debian/GNU)',
    host: 'example.com',
    product: { product: 'Postfix', version: null },
    complete: true,
  });
  // zeek/smtp/smtp-bdat-pipeline-8bitmime.pcap frame 4 (one segment, two lines).
  const e = run(parseSmtpGreeting, '220-scoot-81.wizint.net ESMTP Exim 4.94.115 Thu, 04 Mar 2021 09:42:07 +0000\r\n220 Spam disliked here\r\n')!;
  assert.equal(e.lines, ['scoot-81.wizint.net ESMTP Exim 4.94.115 Thu, 04 Mar 2021 09:42:07 +0000', 'Spam disliked here']);
  assert.is(e.host, 'scoot-81.wizint.net');
  assert.equal(e.product, { product: 'Exim', version: '4.94.115' });
  assert.is(e.complete, true);
  // zeek/smtp/rfc3030-bdat-nonascii.pcap: "220 localhost dummy SMTP service".
  assert.is(run(parseSmtpGreeting, '220 localhost dummy SMTP service\r\n')!.host, 'localhost');
  const ms = run(parseSmtpGreeting, '220 EXCH01.corp.example.com Microsoft ESMTP MAIL Service, Version: 10.0.17763.1697 ready at  Mon, 1 Feb 2021 10:00:00 +0100 \r\n')!;
  assert.equal(ms.product, { product: 'Microsoft ESMTP MAIL Service', version: '10.0.17763.1697' });
  assert.is(ms.host, 'EXCH01.corp.example.com');
  assert.is(run(parseSmtpGreeting, '220 ESMTP ready\r\n')!.host, null);
  assert.is(run(parseSmtpGreeting, '220 [192.0.2.1] ESMTP\r\n')!.host, '[192.0.2.1]');
  assert.is(run(parseSmtpGreeting, '220 mx.example.org ESMTP Sendmail 8.15.2/8.15.2; Tue\r\n')!.product!.version, '8.15.2');
});

test('SMTP: cut, bad continuation, not a greeting', () => {
  const c = run(parseSmtpGreeting, '220-a.example ESMTP\r\n220-more\r\n220 la')!;
  assert.is(c.complete, false);
  assert.equal(c.lines, ['a.example ESMTP', 'more']);
  const errs = new DecodeErrors();
  const bad = run(parseSmtpGreeting, '220-a.example\r\nnot a reply line\r\n', errs)!;
  assert.is(bad.complete, false);
  assert.equal(errs.toObject(), { 'smtp.bad_continuation': 1 });
  const e2 = new DecodeErrors();
  for (const s of ['', '220 cut', '554 no service\r\n', '22 x\r\n', 'EHLO x\r\n', '220x.example\r\n', '\xff\xfb\x01']) assert.is(run(parseSmtpGreeting, s, e2), null, s);
  assert.is(e2.total, 0);
});

test('SMTP EHLO / HELO', () => {
  // zeek/smtp-attachment-msg.pcap frame 4: "ehlo localhost.localdomain" (tshark smtp.req.parameter localhost.localdomain).
  assert.equal(run(parseSmtpHelo, 'ehlo localhost.localdomain\r\n'), { command: 'EHLO', host: 'localhost.localdomain' });
  assert.equal(run(parseSmtpHelo, 'HELO [10.0.0.1]\r\nMAIL FROM:<a@b>\r\n'), { command: 'HELO', host: '[10.0.0.1]' });
  assert.equal(run(parseSmtpHelo, 'EHLO\r\n'), { command: 'EHLO', host: '' });
  for (const s of ['EHLOX a\r\n', 'MAIL FROM:<a>\r\n', 'EHLO host', '', 'HEL']) assert.is(run(parseSmtpHelo, s), null, s);
});

// ---------------------------------------------------------------------------
// FTP

test('FTP greetings (real): host, product, multi-line without codes', () => {
  // zeek/ftp/retr.pcap frame 4 (tshark ftp.response.arg).
  const r = run(parseFtpGreeting, '220 ftp.ncsa.illinois.edu FTP Server (Apache/2.2.3 (CentOS) PHP/5.1.6 mod_ftp/0.9.6) ready.\r\n')!;
  assert.is(r.host, 'ftp.ncsa.illinois.edu');
  assert.equal(r.product, { product: 'Apache mod_ftp', version: '0.9.6' });
  // zeek/ftp/ipv4.pcap, bruteforce.pcap, bigtransfer.pcap, ipv6-retr-samba.pcap.
  const n = run(parseFtpGreeting, '220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.\r\n')!;
  assert.equal([n.host, n.product], ['ftp.NetBSD.org', { product: 'NetBSD-ftpd', version: '20100320' }]);
  assert.equal(run(parseFtpGreeting, '220 redmint FTP server (Version 6.4/OpenBSD/Linux-ftpd-0.17) ready.\r\n')!.product, { product: 'Linux-ftpd', version: '0.17' });
  assert.equal(run(parseFtpGreeting, '220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n220-You are user number 1 of 50.\r\n220 This is a private system\r\n')!.product, {
    product: 'Pure-FTPd',
    version: null,
  });
  assert.is(run(parseFtpGreeting, '220 2001:6f8:200:1::5:33 FTP server ready\r\n')!.host, '2001:6f8:200:1::5:33');
  // zeek/ftp/ipv6-multiline-reply.pcap frames 4, 5, 7, 8 ... (one line per segment).
  const ml = run(parseFtpGreeting, '220-     Welcome to FTP.JPIX.ad.jp,\r\n220-                Located in Tokyo, Japan.\r\n220- \r\nfree text line\r\n220 ok\r\n')!;
  assert.equal(ml.lines, ['     Welcome to FTP.JPIX.ad.jp,', '                Located in Tokyo, Japan.', ' ', 'free text line', 'ok']);
  assert.is(ml.complete, true);
  assert.is(ml.host, null);
  // zeek/ftp/ftp-missing-space-after-reply-code.pcap style: tolerated.
  assert.is(run(parseFtpGreeting, '220py.fake ready\r\n')!.text, 'py.fake ready');
  for (const [s, p, v] of [
    ['220 (vsFTPd 3.0.3)\r\n', 'vsFTPd', '3.0.3'],
    ['220 ProFTPD 1.3.5e Server (Debian) [::ffff:10.0.0.5]\r\n', 'ProFTPD', '1.3.5e'],
    ['220-FileZilla Server 0.9.60 beta\r\n220 hi\r\n', 'FileZilla Server', '0.9.60'],
    ['220 Microsoft FTP Service\r\n', 'Microsoft FTP Service', null],
    ['220 Serv-U FTP Server v15.1 ready...\r\n', 'Serv-U', '15.1'],
  ] as const) {
    assert.equal(run(parseFtpGreeting, s)!.product, { product: p, version: v }, s);
  }
  const errs = new DecodeErrors();
  const bc = run(parseFtpGreeting, '220-a\r\n421 bye\r\n', errs)!;
  assert.is(bc.complete, false);
  assert.equal(errs.toObject(), { 'ftp.bad_continuation': 1 });
});

test('FTP SYST replies (real)', () => {
  // zeek/ftp/bigtransfer.pcap frame 11, ipv4.pcap frame 17, retr.pcap frame 14.
  assert.equal(run(parseFtpSyst, '215 UNIX Type: L8\r\n'), { text: 'UNIX Type: L8', system: 'UNIX' });
  assert.equal(run(parseFtpSyst, '215 UNIX Type: L8 Version: NetBSD-ftpd 20100320\r\n')!.system, 'UNIX');
  assert.equal(run(parseFtpSyst, '215 Windows_NT\r\n'), { text: 'Windows_NT', system: 'Windows_NT' });
  assert.is(run(parseFtpSyst, '220 x\r\n'), null);
});

// ---------------------------------------------------------------------------
// POP3 / IMAP

test('POP3 and IMAP greetings', () => {
  // zeek/pop3/bad-list-retr-crafted.pcap frame 4; zeek/pop3/pop3.pcap frame 16 (tshark pop.response.description).
  const p = run(parsePop3Greeting, '+OK example.com POP3-Server\r\n')!;
  assert.equal([p.text, p.host], ['example.com POP3-Server', 'example.com']);
  assert.is(run(parsePop3Greeting, '+OK POP server ready H mimap4 0MHoUr-1VDxRD3Ui5-003eq2\r\n')!.host, null);
  assert.equal(run(parsePop3Greeting, '+OK Dovecot (Ubuntu) ready.\r\n')!.product, { product: 'Dovecot', version: null });
  assert.is(run(parsePop3Greeting, '-ERR no\r\n'), null);
  assert.is(run(parsePop3Greeting, '+OKAY\r\n'), null);
  const i = run(parseImapGreeting, '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Ubuntu) ready.\r\n')!;
  assert.equal(i.product, { product: 'Dovecot', version: null });
  assert.is(run(parseImapGreeting, '* PREAUTH IMAP4rev1 server logged in as Smith\r\n')!.text, 'IMAP4rev1 server logged in as Smith');
  assert.is(run(parseImapGreeting, 'a001 OK done\r\n'), null);
});

// ---------------------------------------------------------------------------
// Telnet

test('Telnet: negotiation stripped, prompt without newline, IAC IAC, Cisco / Ubuntu banners', () => {
  // A Linux telnetd start: IAC DO TERMINAL-TYPE, IAC DO TSPEED, ... then a banner and "login: ".
  const raw = Buffer.concat([
    Buffer.from('fffd18fffd20fffd23fffd27', 'hex'),
    Buffer.from('fffa1801fff0', 'hex'),
    b('Ubuntu 22.04.3 LTS\r\n'),
    Buffer.from('fffb03fffb01', 'hex'),
    b('\r\nhost01 login: '),
  ]);
  const t = run(parseTelnetText, raw)!;
  assert.equal(t.lines, ['Ubuntu 22.04.3 LTS', 'host01 login:']);
  assert.is(t.commands, 7);
  assert.equal(t.options, [0x18, 0x20, 0x23, 0x27, 0x03, 0x01]);
  assert.equal(productFromBanner(t.lines.join(' ')), { product: 'Ubuntu', version: '22.04.3' });
  const cisco = run(parseTelnetText, Buffer.concat([Buffer.from('fffb01fffb03fffd18fffd1f', 'hex'), b('\r\n\r\nUser Access Verification\r\n\r\nUsername: ')]))!;
  assert.equal(cisco.lines, ['User Access Verification', 'Username:']);
  assert.equal(productFromBanner(cisco.lines[0]!), { product: 'Cisco IOS', version: null });
  assert.equal(run(parseTelnetText, Buffer.from('61ffff62\r\n'.replace('\r\n', '0d0a'), 'hex'))!.lines, ['a\\xffb']);
  // zeek/telnet-auth-missing-name.pcap frame 4: IAC SB AUTHENTICATION(0x25) 02 02 IAC SE, no text.
  const auth = run(parseTelnetText, Buffer.from('fffa250202fff0', 'hex'))!;
  assert.equal(auth, { lines: [], commands: 1, options: [0x25] });
  // zeek/contentline/telnet-unclosed-suboption.pcapng.gz: IAC SB then 'B'... and no IAC SE.
  const errs = new DecodeErrors();
  const un = run(parseTelnetText, Buffer.concat([Buffer.from('fffa', 'hex'), b('B'.repeat(100))]), errs)!;
  assert.equal(un.lines, []);
  assert.equal(errs.toObject(), { 'telnet.unclosed_sb': 1 });
  assert.is(run(parseTelnetText, ''), null);
  assert.is(run(parseTelnetText, '\r\n\r\n'), null);
  // Control characters (ANSI escapes) are escaped; at most MAX_LINES lines.
  assert.equal(run(parseTelnetText, '\x1b[2Jhello\n')!.lines, ['\\x1b[2Jhello']);
  assert.is(run(parseTelnetText, 'x\n'.repeat(100))!.lines.length, MAX_LINES);
});

test('productFromBanner table', () => {
  assert.equal(productFromBanner('Debian GNU/Linux 12'), { product: 'Debian', version: '12' });
  assert.equal(productFromBanner('MikroTik v6.48.6 (stable)'), { product: 'MikroTik RouterOS', version: '6.48.6' });
  assert.equal(productFromBanner('BusyBox v1.31.1 built-in shell'), { product: 'BusyBox', version: '1.31.1' });
  assert.is(productFromBanner('hello world'), null);
  assert.is(productFromBanner(''), null);
});

test('every truncation length and random bytes never throw', () => {
  const samples: Array<[P<unknown>, Buffer]> = [
    [parseSmtpGreeting, b('220-scoot-81.wizint.net ESMTP Exim 4.94.115\r\n220 Spam disliked here\r\n')],
    [parseFtpGreeting, b('220-     Welcome\r\nfree\r\n220 ok\r\n')],
    [parseFtpSyst, b('215 UNIX Type: L8\r\n')],
    [parseSmtpHelo, b('EHLO client.example.org\r\n')],
    [parsePop3Greeting, b('+OK example.com POP3-Server\r\n')],
    [parseImapGreeting, b('* OK [CAPABILITY IMAP4rev1] ready\r\n')],
    [parseTelnetText, Buffer.concat([Buffer.from('fffd18fffa1801fff0', 'hex'), b('Ubuntu 22.04 LTS\r\nlogin: ')])],
  ];
  for (const [f, buf] of samples) {
    for (let n = 0; n <= buf.length; n++) {
      const r = f(buf, 0, n, new DecodeErrors());
      if (f !== parseTelnetText && n === buf.length) assert.ok(r, `full ${f.name}`);
    }
    for (let o = 0; o <= buf.length + 1; o++) f(buf, o, buf.length);
  }
  let seed = 2525;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = Buffer.concat([b('220- 215+OK* EHLO\r\n\n aZ.'), Buffer.from('fffafbf0fffe', 'hex')]);
  for (let t = 0; t < 4000; t++) {
    const n = rnd() % 300;
    const r = Buffer.alloc(n);
    for (let i = 0; i < n; i++) r[i] = t % 2 ? rnd() & 255 : alphabet[rnd() % alphabet.length]!;
    if (t % 3 === 0 && n > 8) b('220-').copy(r);
    for (const [f] of samples) {
      f(r, 0, n, new DecodeErrors());
      f(r, rnd() % (n + 2), rnd() % (n + 2));
    }
    productFromBanner(r.toString('latin1'));
  }
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark.

interface Dir {
  buf: Buffer;
  frames: Array<[number, number]>;
  srcPort: number;
  dstPort: number;
}

/** TCP directions of a capture: payloads concatenated in capture order (first 64 KB; retransmissions by sequence skipped). */
async function directions(file: string): Promise<Dir[]> {
  const acc = new Map<string, { data: Buffer[]; size: number; frames: Array<[number, number]>; next: number; sp: number; dp: number }>();
  try {
    await decodedFrames(file, (n, v) => {
      if (v.proto !== IPPROTO_TCP || v.payloadLen <= 0) return;
      const key = `${v.src4}/${Array.from(v.src6).join(',')}:${v.srcPort}>${v.dst4}/${Array.from(v.dst6).join(',')}:${v.dstPort}`;
      let d = acc.get(key);
      if (!d) acc.set(key, (d = { data: [], size: 0, frames: [], next: -1, sp: v.srcPort, dp: v.dstPort }));
      if (d.next >= 0 && ((v.tcpSeq - d.next) | 0) < 0) return;
      if (d.size > 65536) return;
      d.frames.push([d.size, n]);
      d.data.push(Buffer.from(v.buf.subarray(v.payloadOff, v.payloadOff + v.payloadLen)));
      d.size += v.payloadLen;
      d.next = (v.tcpSeq + v.payloadLen) >>> 0;
    });
  } catch {
    // unreadable capture
  }
  return [...acc.values()].map((d) => ({ buf: Buffer.concat(d.data), frames: d.frames, srcPort: d.sp, dstPort: d.dp }));
}

function frameAt(frames: Array<[number, number]>, at: number): number {
  let r = frames[0]![1];
  for (const [o, n] of frames) if (o <= at) r = n;
  return r;
}

const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

if (!haveShared()) {
  skip('shared captures not present: real greetings not checked');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: greetings not compared');

  test('real captures: SMTP / FTP / POP3 greetings, EHLO, SYST agree with tshark; Telnet parses', async () => {
    const files = [
      ...listShared('zeek/smtp', /\.pcap/),
      ...listShared('zeek', /^smtp.*\.pcap/),
      ...listShared('zeek/ftp', /\.pcap/),
      ...listShared('zeek/pop3', /\.pcap/),
      ...listShared('zeek', /^pop3.*\.pcap|^telnet.*\.pcap/),
      ...listShared('zeek/contentline', /telnet/),
    ];
    const counts: Record<string, [number, number]> = { smtpGreeting: [0, 0], ehlo: [0, 0], ftpGreeting: [0, 0], syst: [0, 0], pop3: [0, 0], telnet: [0, 0] };
    const diffs: string[] = [];
    const cmp = (kind: string, file: string, frame: number, mine: string, theirs: string | undefined): void => {
      if (theirs === undefined || !ascii(mine) || !ascii(theirs)) return;
      counts[kind]![1]++;
      if (mine === theirs) counts[kind]![0]++;
      else diffs.push(`${file} frame ${frame} ${kind}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(mine)}`);
    };
    for (const file of files) {
      const dirs = await directions(file);
      const first = (m: Map<number, string[]>, f: number, k = 0): string | undefined => m.get(f)?.[k]?.split('|')[0];
      if (/smtp/.test(file)) {
        const t = withTshark ? tsharkByFrame(file, 'smtp', ['smtp.rsp.parameter', 'smtp.req.parameter'], '|') : new Map<number, string[]>();
        for (const d of dirs) {
          const g = parseSmtpGreeting(d.buf, 0, d.buf.length);
          if (g) {
            const f = frameAt(d.frames, d.buf.indexOf(0x0a));
            if (withTshark) cmp('smtpGreeting', file, f, g.lines[0]!, first(t, f));
            else counts.smtpGreeting![1]++;
          }
          const h = parseSmtpHelo(d.buf, 0, d.buf.length);
          if (h) {
            const f = d.frames[0]![1];
            if (withTshark) cmp('ehlo', file, f, h.host, first(t, f, 1));
            else counts.ehlo![1]++;
          }
        }
      } else if (/ftp/.test(file)) {
        const t = withTshark ? tsharkByFrame(file, 'ftp', ['ftp.response.arg'], '|') : new Map<number, string[]>();
        for (const d of dirs) {
          const g = parseFtpGreeting(d.buf, 0, d.buf.length);
          if (g) {
            const f = frameAt(d.frames, d.buf.indexOf(0x0a));
            if (withTshark) cmp('ftpGreeting', file, f, g.lines[0]!, first(t, f));
            else counts.ftpGreeting![1]++;
          }
          // The SYST reply: a line starting "215" somewhere in the server's bytes.
          const at = d.buf.indexOf('\n215 ');
          if (g && at >= 0) {
            const s = parseFtpSyst(d.buf, at + 1, d.buf.length - at - 1);
            if (s) {
              const f = frameAt(d.frames, at + 1);
              if (withTshark) cmp('syst', file, f, s.text, first(t, f));
              else counts.syst![1]++;
            }
          }
        }
      } else if (/pop3/.test(file)) {
        const t = withTshark ? tsharkByFrame(file, 'pop', ['pop.response.description'], '|') : new Map<number, string[]>();
        for (const d of dirs) {
          const g = parsePop3Greeting(d.buf, 0, d.buf.length);
          if (!g) continue;
          const f = d.frames[0]![1];
          if (withTshark) cmp('pop3', file, f, g.text, first(t, f));
          else counts.pop3![1]++;
        }
      } else {
        for (const d of dirs) {
          const r = parseTelnetText(d.buf, 0, d.buf.length, new DecodeErrors());
          counts.telnet![1]++;
          if (r) counts.telnet![0]++;
        }
      }
    }
    console.log(`# ${files.length} captures`);
    for (const [k, [a, n]] of Object.entries(counts)) console.log(`#   ${k}: ${a}/${n} ${k === 'telnet' ? 'directions with Telnet text or commands' : 'agree with tshark'}`);
    assert.ok(counts.smtpGreeting![1] + counts.ftpGreeting![1] > 0, 'some greetings');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });
}

test.run();
