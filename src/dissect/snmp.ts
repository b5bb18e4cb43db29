/**
 * SNMP v1 / v2c message parser (RFC 1157, RFC 3416) over a small bounded BER
 * reader (X.690, definite lengths only).
 *
 * The message is `buf[off, off + len)` (a UDP 161/162 payload). What the sensor
 * takes from it: the version, the community, the PDU type and the variable
 * bindings, and from response PDUs the MIB-2 system group (snmpSystemInfo).
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * The BER reader reads one TLV at a time and never recurses: the SNMP
 * structure is walked to a fixed depth (message, PDU, varbind list, varbind),
 * so nesting in the input (a constructed varbind value, say) cannot make the
 * parse deeper. Constructed values of varbinds are returned as null.
 *
 * Length handling: the outer SEQUENCE, the PDU and the varbind list may
 * declare more bytes than the datagram holds (a capture cut by its snap
 * length): they are clamped to the bytes present, counted as snmp.truncated,
 * and the varbinds that fit whole are kept. Every inner TLV must fit its
 * enclosing one.
 *
 * SNMPv3 (version 3 on the wire) returns { version: 3, community: '' } with,
 * when the scoped PDU is plaintext (noPriv), the PDU's type, request id, error
 * status and varbinds; when encrypted: pduType -1, requestId msgID,
 * errorStatus 0, varbinds [].
 *
 * Counters:
 *   snmp.truncated    a length past the end of the datagram (see above), or a
 *                     message too short to hold its header (returns null)
 *   snmp.bad_ber      an unreadable TLV (indefinite length, high tag number,
 *                     length over 4 bytes, a TLV past its container), or an
 *                     unexpected tag where the structure requires one (returns
 *                     null when in the header)
 *   snmp.bad_version  a version other than 0, 1 or 3 (returns null)
 *   snmp.bad_oid      an OID with a truncated or over-long sub-identifier (the
 *                     varbind is skipped when it is the name; null when a value)
 *   snmp.bad_varbind  a varbind that is not SEQUENCE { OID, value }: the walk
 *                     of the varbind list stops there
 */
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface SnmpVarbind {
  /** Dotted OID ("1.3.6.1.2.1.1.1.0"). */
  oid: string;
  /** The value's BER tag (0x02 INTEGER, 0x04 OCTET STRING, 0x06 OID, 0x40 IpAddress, 0x41 Counter32, 0x43 TimeTicks, ...). */
  type: number;
  /**
   * OCTET STRING and Opaque: printable-escaped (see printable(), trailing NULs
   * kept); OID: dotted; IpAddress: dotted quad; INTEGER (signed), Counter32,
   * Gauge32, TimeTicks, Counter64: a number (a decimal string when beyond
   * 2^53); NULL, noSuchObject / noSuchInstance / endOfMibView, constructed or
   * malformed values: null.
   */
  value: string | number | null;
}

export interface SnmpMessage {
  /** 1 (v1, 0 on the wire), 2 (v2c, 1 on the wire), 3 (v3, see above). */
  version: 1 | 2 | 3;
  /** Printable-escaped. '' for v3. */
  community: string;
  /** The PDU tag: 0xA0 Get, 0xA1 GetNext, 0xA2 Response, 0xA3 Set, 0xA4 v1 Trap, 0xA5 GetBulk, 0xA6 Inform, 0xA7 v2 Trap, 0xA8 Report. */
  pduType: number;
  /** 0 for v1 traps; msgID for encrypted v3. */
  requestId: number;
  /** Non-repeaters for GetBulk; 0 for v1 traps. */
  errorStatus: number;
  varbinds: SnmpVarbind[];
  /** v1 Trap only: the enterprise OID, dotted. */
  enterprise?: string;
  /** v1 Trap only: the agent address, dotted quad. */
  agentAddr?: string;
  /** v1 Trap only. */
  genericTrap?: number;
  specificTrap?: number;
  /** v1 Trap only: time-stamp in TimeTicks (1/100 s). */
  timestamp?: number;
}

export interface SnmpSystemInfo {
  sysDescr?: string;
  sysObjectID?: string;
  sysName?: string;
  sysLocation?: string;
  sysContact?: string;
  /** TimeTicks (1/100 s). */
  sysUpTime?: number;
}

export const SNMP_GET = 0xa0;
export const SNMP_GETNEXT = 0xa1;
export const SNMP_RESPONSE = 0xa2;
export const SNMP_SET = 0xa3;
export const SNMP_TRAP_V1 = 0xa4;
export const SNMP_GETBULK = 0xa5;
export const SNMP_INFORM = 0xa6;
export const SNMP_TRAP_V2 = 0xa7;
export const SNMP_REPORT = 0xa8;

const T_INTEGER = 0x02;
const T_OCTETS = 0x04;
const T_NULL = 0x05;
const T_OID = 0x06;
const T_SEQUENCE = 0x30;
const T_IPADDR = 0x40;
const T_COUNTER32 = 0x41;
const T_GAUGE32 = 0x42;
const T_TIMETICKS = 0x43;
const T_OPAQUE = 0x44;
const T_COUNTER64 = 0x46;

/** Sub-identifiers beyond this are refused (they would lose precision as numbers). */
const MAX_SUBID = Number.MAX_SAFE_INTEGER;
/** OIDs longer than this (in arcs) are refused (RFC 2578 allows 128). */
const MAX_OID_ARCS = 256;

/** One TLV: its tag, the value's range, and where the next TLV starts. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/**
 * Reads one TLV at `pos` within `[pos, end)`. Returns null when the TLV is
 * unreadable: high tag number form, indefinite length, a length of more than
 * 4 bytes, or a value past `end`. With `clamp`, a value past `end` is cut
 * at `end` instead (the `truncated` flag of the holder is set).
 */
export function readTlv(b: Uint8Array, pos: number, end: number, clamp?: { truncated: boolean }): Tlv | null {
  if (pos + 2 > end) return null;
  const tag = b[pos]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let l = b[pos + 1]!;
  let p = pos + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n === 0 || n > 4 || p + n > end) return null;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + b[p + i]!;
    p += n;
  }
  if (p + l > end) {
    if (!clamp) return null;
    clamp.truncated = true;
    return { tag, start: p, end };
  }
  return { tag, start: p, end: p + l };
}



/** Two's complement INTEGER; a number, or a decimal string beyond 2^53; null when empty. */
function int(b: Uint8Array, start: number, end: number, unsigned: boolean): number | string | null {
  if (end <= start) return null;
  if (end - start <= 6) {
    let v = unsigned ? 0 : b[start]! & 0x80 ? -1 : 0;
    for (let i = start; i < end; i++) v = v * 256 + b[i]!;
    return v;
  }
  if (end - start > 64) return null;
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i]!);
  if (!unsigned && b[start]! & 0x80) v -= 1n << BigInt(8 * (end - start));
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function signedNum(b: Uint8Array, t: Tlv): number | null {
  const v = int(b, t.start, t.end, false);
  return typeof v === 'number' ? v : null;
}

/** Dotted OID, or null when a sub-identifier is truncated or too large, or the OID empty. */
export function oidToString(b: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null;
  const arcs: number[] = [];
  let v = 0;
  let inArc = false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (v > (MAX_SUBID - 127) / 128) return null;
    v = v * 128 + (c & 0x7f);
    inArc = true;
    if (!(c & 0x80)) {
      if (arcs.length === 0) {
        if (v < 40) arcs.push(0, v);
        else if (v < 80) arcs.push(1, v - 40);
        else arcs.push(2, v - 80);
      } else arcs.push(v);
      if (arcs.length > MAX_OID_ARCS) return null;
      v = 0;
      inArc = false;
    }
  }
  if (inArc) return null;
  return arcs.join('.');
}

function value(b: Uint8Array, t: Tlv, errs: ErrorCounter | undefined): string | number | null {
  switch (t.tag) {
    case T_INTEGER:
      return int(b, t.start, t.end, false);
    case T_OCTETS:
    case T_OPAQUE:
      return escapeBytes(b, t.start, t.end);
    case T_OID: {
      const o = oidToString(b, t.start, t.end);
      if (o === null) errs?.count('snmp.bad_oid');
      return o;
    }
    case T_IPADDR:
      return t.end - t.start === 4 ? `${b[t.start]}.${b[t.start + 1]}.${b[t.start + 2]}.${b[t.start + 3]}` : null;
    case T_COUNTER32:
    case T_GAUGE32:
    case T_TIMETICKS:
    case T_COUNTER64:
      return int(b, t.start, t.end, true);
    default:
      return null; // NULL, exceptions (0x80..0x82), constructed, unknown
  }
}

function u32Num(b: Uint8Array, t: Tlv): number | null {
  const v = int(b, t.start, t.end, true);
  return typeof v === 'number' ? v : null;
}

/** Walks a varbind list in `[start, end)`, appending to `out`. */
function varbinds(b: Uint8Array, start: number, end: number, out: SnmpVarbind[], errs: ErrorCounter | undefined): void {
  let p = start;
  while (p < end) {
    const vb = readTlv(b, p, end);
    if (!vb || vb.tag !== T_SEQUENCE) {
      errs?.count(vb ? 'snmp.bad_varbind' : 'snmp.bad_ber');
      return;
    }
    p = vb.end;
    const name = readTlv(b, vb.start, vb.end);
    if (!name || name.tag !== T_OID) {
      errs?.count('snmp.bad_varbind');
      return;
    }
    const val = readTlv(b, name.end, vb.end);
    if (!val) {
      errs?.count('snmp.bad_varbind');
      return;
    }
    const oid = oidToString(b, name.start, name.end);
    if (oid === null) {
      errs?.count('snmp.bad_oid');
      continue;
    }
    out.push({ oid, type: val.tag, value: value(b, val, errs) });
  }
}

/**
 * Parses one SNMP message in `buf[off, off + len)`. Returns null when the
 * header (SEQUENCE, version, community, PDU tag) is unreadable.
 */
export function parseSnmp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): SnmpMessage | null {
  if (!(off >= 0 && len >= 0)) {
    errs?.count('snmp.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  const cut = { truncated: false };
  const outer = readTlv(buf, off, end, cut);
  if (!outer || outer.tag !== T_SEQUENCE) {
    errs?.count(end - off < 2 ? 'snmp.truncated' : 'snmp.bad_ber');
    return null;
  }
  const ver = readTlv(buf, outer.start, outer.end);
  if (!ver || ver.tag !== T_INTEGER) {
    errs?.count(cut.truncated ? 'snmp.truncated' : 'snmp.bad_ber');
    return null;
  }
  const wire = signedNum(buf, ver);
  if (wire === 3) return v3(buf, ver.end, outer.end, cut, errs);
  if (wire !== 0 && wire !== 1) {
    errs?.count('snmp.bad_version');
    return null;
  }
  const comm = readTlv(buf, ver.end, outer.end);
  if (!comm || comm.tag !== T_OCTETS) {
    errs?.count(cut.truncated ? 'snmp.truncated' : 'snmp.bad_ber');
    return null;
  }
  const pdu = readTlv(buf, comm.end, outer.end, cut);
  if (!pdu || pdu.tag < 0xa0 || pdu.tag > 0xa8) {
    errs?.count(cut.truncated || !pdu ? 'snmp.truncated' : 'snmp.bad_ber');
    return null;
  }
  const m: SnmpMessage = {
    version: wire === 0 ? 1 : 2,
    community: escapeBytes(buf, comm.start, comm.end),
    pduType: pdu.tag,
    requestId: 0,
    errorStatus: 0,
    varbinds: [],
  };
  pduBody(buf, pdu, m, cut, errs);
  if (cut.truncated) errs?.count('snmp.truncated');
  return m;
}

/** The fields of a PDU; stops quietly at the first missing one (counted by the caller when cut). */
function pduBody(buf: Uint8Array, pdu: Tlv, m: SnmpMessage, cut: { truncated: boolean }, errs: ErrorCounter | undefined): void {
  let p = pdu.start;
  const e = pdu.end;
  const next = (tag: number): Tlv | null => {
    const t = readTlv(buf, p, e);
    if (!t || t.tag !== tag) {
      if (!cut.truncated) errs?.count('snmp.bad_ber');
      return null;
    }
    p = t.end;
    return t;
  };
  if (pdu.tag === SNMP_TRAP_V1) {
    const ent = next(T_OID);
    if (!ent) return;
    const eo = oidToString(buf, ent.start, ent.end);
    if (eo === null) errs?.count('snmp.bad_oid');
    else m.enterprise = eo;
    const addr = next(T_IPADDR);
    if (!addr) return;
    const a = value(buf, addr, errs);
    if (typeof a === 'string') m.agentAddr = a;
    const g = next(T_INTEGER);
    if (!g) return;
    const gv = signedNum(buf, g);
    if (gv !== null) m.genericTrap = gv;
    const s = next(T_INTEGER);
    if (!s) return;
    const sv = signedNum(buf, s);
    if (sv !== null) m.specificTrap = sv;
    const ts = next(T_TIMETICKS);
    if (!ts) return;
    const tv = u32Num(buf, ts);
    if (tv !== null) m.timestamp = tv;
  } else {
    const rid = next(T_INTEGER);
    if (!rid) return;
    m.requestId = signedNum(buf, rid) ?? 0;
    const es = next(T_INTEGER);
    if (!es) return;
    m.errorStatus = signedNum(buf, es) ?? 0;
    if (!next(T_INTEGER)) return;
  }
  const list = readTlv(buf, p, e, cut);
  if (!list || list.tag !== T_SEQUENCE) {
    if (!cut.truncated) errs?.count('snmp.bad_ber');
    return;
  }
  varbinds(buf, list.start, list.end, m.varbinds, errs);
}

/** SNMPv3 (RFC 3412 §6): msgID and the plaintext scoped PDU's tag. */
function v3(buf: Uint8Array, p: number, end: number, cut: { truncated: boolean }, errs: ErrorCounter | undefined): SnmpMessage {
  const m: SnmpMessage = { version: 3, community: '', pduType: -1, requestId: 0, errorStatus: 0, varbinds: [] };
  const global = readTlv(buf, p, end);
  if (!global || global.tag !== T_SEQUENCE) {
    errs?.count(cut.truncated ? 'snmp.truncated' : 'snmp.bad_ber');
    return m;
  }
  const id = readTlv(buf, global.start, global.end);
  if (id && id.tag === T_INTEGER) m.requestId = signedNum(buf, id) ?? 0;
  const sec = readTlv(buf, global.end, end);
  if (!sec || sec.tag !== T_OCTETS) {
    errs?.count(cut.truncated ? 'snmp.truncated' : 'snmp.bad_ber');
    return m;
  }
  const scoped = readTlv(buf, sec.end, end, cut);
  if (scoped && scoped.tag === T_SEQUENCE) {
    const eng = readTlv(buf, scoped.start, scoped.end);
    const ctx = eng ? readTlv(buf, eng.end, scoped.end) : null;
    const pdu = ctx ? readTlv(buf, ctx.end, scoped.end, cut) : null;
    if (pdu && pdu.tag >= 0xa0 && pdu.tag <= 0xa8) {
      m.pduType = pdu.tag;
      pduBody(buf, pdu, m, cut, errs);
    }
  }
  if (cut.truncated) errs?.count('snmp.truncated');
  return m;
}

const SYS = '1.3.6.1.2.1.1.';

/**
 * The MIB-2 system group values carried by a response (0xA2) or report (0xA8)
 * PDU; {} for other PDUs. A value of an unexpected type is ignored.
 */
export function snmpSystemInfo(msg: SnmpMessage): SnmpSystemInfo {
  const out: SnmpSystemInfo = {};
  if (msg.pduType !== SNMP_RESPONSE && msg.pduType !== SNMP_REPORT) return out;
  for (const vb of msg.varbinds) {
    if (!vb.oid.startsWith(SYS)) continue;
    const v = vb.value;
    switch (vb.oid.slice(SYS.length)) {
      case '1.0':
        if (vb.type === T_OCTETS && typeof v === 'string') out.sysDescr = v;
        break;
      case '2.0':
        if (vb.type === T_OID && typeof v === 'string') out.sysObjectID = v;
        break;
      case '3.0':
        if (vb.type === T_TIMETICKS && typeof v === 'number') out.sysUpTime = v;
        break;
      case '4.0':
        if (vb.type === T_OCTETS && typeof v === 'string') out.sysContact = v;
        break;
      case '5.0':
        if (vb.type === T_OCTETS && typeof v === 'string') out.sysName = v;
        break;
      case '6.0':
        if (vb.type === T_OCTETS && typeof v === 'string') out.sysLocation = v;
        break;
    }
  }
  return out;
}

export { T_INTEGER as SNMP_T_INTEGER, T_OCTETS as SNMP_T_OCTETS, T_NULL as SNMP_T_NULL, T_OID as SNMP_T_OID, T_TIMETICKS as SNMP_T_TIMETICKS };

// ---------------------------------------------------------------------------
// Dissector: an agent's answers carry its system group (sysDescr, sysName,
// sysObjectID); those describe the responding agent.

export const snmpDissector: Dissector = {
  id: 'snmp',
  app: { application: 'SNMP', family: 'Network Management' },
  udpPorts: [161, 162],
  dissect(buf, off, len, ctx) {
    const m = parseSnmp(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    const sys = snmpSystemInfo(m);
    if (sys.sysDescr) ctx.src('sys_descr', sys.sysDescr);
    if (sys.sysName) ctx.src('hostname', sys.sysName, { oid: 'sysName' });
    if (sys.sysObjectID) ctx.src('sys_object_id', sys.sysObjectID);
    if (sys.sysLocation) ctx.src('location', sys.sysLocation, { oid: 'sysLocation' });
    if (m.pduType === SNMP_RESPONSE) ctx.src('role', 'snmp-agent');
    return Verdict.Continue;
  },
};
