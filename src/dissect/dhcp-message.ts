/**
 * DHCPv4 / BOOTP message parser (RFC 951, RFC 2131, RFC 2132).
 *
 * The message is `buf[off, off + len)` (a UDP 67/68 payload). What the sensor
 * takes from it (SPEC §4): client MAC, hostname (12), client FQDN (81), vendor
 * class (60), the parameter request list (55) and the option order as
 * fingerprints, requested / assigned IP, lease time, server id, client id.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Layout: a 236-byte fixed header, then (DHCP) the magic cookie 99.130.83.99
 * and options. A message whose bytes 236..239 are absent or not the cookie is
 * plain BOOTP: messageType null and no options.
 *
 * Options: pad (0) and end (255) are single bytes, every other option is
 * (code, len, value). Option overload (52, RFC 2131 §4.1) makes the `file`
 * (value 1), `sname` (value 2) or both (3) fields carry options too; they are
 * read after the options field, in the order options, file, sname. Options
 * split over several instances (RFC 3396) are concatenated, in that same
 * order, for every code, before being interpreted.
 *
 * Values with a size that does not fit their option (an option 51 of 3 bytes,
 * an option 53 of 0 bytes) are ignored (the field stays null); for the address
 * lists 3 and 6, a trailing partial address is ignored.
 *
 * Counters:
 *   dhcp.truncated          fewer than 236 bytes (the function returns null)
 *   dhcp.bad_magic          bytes 236..239 neither the cookie nor all zero
 *                           (parsed as BOOTP: an all-zero or absent vend field is
 *                           ordinary BOOTP and not counted)
 *   dhcp.bad_option_length  an option length past the end of its area: the parse
 *                           of options stops there, keeping the options read before
 */
import { escapeBytes, hexColons, printable } from './text.js';
import { u32 } from '../decode/bytes.js';
import { Verdict, type Dissector } from './types.js';
import { ip4ToString, macFromString } from '../inventory/addr-format.js';

export interface DhcpMessage {
  /** 1 request (BOOTREQUEST), 2 reply (BOOTREPLY). */
  op: number;
  htype: number;
  hlen: number;
  /** Transaction id, unsigned 32-bit. */
  xid: number;
  secs: number;
  flags: number;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** "aa:bb:cc:dd:ee:ff" when htype 1 (Ethernet) and hlen 6, else null. */
  chaddr: string | null;
  /** Option 53 (1 DISCOVER, 2 OFFER, 3 REQUEST, 4 DECLINE, 5 ACK, 6 NAK, 7 RELEASE, 8 INFORM); null for plain BOOTP. */
  messageType: number | null;
  /** Option 12, printable (see printable()), trailing NULs dropped. */
  hostname: string | null;
  /**
   * Option 81 (RFC 4702): the domain name after the flags, rcode1 and rcode2
   * bytes; in DNS wire format when flag E (0x04) is set (labels joined with
   * '.', no trailing dot; a partial name without the final zero is accepted),
   * else ASCII. Printable as for hostname; case kept. '' when the name is empty.
   */
  clientFqdn: string | null;
  /** Option 60, printable. */
  vendorClass: string | null;
  /** Option 55, the requested codes in order (the DHCP fingerprint). */
  parameterRequestList: number[] | null;
  /** Option 50. */
  requestedIp: number | null;
  /** Option 51, unsigned 32-bit (0xffffffff is "infinite"). */
  leaseSeconds: number | null;
  /** Option 54. */
  serverId: number | null;
  /** Option 61 as lower-case hex with colons, the type byte included ("01:aa:bb:..."). */
  clientId: string | null;
  /** Option 15, printable, trailing NULs dropped. */
  domainName: string | null;
  /** Option 3. */
  routers: number[];
  /** Option 6. */
  dnsServers: number[];
  /**
   * Every option code present (pad and end excluded), in the order of first
   * appearance; a code split over several instances (RFC 3396) is listed once.
   */
  options: number[];
}

export interface ErrorCounter {
  count(reason: string): void;
}

const FIXED_LEN = 236;
const SNAME_OFF = 44;
const SNAME_LEN = 64;
const FILE_OFF = 108;
const FILE_LEN = 128;

const OPT_PAD = 0;
const OPT_END = 255;
const OPT_OVERLOAD = 52;





/** A DNS wire-format name without compression (RFC 4702 §2.3.1), labels escaped by printable(). */
function wireName(b: Uint8Array): string {
  const labels: string[] = [];
  let i = 0;
  while (i < b.length) {
    const l = b[i]!;
    if (l === 0) break;
    // a compression pointer or reserved label type, or a label past the end: keep what was read
    if (l >= 0x40 || i + 1 + l > b.length) break;
    labels.push(escapeBytes(b, i + 1, i + 1 + l));
    i += 1 + l;
  }
  return labels.join('.');
}

function addrList(v: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= v.length; i += 4) out.push(u32(v, i));
  return out;
}

/**
 * Walks the options in `buf[start, end)`, appending each instance's value
 * range to `found`. Returns false when a bad option length stopped the walk.
 */
function walk(buf: Uint8Array, start: number, end: number, found: Map<number, number[]>, order: number[], errs: ErrorCounter | undefined): boolean {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (code === OPT_END) return true;
    if (i + 2 > end || i + 2 + buf[i + 1]! > end) {
      errs?.count('dhcp.bad_option_length');
      return false;
    }
    const l = buf[i + 1]!;
    let pieces = found.get(code);
    if (!pieces) {
      pieces = [];
      found.set(code, pieces);
      order.push(code);
    }
    pieces.push(i + 2, i + 2 + l);
    i += 2 + l;
  }
  return true;
}

/** The concatenation of an option's instances (RFC 3396), or null when absent. */
function value(buf: Uint8Array, found: Map<number, number[]>, code: number): Uint8Array | null {
  const pieces = found.get(code);
  if (!pieces) return null;
  if (pieces.length === 2) return buf.subarray(pieces[0]!, pieces[1]!);
  let n = 0;
  for (let k = 0; k < pieces.length; k += 2) n += pieces[k + 1]! - pieces[k]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (let k = 0; k < pieces.length; k += 2) {
    out.set(buf.subarray(pieces[k]!, pieces[k + 1]!), at);
    at += pieces[k + 1]! - pieces[k]!;
  }
  return out;
}

function ip(v: Uint8Array | null): number | null {
  return v !== null && v.length === 4 ? u32(v, 0) : null;
}

/**
 * Parses one DHCP / BOOTP message in `buf[off, off + len)`. Returns null only
 * when the fixed header does not fit (counted as dhcp.truncated); option
 * problems leave the fields they concern null / empty.
 */
export function parseDhcpMessage(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): DhcpMessage | null {
  if (!(off >= 0 && len >= 0)) {
    errs?.count('dhcp.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  if (end - off < FIXED_LEN) {
    errs?.count('dhcp.truncated');
    return null;
  }
  const htype = buf[off + 1]!;
  const hlen = buf[off + 2]!;
  const m: DhcpMessage = {
    op: buf[off]!,
    htype,
    hlen,
    xid: u32(buf, off + 4),
    secs: (buf[off + 8]! << 8) | buf[off + 9]!,
    flags: (buf[off + 10]! << 8) | buf[off + 11]!,
    ciaddr: u32(buf, off + 12),
    yiaddr: u32(buf, off + 16),
    siaddr: u32(buf, off + 20),
    giaddr: u32(buf, off + 24),
    chaddr: htype === 1 && hlen === 6 ? hexColons(buf, off + 28, off + 34) : null,
    messageType: null,
    hostname: null,
    clientFqdn: null,
    vendorClass: null,
    parameterRequestList: null,
    requestedIp: null,
    leaseSeconds: null,
    serverId: null,
    clientId: null,
    domainName: null,
    routers: [],
    dnsServers: [],
    options: [],
  };

  const c = off + FIXED_LEN;
  if (end - c < 4) return m; // BOOTP without a vend field (or a short one)
  if (buf[c] !== 99 || buf[c + 1] !== 130 || buf[c + 2] !== 83 || buf[c + 3] !== 99) {
    if (buf[c] !== 0 || buf[c + 1] !== 0 || buf[c + 2] !== 0 || buf[c + 3] !== 0) errs?.count('dhcp.bad_magic');
    return m;
  }

  const found = new Map<number, number[]>();
  const order = m.options;
  if (walk(buf, c + 4, end, found, order, errs)) {
    const ov = value(buf, found, OPT_OVERLOAD);
    const overload = ov !== null && ov.length >= 1 ? ov[0]! : 0;
    let ok = true;
    if (overload & 1) ok = walk(buf, off + FILE_OFF, off + FILE_OFF + FILE_LEN, found, order, errs);
    if (ok && overload & 2) walk(buf, off + SNAME_OFF, off + SNAME_OFF + SNAME_LEN, found, order, errs);
  }

  const t = value(buf, found, 53);
  if (t !== null && t.length >= 1) m.messageType = t[0]!;
  let v = value(buf, found, 12);
  if (v !== null) m.hostname = printable(v, 0, v.length);
  v = value(buf, found, 81);
  if (v !== null && v.length >= 3) {
    m.clientFqdn = v[0]! & 0x04 ? wireName(v.subarray(3)) : printable(v, 3, v.length);
  }
  v = value(buf, found, 60);
  if (v !== null) m.vendorClass = printable(v, 0, v.length);
  v = value(buf, found, 55);
  if (v !== null) m.parameterRequestList = Array.from(v);
  m.requestedIp = ip(value(buf, found, 50));
  m.leaseSeconds = ip(value(buf, found, 51));
  m.serverId = ip(value(buf, found, 54));
  v = value(buf, found, 61);
  if (v !== null) m.clientId = hexColons(v, 0, v.length);
  v = value(buf, found, 15);
  if (v !== null) m.domainName = printable(v, 0, v.length);
  v = value(buf, found, 3);
  if (v !== null) m.routers = addrList(v);
  v = value(buf, found, 6);
  if (v !== null) m.dnsServers = addrList(v);
  return m;
}

// ---------------------------------------------------------------------------
// Dissector: what a DHCP exchange says about the client (SPEC §4).

const MSG_ACK = 5;

/**
 * Client messages describe the client (the chaddr's device): host name
 * (option 12), FQDN (81), vendor class (60), parameter request list (55, the
 * fingerprint) and client id (61). A server's ACK binds the assigned address
 * to that MAC with its lease, and so does a plain BOOTP reply (no option 53:
 * RFC 951's BOOTREPLY, as Rockwell's and other industrial BOOTP servers send
 * to PLCs, whose name often comes only in it). Everything is tied to the MAC,
 * not the address.
 */
export const dhcpDissector: Dissector = {
  id: 'dhcp',
  app: { application: 'DHCP', family: 'Network Infrastructure' },
  udpPorts: [67, 68],
  dissect(buf, off, len, ctx) {
    const m = parseDhcpMessage(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    const mac = m.chaddr !== null ? macFromString(m.chaddr) : -1;
    if (m.op === 1) {
      const ipNum = m.ciaddr !== 0 ? m.ciaddr : m.requestedIp ?? 0;
      const ip = ipNum !== 0 ? ip4ToString(ipNum) : null;
      const type = m.messageType === null ? 'bootp' : String(m.messageType);
      if (mac < 0 && ip === null) return Verdict.Continue;
      if (m.hostname) ctx.about(ip, mac, 'hostname', m.hostname, { option: 12 }, 'dhcp', true);
      if (m.clientFqdn) ctx.about(ip, mac, 'hostname', m.clientFqdn, { option: 81 }, 'dhcp', true);
      if (m.vendorClass) ctx.about(ip, mac, 'vendor_class', m.vendorClass, undefined, 'dhcp', true);
      if (m.parameterRequestList && m.parameterRequestList.length > 0) {
        ctx.about(ip, mac, 'dhcp_fingerprint', m.parameterRequestList.join(','), { message_type: type, options: m.options.join(',') }, 'dhcp', true);
      }
      if (m.clientId) ctx.about(ip, mac, 'client_id', m.clientId, undefined, 'dhcp', true);
    } else if (m.op === 2) {
      ctx.src('role', 'dhcp-server');
      if ((m.messageType === MSG_ACK || m.messageType === null) && m.yiaddr !== 0) {
        const ip = ip4ToString(m.yiaddr);
        const server = m.serverId !== null ? ip4ToString(m.serverId) : null;
        ctx.about(ip, mac, 'dhcp_lease', ip, { lease_seconds: m.leaseSeconds, server }, 'dhcp', true);
        if (m.hostname) ctx.about(ip, mac, 'hostname', m.hostname, { option: 12, from: 'server' }, 'dhcp', true);
        if (m.domainName) ctx.about(ip, mac, 'domain', m.domainName, { option: 15 }, 'dhcp', true);
      }
    }
    return Verdict.Continue;
  },
};
