/**
 * Cleartext service greetings and a few early exchanges that name a host or
 * a product:
 *
 *   SMTP (RFC 5321 §4.2) / FTP (RFC 959 §4.2) replies: a 3-digit code, then
 *     '-' on every line but the last, ' ' on the last ("220-a", "220-b",
 *     "220 c"). SMTP repeats the code on every line; FTP allows continuation
 *     lines without it (they are kept as they are). The server greeting is
 *     code 220; FTP's answer to SYST is 215 ("UNIX Type: L8", "Windows_NT").
 *     A 220 SMTP greeting's first word is the server's host name; an FTP
 *     greeting names a host when its first word is followed by "FTP server".
 *   SMTP client EHLO / HELO (RFC 5321 §4.1.1.1): the argument is the
 *     client's host name (or an address literal).
 *   POP3 (RFC 1939) "+OK text" and IMAP (RFC 9051) "* OK [...] text" /
 *     "* PREAUTH" greetings.
 *   Telnet (RFC 854): server bytes with option negotiation removed — IAC
 *     (0xFF) followed by WILL/WONT/DO/DONT (0xFB..0xFE) and an option byte,
 *     IAC SB (0xFA) ... IAC SE (0xF0), other two-byte IAC commands, and
 *     IAC IAC standing for a data byte 0xFF — and the remaining text split
 *     into lines (CR, NUL dropped; empty lines skipped). The last line need
 *     not end with LF (a "login: " prompt does not).
 *
 * productFromBanner() matches greeting text against a small table of server
 * products (Postfix, Exim, Sendmail, Microsoft ESMTP MAIL Service, vsFTPd,
 * ProFTPD, Pure-FTPd, FileZilla Server, Microsoft FTP Service, Dovecot,
 * Cisco IOS "User Access Verification", Linux distribution names in telnet
 * banners, ...).
 *
 * The payload is `buf[off, off + len)`: the first bytes a side sent. Limits:
 * lines of at most MAX_LINE bytes (a longer line ends the reply, which is
 * then not complete), at most MAX_LINES lines, text cut to MAX_TEXT
 * characters. Nothing throws; text is escaped with escapeBytes (bytes
 * outside printable ASCII, and backslash, as \xNN).
 *
 * Null (nothing counted) when the bytes are not the message asked for, or no
 * complete line was sent.
 *
 * Counters:
 *   ftp.bad_continuation   an FTP multi-line reply ended by a line with another code
 *   smtp.bad_continuation  an SMTP reply line without the code of the first line
 *   telnet.unclosed_sb     IAC SB without IAC SE before the end of the payload
 */
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export const MAX_LINE = 1024;
export const MAX_LINES = 32;
export const MAX_TEXT = 2048;

export interface ProductHint {
  product: string;
  version: string | null;
}

export interface Greeting {
  /** Reply code (220, 215); 0 for POP3 / IMAP. */
  code: number;
  /** Text of each line, code and separator removed. */
  lines: string[];
  /** The lines joined with one space (at most MAX_TEXT characters). */
  text: string;
  /** Host name the greeting announces, or null. */
  host: string | null;
  product: ProductHint | null;
  /** The final line of the reply was seen. */
  complete: boolean;
}

export interface HeloCommand {
  command: 'EHLO' | 'HELO';
  /** The argument (client host name or address literal); '' when none. */
  host: string;
}

export interface FtpSystem {
  /** The 215 reply text, "UNIX Type: L8". */
  text: string;
  /** Its first word: "UNIX", "Windows_NT", "MACOS", ... */
  system: string;
}

export interface TelnetText {
  /** Printable lines of the server's text (escaped; at most MAX_LINES). */
  lines: string[];
  /** Number of IAC commands removed. */
  commands: number;
  /** Options negotiated (WILL/WONT/DO/DONT/SB), distinct, in order of first use. */
  options: number[];
}

interface Line {
  start: number;
  stop: number;
  next: number;
}

/** Lines of [off, end): LF-terminated, CR dropped; stops at a line over MAX_LINE or at the end. */
function lines(buf: Uint8Array, off: number, end: number, max: number): { lines: Line[]; tooLong: boolean } {
  const out: Line[] = [];
  let i = off;
  while (i < end && out.length < max) {
    const limit = Math.min(end, i + MAX_LINE + 1);
    let lf = -1;
    for (let k = i; k < limit; k++) {
      if (buf[k] === 0x0a) {
        lf = k;
        break;
      }
    }
    if (lf < 0) return { lines: out, tooLong: limit - i > MAX_LINE };
    out.push({ start: i, stop: lf > i && buf[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 1 });
    i = lf + 1;
  }
  return { lines: out, tooLong: false };
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function code3(buf: Uint8Array, l: Line): number {
  if (l.stop - l.start < 3 || !isDigit(buf[l.start]) || !isDigit(buf[l.start + 1]) || !isDigit(buf[l.start + 2])) return -1;
  return (buf[l.start]! - 0x30) * 100 + (buf[l.start + 1]! - 0x30) * 10 + (buf[l.start + 2]! - 0x30);
}

function joined(parts: string[]): string {
  return parts.join(' ').trim().slice(0, MAX_TEXT);
}

/**
 * A multi-line reply with code `want` at the start of the payload. `ftp`:
 * continuation lines need not carry the code; a missing space after the code
 * is tolerated on the first line.
 */
function reply(buf: Uint8Array, off: number, len: number, want: number, ftp: boolean, errs?: ErrorCounter): { lines: string[]; complete: boolean } | null {
  if (!(off >= 0 && len > 0) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const ls = lines(buf, off, end, MAX_LINES).lines;
  if (ls.length === 0) return null;
  const first = ls[0]!;
  if (code3(buf, first) !== want) return null;
  const out: string[] = [];
  for (let n = 0; n < ls.length; n++) {
    const l = ls[n]!;
    const c = code3(buf, l);
    const sep = buf[l.start + 3];
    const textOf = (from: number): string => escapeBytes(buf, from, Math.min(l.stop, from + MAX_LINE));
    if (c === want && (l.stop === l.start + 3 || sep === 0x20 || sep === 0x2d)) {
      out.push(textOf(Math.min(l.start + 4, l.stop)));
      if (sep !== 0x2d) return { lines: out, complete: true };
      continue;
    }
    if (n === 0) {
      // "220text": tolerated (FTP servers seen in the wild), a single-line reply.
      if (!ftp) return null;
      out.push(textOf(l.start + 3));
      return { lines: out, complete: true };
    }
    if (c >= 0 && (sep === 0x20 || sep === 0x2d || l.stop === l.start + 3)) {
      // A line with another code: the reply ended without its final line.
      errs?.count(ftp ? 'ftp.bad_continuation' : 'smtp.bad_continuation');
      return { lines: out, complete: false };
    }
    if (!ftp) {
      errs?.count('smtp.bad_continuation');
      return { lines: out, complete: false };
    }
    out.push(textOf(l.start));
  }
  return { lines: out, complete: false };
}

const HOST_RE = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\.?)+$|^\[[0-9A-Fa-f:.]+\]$|^[0-9A-Fa-f:.]+$/;
const NOT_HOST = /^(?:E?SMTP|FTP|ready|welcome|service|server|hello|mail|220|-+)$/i;

function hostWord(w: string | undefined): string | null {
  if (!w || w.length > 255 || NOT_HOST.test(w) || !HOST_RE.test(w)) return null;
  return w;
}

/** The SMTP server greeting (220). host: the first word of the first line. */
export function parseSmtpGreeting(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): Greeting | null {
  const r = reply(buf, off, len, 220, false, errs);
  if (!r) return null;
  const text = joined(r.lines);
  const host = hostWord(r.lines[0]!.trim().split(/\s+/)[0]);
  return { code: 220, lines: r.lines, text, host, product: productFromBanner(text), complete: r.complete };
}

/** The FTP server greeting (220). host: a first word followed by "FTP server". */
export function parseFtpGreeting(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): Greeting | null {
  const r = reply(buf, off, len, 220, true, errs);
  if (!r) return null;
  const text = joined(r.lines);
  const m = /^\s*(\S+)\s+FTP\s+server\b/i.exec(r.lines[0]!);
  return { code: 220, lines: r.lines, text, host: m ? hostWord(m[1]) : null, product: productFromBanner(text), complete: r.complete };
}

/** The FTP reply to SYST (215). */
export function parseFtpSyst(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): FtpSystem | null {
  const r = reply(buf, off, len, 215, true, errs);
  if (!r) return null;
  const text = joined(r.lines);
  return { text, system: text.split(' ')[0] ?? '' };
}

/** An SMTP client's EHLO / HELO line at the start of the payload (command in any case). */
export function parseSmtpHelo(buf: Uint8Array, off: number, len: number): HeloCommand | null {
  if (!(off >= 0 && len >= 5) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const ls = lines(buf, off, end, 1).lines;
  if (ls.length === 0) return null;
  const l = ls[0]!;
  if (l.stop - l.start < 4 || l.stop - l.start > 512) return null;
  const cmd = String.fromCharCode(buf[l.start]!, buf[l.start + 1]!, buf[l.start + 2]!, buf[l.start + 3]!).toUpperCase();
  if (cmd !== 'EHLO' && cmd !== 'HELO') return null;
  if (l.stop > l.start + 4 && buf[l.start + 4] !== 0x20) return null;
  const arg = escapeBytes(buf, Math.min(l.start + 5, l.stop), l.stop).trim();
  return { command: cmd, host: arg.split(/\s+/)[0]!.slice(0, 255) };
}

/** A POP3 greeting "+OK text". */
export function parsePop3Greeting(buf: Uint8Array, off: number, len: number): Greeting | null {
  if (!(off >= 0 && len >= 3) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const ls = lines(buf, off, end, 1).lines;
  const l = ls[0];
  if (!l || buf[l.start] !== 0x2b || buf[l.start + 1] !== 0x4f || buf[l.start + 2] !== 0x4b) return null;
  if (l.stop > l.start + 3 && buf[l.start + 3] !== 0x20) return null;
  const text = escapeBytes(buf, Math.min(l.start + 4, l.stop), l.stop).trim().slice(0, MAX_TEXT);
  const w = text.split(/\s+/);
  const host = hostWord(w.find((x) => x.includes('.') && !/[<>@]/.test(x)));
  return { code: 0, lines: [text], text, host, product: productFromBanner(text), complete: true };
}

/** An IMAP greeting "* OK [...] text", "* PREAUTH ..." (or "* BYE ..."). */
export function parseImapGreeting(buf: Uint8Array, off: number, len: number): Greeting | null {
  if (!(off >= 0 && len >= 4) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const ls = lines(buf, off, end, 1).lines;
  const l = ls[0];
  if (!l) return null;
  const s = escapeBytes(buf, l.start, l.stop);
  const m = /^\* (OK|PREAUTH|BYE)(?: (.*))?$/i.exec(s);
  if (!m) return null;
  const text = (m[2] ?? '').trim().slice(0, MAX_TEXT);
  const plain = text.replace(/^\[[^\]]*\]\s*/, '');
  return { code: 0, lines: [text], text, host: null, product: productFromBanner(plain), complete: true };
}

// ---------------------------------------------------------------------------
// Telnet

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
const MAX_OPTIONS = 32;

/**
 * The server's text with Telnet commands removed; null when the payload has
 * neither a Telnet command nor any text line.
 */
export function parseTelnetText(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): TelnetText | null {
  if (!(off >= 0 && len > 0) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const out: TelnetText = { lines: [], commands: 0, options: [] };
  const opt = (o: number): void => {
    if (out.options.length < MAX_OPTIONS && !out.options.includes(o)) out.options.push(o);
  };
  let cur: number[] = [];
  let curOver = false;
  const flush = (): void => {
    if (cur.length > 0 && out.lines.length < MAX_LINES) {
      const t = escapeBytes(cur, 0, cur.length).trim();
      if (t !== '') out.lines.push(curOver ? t.slice(0, MAX_LINE) : t);
    }
    cur = [];
    curOver = false;
  };
  const data = (c: number): void => {
    if (c === 0x0a) flush();
    else if (c === 0x0d || c === 0x00) return;
    else if (cur.length < MAX_LINE) cur.push(c);
    else curOver = true;
  };
  let i = off;
  while (i < end && out.lines.length < MAX_LINES) {
    const c = buf[i]!;
    if (c !== IAC) {
      data(c);
      i++;
      continue;
    }
    if (i + 1 >= end) break; // cut command
    const cmd = buf[i + 1]!;
    if (cmd === IAC) {
      data(0xff);
      i += 2;
    } else if (cmd >= 0xfb) {
      if (i + 2 >= end) {
        out.commands++;
        break;
      }
      opt(buf[i + 2]!);
      out.commands++;
      i += 3;
    } else if (cmd === SB) {
      out.commands++;
      if (i + 2 < end) opt(buf[i + 2]!);
      let k = i + 2;
      while (k + 1 < end && !(buf[k] === IAC && buf[k + 1] === SE)) k += buf[k] === IAC && buf[k + 1] === IAC ? 2 : 1;
      if (k + 1 >= end) {
        errs?.count('telnet.unclosed_sb');
        i = end;
        break;
      }
      i = k + 2;
    } else {
      out.commands++;
      i += 2;
    }
  }
  flush();
  if (out.commands === 0 && out.lines.length === 0) return null;
  return out;
}

// ---------------------------------------------------------------------------
// Products

interface Rule {
  re: RegExp;
  product: string;
}

// Each pattern may capture a version as its first group.
const RULES: Rule[] = [
  { re: /\bMicrosoft ESMTP MAIL Service(?:, Version: ([\d.]+))?/i, product: 'Microsoft ESMTP MAIL Service' },
  { re: /\bMicrosoft Exchange(?: Server)?(?: (\d{4}|[\d.]+))?/i, product: 'Microsoft Exchange' },
  { re: /\bMicrosoft FTP Service\b/i, product: 'Microsoft FTP Service' },
  { re: /\bPostfix\b/, product: 'Postfix' },
  { re: /\bExim ([\d.]+\w*)/i, product: 'Exim' },
  { re: /\bSendmail ([\d.]+\w*)/i, product: 'Sendmail' },
  { re: /\bOpenSMTPD\b/i, product: 'OpenSMTPD' },
  { re: /\bqmail\b/i, product: 'qmail' },
  { re: /\bhMailServer\b/i, product: 'hMailServer' },
  { re: /\bMailEnable\b/i, product: 'MailEnable' },
  { re: /\bZimbra\b/i, product: 'Zimbra' },
  { re: /\bDovecot\b/i, product: 'Dovecot' },
  { re: /\bCyrus (?:IMAP|POP3)[^ ]* v?([\d.]+\w*)?/i, product: 'Cyrus' },
  { re: /\bCourier-(?:IMAP|POP3)\b/i, product: 'Courier' },
  { re: /\bvsFTPd ([\d.]+\w*)/i, product: 'vsFTPd' },
  { re: /\bProFTPD(?: ([\d.]+\w*))?/i, product: 'ProFTPD' },
  { re: /\bPure-FTPd\b/i, product: 'Pure-FTPd' },
  { re: /\bFileZilla Server(?: (?:version )?v?([\d.]+\w*))?/i, product: 'FileZilla Server' },
  { re: /\bServ-U FTP Server v?([\d.]+)?/i, product: 'Serv-U' },
  { re: /\bwu-([\d.]+\w*)/i, product: 'wu-ftpd' },
  { re: /\bNetBSD-ftpd (\d+)/i, product: 'NetBSD-ftpd' },
  { re: /\bLinux-ftpd-([\d.]+)/i, product: 'Linux-ftpd' },
  { re: /\bmod_ftp\/([\d.]+)/i, product: 'Apache mod_ftp' },
  { re: /\bUser Access Verification\b/, product: 'Cisco IOS' },
  { re: /\bUbuntu (\d+\.\d+(?:\.\d+)?)/, product: 'Ubuntu' },
  { re: /\bDebian GNU\/Linux (\d+)?/, product: 'Debian' },
  { re: /\bCentOS(?: Linux)?(?: release)? ?(\d[\d.]*)?/, product: 'CentOS' },
  { re: /\bRed Hat Enterprise Linux(?: Server)?(?: release)? ?(\d[\d.]*)?/, product: 'Red Hat Enterprise Linux' },
  { re: /\bFreeBSD\/?\S* \(?(\d+\.\d+)?/, product: 'FreeBSD' },
  { re: /\bMikroTik(?: v([\d.]+))?/, product: 'MikroTik RouterOS' },
  { re: /\bBusyBox v([\d.]+)/, product: 'BusyBox' },
];

/** The well-known server product a banner names, with its version when the banner gives one. */
export function productFromBanner(text: string): ProductHint | null {
  const t = text.slice(0, MAX_TEXT);
  for (const r of RULES) {
    const m = r.re.exec(t);
    if (m) return { product: r.product, version: m[1] ?? null };
  }
  return null;
}

// ---------------------------------------------------------------------------
// Dissectors: the first lines each side sends. The server's greeting names
// its software (and, for SMTP, its host); an SMTP client's EHLO names the client.

function greetingDissector(id: string, application: string, family: string, port: number, parse: (buf: Uint8Array, off: number, len: number) => Greeting | null): Dissector {
  return {
    id,
    app: { application, family },
    tcpPorts: [port],
    maxStream: 4096,
    dissect(buf, off, len, ctx) {
      if (ctx.fromClient) {
        if (id !== 'smtp') return Verdict.Done;
        const helo = parseSmtpHelo(buf, off, len);
        if (helo === null) return len < 512 && !buf.subarray(off, off + len).includes(0x0a) ? Verdict.More : Verdict.Done;
        if (helo.host && !helo.host.startsWith('[')) ctx.src('hostname', helo.host.toLowerCase(), { command: helo.command });
        return Verdict.Done;
      }
      const g = parse(buf, off, len);
      if (g === null) return Verdict.NotMine;
      if (!g.complete) return Verdict.More;
      ctx.src('banner', g.text);
      if (g.product) ctx.src('server', g.product.version ? `${g.product.product} ${g.product.version}` : g.product.product);
      if (g.host && id === 'smtp' && /[a-z]/i.test(g.host) && g.host.includes('.')) ctx.src('hostname', g.host.toLowerCase(), { from: 'greeting' });
      return Verdict.Done;
    },
  };
}

export const smtpDissector = greetingDissector('smtp', 'SMTP', 'Email', 25, (b, o, l) => parseSmtpGreeting(b, o, l));
export const ftpDissector = greetingDissector('ftp', 'FTP', 'File Sharing', 21, (b, o, l) => parseFtpGreeting(b, o, l));
export const pop3Dissector = greetingDissector('pop3', 'POP3', 'Email', 110, parsePop3Greeting);
export const imapDissector = greetingDissector('imap', 'IMAP', 'Email', 143, parseImapGreeting);

/** Telnet: the server's text before login (system banner, "login:" prompt). */
export const telnetDissector: Dissector = {
  id: 'telnet',
  app: { application: 'Telnet', family: 'Remote Access' },
  tcpPorts: [23],
  maxStream: 4096,
  dissect(buf, off, len, ctx) {
    if (ctx.fromClient) return Verdict.Done;
    const t = parseTelnetText(buf, off, len, ctx);
    if (t === null) return Verdict.NotMine;
    const text = t.lines.map((l) => l.trim()).filter((l) => l !== '');
    // Wait for a line of text (options are negotiated first), within the bound.
    if (text.length === 0) return len < 4096 ? Verdict.More : Verdict.Done;
    ctx.src('banner', text.slice(0, 4).join(' | '));
    return Verdict.Done;
  },
};
