/**
 * The head of an HTTP/1.x message (RFC 9112 §2-5): the request or status line
 * and the header fields, up to the blank line. Also serves SSDP (HTTP over UDP
 * 1900: `M-SEARCH * HTTP/1.1`, `NOTIFY * HTTP/1.1`, `HTTP/1.1 200 OK`), RTSP
 * (`RTSP/1.0`) and SIP (`SIP/2.0`), whose heads have the same shape.
 *
 * The message is `buf[off, off + len)`, typically the first segment of a TCP
 * stream direction or one UDP payload. Bytes are read as latin1.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Lines end with LF, an optional CR before it is dropped. Parsing stops at the
 * first empty line (complete = true) or at `len` (complete = false; a last
 * line without its LF is then ignored, as its value may be cut, except for the
 * request / status line, which is used when it matches in full).
 *
 * Start line, else the function returns null and counts nothing (plain
 * non-HTTP payloads are common):
 *   request   METHOD SP target SP version     (METHOD an RFC 9110 token;
 *             "METHOD SP version", the target missing, is read too, with
 *             target '': some clients send it, and Wireshark and Zeek read it)
 *   response  version SP 3DIGIT [SP reason]
 * where version is HTTP/d.d, RTSP/d.d or SIP/d.d. Spaces and tabs at the end
 * of the line are ignored (a request line "NOTIFY * HTTP/1.1 " is accepted).
 *
 * Header fields: the name (before the first ':') lower-cased and trimmed, the
 * value trimmed. A line starting with SP or HT continues the previous value
 * (obs-fold, RFC 9112 §5.2): appended after one space. At most MAX_HEADERS
 * fields are kept, each value cut to MAX_VALUE characters, except the
 * credential fields (Authorization, Proxy-Authorization, WWW-Authenticate,
 * Proxy-Authenticate), cut to MAX_TOKEN_VALUE: their base64 NTLM / Negotiate
 * tokens often pass 1024 characters.
 *
 * Counters:
 *   http.bad_header_line   a header line without ':' (or with an empty name),
 *                          or a continuation line with no kept field before it: skipped
 *   http.too_many_headers  more than MAX_HEADERS fields: the rest are dropped
 *                          (counted once per message)
 */
import { ntlmObservations, ntlmsspInToken } from './ntlmssp.js';
import { Verdict, type DissectContext, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface HttpHead {
  kind: 'request' | 'response';
  /** Request method as sent (case kept); null for a response. */
  method: string | null;
  /** Request target as sent; null for a response. */
  target: string | null;
  /** "HTTP/1.1", "RTSP/1.0", "SIP/2.0"... */
  version: string;
  /** Response status code; null for a request. */
  status: number | null;
  /** Response reason phrase ('' when absent); null for a request. */
  reason: string | null;
  /** [lower-cased name, trimmed value] in order. */
  headers: [string, string][];
  /** The empty line ending the head was seen. */
  complete: boolean;
  /**
   * Bytes of the head from `off`: through the empty line when complete (the
   * body starts at off + headerBytes), else through the last complete line read.
   */
  headerBytes: number;
}

export const MAX_HEADERS = 64;
export const MAX_VALUE = 1024;
export const MAX_TOKEN_VALUE = 16384;
/** Longest request / status line looked at; a longer first line is not HTTP for us. */
const MAX_START_LINE = 16384;
/** Longest method accepted (the first SP must come within this many bytes). */
const MAX_METHOD = 32;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/** RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA. */
function isTchar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  switch (c) {
    case 0x21: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27: case 0x2a:
    case 0x2b: case 0x2d: case 0x2e: case 0x5e: case 0x5f: case 0x60: case 0x7c: case 0x7e:
      return true;
    default:
      return false;
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  if (end <= start) return '';
  // A Buffer reads its own bytes without a view object made per call.
  if (end <= b.length && Buffer.isBuffer(b)) return b.toString('latin1', start, end);
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

const REQUEST_RE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (?:([^ \r\n\0]+) )?((?:HTTP|RTSP|SIP)\/\d\.\d)$/;
const STATUS_RE = /^((?:HTTP|RTSP|SIP)\/\d\.\d) (\d{3})(?: (.*))?$/s;

/** End of the line starting at `i` (index of its LF), or -1 when there is no LF before `end`. */
function lineEnd(buf: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) if (buf[i] === LF) return i;
  return -1;
}

/**
 * `only`: lower-case names of the headers to keep; other header lines are
 * checked for framing but not turned into text (the dissectors need a few).
 */
export function parseHttpHead(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter, only?: readonly string[]): HttpHead | null {
  if (off < 0 || len <= 0 || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);

  // Cheap rejection of binary payloads: a token (or a version, with its '/'), then SP, within the first bytes.
  let sp = off;
  while (sp < end && sp - off <= MAX_METHOD && (isTchar(buf[sp]!) || buf[sp] === 0x2f)) sp++;
  if (sp === off || sp >= end || buf[sp] !== SP) return null;

  // The request / status line.
  let lf = lineEnd(buf, sp, Math.min(end, off + MAX_START_LINE));
  if (lf < 0 && end - off > MAX_START_LINE) return null;
  const lineStop = lf < 0 ? end : lf;
  let textEnd = lineStop > off && buf[lineStop - 1] === CR ? lineStop - 1 : lineStop;
  // Whitespace after the version (some UPnP stacks send "NOTIFY * HTTP/1.1 "):
  // RFC 9112 §3 lets a recipient split the line on whitespace, so it is dropped.
  while (textEnd > sp && (buf[textEnd - 1] === SP || buf[textEnd - 1] === HT)) textEnd--;
  const first = latin1(buf, off, textEnd);

  let head: HttpHead;
  const rq = REQUEST_RE.exec(first);
  if (rq) {
    head = { kind: 'request', method: rq[1]!, target: rq[2] ?? '', version: rq[3]!, status: null, reason: null, headers: [], complete: false, headerBytes: 0 };
  } else {
    const st = STATUS_RE.exec(first);
    if (!st) return null;
    head = { kind: 'response', method: null, target: null, version: st[1]!, status: Number(st[2]), reason: st[3] ?? '', headers: [], complete: false, headerBytes: 0 };
  }
  if (lf < 0) {
    head.headerBytes = end - off;
    return head;
  }

  // Header fields.
  let i = lf + 1;
  head.headerBytes = i - off;
  let tooMany = false;
  // Whether the last header line was kept (a fold line then extends it).
  let lastKept = false;
  while (i < end) {
    lf = lineEnd(buf, i, end);
    if (lf < 0) break; // a partial last line: ignored
    const stop = lf > i && buf[lf - 1] === CR ? lf - 1 : lf;
    const next = lf + 1;
    if (stop === i) {
      head.complete = true;
      head.headerBytes = next - off;
      return head;
    }
    const c0 = buf[i]!;
    if (c0 === SP || c0 === HT) {
      // obs-fold continuation
      if (lastKept) {
        const last = head.headers[head.headers.length - 1]!;
        const more = latin1(buf, i, stop).trim();
        if (more) last[1] = (last[1] ? last[1] + ' ' + more : more).slice(0, maxValue(last[0]));
      } else if (!tooMany) {
        errs?.count('http.bad_header_line');
      }
    } else {
      let colon = -1;
      for (let k = i; k < stop; k++) {
        if (buf[k] === 0x3a) {
          colon = k;
          break;
        }
      }
      if (only !== undefined && colon > i && !nameIsOneOf(buf, i, colon, only)) {
        lastKept = false;
        i = next;
        head.headerBytes = i - off;
        continue;
      }
      const name = colon < 0 ? '' : latin1(buf, i, colon).trim().toLowerCase();
      if (!name) {
        errs?.count('http.bad_header_line');
        lastKept = false;
      } else if (head.headers.length >= MAX_HEADERS) {
        if (!tooMany) errs?.count('http.too_many_headers');
        tooMany = true;
        lastKept = false;
      } else {
        head.headers.push([name, latin1(buf, colon + 1, stop).trim().slice(0, maxValue(name))]);
        lastKept = true;
      }
    }
    i = next;
    head.headerBytes = i - off;
  }
  return head;
}

/** How many characters of a field's value are kept. */
function maxValue(name: string): number {
  switch (name) {
    case 'authorization':
    case 'proxy-authorization':
    case 'www-authenticate':
    case 'proxy-authenticate':
      return MAX_TOKEN_VALUE;
    default:
      return MAX_VALUE;
  }
}

/** Whether buf[start, stop) (trailing blanks ignored) equals one of `names` (lower case), ignoring case. */
function nameIsOneOf(buf: Uint8Array, start: number, stop: number, names: readonly string[]): boolean {
  while (stop > start && (buf[stop - 1] === SP || buf[stop - 1] === HT)) stop--;
  const n = stop - start;
  for (const name of names) {
    if (name.length !== n) continue;
    let k = 0;
    for (; k < n; k++) {
      const c = buf[start + k]!;
      if ((c >= 0x41 && c <= 0x5a ? c + 32 : c) !== name.charCodeAt(k)) break;
    }
    if (k === n) return true;
  }
  return false;
}

/** The first value of header `name` (any case), or null. */
export function header(h: HttpHead, name: string): string | null {
  const n = name.toLowerCase();
  for (const [k, v] of h.headers) if (k === n) return v;
  return null;
}

// ---------------------------------------------------------------------------
// Dissector: HTTP/1.x heads. A request's User-Agent describes the client, its
// Host names the server; a response's Server header describes the server.
//
// NTLM over HTTP ([MS-NTHT]): the client sends `Authorization: NTLM <base64>`
// (`Proxy-Authorization` to a proxy; `Negotiate <base64>` when the token is
// SPNEGO-wrapped, or sometimes bare), NEGOTIATE first, AUTHENTICATE (its
// workstation, domain and user) in a later request on the same connection;
// the server answers 401 / 407 with `WWW-Authenticate: NTLM <base64>`
// (`Proxy-Authenticate`) holding the CHALLENGE (its names and version). Each
// message gives the observations it gives over SMB (ntlmObservations).
// A browser's first request has no credentials (and its User-Agent ends the
// client's walk); the 401 / 407 offering NTLM or Negotiate re-opens the
// client's direction (reopenPeer), so that the next request, which starts
// the exchange on the same connection, is read.

const NTLM_NONE = 0;
/** Half-way: a NEGOTIATE was sent (its AUTHENTICATE is to come), or NTLM / Negotiate offered without a token (its CHALLENGE is to come). */
const NTLM_PENDING = 1;
const NTLM_DONE = 2;
/** One challenge or credentials: the scheme and an optional base64 token. */
const AUTH_RE = /^\s*(?:NTLM|Negotiate)(?:\s+([A-Za-z0-9+/]+=*))?\s*$/i;

/** Reads the NTLMSSP messages of a head's credential fields; says whether this side has more of the exchange to send. */
function httpNtlm(h: HttpHead, ctx: DissectContext): number {
  const req = h.kind === 'request';
  let state = NTLM_NONE;
  for (const [k, v] of h.headers) {
    if (req ? k !== 'authorization' && k !== 'proxy-authorization' : k !== 'www-authenticate' && k !== 'proxy-authenticate') continue;
    // A field may list several challenges ("Negotiate, NTLM"); base64 has no comma.
    for (const part of v.split(',')) {
      const m = AUTH_RE.exec(part);
      if (m === null) continue;
      const token = m[1];
      if (token === undefined) {
        if (!req && (h.status === 401 || h.status === 407) && state === NTLM_NONE) state = NTLM_PENDING;
        continue;
      }
      const b = Buffer.from(token, 'base64');
      const msg = ntlmsspInToken(b, 0, b.length, ctx);
      if (msg !== null) ntlmObservations(msg, ctx);
      // A Kerberos token (no NTLMSSP) ends the wait as well.
      state = req && msg !== null && msg.type === 1 ? NTLM_PENDING : NTLM_DONE;
    }
  }
  return state;
}

/** A 401 / 407 offering NTLM or Negotiate, with or without a token: the client's next request answers it. */
function ntlmOffer(h: HttpHead): boolean {
  if (h.status !== 401 && h.status !== 407) return false;
  for (const [k, v] of h.headers) {
    if (k !== 'www-authenticate' && k !== 'proxy-authenticate') continue;
    for (const part of v.split(',')) if (AUTH_RE.test(part)) return true;
  }
  return false;
}

const METHOD_PREFIXES = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'OPTIONS ', 'DELETE ', 'CONNECT ', 'PATCH ', 'HTTP/1.'];

/** True when the payload starts like an HTTP/1.x request or response. */
export function looksLikeHttp(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 8) return false;
  const c = buf[off]!;
  if (c !== 0x47 && c !== 0x50 && c !== 0x48 && c !== 0x4f && c !== 0x44 && c !== 0x43) return false;
  for (const p of METHOD_PREFIXES) {
    if (len < p.length) continue;
    let ok = true;
    for (let i = 0; i < p.length && ok; i++) ok = buf[off + i] === p.charCodeAt(i);
    if (ok) return true;
  }
  return false;
}

/** Host header without a port, or null for an address literal or an empty value. */
export function hostOfHeader(v: string): string | null {
  let h = v.trim();
  if (h.startsWith('[')) return null; // IPv6 literal
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  if (h === '' || /^[\d.]+$/.test(h)) return null;
  return h.toLowerCase();
}

export const httpDissector: Dissector = {
  id: 'http',
  app: { application: 'HTTP', family: 'Web Services' },
  tcpPorts: [80, 8080, 8000, 8008, 8081, 8888, 3128, 631, 5985, 9000],
  maxStream: 8192,
  probe(buf, off, len, proto) {
    return proto === 6 && looksLikeHttp(buf, off, len);
  },
  dissect(buf, off, len, ctx) {
    // The first head that says it (User-Agent, Server) ends the walk; until
    // then heads are followed (a "100 Continue", a response without Server),
    // bodies skipped by Content-Length or chunk sizes; a body of unknown
    // length ends the walk. Half-way through an NTLM exchange the walk goes
    // on to the next head however satisfied (see httpNtlm).
    const end = off + len;
    let p = off;
    let heads = 0;
    let satisfied = false;
    let ntlmPending = false;
    const more = () => (satisfied && !ntlmPending ? Verdict.Done : Verdict.More);
    while (p < end && heads < MAX_HEADS) {
      const h = parseHttpHead(buf, p, end - p, heads === 0 ? ctx : undefined, WANTED);
      if (h === null) return heads === 0 ? Verdict.NotMine : Verdict.Done;
      if (!h.complete) return more();
      heads++;
      let found = false;
      if (h.kind === 'request') {
        const ua = header(h, 'user-agent');
        if (ua) ctx.src('user_agent', ua);
        const host = header(h, 'host');
        const name = host ? hostOfHeader(host) : null;
        if (name) ctx.dst('hostname', name, { header: 'Host' });
        found = ua !== null;
      } else {
        const server = header(h, 'server');
        if (server) ctx.src('server', server);
        found = server !== null && h.status !== null && h.status >= 200;
      }
      ntlmPending = httpNtlm(h, ctx) === NTLM_PENDING;
      // Once this side said what is wanted, later heads are read only while
      // they are already at hand: waiting for them would cost a copy of every
      // body in between on keep-alive connections (measured: +0.5 s and +50 MB
      // on the benchmark for three more Server values on the shared captures).
      if (found) satisfied = true;
      p += h.headerBytes;
      const body = bodyLength(h, buf, p, end);
      // Only the newest response re-opens the client: re-read from the
      // stream's start, an older one is followed by more bytes.
      if (h.kind === 'response' && (body < 0 || p + body >= end) && ntlmOffer(h)) ctx.reopenPeer?.();
      if (body < 0) return body === NEED_MORE ? more() : Verdict.Done;
      p += body;
    }
    return heads < MAX_HEADS ? more() : Verdict.Done;
  },
};

const MAX_HEADS = 16;
/** The headers the HTTP dissector reads. */
const WANTED = [
  'user-agent',
  'host',
  'server',
  'content-length',
  'transfer-encoding',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
] as const;
const NEED_MORE = -1;
const UNKNOWN = -2;

/** Bytes of the body after a head, NEED_MORE when chunks run past `end`, UNKNOWN when it cannot be known. */
function bodyLength(h: HttpHead, buf: Uint8Array, start: number, end: number): number {
  if (h.kind === 'response' && h.status !== null && (h.status < 200 || h.status === 204 || h.status === 304)) return 0;
  const te = header(h, 'transfer-encoding');
  if (te !== null && /chunked/i.test(te)) {
    let p = start;
    for (let n = 0; n < 4096; n++) {
      let lf = p;
      while (lf < end && buf[lf] !== 0x0a) lf++;
      if (lf >= end) return NEED_MORE;
      let size = 0;
      let digits = 0;
      for (let i = p; i < lf; i++) {
        const c = buf[i]!;
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) break;
        size = size * 16 + d;
        digits++;
      }
      if (digits === 0 || digits > 8) return UNKNOWN;
      p = lf + 1;
      if (size === 0) {
        // Trailers end with an empty line.
        while (p < end) {
          let e = p;
          while (e < end && buf[e] !== 0x0a) e++;
          if (e >= end) return NEED_MORE;
          const empty = e === p || (e === p + 1 && buf[p] === 0x0d);
          p = e + 1;
          if (empty) return p - start;
        }
        return NEED_MORE;
      }
      p += size + 2;
      if (p > end) return NEED_MORE;
    }
    return UNKNOWN;
  }
  const cl = header(h, 'content-length');
  if (cl !== null) {
    const n = Number(cl.trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : UNKNOWN;
  }
  // A request without a length has no body; a response without one runs to the close.
  return h.kind === 'request' ? 0 : UNKNOWN;
}
