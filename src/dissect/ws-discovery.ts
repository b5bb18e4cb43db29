/**
 * WS-Discovery (SOAP over UDP 3702, WS-Discovery 2005/04 and 1.1) messages:
 * Hello, Bye, Probe, ProbeMatches, Resolve, ResolveMatches.
 *
 * The message is `buf[off, off + len)`; only the first MAX_INPUT bytes are
 * looked at. Bytes are decoded as UTF-8 (a BOM is skipped). This is no XML
 * parser: a bounded scan finds elements by local name whatever their
 * namespace prefix (<d:Types>, <wsd:Types>, <Types xmlns="...">), so it is
 * linear in the input and never throws. Element text has the five XML
 * entities and numeric character references decoded, is trimmed, control
 * characters are dropped, and each value is cut to MAX_VALUE characters.
 *
 * Returns null when no SOAP Envelope start tag is found.
 *
 *   action     the last path segment of the wsa:Action header
 *              (".../discovery/Hello" -> "Hello"); without an Action, the
 *              first body element among the six message names; else ''.
 *   types      QNames of every <Types> element, as written ("wsdp:Device",
 *              "pub:Computer"), distinct, in order.
 *   scopes     URIs of every <Scopes> element, distinct, in order.
 *   xaddrs     URIs of every <XAddrs> element, distinct, in order.
 *   endpoint   the <Address> inside the first <EndpointReference>
 *              (usually "urn:uuid:..."), or null.
 *   messageId  the <MessageID> header, or null.
 */
import { Verdict, type Dissector } from './types.js';

export type WsdAction = 'Hello' | 'Bye' | 'Probe' | 'ProbeMatches' | 'Resolve' | 'ResolveMatches';

export interface WsDiscovery {
  action: WsdAction | string;
  types: string[];
  scopes: string[];
  xaddrs: string[];
  endpoint: string | null;
  messageId: string | null;
}

const MAX_INPUT = 64 * 1024;
const MAX_VALUE = 1024;
const MAX_LIST = 64;
/** Longest start tag (name and attributes) looked at. */
const MAX_TAG = 4096;

const ACTIONS: WsdAction[] = ['ProbeMatches', 'ResolveMatches', 'Hello', 'Bye', 'Probe', 'Resolve'];

const utf8 = new TextDecoder('utf-8');

/** Finds the start tags of elements with local name `local` (any prefix, or none). */
interface Elem {
  /** The element's text (raw, entities not decoded), '' when self-closing or unclosed. */
  text: string;
  /** Offset just after the start tag. */
  contentStart: number;
  /** Offset of the end tag (or contentStart for self-closing / unclosed). */
  contentEnd: number;
}

const NAME_CHAR = /[A-Za-z0-9_.\-:]/;

/**
 * Every element `local` in `s[from, to)`, in document order, at most `max`.
 * For each start tag the end tag with the same qualified name is searched
 * with indexOf; when it is absent, no later element of that name can be
 * closed either, so the scan stops: the whole is linear in the input.
 */
function elements(s: string, local: string, from = 0, to = s.length, max = MAX_LIST): Elem[] {
  const out: Elem[] = [];
  let pos = from;
  while (out.length < max) {
    const at = s.indexOf(local, pos);
    if (at < 0 || at + local.length > to) break;
    pos = at + local.length;
    // what precedes: '<' or '<prefix:'
    let b = at - 1;
    if (b < from) continue;
    let qstart = at;
    if (s[b] === ':') {
      b--;
      while (b >= from && at - b < 64 && NAME_CHAR.test(s[b]!) && s[b] !== ':') b--;
      if (b < from || s[b] !== '<' || b + 1 === at - 1) continue;
      qstart = b + 1;
    } else if (s[b] !== '<') continue;
    const after = s[at + local.length];
    if (after === undefined || !(after === '>' || after === '/' || after === ' ' || after === '\t' || after === '\r' || after === '\n')) continue;
    const gt = s.indexOf('>', at + local.length);
    if (gt < 0 || gt >= to || gt - at > MAX_TAG) break;
    const qname = s.slice(qstart, at + local.length);
    const contentStart = gt + 1;
    if (s[gt - 1] === '/') {
      out.push({ text: '', contentStart, contentEnd: contentStart });
      pos = contentStart;
      continue;
    }
    const close = s.indexOf('</' + qname, contentStart);
    if (close < 0 || close >= to) {
      out.push({ text: '', contentStart, contentEnd: contentStart });
      break;
    }
    out.push({ text: s.slice(contentStart, close), contentStart, contentEnd: close });
    pos = close + 2 + qname.length;
  }
  return out;
}

function decodeText(raw: string): string {
  let t = raw;
  // CDATA sections: keep their content
  if (t.indexOf('<![CDATA[') >= 0) t = t.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  if (t.indexOf('&') >= 0) {
    t = t.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
      switch (e) {
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'amp':
          return '&';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '';
    });
  }
  // eslint-disable-next-line no-control-regex
  t = t.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  return t.length > MAX_VALUE ? t.slice(0, MAX_VALUE) : t;
}

/** Whitespace-separated list values of every element `local`, distinct, in order. */
function listOf(s: string, local: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of elements(s, local)) {
    for (const v of decodeText(e.text).split(/\s+/)) {
      if (v === '' || seen.has(v) || out.length >= MAX_LIST) continue;
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

function firstText(s: string, local: string, from?: number, to?: number): string | null {
  const e = elements(s, local, from, to, 1)[0];
  if (e === undefined) return null;
  const t = decodeText(e.text);
  return t === '' ? null : t;
}

/** One WS-Discovery message, or null when it holds no SOAP Envelope. */
export function parseWsDiscovery(buf: Uint8Array, off: number, len: number): WsDiscovery | null {
  const start = Math.max(0, off);
  const end = Math.min(buf.length, off + Math.max(0, Math.min(len, MAX_INPUT)));
  if (end - start < 10) return null;
  let s = utf8.decode(buf.subarray(start, end));
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (!/<(?:[A-Za-z_][\w.-]{0,63}:)?Envelope[\s>/]/.test(s)) return null;

  let action = '';
  const act = firstText(s, 'Action');
  if (act !== null) {
    const slash = act.lastIndexOf('/');
    action = slash >= 0 ? act.slice(slash + 1) : act;
  } else {
    const body = elements(s, 'Body', 0, s.length, 1)[0];
    const from = body?.contentStart ?? 0;
    const to = body && body.contentEnd > body.contentStart ? body.contentEnd : s.length;
    let best = -1;
    for (const a of ACTIONS) {
      const e = elements(s, a, from, to, 1)[0];
      if (e !== undefined && (best < 0 || e.contentStart < best)) {
        best = e.contentStart;
        action = a;
      }
    }
  }

  let endpoint: string | null = null;
  const epr = elements(s, 'EndpointReference', 0, s.length, 1)[0];
  if (epr !== undefined && epr.contentEnd > epr.contentStart) endpoint = firstText(s, 'Address', epr.contentStart, epr.contentEnd);

  return {
    action,
    types: listOf(s, 'Types'),
    scopes: listOf(s, 'Scopes'),
    xaddrs: listOf(s, 'XAddrs'),
    endpoint,
    messageId: firstText(s, 'MessageID'),
  };
}

// ---------------------------------------------------------------------------
// Dissector: Hello and ProbeMatches/ResolveMatches describe their sender
// (device types such as wsdp:Device / print:PrintDeviceType, scopes, XAddrs).

export const wsDiscoveryDissector: Dissector = {
  id: 'ws-discovery',
  app: { application: 'WS-Discovery', family: 'Name Services' },
  udpPorts: [3702],
  dissect(buf, off, len, ctx) {
    const m = parseWsDiscovery(buf, off, len);
    if (m === null) return Verdict.Malformed;
    if (m.action !== 'Hello' && m.action !== 'ProbeMatches' && m.action !== 'ResolveMatches') return Verdict.Continue;
    for (const t of m.types.slice(0, 8)) ctx.src('device_type', t, { action: m.action });
    for (const x of m.xaddrs.slice(0, 4)) ctx.src('location', x, { action: m.action });
    for (const sc of m.scopes.slice(0, 8)) ctx.src('txt', sc, { field: 'scope' });
    return Verdict.Continue;
  },
};
