/**
 * Connection-oriented DCE/RPC (C706 §12.6, [MS-RPCE] §2.2.2) over TCP: the
 * endpoint mapper on port 135, and the dynamic ports by a probe. Only the
 * NTLMSSP messages of the authentication legs are read, which name Windows
 * clients and servers.
 *
 * Each PDU starts with a 16-byte header: rpc_vers 5, rpc_vers_minor 0 or 1,
 * PTYPE, flags, the data representation (4 bytes; byte 0 bit 0x10 = little-
 * endian integers), frag_length u16, auth_length u16, call_id u32. A PDU with
 * auth_length > 0 ends with the auth verifier: an 8-byte sec_trailer
 * (auth_type, auth_level, auth_pad_length, reserved, context id) then
 * auth_length bytes of credentials. Read: bind (11), bind_ack (12),
 * alter_context (14), alter_context_resp (15) and auth3 (16) with auth_type
 * 10 (NTLMSSP, the credentials are the message) or 9 (SPNEGO, the message
 * found inside; a Kerberos token has none).
 *
 * The walk ends (Done) after a client's AUTHENTICATE or a server's CHALLENGE,
 * at the first request / response PDU (0 / 2: authentication comes before
 * them), at bytes that are not a PDU header, or after MAX_PDUS PDUs.
 *
 * Probe (dynamic ports): a first payload holding a whole bind, alter_context
 * or auth3 PDU whose sec_trailer says NTLMSSP or SPNEGO.
 *
 * Counters:
 *   dcerpc.bad_auth_length  an auth_length that does not fit in its PDU (verifier ignored)
 *   ntlmssp.*               see ntlmssp.ts
 */
import { ntlmObservations, ntlmsspInToken, parseNtlmssp, type NtlmsspMessage } from './ntlmssp.js';
import { Verdict, type Dissector } from './types.js';

export const MAX_PDUS = 8;
const HEADER = 16;
const SEC_TRAILER = 8;

export const PTYPE_REQUEST = 0;
export const PTYPE_RESPONSE = 2;
export const PTYPE_BIND = 11;
export const PTYPE_BIND_ACK = 12;
export const PTYPE_ALTER_CONTEXT = 14;
export const PTYPE_ALTER_CONTEXT_RESP = 15;
export const PTYPE_AUTH3 = 16;
export const AUTH_SPNEGO = 9;
export const AUTH_NTLMSSP = 10;

function isAuthLeg(ptype: number): boolean {
  return ptype === PTYPE_BIND || ptype === PTYPE_BIND_ACK || ptype === PTYPE_ALTER_CONTEXT || ptype === PTYPE_ALTER_CONTEXT_RESP || ptype === PTYPE_AUTH3;
}

/** Whether `b[p, p + 16)` looks like a connection-oriented PDU header (version, data representation, sane lengths). */
function isHeader(b: Uint8Array, p: number): boolean {
  if (b[p] !== 5 || b[p + 1]! > 1 || b[p + 2]! > 20) return false;
  const d0 = b[p + 4]!;
  if ((d0 & 0xee) !== 0 || b[p + 5]! > 3 || b[p + 6] !== 0 || b[p + 7] !== 0) return false;
  return fragLength(b, p) >= HEADER;
}

function u16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}
function fragLength(b: Uint8Array, p: number): number {
  return u16(b, p + 8, (b[p + 4]! & 0x10) !== 0);
}
function authLength(b: Uint8Array, p: number): number {
  return u16(b, p + 10, (b[p + 4]! & 0x10) !== 0);
}

export interface DcerpcAuth {
  ptype: number;
  /** auth_type of the sec_trailer. */
  authType: number;
  /** The NTLMSSP message of the verifier, or null. */
  ntlm: NtlmsspMessage | null;
}

/**
 * The auth verifier of the PDU at `p` (whole in the buffer), or null when it
 * has none; its NTLMSSP message read for auth types 9 and 10.
 */
export function dcerpcAuth(b: Uint8Array, p: number, errs?: { count(reason: string): void }): DcerpcAuth | null {
  const frag = fragLength(b, p);
  const al = authLength(b, p);
  if (al === 0) return null;
  if (al + SEC_TRAILER > frag - HEADER) {
    errs?.count('dcerpc.bad_auth_length');
    return null;
  }
  const cred = p + frag - al;
  const authType = b[cred - SEC_TRAILER]!;
  let ntlm: NtlmsspMessage | null = null;
  if (authType === AUTH_NTLMSSP) ntlm = parseNtlmssp(b, cred, al, errs);
  else if (authType === AUTH_SPNEGO) ntlm = ntlmsspInToken(b, cred, al, errs);
  return { ptype: b[p + 2]!, authType, ntlm };
}

export const dcerpcDissector: Dissector = {
  id: 'dcerpc',
  app: { application: 'MS-RPC', family: 'Network Infrastructure' },
  tcpPorts: [135],
  probe(buf, off, len, proto) {
    if (proto !== 6 || len < HEADER + SEC_TRAILER || !isHeader(buf, off)) return false;
    const ptype = buf[off + 2]!;
    if (ptype !== PTYPE_BIND && ptype !== PTYPE_ALTER_CONTEXT && ptype !== PTYPE_AUTH3) return false;
    const frag = fragLength(buf, off);
    const al = authLength(buf, off);
    if (frag > len || al === 0 || al + SEC_TRAILER > frag - HEADER) return false;
    const t = off + frag - al - SEC_TRAILER;
    const authType = buf[t]!;
    // auth_level 1..6, a pad below 16 bytes.
    return (authType === AUTH_NTLMSSP || authType === AUTH_SPNEGO) && buf[t + 1]! >= 1 && buf[t + 1]! <= 6 && buf[t + 2]! < 16;
  },
  dissect(buf, off, len, ctx) {
    const end = Math.min(off + len, buf.length);
    let p = off;
    for (let n = 0; n < MAX_PDUS; n++) {
      if (end - p < HEADER) return p === off && end - p > 0 && buf[p] !== 5 ? Verdict.NotMine : Verdict.More;
      if (!isHeader(buf, p)) return p === off ? Verdict.NotMine : Verdict.Done;
      const ptype = buf[p + 2]!;
      if (ptype === PTYPE_REQUEST || ptype === PTYPE_RESPONSE) return Verdict.Done;
      const frag = fragLength(buf, p);
      if (p + frag > end) return Verdict.More;
      if (isAuthLeg(ptype)) {
        const a = dcerpcAuth(buf, p, ctx);
        if (a !== null && a.ntlm !== null) {
          ntlmObservations(a.ntlm, ctx);
          if (a.ntlm.type === 2 || a.ntlm.type === 3) return Verdict.Done;
        }
      }
      p += frag;
    }
    return Verdict.Done;
  },
};
