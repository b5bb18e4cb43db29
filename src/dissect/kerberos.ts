/**
 * Kerberos 5 message parser (RFC 4120 §5), for KDC traffic on port 88.
 *
 * Over UDP the message is the datagram `buf[off, off + len)` (parseKerberos);
 * over TCP it is preceded by a 4-byte big-endian length (parseKerberosTcp,
 * which needs the whole message in the bytes given).
 *
 * What the sensor takes from it: the message type (AS-REQ 10, AS-REP 11,
 * TGS-REQ 12, TGS-REP 13, KRB-ERROR 30), the realm, the client and server
 * principal names (name components joined with '/', printable-escaped as in
 * snmp.ts: ASCII 0x20..0x7e as is except backslash, other bytes \xNN), and
 * the error code of KRB-ERROR.
 *
 *   AS-REQ / TGS-REQ  realm: req-body realm [2]; client: req-body cname [1]
 *                     (absent in TGS-REQ: null); server: req-body sname [3]
 *   AS-REP / TGS-REP  realm: crealm [3]; client: cname [4]; server: the
 *                     ticket's sname [5]{[2]}
 *   KRB-ERROR         realm: realm [9] (else crealm [7]); client: cname [8];
 *                     server: sname [10]; errorCode: error-code [6]
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`. The
 * structure is walked to a fixed depth with the non-recursive readTlv of
 * snmp.ts: nesting in the input cannot make the parse deeper.
 *
 * Length handling: the application tag, its SEQUENCE, the KDC-REQ-BODY and the
 * ticket may declare more bytes than present (a datagram cut by the snap
 * length): they are clamped, counted as kerberos.truncated, and the fields
 * that fit whole are kept. Other TLVs must fit their container.
 *
 * Counters:
 *   kerberos.truncated    a length past the end of the bytes (see above), a
 *                         message too short for its header (returns null), or,
 *                         over TCP, a length prefix past the segment (null)
 *   kerberos.bad_ber      an unreadable TLV or an unexpected tag in the header
 *                         (returns null), or a field whose value is not of its
 *                         type (the field is left null)
 *   kerberos.bad_msg_type an application tag other than 10..13 and 30, or a
 *                         msg-type field that disagrees with it (returns null)
 */
import { readTlv, type ErrorCounter, type Tlv } from './snmp.js';
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface KerberosMessage {
  /** 10 AS-REQ, 11 AS-REP, 12 TGS-REQ, 13 TGS-REP, 30 KRB-ERROR. */
  msgType: number;
  realm: string | null;
  /** cname components joined with '/'. */
  clientName: string | null;
  /** sname components joined with '/'. */
  serverName: string | null;
  /** KRB-ERROR only. */
  errorCode?: number;
}

export const KRB_AS_REQ = 10;
export const KRB_AS_REP = 11;
export const KRB_TGS_REQ = 12;
export const KRB_TGS_REP = 13;
export const KRB_ERROR = 30;

const T_INTEGER = 0x02;
const T_GENERAL_STRING = 0x1b;
const T_SEQUENCE = 0x30;
/** Context-specific constructed [n]. */
const ctx = (n: number): number => 0xa0 | n;

/** Name components kept at most (a principal has 1 to 3 in practice). */
const MAX_NAME_PARTS = 16;



/**
 * The context-tagged fields [0..30] of a SEQUENCE value `[start, end)`: the
 * inner TLV of each (the value inside the explicit tag), by tag number. Stops
 * at the first unreadable TLV (returns what was read; `bad` is set).
 */
function fields(
  b: Uint8Array,
  start: number,
  end: number,
  st: { bad: boolean },
  clamp?: { truncated: boolean },
  clampTag?: number,
): (Tlv | undefined)[] {
  const out: (Tlv | undefined)[] = [];
  let p = start;
  while (p < end) {
    const t = readTlv(b, p, end);
    if (!t) {
      // with `clamp`, field [clampTag] (and only it) may run past the end
      const c = clamp ? readTlv(b, p, end, clamp) : null;
      if (c && c.tag === ctx(clampTag ?? -1) && !out[clampTag!]) {
        const inner = readTlv(b, c.start, c.end, clamp);
        if (inner) out[clampTag!] = inner;
      } else st.bad = true;
      break;
    }
    p = t.end;
    if ((t.tag & 0xe0) !== 0xa0) continue; // not a constructed context tag: ignored
    const n = t.tag & 0x1f;
    if (out[n]) continue; // first wins
    const inner = readTlv(b, t.start, t.end);
    if (!inner) {
      st.bad = true;
      continue;
    }
    out[n] = inner;
  }
  return out;
}

/** Small signed INTEGER (up to 6 bytes), else null. */
function integer(b: Uint8Array, t: Tlv | undefined): number | null {
  if (!t || t.tag !== T_INTEGER || t.end <= t.start || t.end - t.start > 6) return null;
  let v = b[t.start]! & 0x80 ? -1 : 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + b[i]!;
  return v;
}

/** KerberosString / Realm (GeneralString; other string tags accepted). */
function kstring(b: Uint8Array, t: Tlv | undefined): string | null {
  if (!t || t.tag >= 0x20 || t.tag < 0x0c) return null; // universal primitive string types 12..30
  return escapeBytes(b, t.start, t.end);
}

/** PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString } */
function principal(b: Uint8Array, t: Tlv | undefined, st: { bad: boolean }): string | null {
  if (!t) return null;
  if (t.tag !== T_SEQUENCE) {
    st.bad = true;
    return null;
  }
  const f = fields(b, t.start, t.end, st);
  const ns = f[1];
  if (!ns || ns.tag !== T_SEQUENCE) {
    st.bad = true;
    return null;
  }
  const parts: string[] = [];
  let p = ns.start;
  while (p < ns.end && parts.length < MAX_NAME_PARTS) {
    const s = readTlv(b, p, ns.end);
    if (!s) {
      st.bad = true;
      break;
    }
    p = s.end;
    const v = kstring(b, s);
    if (v === null) {
      st.bad = true;
      continue;
    }
    parts.push(v);
  }
  return parts.join('/');
}

function realmOf(b: Uint8Array, t: Tlv | undefined, st: { bad: boolean }): string | null {
  if (!t) return null;
  const v = kstring(b, t);
  if (v === null) st.bad = true;
  return v;
}

/** Parses one Kerberos message (UDP 88 payload). Never throws. */
export function parseKerberos(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): KerberosMessage | null {
  if (off < 0 || len < 0 || off + len > buf.length) {
    errs?.count('kerberos.truncated');
    return null;
  }
  const end = off + len;
  if (len < 2) {
    errs?.count('kerberos.truncated');
    return null;
  }
  const clamp = { truncated: false };
  const app = readTlv(buf, off, end, clamp);
  if (!app) {
    errs?.count(len < 6 ? 'kerberos.truncated' : 'kerberos.bad_ber');
    return null;
  }
  if ((app.tag & 0xe0) !== 0x60) {
    errs?.count('kerberos.bad_ber');
    return null;
  }
  const msgType = app.tag & 0x1f;
  if (msgType !== KRB_ERROR && (msgType < KRB_AS_REQ || msgType > KRB_TGS_REP)) {
    errs?.count('kerberos.bad_msg_type');
    return null;
  }
  const sq = readTlv(buf, app.start, app.end, clamp);
  if (!sq || sq.tag !== T_SEQUENCE) {
    errs?.count(app.end - app.start < 2 ? 'kerberos.truncated' : 'kerberos.bad_ber');
    return null;
  }
  const st = { bad: false };
  const isReq = msgType === KRB_AS_REQ || msgType === KRB_TGS_REQ;
  const isRep = msgType === KRB_AS_REP || msgType === KRB_TGS_REP;
  const f = fields(buf, sq.start, sq.end, st, clamp, isReq ? 4 : isRep ? 5 : undefined);
  // msg-type is [2] in KDC-REQ, [1] in KDC-REP and KRB-ERROR
  const mtField = f[isReq ? 2 : 1];
  const mt = integer(buf, mtField);
  if (mtField === undefined) {
    // a message cut before its msg-type is still recognised by its tag
    if (!clamp.truncated) {
      errs?.count('kerberos.bad_ber');
      return null;
    }
  } else if (mt !== msgType) {
    errs?.count('kerberos.bad_msg_type');
    return null;
  }

  const msg: KerberosMessage = { msgType, realm: null, clientName: null, serverName: null };
  if (isReq) {
    const body = f[4];
    if (body) {
      if (body.tag !== T_SEQUENCE) st.bad = true;
      else {
        const bf = fields(buf, body.start, body.end, st);
        msg.clientName = principal(buf, bf[1], st);
        msg.realm = realmOf(buf, bf[2], st);
        msg.serverName = principal(buf, bf[3], st);
      }
    }
  } else if (isRep) {
    msg.realm = realmOf(buf, f[3], st);
    msg.clientName = principal(buf, f[4], st);
    const ticket = f[5];
    if (ticket) {
      // Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
      const tq = ticket.tag === 0x61 ? readTlv(buf, ticket.start, ticket.end, clamp) : null;
      if (!tq || tq.tag !== T_SEQUENCE) st.bad = true;
      else msg.serverName = principal(buf, fields(buf, tq.start, tq.end, st)[2], st);
    }
  } else {
    const ec = f[6];
    if (ec) {
      const v = integer(buf, ec);
      if (v === null) st.bad = true;
      else msg.errorCode = v;
    }
    msg.realm = realmOf(buf, f[9], st) ?? realmOf(buf, f[7], st);
    msg.clientName = principal(buf, f[8], st);
    msg.serverName = principal(buf, f[10], st);
  }
  if (clamp.truncated) errs?.count('kerberos.truncated');
  else if (st.bad) errs?.count('kerberos.bad_ber');
  return msg;
}

/**
 * Parses one Kerberos message over TCP: `buf[off, off + len)` starts with the
 * 4-byte record length (RFC 4120 §7.2.2; the high bit is reserved and must be
 * 0). Returns null unless the whole message is present.
 */
export function parseKerberosTcp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): KerberosMessage | null {
  if (off < 0 || len < 0 || off + len > buf.length || len < 4) {
    errs?.count('kerberos.truncated');
    return null;
  }
  const n = ((buf[off]! << 24) >>> 0) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!;
  if (n >= 0x80000000) {
    errs?.count('kerberos.bad_ber');
    return null;
  }
  if (n > len - 4) {
    errs?.count('kerberos.truncated');
    return null;
  }
  return parseKerberos(buf, off + 4, n, errs);
}

// ---------------------------------------------------------------------------
// Dissector: a client's requests name its principal and realm (the user, or
// the machine account "HOST$"); the KDC is a directory server.

export const kerberosDissector: Dissector = {
  id: 'kerberos',
  app: { application: 'Kerberos', family: 'Directory Services' },
  udpPorts: [88],
  tcpPorts: [88],
  maxStream: 16384,
  dissect(buf, off, len, ctx) {
    const tcp = ctx.view.proto === 6;
    if (tcp && len >= 4) {
      const n = ((buf[off]! << 24) >>> 0) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!;
      if (n < 0x80000000 && n > len - 4) return n + 4 > 16384 ? Verdict.Done : Verdict.More;
    }
    const m = tcp ? parseKerberosTcp(buf, off, len, ctx) : parseKerberos(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    const isRequest = m.msgType === KRB_AS_REQ || m.msgType === KRB_TGS_REQ;
    if (isRequest && m.clientName) {
      // A machine account (NAME$) is the computer's own name.
      const machine = /^([^/$]+)\$$/.exec(m.clientName);
      if (machine) ctx.src('hostname', machine[1]!.toLowerCase(), { principal: m.clientName, realm: m.realm });
      else ctx.src('user', m.clientName, { realm: m.realm });
    }
    if (isRequest && m.realm) ctx.src('domain', m.realm.toLowerCase(), { realm: m.realm });
    if (!isRequest) ctx.src('role', 'kerberos-kdc');
    return tcp ? Verdict.Done : Verdict.Continue;
  },
};
