/**
 * LDAP (RFC 4511) over TCP 389 and 3268 (global catalog), as seen at the start
 * of one direction of a connection: only the NTLMSSP messages of bind
 * exchanges are read, which name Windows clients and domain controllers.
 *
 * Framing: each LDAPMessage is a BER SEQUENCE (0x30, definite length) holding
 * the messageID (INTEGER) and the protocolOp, an APPLICATION-class tag:
 * bindRequest [APPLICATION 0] (0x60), bindResponse [APPLICATION 1] (0x61).
 * NTLMSSP comes in binds two ways, both found by the message's signature
 * inside the protocolOp (ntlmsspInToken; its length runs to the op's end):
 *   SASL (authentication [3]): mechanism "GSS-SPNEGO" (the credentials a
 *     SPNEGO token wrapping NTLMSSP, or NTLMSSP itself) or "NTLM"; the
 *     server's CHALLENGE in the response's serverSaslCreds [7];
 *   Microsoft "sicily" binds: sicilyNegotiate [10] / sicilyResponse [11]
 *     carry NEGOTIATE / AUTHENTICATE; the bindResponse's matchedDN the CHALLENGE.
 * Other messages (searches before the bind) are stepped over.
 *
 * The walk ends (Done) after a server's CHALLENGE, at a byte that does not
 * start an LDAPMessage (after a SASL bind with integrity the traffic is
 * wrapped: a 4-byte length, then a GSS token), a non-NTLM bind (simple,
 * Kerberos), or after MAX_MESSAGES messages. A client's AUTHENTICATE does not
 * end it: a failed bind is often retried with other credentials on the same
 * connection (each user is reported).
 *
 * Counters:
 *   ldap.bad_length  a message whose BER length is not definite or too long (walk stops)
 *   ntlmssp.*        see ntlmssp.ts
 */
import { ntlmObservations, ntlmsspInToken } from './ntlmssp.js';
import { Verdict, type Dissector } from './types.js';

/** Messages read per direction at most. */
export const MAX_MESSAGES = 16;
/** Longest LDAPMessage accepted (search results before the bind can be long; more would never fit the stream). */
const MAX_MESSAGE = 1 << 20;

const BIND_REQUEST = 0x60;
const BIND_RESPONSE = 0x61;

/**
 * The BER length at `p` (the byte after the tag): [length, header bytes], or
 * null when cut at `end`; [-1, 0] for an indefinite or over-long form.
 */
function berLength(b: Uint8Array, p: number, end: number): [number, number] | null {
  if (p >= end) return null;
  const first = b[p]!;
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  if (n === 0 || n > 4) return [-1, 0];
  if (p + 1 + n > end) return null;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + b[p + i]!;
  return [v, 1 + n];
}

export interface LdapBind {
  /** 0x60 request or 0x61 response. */
  op: number;
  /** Where the protocolOp's contents start and end (absolute). */
  start: number;
  end: number;
}

/**
 * The bind operations of the whole LDAPMessages in `buf[off, off + len)`, and
 * how the walk ended: 'more' when the last message is cut, 'stop' at a byte
 * that is not an LDAPMessage (or a bad length), 'limit' after MAX_MESSAGES,
 * 'end' when the bytes ran out between messages. Null when the first bytes
 * are not an LDAPMessage.
 */
export function ldapBinds(
  buf: Uint8Array,
  off: number,
  len: number,
  errs?: { count(reason: string): void },
): { binds: LdapBind[]; messages: number; ended: 'more' | 'stop' | 'limit' | 'end' } | null {
  const end = Math.min(off + len, buf.length);
  const binds: LdapBind[] = [];
  let p = off;
  let messages = 0;
  while (p < end) {
    if (messages >= MAX_MESSAGES) return { binds, messages, ended: 'limit' };
    if (buf[p] !== 0x30) return messages === 0 ? null : { binds, messages, ended: 'stop' };
    const l = berLength(buf, p + 1, end);
    if (l === null) return messages === 0 && !plausibleStart(buf, p, end) ? null : { binds, messages, ended: 'more' };
    if (l[0] < 0 || l[0] > MAX_MESSAGE) {
      if (messages === 0) return null;
      errs?.count('ldap.bad_length');
      return { binds, messages, ended: 'stop' };
    }
    const body = p + 1 + l[1];
    const next = body + l[0];
    // messageID INTEGER (1-4 bytes), then the op: an APPLICATION-class tag.
    if (body + 2 > end) return messages === 0 && !plausibleStart(buf, p, end) ? null : { binds, messages, ended: 'more' };
    if (buf[body] !== 0x02 || buf[body + 1]! < 1 || buf[body + 1]! > 4) return messages === 0 ? null : { binds, messages, ended: 'stop' };
    const opAt = body + 2 + buf[body + 1]!;
    if (opAt < end && (buf[opAt]! & 0xc0) !== 0x40) return messages === 0 ? null : { binds, messages, ended: 'stop' };
    if (next > end) return { binds, messages, ended: 'more' };
    messages++;
    const op = buf[opAt]!;
    if (op === BIND_REQUEST || op === BIND_RESPONSE) {
      const ol = berLength(buf, opAt + 1, next);
      if (ol !== null && ol[0] >= 0) {
        const start = opAt + 1 + ol[1];
        binds.push({ op, start, end: Math.min(start + ol[0], next) });
      }
    }
    p = next;
  }
  return { binds, messages, ended: 'end' };
}

/** A cut first message that still starts like one (SEQUENCE, INTEGER id when there). */
function plausibleStart(buf: Uint8Array, p: number, end: number): boolean {
  if (p + 1 >= end) return true;
  const first = buf[p + 1]!;
  const hdr = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return p + hdr >= end || buf[p + hdr] === 0x02;
}

export const ldapDissector: Dissector = {
  id: 'ldap',
  app: { application: 'LDAP', family: 'Directory Services' },
  tcpPorts: [389, 3268],
  maxStream: 16384,
  dissect(buf, off, len, ctx) {
    const w = ldapBinds(buf, off, len, ctx);
    if (w === null) return Verdict.NotMine;
    for (const b of w.binds) {
      const m = ntlmsspInToken(buf, b.start, b.end - b.start, ctx);
      if (m === null) {
        // A bind without NTLMSSP: simple or Kerberos, or the sicily package discovery (whose answer lists packages).
        if (!isSicilyDiscovery(buf, b)) return Verdict.Done;
        continue;
      }
      ntlmObservations(m, ctx);
      if (m.type === 2) return Verdict.Done;
    }
    return w.ended === 'more' || w.ended === 'end' ? Verdict.More : Verdict.Done;
  },
};

/**
 * A sicilyPackageDiscovery request ([9], 0x89, after version and name) or its
 * answer (a success whose matchedDN lists the packages): an NTLM bind follows.
 */
function isSicilyDiscovery(buf: Uint8Array, b: LdapBind): boolean {
  if (b.op === BIND_RESPONSE) return true; // the server's answers end nothing: its CHALLENGE may still come
  // version INTEGER, name OCTET STRING, then the authentication choice
  let p = b.start;
  for (let k = 0; k < 2; k++) {
    if (p + 2 > b.end) return false;
    const l = berLength(buf, p + 1, b.end);
    if (l === null || l[0] < 0) return false;
    p += 1 + l[1] + l[0];
  }
  return p < b.end && buf[p] === 0x89;
}
