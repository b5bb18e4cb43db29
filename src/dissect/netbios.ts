/**
 * NetBIOS over TCP/IP (RFC 1001 / RFC 1002): the name service (NBNS, UDP 137)
 * and the datagram service (UDP 138) carrying browser announcements
 * ([MS-BRWS] HostAnnouncement, DomainAnnouncement, LocalMasterAnnouncement)
 * inside an SMB Transaction to the mailslot \MAILSLOT\BROWSE.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * NetBIOS names: a 16-byte name (15 characters padded with spaces, then one
 * suffix byte) is sent "first-level encoded" (RFC 1001 §14.1) as 32 letters
 * 'A'..'P', each the half byte value + 'A', inside a DNS-style label of
 * length 32, optionally followed by scope labels. Names are returned as sent
 * (no case change), trailing spaces (and NULs) trimmed, and escaped like printable() in
 * dhcp-message.ts: bytes 0x20..0x7e as is except backslash, others \xNN.
 *
 * NBNS uses the DNS header and resource record layout; compression pointers
 * (used in registration / release requests, pointing back at the question
 * name) are followed when they point strictly backwards.
 *
 * Counters:
 *   nbns.truncated       header, question, record fixed part or rdata past the end (null)
 *   nbns.bad_name        a label with reserved type bits, a bad / forward / looping
 *                        pointer, or a name longer than 255 bytes (null)
 *   nbns.not_netbios     a name whose first label is not a valid 32-letter encoding
 *                        (kept: name is the escaped labels joined with '.', suffix -1)
 *   nbns.bad_rdlength    NB rdata not a multiple of 6, A rdata not 4, NBSTAT rdata
 *                        shorter than its name count (that record keeps what fits)
 *   nbdgm.truncated      datagram header or names past the end (null)
 *   nbdgm.bad_name       a source / destination name not NetBIOS-encoded (null)
 *   nbdgm.bad_smb        user data of a direct / broadcast datagram that is not a
 *                        well-formed SMB Transaction (browser stays null)
 *   browser.truncated    a browser announcement shorter than its fixed 32 bytes (null)
 */
import { u16, u32, u16le, u32le } from '../decode/bytes.js';
import { escapeBytes, hexColons } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface NetbiosName {
  name: string;
  suffix: number;
}

export interface NbnsQuestion {
  name: string;
  /** The suffix byte; -1 when the name is not NetBIOS-encoded. */
  suffix: number;
  /** 0x20 NB, 0x21 NBSTAT. */
  type: number;
  /** Scope labels joined with '.', '' when none. */
  scope: string;
}

export interface NbstatName {
  name: string;
  suffix: number;
  group: boolean;
  /** The 16-bit name flags (group 0x8000, node type 0x6000, deregistering, conflict, active, permanent). */
  flags: number;
}

export interface NbnsRecord {
  /** 1 answer, 2 authority, 3 additional. */
  section: 1 | 2 | 3;
  name: string;
  suffix: number;
  scope: string;
  type: number;
  ttl: number;
  /** NB (0x20): the IPv4 address of each entry (unsigned 32-bit); A (1): the address. */
  addresses: number[];
  /** NB: the NB_FLAGS of each entry, parallel to `addresses` (group 0x8000, node type 0x6000). */
  nbFlags: number[];
  /** NBSTAT (0x21) node status response: the name table. */
  names?: NbstatName[];
  /** NBSTAT: the unit id (usually the MAC), "aa:bb:cc:dd:ee:ff"; absent when the statistics are cut short. */
  mac?: string;
}

export interface NbnsMessage {
  id: number;
  /** 0 query, 5 registration, 6 release, 7 WACK, 8 refresh (9 refresh, alternate value). */
  opcode: number;
  isResponse: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  broadcast: boolean;
  rcode: number;
  questions: NbnsQuestion[];
  records: NbnsRecord[];
}

export interface BrowserAnnouncement {
  /** 1 HostAnnouncement, 0x0c DomainAnnouncement (serverName is the domain, comment the master browser), 0x0f LocalMasterAnnouncement. */
  command: number;
  serverName: string;
  osMajor: number;
  osMinor: number;
  serverType: number;
  serverTypeNames: string[];
  comment: string;
  updateCount: number;
  /** Announcement interval in milliseconds. */
  periodicity: number;
  browserVersionMajor: number;
  browserVersionMinor: number;
}

export interface NetbiosDatagram {
  /** 0x10 direct unique, 0x11 direct group, 0x12 broadcast, 0x13 error, 0x14..0x16 query. */
  msgType: number;
  flags: number;
  id: number;
  /** Unsigned 32-bit. */
  sourceIp: number;
  sourcePort: number;
  /** null for message types without it (error, query). */
  sourceName: NetbiosName | null;
  destName: NetbiosName | null;
  /** Name of the SMB Transaction (e.g. "\\MAILSLOT\\BROWSE", backslashes not escaped), null when none. */
  mailslot: string | null;
  browser: BrowserAnnouncement | null;
}




/** A 15-byte name field (+ suffix), trailing spaces (and NULs: the '*' wildcard is NUL-padded) trimmed. */
function nameFromRaw(raw: ArrayLike<number>, start: number): string {
  let end = start + 15;
  while (end > start && (raw[end - 1] === 0x20 || raw[end - 1] === 0)) end--;
  return escapeBytes(raw, start, end);
}

const decoded = new Uint8Array(16);

/** First-level decode of 32 letters at b[start..start+32) into `decoded`; false when a letter is outside 'A'..'P'. */
function decodeInto(b: ArrayLike<number>, start: number): boolean {
  for (let i = 0; i < 16; i++) {
    const hi = b[start + 2 * i]! - 0x41;
    const lo = b[start + 2 * i + 1]! - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return false;
    decoded[i] = (hi << 4) | lo;
  }
  return true;
}

/**
 * First-level decoding (RFC 1001 §14.1) of the 32 letters of an encoded name
 * (a string or bytes; exactly 32 letters 'A'..'P', upper case). Returns null
 * otherwise.
 */
export function decodeNetbiosName(encoded: string | Uint8Array): NetbiosName | null {
  if (encoded.length !== 32) return null;
  let b: ArrayLike<number>;
  if (typeof encoded === 'string') {
    const a = new Array<number>(32);
    for (let i = 0; i < 32; i++) a[i] = encoded.charCodeAt(i);
    b = a;
  } else b = encoded;
  if (!decodeInto(b, 0)) return null;
  return { name: nameFromRaw(decoded, 0), suffix: decoded[15]! };
}

// ---------------------------------------------------------------------------
// NBNS names (DNS label layout, pointers allowed)

const MAX_JUMPS = 16;

interface ReadName {
  name: string;
  suffix: number;
  scope: string;
  next: number;
}

/** Reads an NBNS name at `pos`; returns null and counts on a framing problem. */
function readNbnsName(buf: Uint8Array, pos: number, msgStart: number, msgEnd: number, errs?: ErrorCounter): ReadName | null {
  let next = -1;
  let floor = pos;
  let jumps = 0;
  let wire = 0;
  const labels: Array<[number, number]> = [];
  for (;;) {
    if (pos >= msgEnd) {
      errs?.count('nbns.truncated');
      return null;
    }
    const l = buf[pos]!;
    if (l === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (pos + 1 >= msgEnd) {
        errs?.count('nbns.truncated');
        return null;
      }
      const target = msgStart + (((l & 0x3f) << 8) | buf[pos + 1]!);
      if (next < 0) next = pos + 2;
      if (target >= floor || ++jumps > MAX_JUMPS) {
        errs?.count('nbns.bad_name');
        return null;
      }
      pos = target;
      floor = target;
      continue;
    }
    if (l & 0xc0) {
      errs?.count('nbns.bad_name');
      return null;
    }
    if (pos + 1 + l > msgEnd) {
      errs?.count('nbns.truncated');
      return null;
    }
    wire += 1 + l;
    if (wire > 254) {
      errs?.count('nbns.bad_name');
      return null;
    }
    labels.push([pos + 1, pos + 1 + l]);
    pos += 1 + l;
  }
  const first = labels[0];
  if (first && first[1] - first[0] === 32 && decodeInto(buf, first[0])) {
    let scope = '';
    for (let i = 1; i < labels.length; i++) scope += (i > 1 ? '.' : '') + escapeBytes(buf, labels[i]![0], labels[i]![1]);
    return { name: nameFromRaw(decoded, 0), suffix: decoded[15]!, scope, next };
  }
  errs?.count('nbns.not_netbios');
  return { name: labels.map(([s, e]) => escapeBytes(buf, s, e)).join('.'), suffix: -1, scope: '', next };
}

const NB = 0x20;
const NBSTAT = 0x21;
const TYPE_A = 1;

/**
 * Parses the NBNS message buf[off, off + len). Returns null when the header,
 * a name or a record's fixed part / rdata runs past the end, or a name is
 * malformed (see the counters); a record whose rdata content does not fit its
 * type keeps what could be read.
 */
export function parseNbns(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): NbnsMessage | null {
  const end = Math.min(off + Math.max(0, len), buf.length);
  if (off < 0 || end - off < 12) {
    errs?.count('nbns.truncated');
    return null;
  }
  const flags = u16(buf, off + 2);
  const msg: NbnsMessage = {
    id: u16(buf, off),
    opcode: (flags >> 11) & 15,
    isResponse: (flags & 0x8000) !== 0,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    broadcast: (flags & 0x0010) !== 0,
    rcode: flags & 15,
    questions: [],
    records: [],
  };
  const qd = u16(buf, off + 4);
  const counts = [u16(buf, off + 6), u16(buf, off + 8), u16(buf, off + 10)];
  let pos = off + 12;
  for (let i = 0; i < qd; i++) {
    const n = readNbnsName(buf, pos, off, end, errs);
    if (!n) return null;
    pos = n.next;
    if (pos + 4 > end) {
      errs?.count('nbns.truncated');
      return null;
    }
    msg.questions.push({ name: n.name, suffix: n.suffix, type: u16(buf, pos), scope: n.scope });
    pos += 4;
  }
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]!; i++) {
      const n = readNbnsName(buf, pos, off, end, errs);
      if (!n) return null;
      pos = n.next;
      if (pos + 10 > end) {
        errs?.count('nbns.truncated');
        return null;
      }
      const type = u16(buf, pos);
      const ttl = u32(buf, pos + 4);
      const rdlen = u16(buf, pos + 8);
      const rd = pos + 10;
      if (rd + rdlen > end) {
        errs?.count('nbns.truncated');
        return null;
      }
      const rec: NbnsRecord = { section: (s + 1) as 1 | 2 | 3, name: n.name, suffix: n.suffix, scope: n.scope, type, ttl, addresses: [], nbFlags: [] };
      rdata(buf, rd, rdlen, rec, msg.isResponse, errs);
      msg.records.push(rec);
      pos = rd + rdlen;
    }
  }
  return msg;
}

function rdata(buf: Uint8Array, rd: number, rdlen: number, rec: NbnsRecord, isResponse: boolean, errs?: ErrorCounter): void {
  if (rec.type === NB) {
    // A WACK carries 2 bytes of flags; a negative response may carry nothing.
    if (rdlen === 2 || rdlen === 0) return;
    if (rdlen % 6 !== 0) errs?.count('nbns.bad_rdlength');
    for (let p = rd; p + 6 <= rd + rdlen; p += 6) {
      rec.nbFlags.push(u16(buf, p));
      rec.addresses.push(u32(buf, p + 2));
    }
  } else if (rec.type === TYPE_A) {
    if (rdlen !== 4) {
      errs?.count('nbns.bad_rdlength');
      return;
    }
    rec.addresses.push(u32(buf, rd));
  } else if (rec.type === NBSTAT && isResponse) {
    const end = rd + rdlen;
    if (rdlen < 1) {
      errs?.count('nbns.bad_rdlength');
      return;
    }
    const count = buf[rd]!;
    const names: NbstatName[] = [];
    let p = rd + 1;
    for (let i = 0; i < count; i++) {
      if (p + 18 > end) {
        errs?.count('nbns.bad_rdlength');
        rec.names = names;
        return;
      }
      const flags = u16(buf, p + 16);
      names.push({ name: nameFromRaw(buf, p), suffix: buf[p + 15]!, group: (flags & 0x8000) !== 0, flags });
      p += 18;
    }
    rec.names = names;
    if (p + 6 <= end) rec.mac = hexColons(buf, p, p + 6);
  }
}

// ---------------------------------------------------------------------------
// Datagram service and browser announcements

const SERVER_TYPE_BITS: Array<[number, string]> = [
  [0x00000001, 'workstation'],
  [0x00000002, 'server'],
  [0x00000004, 'sql-server'],
  [0x00000008, 'domain-controller'],
  [0x00000010, 'backup-dc'],
  [0x00000020, 'time-source'],
  [0x00000040, 'apple'],
  [0x00000080, 'novell'],
  [0x00000100, 'domain-member'],
  [0x00000200, 'print-queue'],
  [0x00000400, 'dialin'],
  [0x00000800, 'xenix'],
  [0x00001000, 'nt-workstation'],
  [0x00002000, 'wfw'],
  [0x00008000, 'nt-server'],
  [0x00010000, 'potential-browser'],
  [0x00020000, 'backup-browser'],
  [0x00040000, 'master-browser'],
  [0x00080000, 'domain-master-browser'],
  [0x00100000, 'osf'],
  [0x00200000, 'vms'],
  [0x00400000, 'windows-95-plus'],
  [0x00800000, 'dfs'],
  [0x40000000, 'local-list'],
  [0x80000000, 'domain-enum'],
];

/** Names of the [MS-BRWS] / [MS-RAP] server type bits set in `t` (bits without a name are left out). */
export function serverTypeNames(t: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of SERVER_TYPE_BITS) if ((t & bit) >>> 0 !== 0) out.push(name);
  return out;
}

/** Up to the first NUL (or `end`), escaped. */
function cString(b: Uint8Array, start: number, end: number): string {
  let e = start;
  while (e < end && b[e] !== 0) e++;
  return escapeBytes(b, start, e);
}

const HOST_ANNOUNCEMENT = 0x01;
const DOMAIN_ANNOUNCEMENT = 0x0c;
const LOCAL_MASTER_ANNOUNCEMENT = 0x0f;
const BROWSER_FIXED = 32;

/**
 * A browser PDU (the data of the \MAILSLOT\BROWSE transaction) at buf[off, off + len).
 * Returns null for other browser commands (elections, backup lists...) without
 * counting, and for a short announcement (browser.truncated).
 */
export function parseBrowserAnnouncement(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): BrowserAnnouncement | null {
  const end = Math.min(off + Math.max(0, len), buf.length);
  if (off < 0 || off >= end) {
    errs?.count('browser.truncated');
    return null;
  }
  const command = buf[off]!;
  if (command !== HOST_ANNOUNCEMENT && command !== DOMAIN_ANNOUNCEMENT && command !== LOCAL_MASTER_ANNOUNCEMENT) return null;
  if (end - off < BROWSER_FIXED) {
    errs?.count('browser.truncated');
    return null;
  }
  const serverType = u32le(buf, off + 24);
  return {
    command,
    updateCount: buf[off + 1]!,
    periodicity: u32le(buf, off + 2),
    serverName: cString(buf, off + 6, off + 22),
    osMajor: buf[off + 22]!,
    osMinor: buf[off + 23]!,
    serverType,
    serverTypeNames: serverTypeNames(serverType),
    browserVersionMajor: buf[off + 28]!,
    browserVersionMinor: buf[off + 29]!,
    comment: cString(buf, off + BROWSER_FIXED, end),
  };
}

/** A datagram-service name: a 32-letter label, optional scope labels, no pointers. */
function readDgmName(buf: Uint8Array, pos: number, end: number, errs?: ErrorCounter): (NetbiosName & { next: number }) | null {
  if (pos >= end) {
    errs?.count('nbdgm.truncated');
    return null;
  }
  if (buf[pos] !== 32) {
    errs?.count('nbdgm.bad_name');
    return null;
  }
  if (pos + 33 > end) {
    errs?.count('nbdgm.truncated');
    return null;
  }
  if (!decodeInto(buf, pos + 1)) {
    errs?.count('nbdgm.bad_name');
    return null;
  }
  const out = { name: nameFromRaw(decoded, 0), suffix: decoded[15]!, next: 0 };
  let p = pos + 33;
  for (let guard = 0; ; guard++) {
    if (p >= end) {
      errs?.count('nbdgm.truncated');
      return null;
    }
    const l = buf[p]!;
    if (l === 0) break;
    if (l & 0xc0 || guard > 127) {
      errs?.count('nbdgm.bad_name');
      return null;
    }
    p += 1 + l;
  }
  out.next = p + 1;
  return out;
}

const SMB_HEADER = 32;
const SMB_COM_TRANSACTION = 0x25;

/**
 * Parses a NetBIOS datagram (UDP 138) at buf[off, off + len). For direct
 * unique / group and broadcast datagrams (0x10..0x12) the user data is
 * followed into an SMB Transaction; when its mailslot is \MAILSLOT\BROWSE
 * (case-insensitive) the browser announcement is parsed. Fragmented
 * datagrams (flags M or F not first) are not reassembled: only a first
 * fragment's announcement is read, if complete.
 */
export function parseNetbiosDatagram(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): NetbiosDatagram | null {
  const end = Math.min(off + Math.max(0, len), buf.length);
  if (off < 0 || end - off < 10) {
    errs?.count('nbdgm.truncated');
    return null;
  }
  const d: NetbiosDatagram = {
    msgType: buf[off]!,
    flags: buf[off + 1]!,
    id: u16(buf, off + 2),
    sourceIp: u32(buf, off + 4),
    sourcePort: u16(buf, off + 8),
    sourceName: null,
    destName: null,
    mailslot: null,
    browser: null,
  };
  const t = d.msgType;
  if (t === 0x13) return d; // error: one error code byte
  if (t >= 0x14 && t <= 0x16) {
    const dn = readDgmName(buf, off + 10, end, errs);
    if (!dn) return null;
    d.destName = { name: dn.name, suffix: dn.suffix };
    return d;
  }
  if (t < 0x10 || t > 0x12) return d;
  if (end - off < 14) {
    errs?.count('nbdgm.truncated');
    return null;
  }
  const dgmLength = u16(buf, off + 10);
  const packetOffset = u16(buf, off + 12);
  const sn = readDgmName(buf, off + 14, end, errs);
  if (!sn) return null;
  const dn = readDgmName(buf, sn.next, end, errs);
  if (!dn) return null;
  d.sourceName = { name: sn.name, suffix: sn.suffix };
  d.destName = { name: dn.name, suffix: dn.suffix };
  // Only the first fragment carries the start of the SMB message.
  if (packetOffset !== 0) return d;
  // dgm_length counts the bytes after the 14-byte header (names + user data).
  const dataEnd = Math.min(end, off + 14 + dgmLength);
  smbTransaction(buf, dn.next, dataEnd, d, errs);
  return d;
}

function smbTransaction(buf: Uint8Array, smb: number, end: number, d: NetbiosDatagram, errs?: ErrorCounter): void {
  if (smb + SMB_HEADER + 1 > end || buf[smb] !== 0xff || buf[smb + 1] !== 0x53 || buf[smb + 2] !== 0x4d || buf[smb + 3] !== 0x42) {
    errs?.count('nbdgm.bad_smb');
    return;
  }
  if (buf[smb + 4] !== SMB_COM_TRANSACTION) return;
  const wc = buf[smb + SMB_HEADER]!;
  const words = smb + SMB_HEADER + 1;
  // 14 fixed parameter words plus SetupCount setup words; then ByteCount.
  if (wc < 14 || words + 2 * wc + 2 > end) {
    errs?.count('nbdgm.bad_smb');
    return;
  }
  const dataCount = u16le(buf, words + 22);
  const dataOffset = u16le(buf, words + 24);
  const byteCount = u16le(buf, words + 2 * wc);
  const bytes = words + 2 * wc + 2;
  const bytesEnd = Math.min(end, bytes + byteCount);
  // The transaction name: ASCII (mailslots are never Unicode), NUL-terminated.
  let e = bytes;
  while (e < bytesEnd && buf[e] !== 0) e++;
  // Backslashes kept as is here (the name is a path); other bytes escaped as usual.
  d.mailslot = escapeBytes(buf, bytes, e).replace(/\\x5c/g, '\\');
  if (d.mailslot.toUpperCase() !== '\\MAILSLOT\\BROWSE') return;
  const data = smb + dataOffset;
  if (dataCount === 0 || data < bytes || data + dataCount > end) {
    errs?.count('nbdgm.bad_smb');
    return;
  }
  d.browser = parseBrowserAnnouncement(buf, data, dataCount, errs);
}

// ---------------------------------------------------------------------------
// Dissectors: NetBIOS name service (UDP 137) and datagram browser
// announcements (UDP 138).

/** Unique names with these suffixes are a machine's own name: 0x00 workstation, 0x20 file server. */
function isHostSuffix(suffix: number): boolean {
  return suffix === 0x00 || suffix === 0x20;
}

export const nbnsDissector: Dissector = {
  id: 'netbios-ns',
  app: { application: 'NetBIOS-NS', family: 'Name Services' },
  udpPorts: [137],
  dissect(buf, off, len, ctx) {
    const m = parseNbns(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    // Registrations and refreshes (requests) and positive query answers bind names to addresses.
    const binds = (!m.isResponse && (m.opcode === 5 || m.opcode === 8 || m.opcode === 9)) || (m.isResponse && m.rcode === 0 && m.opcode === 0);
    for (const r of m.records) {
      if (r.type === 0x20 && binds) {
        for (let i = 0; i < r.addresses.length && i < 8; i++) {
          const ip = r.addresses[i]!;
          const group = (r.nbFlags[i]! & 0x8000) !== 0;
          if (!group && isHostSuffix(r.suffix)) ctx.about4(ip, -1, 'hostname', r.name, { suffix: r.suffix });
          else if (group && r.suffix === 0x00) ctx.about4(ip, -1, 'workgroup', r.name, { suffix: r.suffix });
        }
      } else if (r.type === 0x21 && m.isResponse && r.names) {
        // Node status: the responder's own name table.
        for (const n of r.names.slice(0, 32)) {
          if (!n.group && isHostSuffix(n.suffix)) ctx.src('hostname', n.name, { suffix: n.suffix });
          else if (n.group && n.suffix === 0x00) ctx.src('workgroup', n.name);
        }
      }
    }
    return Verdict.Continue;
  },
};

export const browserDissector: Dissector = {
  id: 'netbios-dgm',
  app: { application: 'NetBIOS-DGM', family: 'Name Services' },
  udpPorts: [138],
  dissect(buf, off, len, ctx) {
    const d = parseNetbiosDatagram(buf, off, len, ctx);
    if (d === null) return Verdict.Malformed;
    const b = d.browser;
    if (b === null) return Verdict.Continue;
    if (b.command === 0x0c) {
      if (d.sourceIp !== 0) ctx.about4(d.sourceIp, -1, 'workgroup', b.serverName, { announcement: 'domain' }, 'browser');
      return Verdict.Continue;
    }
    if (d.sourceIp === 0) return Verdict.Continue;
    const ip = d.sourceIp;
    ctx.about4(ip, -1, 'hostname', b.serverName, { announcement: b.command === 1 ? 'host' : 'local-master' }, 'browser');
    ctx.about4(ip, -1, 'os_version', `${b.osMajor}.${b.osMinor}`, { major: b.osMajor, minor: b.osMinor, server_type: b.serverTypeNames.slice(0, 16) }, 'browser');
    if (d.destName !== null && (d.destName.suffix === 0x1d || d.destName.suffix === 0x1e || d.destName.suffix === 0x00)) {
      ctx.about4(ip, -1, 'workgroup', d.destName.name, { announcement: 'host' }, 'browser');
    }
    if (b.comment) ctx.about4(ip, -1, 'banner', b.comment, { field: 'comment' }, 'browser');
    return Verdict.Continue;
  },
};
