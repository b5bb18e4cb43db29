/**
 * DHCPv6 message parser (RFC 8415; UDP ports 546 client, 547 server/relay).
 *
 * The message is `buf[off, off + len)` (one UDP payload). Two framings:
 *   - client/server messages: msg-type (1 byte), transaction id (3 bytes), options;
 *   - relay messages (12 RELAY-FORW, 13 RELAY-REPL): msg-type, hop-count (1),
 *     link-address (16), peer-address (16), options. The relayed message is
 *     carried whole in option 9 (Relay Message) and is parsed the same way into
 *     `relayed`, one level per relay hop, at most MAX_DEPTH levels deep (a
 *     deeper one is counted and left out; the recursion is depth-counted).
 *
 * Options are (code 2 bytes, length 2 bytes, value). Some carry options of
 * their own: IA_NA (3: IAID, T1, T2, options), IA_TA (4: IAID, options), IA_PD
 * (25: IAID, T1, T2, options), whose IAADDR (5: address, preferred and valid
 * lifetimes, options) and IAPREFIX (26: preferred, valid, prefix length,
 * prefix, options) may carry a Status Code (13). These are read one level
 * each, the way they are defined; nothing else is walked as nested options.
 *
 * What the sensor takes from it: the message type, the transaction id, the
 * client and server DUIDs (link-layer address for LLT / LL DUIDs of hardware
 * type 1, enterprise number for EN), the client FQDN (39), vendor class (16),
 * user class (15), option request option (6, an OS fingerprint like DHCPv4's
 * option 55), vendor-specific information enterprises (17), the addresses
 * and prefixes of the IAs with their lifetimes, elapsed time (8), the
 * message's status code (13), and the relay addresses and interface id (18).
 *
 * Limits: every text is escaped with escapeBytes and at most MAX_TEXT
 * characters; lists are capped (MAX_LIST entries each, MAX_IAS IAs, MAX_ADDRS
 * addresses / prefixes per IA, MAX_OPTIONS option codes per message), the
 * excess counted as dhcpv6.too_many. A repeated single-valued option (DUID,
 * FQDN, elapsed time, status) keeps its first instance.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Counters:
 *   dhcpv6.truncated          fewer bytes than the fixed header (4, or 34 for a
 *                             relay message): null, or `relayed` left null
 *   dhcpv6.bad_type           message type 0: null ("not DHCPv6")
 *   dhcpv6.bad_option_length  an option runs past its container: the walk of that
 *                             container stops, keeping what was read before
 *   dhcpv6.bad_option         an option's value does not fit its definition (a
 *                             DUID of 1 byte, an elapsed time of 3 bytes, a
 *                             vendor-class string past the option): ignored
 *                             (or kept up to the damage, for lists)
 *   dhcpv6.relay_depth        relay messages nested more than MAX_DEPTH deep
 *   dhcpv6.too_many           a list reached its cap; the rest is dropped
 */
import { escapeBytes, hex, hexColons, ip6Text } from './text.js';
import { mac48, u16, u32 } from '../decode/bytes.js';
import { Verdict, type Dissector, type ObservationData, type ObservationKind } from './types.js';

export interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export interface Dhcpv6Duid {
  /** DUID type: 1 LLT, 2 EN, 3 LL, 4 UUID; others kept as numbers. */
  type: number;
  /** 'LLT' | 'EN' | 'LL' | 'UUID', null for another type. */
  typeName: string | null;
  /** The whole DUID (type included) as lower-case hex, at most MAX_DUID_BYTES bytes of it. */
  hex: string;
  /** LLT / LL: the hardware type (1 Ethernet); null otherwise. */
  hwType: number | null;
  /** LLT / LL: the link-layer address, hex with colons; null otherwise. */
  linkLayer: string | null;
  /** LLT / LL of hardware type 1 with a 6-byte address: the MAC as a 48-bit integer (like mac48). */
  mac: number | null;
  /** LLT: seconds since 2000-01-01 00:00 UTC; null otherwise. */
  time: number | null;
  /** EN: the enterprise number; null otherwise. */
  enterprise: number | null;
  /** EN: the identifier in hex; UUID: the 16 bytes in hex; null otherwise. */
  identifier: string | null;
}

export interface Dhcpv6Status {
  code: number;
  /** UTF-8 text, escaped (non-ASCII bytes as \xNN). */
  message: string;
}

export interface Dhcpv6Address {
  /** RFC 5952 text. */
  address: string;
  preferred: number;
  valid: number;
  status: Dhcpv6Status | null;
}

export interface Dhcpv6Prefix {
  /** RFC 5952 text of the prefix bytes. */
  prefix: string;
  prefixLength: number;
  preferred: number;
  valid: number;
  status: Dhcpv6Status | null;
}

export interface Dhcpv6Ia {
  /** 3 IA_NA, 4 IA_TA, 25 IA_PD. */
  option: number;
  iaid: number;
  /** Null for IA_TA. */
  t1: number | null;
  t2: number | null;
  /** IAADDR (5) inside IA_NA / IA_TA. */
  addresses: Dhcpv6Address[];
  /** IAPREFIX (26) inside IA_PD. */
  prefixes: Dhcpv6Prefix[];
  status: Dhcpv6Status | null;
}

export interface Dhcpv6VendorClass {
  enterprise: number;
  /** Each vendor-class-data string, escaped. */
  data: string[];
}

export interface Dhcpv6Message {
  msgType: number;
  /** 'SOLICIT', 'ADVERTISE', ..., 'RELAY-FORW', 'RELAY-REPL'; null for an unknown type. */
  msgTypeName: string | null;
  /** 24-bit transaction id; null for relay messages. */
  transactionId: number | null;
  /** Relay messages only (else null): hop count, link and peer addresses. */
  hopCount: number | null;
  linkAddress: string | null;
  peerAddress: string | null;
  /** Option 18 (relay messages), hex. */
  interfaceId: string | null;
  /** Option 1. */
  clientId: Dhcpv6Duid | null;
  /** Option 2. */
  serverId: Dhcpv6Duid | null;
  /**
   * Option 39: the flags byte (S 0x01, O 0x02, N 0x04), the domain name (labels
   * joined with '.', no trailing dot), and whether it ended with the root label
   * (a fully qualified name) rather than being partial / unqualified.
   */
  clientFqdn: { flags: number; name: string; qualified: boolean } | null;
  /** Option 16, every instance in order. */
  vendorClass: Dhcpv6VendorClass[];
  /** Option 15: the user-class-data strings in order, escaped; null when absent. */
  userClass: string[] | null;
  /** Option 6: the requested option codes in order; null when absent. */
  oro: number[] | null;
  /** Option 17: the enterprise number of each instance, in order. */
  vendorOpts: number[];
  /** Options 3, 4 and 25 in order. */
  ias: Dhcpv6Ia[];
  /** Option 8, in hundredths of a second. */
  elapsedTime: number | null;
  /** Option 13 at message level. */
  status: Dhcpv6Status | null;
  /** Every top-level option code in wire order (repeats kept). */
  options: number[];
  /** Relay messages: the message of option 9, parsed the same way; null otherwise. */
  relayed: Dhcpv6Message | null;
}

export const DHCPV6_RELAY_FORW = 12;
export const DHCPV6_RELAY_REPL = 13;

/** Relay nesting kept: the outermost message is depth 0, its relayed message 1, ... */
export const MAX_DEPTH = 8;
const MAX_TEXT = 1024;
const MAX_LIST = 64;
const MAX_IAS = 32;
const MAX_ADDRS = 32;
const MAX_OPTIONS = 256;
const MAX_DUID_BYTES = 130;
const MAX_ORO = 256;

const NAMES: readonly string[] = [
  '',
  'SOLICIT',
  'ADVERTISE',
  'REQUEST',
  'CONFIRM',
  'RENEW',
  'REBIND',
  'REPLY',
  'RELEASE',
  'DECLINE',
  'RECONFIGURE',
  'INFORMATION-REQUEST',
  'RELAY-FORW',
  'RELAY-REPL',
  'LEASEQUERY',
  'LEASEQUERY-REPLY',
  'LEASEQUERY-DONE',
  'LEASEQUERY-DATA',
  'RECONFIGURE-REQUEST',
  'RECONFIGURE-REPLY',
  'DHCPV4-QUERY',
  'DHCPV4-RESPONSE',
];

/** The RFC name of a message type, null when unknown. */
export function dhcpv6TypeName(t: number): string | null {
  return t > 0 && t < NAMES.length ? NAMES[t]! : null;
}

const DUID_NAMES: readonly string[] = ['', 'LLT', 'EN', 'LL', 'UUID'];

/** Escaped text of b[s, e), at most MAX_TEXT characters (cut on a whole escape). */
function text(b: Uint8Array, s: number, e: number): string {
  const t = escapeBytes(b, s, Math.min(e, s + MAX_TEXT));
  if (t.length <= MAX_TEXT) return t;
  let cut = MAX_TEXT;
  const bs = t.lastIndexOf('\\', cut);
  if (bs > cut - 4) cut = bs;
  return t.slice(0, cut);
}

/** A DNS wire-format name without compression, partial names accepted; escaped labels. */
function wireName(b: Uint8Array, s: number, e: number): { name: string; qualified: boolean } {
  let name = '';
  let i = s;
  for (let n = 0; i < e && n < 128; n++) {
    const l = b[i]!;
    if (l === 0) return { name, qualified: true };
    if (l >= 0x40 || i + 1 + l > e) break;
    const label = escapeBytes(b, i + 1, i + 1 + l);
    if (name.length + label.length + 1 > MAX_TEXT) break;
    name += (name ? '.' : '') + label;
    i += 1 + l;
  }
  return { name, qualified: false };
}

function duid(b: Uint8Array, s: number, e: number, errs: ErrorCounter | undefined): Dhcpv6Duid | null {
  if (e - s < 2) {
    errs?.count('dhcpv6.bad_option');
    return null;
  }
  const type = u16(b, s);
  const d: Dhcpv6Duid = {
    type,
    typeName: type > 0 && type < DUID_NAMES.length ? DUID_NAMES[type]! : null,
    hex: hex(b, s, Math.min(e, s + MAX_DUID_BYTES)),
    hwType: null,
    linkLayer: null,
    mac: null,
    time: null,
    enterprise: null,
    identifier: null,
  };
  const cap = (x: number): number => Math.min(e, x + MAX_DUID_BYTES);
  if (type === 1 || type === 3) {
    const a = s + (type === 1 ? 8 : 4);
    if (a > e) {
      errs?.count('dhcpv6.bad_option');
      return d;
    }
    d.hwType = u16(b, s + 2);
    if (type === 1) d.time = u32(b, s + 4);
    d.linkLayer = hexColons(b, a, cap(a));
    if (d.hwType === 1 && e - a === 6) d.mac = mac48(b, a);
  } else if (type === 2) {
    if (e - s < 6) {
      errs?.count('dhcpv6.bad_option');
      return d;
    }
    d.enterprise = u32(b, s + 2);
    d.identifier = hex(b, s + 6, cap(s + 6));
  } else if (type === 4) {
    if (e - s !== 18) errs?.count('dhcpv6.bad_option');
    else d.identifier = hex(b, s + 2, e);
  }
  return d;
}

function status(b: Uint8Array, s: number, e: number, errs: ErrorCounter | undefined): Dhcpv6Status | null {
  if (e - s < 2) {
    errs?.count('dhcpv6.bad_option');
    return null;
  }
  return { code: u16(b, s), message: text(b, s + 2, e) };
}

/** (2-byte length, data) strings of b[s, e), as for user class and vendor class data. */
function strings(b: Uint8Array, s: number, e: number, errs: ErrorCounter | undefined): string[] {
  const out: string[] = [];
  let i = s;
  while (i < e) {
    if (i + 2 > e || i + 2 + u16(b, i) > e) {
      errs?.count('dhcpv6.bad_option');
      break;
    }
    if (out.length >= MAX_LIST) {
      errs?.count('dhcpv6.too_many');
      break;
    }
    const l = u16(b, i);
    out.push(text(b, i + 2, i + 2 + l));
    i += 2 + l;
  }
  return out;
}

/**
 * Calls `each(code, start, end)` for the options of b[s, e), at most `max`
 * of them. Counts dhcpv6.bad_option_length and stops on an option past `e`.
 */
function walk(b: Uint8Array, s: number, e: number, errs: ErrorCounter | undefined, each: (code: number, vs: number, ve: number) => void): void {
  let i = s;
  // each option takes at least 4 bytes, so this loop ends within (e - s) / 4 rounds
  while (i < e) {
    if (i + 4 > e || i + 4 + u16(b, i + 2) > e) {
      errs?.count('dhcpv6.bad_option_length');
      return;
    }
    const l = u16(b, i + 2);
    each(u16(b, i), i + 4, i + 4 + l);
    i += 4 + l;
  }
}

function ia(b: Uint8Array, code: number, s: number, e: number, errs: ErrorCounter | undefined): Dhcpv6Ia | null {
  const head = code === 4 ? 4 : 12;
  if (e - s < head) {
    errs?.count('dhcpv6.bad_option');
    return null;
  }
  const r: Dhcpv6Ia = {
    option: code,
    iaid: u32(b, s),
    t1: code === 4 ? null : u32(b, s + 4),
    t2: code === 4 ? null : u32(b, s + 8),
    addresses: [],
    prefixes: [],
    status: null,
  };
  walk(b, s + head, e, errs, (c, vs, ve) => {
    if (c === 13) {
      if (r.status === null) r.status = status(b, vs, ve, errs);
    } else if (c === 5 && code !== 25) {
      if (ve - vs < 24) return errs?.count('dhcpv6.bad_option');
      if (r.addresses.length >= MAX_ADDRS) return errs?.count('dhcpv6.too_many');
      const a: Dhcpv6Address = { address: ip6Text(b, vs), preferred: u32(b, vs + 16), valid: u32(b, vs + 20), status: null };
      walk(b, vs + 24, ve, errs, (c2, s2, e2) => {
        if (c2 === 13 && a.status === null) a.status = status(b, s2, e2, errs);
      });
      r.addresses.push(a);
    } else if (c === 26 && code === 25) {
      if (ve - vs < 25) return errs?.count('dhcpv6.bad_option');
      if (r.prefixes.length >= MAX_ADDRS) return errs?.count('dhcpv6.too_many');
      const p: Dhcpv6Prefix = { prefix: ip6Text(b, vs + 9), prefixLength: b[vs + 8]!, preferred: u32(b, vs), valid: u32(b, vs + 4), status: null };
      walk(b, vs + 25, ve, errs, (c2, s2, e2) => {
        if (c2 === 13 && p.status === null) p.status = status(b, s2, e2, errs);
      });
      r.prefixes.push(p);
    }
  });
  return r;
}

function one(b: Uint8Array, s: number, e: number, depth: number, errs: ErrorCounter | undefined): Dhcpv6Message | null {
  if (e - s < 4) {
    errs?.count('dhcpv6.truncated');
    return null;
  }
  const t = b[s]!;
  if (t === 0) {
    errs?.count('dhcpv6.bad_type');
    return null;
  }
  const relay = t === DHCPV6_RELAY_FORW || t === DHCPV6_RELAY_REPL;
  if (relay && e - s < 34) {
    errs?.count('dhcpv6.truncated');
    return null;
  }
  const m: Dhcpv6Message = {
    msgType: t,
    msgTypeName: dhcpv6TypeName(t),
    transactionId: relay ? null : (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!,
    hopCount: relay ? b[s + 1]! : null,
    linkAddress: relay ? ip6Text(b, s + 2) : null,
    peerAddress: relay ? ip6Text(b, s + 18) : null,
    interfaceId: null,
    clientId: null,
    serverId: null,
    clientFqdn: null,
    vendorClass: [],
    userClass: null,
    oro: null,
    vendorOpts: [],
    ias: [],
    elapsedTime: null,
    status: null,
    options: [],
    relayed: null,
  };
  let tooMany = false;
  walk(b, s + (relay ? 34 : 4), e, errs, (code, vs, ve) => {
    if (m.options.length < MAX_OPTIONS) m.options.push(code);
    else if (!tooMany) {
      tooMany = true;
      errs?.count('dhcpv6.too_many');
    }
    switch (code) {
      case 1:
        if (m.clientId === null) m.clientId = duid(b, vs, ve, errs);
        break;
      case 2:
        if (m.serverId === null) m.serverId = duid(b, vs, ve, errs);
        break;
      case 3:
      case 4:
      case 25: {
        if (m.ias.length >= MAX_IAS) {
          errs?.count('dhcpv6.too_many');
          break;
        }
        const x = ia(b, code, vs, ve, errs);
        if (x) m.ias.push(x);
        break;
      }
      case 6: {
        if ((ve - vs) & 1) errs?.count('dhcpv6.bad_option');
        const list: number[] = (m.oro ??= []);
        for (let i = vs; i + 2 <= ve; i += 2) {
          if (list.length >= MAX_ORO) {
            errs?.count('dhcpv6.too_many');
            break;
          }
          list.push(u16(b, i));
        }
        break;
      }
      case 8:
        if (ve - vs !== 2) errs?.count('dhcpv6.bad_option');
        else if (m.elapsedTime === null) m.elapsedTime = u16(b, vs);
        break;
      case 9:
        if (!relay || m.relayed !== null) break;
        if (depth + 1 >= MAX_DEPTH) errs?.count('dhcpv6.relay_depth');
        else m.relayed = one(b, vs, ve, depth + 1, errs);
        break;
      case 13:
        if (m.status === null) m.status = status(b, vs, ve, errs);
        break;
      case 15: {
        const list = strings(b, vs, ve, errs);
        if (m.userClass === null) m.userClass = list;
        else for (const x of list) if (m.userClass.length < MAX_LIST) m.userClass.push(x);
        break;
      }
      case 16:
        if (ve - vs < 4) errs?.count('dhcpv6.bad_option');
        else if (m.vendorClass.length >= MAX_LIST) errs?.count('dhcpv6.too_many');
        else m.vendorClass.push({ enterprise: u32(b, vs), data: strings(b, vs + 4, ve, errs) });
        break;
      case 17:
        if (ve - vs < 4) errs?.count('dhcpv6.bad_option');
        else if (m.vendorOpts.length >= MAX_LIST) errs?.count('dhcpv6.too_many');
        else m.vendorOpts.push(u32(b, vs));
        break;
      case 18:
        if (m.interfaceId === null) m.interfaceId = hex(b, vs, Math.min(ve, vs + MAX_TEXT / 2));
        break;
      case 39:
        if (ve - vs < 1) errs?.count('dhcpv6.bad_option');
        else if (m.clientFqdn === null) m.clientFqdn = { flags: b[vs]!, ...wireName(b, vs + 1, ve) };
        break;
    }
  });
  return m;
}

/**
 * Parses one DHCPv6 message in `buf[off, off + len)`. Returns null when the
 * fixed header does not fit (dhcpv6.truncated) or the type is 0
 * (dhcpv6.bad_type); option problems leave the fields they concern empty.
 */
export function parseDhcpv6(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): Dhcpv6Message | null {
  if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0)) {
    errs?.count('dhcpv6.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  return one(buf, off, Math.max(off, end), 0, errs);
}

// ---------------------------------------------------------------------------
// Dissector: a DHCPv6 client's messages describe it (FQDN, vendor class, the
// option request list as a fingerprint, its DUID); a server's REPLY assigns
// addresses (a lease). Relayed messages are unwrapped; the client is then the
// relay's peer address.

const CLIENT_TYPES = new Set([1, 3, 4, 5, 6, 8, 9, 11]);
const REPLY = 7;

export const dhcpv6Dissector: Dissector = {
  id: 'dhcpv6',
  app: { application: 'DHCPv6', family: 'Network Infrastructure' },
  udpPorts: [546, 547],
  dissect(buf, off, len, ctx) {
    let m = parseDhcpv6(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    let peer: string | null = null;
    for (let depth = 0; m.relayed !== null && depth < MAX_DEPTH; depth++) {
      peer = m.peerAddress;
      m = m.relayed;
    }
    // About the client: the sender itself, or the relay's peer.
    const about = (kind: ObservationKind, value: string, data?: ObservationData): void => {
      if (peer === null) ctx.src(kind, value, data);
      else ctx.about(peer, -1, kind, value, data);
    };
    if (CLIENT_TYPES.has(m.msgType)) {
      if (m.clientFqdn && m.clientFqdn.name) about('hostname', m.clientFqdn.name, { option: 39 });
      for (const vc of m.vendorClass.slice(0, 4)) about('vendor_class', vc.data.length ? `${vc.enterprise}:${vc.data.join(',')}` : String(vc.enterprise), { enterprise: vc.enterprise });
      if (m.oro && m.oro.length) about('dhcp_fingerprint', m.oro.join(','), { message_type: m.msgTypeName });
      if (m.clientId) about('duid', m.clientId.hex, { type: m.clientId.typeName });
    } else if (m.msgType === REPLY) {
      if (peer === null) ctx.src('role', 'dhcpv6-server');
      const mac = m.clientId?.mac ?? -1;
      for (const ia of m.ias.slice(0, 4)) {
        for (const a of ia.addresses.slice(0, 4)) {
          if (a.valid === 0) continue;
          if (peer !== null) ctx.about(peer, -1, 'dhcp_lease', a.address, { lease_seconds: a.valid, server: null });
          else ctx.about(a.address, mac, 'dhcp_lease', a.address, { lease_seconds: a.valid, server: null });
          if (peer === null) ctx.dst('dhcp_lease', a.address, { lease_seconds: a.valid, server: null });
        }
      }
    }
    return Verdict.Continue;
  },
};
