/**
 * SIP message head (RFC 3261 §7), over UDP or TCP (port 5060). The text
 * layout is HTTP's: a start line, header lines, an empty line, a body.
 *
 *   request:  Method SP Request-URI SP SIP/2.0 CRLF
 *   response: SIP/2.0 SP 3-digit-code SP Reason-Phrase CRLF
 *
 * Header names are case-insensitive; RFC 3261 §7.3.3 compact forms are
 * expanded (f From, t To, m Contact, i Call-ID, v Via, l Content-Length,
 * c Content-Type, k Supported, s Subject, e Content-Encoding, o Event,
 * u Allow-Events, r Refer-To, b Referred-By, x Session-Expires, a Accept-Contact,
 * j Reject-Contact, d Request-Disposition, y Identity, n Identity-Info).
 * A line starting with space or tab continues the previous value (folded
 * with one space). Lines may end with CRLF or a bare LF.
 *
 * The payload is `buf[off, off + len)`: a UDP datagram or the start of a TCP
 * segment. A head cut before its empty line gives what was read, complete
 * false; a partial last line is ignored. Limits: start line and header lines
 * of at most MAX_LINE bytes (a longer line ends the head), at most
 * MAX_HEADERS headers, values cut to MAX_VALUE characters. Text is escaped
 * with escapeBytes (non-printable bytes and backslash as \xNN).
 *
 * Null (nothing counted) when the start line is not SIP.
 *
 * Counters:
 *   sip.bad_header_line  a header line without a colon, or an empty name (skipped)
 *   sip.too_many_headers headers past MAX_HEADERS (ignored)
 *   sip.long_line        a line longer than MAX_LINE (head ends there, complete false)
 */
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export const MAX_HEADERS = 64;
export const MAX_VALUE = 1024;
export const MAX_LINE = 8192;

export interface SipMessage {
  kind: 'request' | 'response';
  /** Request method ("INVITE", "REGISTER"); for a response, the CSeq method when present. */
  method: string | null;
  requestUri: string | null;
  status: number | null;
  reason: string | null;
  userAgent: string | null;
  server: string | null;
  from: string | null;
  to: string | null;
  contact: string | null;
  callId: string | null;
  /** The first Via value (the first entry when one header lists several). */
  via: string | null;
  cseq: string | null;
  /** Every header in order, full lower-case names (compact forms expanded), first MAX_HEADERS. */
  headers: Array<[string, string]>;
  /** Names of the headers that were sent in compact form (expanded, lower case), e.g. ["from", "via"]. */
  compact: string[];
  /** The empty line ending the head was seen. */
  complete: boolean;
  /** Bytes of the head (start line to the empty line included, or to the last full line). */
  headerBytes: number;
}

const COMPACT: Record<string, string> = {
  f: 'from',
  t: 'to',
  m: 'contact',
  i: 'call-id',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
  n: 'identity-info',
};

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const REQUEST_RE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/;
const RESPONSE_RE = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/s;

/** The first Via entry: split at a comma outside quotes / angle brackets. */
function firstVia(v: string): string {
  let q = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '"') q = !q;
    else if (c === ',' && !q) return v.slice(0, i).trim();
  }
  return v;
}

export function parseSip(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): SipMessage | null {
  if (!(off >= 0 && len > 0) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  // Quick reject: the first byte must start a token or "SIP/".
  const c0 = buf[off]!;
  if (!((c0 >= 0x41 && c0 <= 0x5a) || (c0 >= 0x61 && c0 <= 0x7a))) return null;

  /** The next line [start, stop) and where the one after starts; null when no LF within limits. */
  const line = (i: number): { stop: number; next: number } | null => {
    const limit = Math.min(end, i + MAX_LINE);
    for (let k = i; k < limit; k++) {
      if (buf[k] === 0x0a) return { stop: k > i && buf[k - 1] === 0x0d ? k - 1 : k, next: k + 1 };
    }
    return null;
  };

  const first = line(off);
  if (!first) return null;
  const start = escapeBytes(buf, off, first.stop);
  const msg: SipMessage = {
    kind: 'request',
    method: null,
    requestUri: null,
    status: null,
    reason: null,
    userAgent: null,
    server: null,
    from: null,
    to: null,
    contact: null,
    callId: null,
    via: null,
    cseq: null,
    headers: [],
    compact: [],
    complete: false,
    headerBytes: first.next - off,
  };
  let m = RESPONSE_RE.exec(start);
  if (m) {
    msg.kind = 'response';
    msg.status = Number(m[1]);
    msg.reason = (m[2] ?? '').slice(0, MAX_VALUE);
  } else {
    m = REQUEST_RE.exec(start);
    if (!m) return null;
    msg.method = m[1]!.slice(0, 64);
    msg.requestUri = m[2]!.slice(0, MAX_VALUE);
  }

  let i = first.next;
  let lastValid = false;
  let dropped = 0;
  for (let n = 0; n < 4 * MAX_HEADERS + 64 && i < end; n++) {
    const l = line(i);
    if (!l) {
      if (end - i >= MAX_LINE) errs?.count('sip.long_line');
      break;
    }
    if (l.stop === i) {
      msg.complete = true;
      i = l.next;
      break;
    }
    const c = buf[i]!;
    if (c === 0x20 || c === 0x09) {
      // Folded continuation.
      if (lastValid) {
        const h = msg.headers[msg.headers.length - 1]!;
        h[1] = (h[1] + ' ' + escapeBytes(buf, i, l.stop).trim()).slice(0, MAX_VALUE);
      } else if (msg.headers.length < MAX_HEADERS && dropped === 0) errs?.count('sip.bad_header_line');
      i = l.next;
      continue;
    }
    let colon = -1;
    for (let k = i; k < l.stop; k++) {
      if (buf[k] === 0x3a) {
        colon = k;
        break;
      }
    }
    const name = colon < 0 ? '' : escapeBytes(buf, i, colon).trim().toLowerCase();
    if (colon < 0 || name === '' || !TOKEN.test(name)) {
      errs?.count('sip.bad_header_line');
      lastValid = false;
      i = l.next;
      continue;
    }
    if (msg.headers.length >= MAX_HEADERS) {
      if (dropped++ === 0) errs?.count('sip.too_many_headers');
      lastValid = false;
      i = l.next;
      continue;
    }
    let full = name;
    if (name.length === 1 && COMPACT[name]) {
      full = COMPACT[name]!;
      if (!msg.compact.includes(full)) msg.compact.push(full);
    }
    const value = escapeBytes(buf, colon + 1, Math.min(l.stop, colon + 1 + 4 * MAX_VALUE)).trim().slice(0, MAX_VALUE);
    msg.headers.push([full, value]);
    lastValid = true;
    i = l.next;
  }
  msg.headerBytes = i - off;

  const get = (n: string): string | null => {
    for (const [k, v] of msg.headers) if (k === n) return v;
    return null;
  };
  msg.userAgent = get('user-agent');
  msg.server = get('server');
  msg.from = get('from');
  msg.to = get('to');
  msg.contact = get('contact');
  msg.callId = get('call-id');
  const via = get('via');
  msg.via = via === null ? null : firstVia(via);
  msg.cseq = get('cseq');
  if (msg.kind === 'response' && msg.cseq !== null) {
    const cm = /^\d+\s+(\S+)/.exec(msg.cseq);
    if (cm) msg.method = cm[1]!.slice(0, 64);
  }
  return msg;
}

/** The first value of header `name` (any case; compact names accepted), or null. */
export function sipHeader(m: SipMessage, name: string): string | null {
  let n = name.toLowerCase();
  if (n.length === 1 && COMPACT[n]) n = COMPACT[n]!;
  for (const [k, v] of m.headers) if (k === n) return v;
  return null;
}

// ---------------------------------------------------------------------------
// Dissector: a SIP request's User-Agent and a response's Server describe the
// phone or the PBX that sent them.

export const sipDissector: Dissector = {
  id: 'sip',
  app: { application: 'SIP', family: 'VoIP' },
  udpPorts: [5060],
  tcpPorts: [5060],
  maxStream: 8192,
  dissect(buf, off, len, ctx) {
    const m = parseSip(buf, off, len, ctx);
    if (m === null) return ctx.view.proto === 6 ? Verdict.NotMine : Verdict.Malformed;
    if (!m.complete && ctx.view.proto === 6) return Verdict.More;
    if (m.userAgent) ctx.src('user_agent', m.userAgent, { method: m.method });
    if (m.server) ctx.src('server', m.server);
    return ctx.view.proto === 6 ? Verdict.Done : Verdict.Continue;
  },
};
