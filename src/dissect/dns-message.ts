/**
 * DNS message parser (RFC 1035 wire format), shared by DNS, mDNS (RFC 6762)
 * and LLMNR (RFC 4795), which all use the same message layout.
 *
 * The message is `buf[off, off + len)`. For DNS over TCP (and LLMNR over TCP)
 * every message is preceded by a 2-byte length: the caller strips it and
 * passes the message itself; this file does no TCP reassembly.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`, and
 * records decoded before a problem have already been delivered to the sink.
 *
 * Counters:
 *   dns.truncated        header, question or record fixed part runs past the end
 *   dns.bad_name         a label with the reserved 0x40 / 0x80 type bits
 *   dns.name_too_long    a name longer than 255 bytes on the wire
 *   dns.bad_pointer      a compression pointer past the end of the message
 *   dns.forward_pointer  a compression pointer to a later offset
 *   dns.pointer_loop     a pointer to itself or back into the name being read (or > 128 jumps)
 *   dns.bad_rdlength     rdata past the end of the message, or rdata whose
 *                        content does not fill it exactly (that record is skipped)
 *
 * Framing problems (header, names, fixed parts, rdlength past the end) stop
 * the parse and the function returns null; a problem inside one record's
 * rdata only skips that record.
 *
 * Names are lower-cased (ASCII), without the trailing dot, labels joined with
 * '.'; like dig, bytes <= 0x20 or >= 0x7f are written \DDD (decimal) and the
 * characters . \ " ( ) ; @ $ inside a label get a backslash. The root name is
 * the empty string.
 */
import { u16, u32 } from '../decode/bytes.js';
import { Verdict, type Dissector } from './types.js';
import { ip6ToString } from '../inventory/addr-format.js';

export const enum DnsType {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  OPT = 41,
  SVCB = 64,
  HTTPS = 65,
  ANY = 255,
}

export interface DnsHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/**
 * Record data as delivered to a sink. Every object (and every array in it) is
 * freshly allocated per record: the caller may keep it.
 *   A:             { kind: 'a', ip } address as an unsigned 32-bit number
 *   AAAA:          { kind: 'aaaa', words } four big-endian 32-bit words, a fresh plain array
 *   CNAME/PTR/NS:  { kind: 'name', name }
 *   TXT:           { kind: 'txt', strings } each character-string decoded as UTF-8
 *                  (invalid sequences become U+FFFD)
 *   SRV:           { kind: 'srv', priority, weight, port, target }
 *   anything else, and any record with empty rdata (RFC 2136 updates):
 *                  { kind: 'other', offset, length } rdata position in `buf`
 *                  (OPT included: its owner is '' , cls the UDP payload size,
 *                  ttl the extended rcode / version / flags)
 */
export type DnsRdata =
  | { kind: 'a'; ip: number }
  | { kind: 'aaaa'; words: [number, number, number, number] }
  | { kind: 'name'; name: string }
  | { kind: 'txt'; strings: string[] }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: string }
  | { kind: 'other'; offset: number; length: number };

export interface DnsRecordSink {
  /** One per question entry. `cls` is raw: mDNS puts the unicast-response bit in 0x8000. */
  question?(name: string, type: number, cls: number): void;
  /**
   * section: 1 answer, 2 authority, 3 additional. `cls` is raw (mDNS puts the
   * cache-flush bit in 0x8000); `ttl` is unsigned 32-bit. See DnsRdata for
   * the rdata shapes; records whose rdata is malformed are counted, not delivered.
   */
  record?(section: 1 | 2 | 3, name: string, type: number, cls: number, ttl: number, rdata: DnsRdata): void;
}

export interface ErrorCounter {
  count(reason: string): void;
}

const HEADER_LEN = 12;
const MAX_NAME_WIRE = 255;
const MAX_JUMPS = 128;

// ---------------------------------------------------------------------------
// Name decoding

const ERR_NONE = 0;
const ERR_TRUNCATED = 1;
const ERR_BAD_NAME = 2;
const ERR_TOO_LONG = 3;
const ERR_BAD_POINTER = 4;
const ERR_FORWARD_POINTER = 5;
const ERR_LOOP = 6;
const REASONS = ['', 'dns.truncated', 'dns.bad_name', 'dns.name_too_long', 'dns.bad_pointer', 'dns.forward_pointer', 'dns.pointer_loop'];

/** Output of decodeName (module state: JS is single-threaded and decodeName calls nothing outside). */
let nameOut = '';
let nameNext = 0;
/** Wire length of the decoded name (labels + length bytes + final zero), for the cache. */
let nameWire = 0;

/**
 * Characters of the name being built. A name has at most 255 wire bytes, so
 * at most 253 label bytes (4 characters each when escaped) plus dots.
 */
const chars = new Uint16Array(1280);

/**
 * Small per-message cache of names already decoded, keyed by the offset where
 * the name starts: answers usually point back at the question name, so each
 * owner name is then one string concatenation instead of a decode.
 * Entries carry the epoch of the parse that made them (a sink may start
 * another parse from inside a callback: its entries then simply miss).
 */
const CACHE_SIZE = 16;
const cacheOff = new Int32Array(CACHE_SIZE).fill(-1);
const cacheEpoch = new Float64Array(CACHE_SIZE);
const cacheWire = new Uint16Array(CACHE_SIZE);
const cacheName: string[] = new Array<string>(CACHE_SIZE).fill('');
let cacheNextSlot = 0;
let epochCounter = 0;

function cacheFind(epoch: number, off: number): number {
  if (epoch === 0) return -1;
  for (let i = 0; i < CACHE_SIZE; i++) if (cacheOff[i] === off && cacheEpoch[i] === epoch) return i;
  return -1;
}

function cachePut(epoch: number, off: number, name: string, wire: number): void {
  if (epoch === 0 || cacheFind(epoch, off) >= 0) return;
  const i = cacheNextSlot;
  cacheNextSlot = (cacheNextSlot + 1) % CACHE_SIZE;
  cacheOff[i] = off;
  cacheEpoch[i] = epoch;
  cacheWire[i] = wire;
  cacheName[i] = name;
}

function charsToString(n: number): string {
  return String.fromCharCode.apply(null, chars.subarray(0, n) as unknown as number[]);
}

/**
 * Decodes the name at `off`. Returns ERR_NONE and sets nameOut / nameNext /
 * nameWire, or an error code. `epoch` is non-zero when called from a message
 * parse (enables the cache).
 *
 * Pointer rules: a pointer's target (msgStart + 14-bit offset) must lie inside
 * the message, before the pointer itself (else forward_pointer, or
 * pointer_loop for a pointer to itself) and before everything this name has
 * read so far (else pointer_loop: it would re-read bytes of this same name). Each jump therefore goes strictly backwards, so
 * loops are impossible; MAX_JUMPS is a second bound.
 */
function decodeName(buf: Uint8Array, off: number, msgStart: number, msgEnd: number, epoch: number): number {
  let pos = off;
  /** Lowest offset read so far: a pointer must go below it. */
  let floor = off;
  let jumps = 0;
  let next = -1;
  let wire = 0;
  let n = 0;
  let suffix: string | null = null;
  if (off < msgStart || off >= msgEnd) return ERR_TRUNCATED;
  for (;;) {
    if (pos >= msgEnd) return ERR_TRUNCATED;
    const b = buf[pos]!;
    if (b === 0) {
      wire += 1;
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= msgEnd) return ERR_TRUNCATED;
      const target = msgStart + (((b & 0x3f) << 8) | buf[pos + 1]!);
      if (next < 0) next = pos + 2;
      if (target >= msgEnd) return ERR_BAD_POINTER;
      if (target === pos) return ERR_LOOP;
      if (target > pos) return ERR_FORWARD_POINTER;
      if (target >= floor || ++jumps > MAX_JUMPS) return ERR_LOOP;
      const ci = cacheFind(epoch, target);
      if (ci >= 0) {
        wire += cacheWire[ci]!;
        if (wire > MAX_NAME_WIRE) return ERR_TOO_LONG;
        suffix = cacheName[ci]!;
        break;
      }
      pos = target;
      floor = target;
      continue;
    }
    if (kind !== 0) return ERR_BAD_NAME;
    // b is the label length, 1..63
    if (pos + 1 + b > msgEnd) return ERR_TRUNCATED;
    wire += 1 + b;
    if (wire + 1 > MAX_NAME_WIRE) return ERR_TOO_LONG;
    if (n > 0) chars[n++] = 0x2e; // '.'
    for (let i = pos + 1, end = pos + 1 + b; i < end; i++) {
      let c = buf[i]!;
      if (c <= 0x20 || c >= 0x7f) {
        chars[n++] = 0x5c; // '\'
        chars[n++] = 0x30 + ((c / 100) | 0);
        chars[n++] = 0x30 + (((c / 10) | 0) % 10);
        chars[n++] = 0x30 + (c % 10);
        continue;
      }
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      // . \ " ( ) ; @ $  (dig escapes these with a backslash)
      else if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) chars[n++] = 0x5c;
      chars[n++] = c;
    }
    pos += 1 + b;
  }
  const head = n > 0 ? charsToString(n) : '';
  nameOut = suffix === null ? head : head === '' ? suffix : suffix === '' ? head : head + '.' + suffix;
  nameNext = next;
  nameWire = wire;
  return ERR_NONE;
}

/**
 * Reads the (possibly compressed) name at `off` of the message
 * `buf[msgStart, msgEnd)`. `next` is the offset just after the name where it
 * starts (after the first pointer when compressed). Returns null when the
 * name is malformed; the reason is counted in `errs` when given. At most 128
 * pointer jumps, each strictly backwards; names at most 255 bytes on the wire.
 */
export function readName(
  buf: Uint8Array,
  off: number,
  msgStart: number,
  msgEnd: number,
  errs?: ErrorCounter,
): { name: string; next: number } | null {
  const end = Math.min(msgEnd, buf.length);
  if (!(msgStart >= 0 && off >= msgStart)) {
    errs?.count('dns.truncated');
    return null;
  }
  const e = decodeName(buf, off, msgStart, end, 0);
  if (e !== ERR_NONE) {
    errs?.count(REASONS[e]!);
    return null;
  }
  return { name: nameOut, next: nameNext };
}

// ---------------------------------------------------------------------------
// Messages

const utf8 = new TextDecoder('utf-8');

/**
 * Parses one DNS message in `buf[off, off + len)` and reports each question
 * and record to `sink` as it is read. Returns the header, or null when the
 * message is too short or its framing is malformed (the reason counted in
 * `errs`); records parsed before the problem have been delivered.
 */
export function parseDnsMessage(buf: Uint8Array, off: number, len: number, sink: DnsRecordSink, errs?: ErrorCounter): DnsHeader | null {
  const start = off;
  const end = Math.min(off + Math.max(len, 0), buf.length);
  if (start < 0 || end - start < HEADER_LEN) {
    errs?.count('dns.truncated');
    return null;
  }
  const flags = u16(buf, start + 2);
  const hdr: DnsHeader = {
    id: u16(buf, start),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    qdcount: u16(buf, start + 4),
    ancount: u16(buf, start + 6),
    nscount: u16(buf, start + 8),
    arcount: u16(buf, start + 10),
  };
  const epoch = ++epochCounter;
  if (epochCounter >= 2 ** 52) epochCounter = 0;
  const wantQ = sink.question !== undefined;
  const wantR = sink.record !== undefined;
  let pos = start + HEADER_LEN;

  for (let i = 0; i < hdr.qdcount; i++) {
    const nameAt = pos;
    const e = decodeName(buf, pos, start, end, epoch);
    if (e !== ERR_NONE) return fail(errs, REASONS[e]!);
    const name = nameOut;
    cachePut(epoch, nameAt, name, nameWire);
    pos = nameNext;
    if (pos + 4 > end) return fail(errs, 'dns.truncated');
    if (wantQ) sink.question!(name, u16(buf, pos), u16(buf, pos + 2));
    pos += 4;
  }

  const total = hdr.ancount + hdr.nscount + hdr.arcount;
  for (let i = 0; i < total; i++) {
    const section: 1 | 2 | 3 = i < hdr.ancount ? 1 : i < hdr.ancount + hdr.nscount ? 2 : 3;
    const nameAt = pos;
    const e = decodeName(buf, pos, start, end, epoch);
    if (e !== ERR_NONE) return fail(errs, REASONS[e]!);
    const name = nameOut;
    cachePut(epoch, nameAt, name, nameWire);
    pos = nameNext;
    if (pos + 10 > end) return fail(errs, 'dns.truncated');
    const type = u16(buf, pos);
    const cls = u16(buf, pos + 2);
    const ttl = u32(buf, pos + 4);
    const rdlen = u16(buf, pos + 8);
    const rd = pos + 10;
    const rdEnd = rd + rdlen;
    if (rdEnd > end) return fail(errs, 'dns.bad_rdlength');
    pos = rdEnd;
    if (!wantR) continue;
    const rdata = decodeRdata(buf, type, rd, rdEnd, start, end, epoch, errs);
    if (rdata !== null) sink.record!(section, name, type, cls, ttl, rdata);
  }
  return hdr;
}

function fail(errs: ErrorCounter | undefined, reason: string): null {
  errs?.count(reason);
  return null;
}

/** Decodes one record's rdata, or counts the problem and returns null. */
function decodeRdata(buf: Uint8Array, type: number, rd: number, rdEnd: number, start: number, end: number, epoch: number, errs: ErrorCounter | undefined): DnsRdata | null {
  const rdlen = rdEnd - rd;
  // Empty rdata is legitimate in dynamic updates (RFC 2136 deletes and
  // prerequisites, class ANY / NONE) and in some mDNS probes: no error.
  if (rdlen === 0) return { kind: 'other', offset: rd, length: 0 };
  switch (type) {
    case DnsType.A:
      if (rdlen !== 4) return fail(errs, 'dns.bad_rdlength');
      return { kind: 'a', ip: u32(buf, rd) };
    case DnsType.AAAA:
      if (rdlen !== 16) return fail(errs, 'dns.bad_rdlength');
      return { kind: 'aaaa', words: [u32(buf, rd), u32(buf, rd + 4), u32(buf, rd + 8), u32(buf, rd + 12)] };
    case DnsType.CNAME:
    case DnsType.PTR:
    case DnsType.NS: {
      const target = rdataName(buf, rd, rdEnd, start, end, epoch, errs);
      return target === null ? null : { kind: 'name', name: target };
    }
    case DnsType.SRV: {
      if (rdlen < 7) return fail(errs, 'dns.bad_rdlength');
      const target = rdataName(buf, rd + 6, rdEnd, start, end, epoch, errs);
      if (target === null) return null;
      return { kind: 'srv', priority: u16(buf, rd), weight: u16(buf, rd + 2), port: u16(buf, rd + 4), target };
    }
    case DnsType.TXT: {
      const strings: string[] = [];
      let p = rd;
      while (p < rdEnd) {
        const l = buf[p]!;
        if (p + 1 + l > rdEnd) return fail(errs, 'dns.bad_rdlength');
        strings.push(l === 0 ? '' : utf8.decode(buf.subarray(p + 1, p + 1 + l)));
        p += 1 + l;
      }
      return { kind: 'txt', strings };
    }
    default:
      return { kind: 'other', offset: rd, length: rdlen };
  }
}

/** A name that must fill the rdata exactly (pointers may still go anywhere earlier in the message). */
function rdataName(buf: Uint8Array, at: number, rdEnd: number, start: number, end: number, epoch: number, errs: ErrorCounter | undefined): string | null {
  // Pointers may target the whole message; the inline part must end exactly
  // at the end of the rdata (checked through nameNext).
  const e = decodeName(buf, at, start, end, epoch);
  if (e !== ERR_NONE) return fail(errs, REASONS[e]!);
  if (nameNext !== rdEnd) return fail(errs, 'dns.bad_rdlength');
  const name = nameOut;
  cachePut(epoch, at, name, nameWire);
  return name;
}

// ---------------------------------------------------------------------------
// Address map for the engine

export interface DnsAnswerAddresses {
  /** The question name (or, with no question leading to them, the owner of the addresses). */
  name: string;
  /** The CNAME chain after `name`, in order, ending with the owner of the addresses when different. */
  aliases: string[];
  v4: number[];
  v6: [number, number, number, number][];
}

const MAX_CHAIN = 16;

/**
 * The names (question name and CNAME targets) that lead to each A/AAAA
 * address in the answer section, following CNAME chains (at most 16 steps,
 * loops stop) from each question name. Class IN only (the mDNS cache-flush
 * bit is ignored). Addresses whose owner no question leads to (mDNS answers
 * have no question) get their own entry, with as aliases the names that
 * CNAME to that owner. Only entries with at least one address are returned.
 *
 * Returns null when the message has no readable header; after a later
 * framing problem the result covers the records read before it.
 */
export function answerAddresses(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): DnsAnswerAddresses[] | null {
  const questions: string[] = [];
  const cname = new Map<string, string>();
  const v4 = new Map<string, number[]>();
  const v6 = new Map<string, [number, number, number, number][]>();
  const hdr = parseDnsMessage(
    buf,
    off,
    len,
    {
      question(name) {
        if (!questions.includes(name)) questions.push(name);
      },
      record(section, name, type, cls, _ttl, rd) {
        if (section !== 1 || (cls & 0x7fff) !== 1) return;
        if (rd.kind === 'name' && type === DnsType.CNAME) {
          if (!cname.has(name)) cname.set(name, rd.name);
        } else if (rd.kind === 'a') {
          const l = v4.get(name);
          if (l === undefined) v4.set(name, [rd.ip]);
          else if (!l.includes(rd.ip)) l.push(rd.ip);
        } else if (rd.kind === 'aaaa') {
          const l = v6.get(name);
          const w = rd.words;
          if (l === undefined) v6.set(name, [w]);
          else if (!l.some((x) => x[0] === w[0] && x[1] === w[1] && x[2] === w[2] && x[3] === w[3])) l.push(w);
        }
      },
    },
    errs,
  );
  if (hdr === null && !(off >= 0 && Math.min(off + len, buf.length) - off >= HEADER_LEN)) return null;

  const out: DnsAnswerAddresses[] = [];
  const reached = new Set<string>();
  const collect = (name: string, aliases: string[], chain: string[]) => {
    const e: DnsAnswerAddresses = { name, aliases, v4: [], v6: [] };
    for (const n of chain) {
      for (const a of v4.get(n) ?? []) if (!e.v4.includes(a)) e.v4.push(a);
      for (const a of v6.get(n) ?? []) if (!e.v6.some((x) => x[0] === a[0] && x[1] === a[1] && x[2] === a[2] && x[3] === a[3])) e.v6.push(a);
    }
    if (e.v4.length > 0 || e.v6.length > 0) out.push(e);
  };

  for (const q of questions) {
    const chain = [q];
    let cur = q;
    for (let step = 0; step < MAX_CHAIN; step++) {
      const t = cname.get(cur);
      if (t === undefined || chain.includes(t)) break;
      chain.push(t);
      cur = t;
    }
    for (const n of chain) reached.add(n);
    collect(q, chain.slice(1), chain);
  }

  const owners = new Set<string>([...v4.keys(), ...v6.keys()]);
  for (const owner of owners) {
    if (reached.has(owner)) continue;
    // Names leading to this owner through CNAMEs, nearest first.
    const aliases: string[] = [];
    let frontier = [owner];
    for (let step = 0; step < MAX_CHAIN && frontier.length > 0; step++) {
      const nextFrontier: string[] = [];
      for (const [from, to] of cname) {
        if (frontier.includes(to) && from !== owner && !aliases.includes(from)) {
          aliases.push(from);
          nextFrontier.push(from);
        }
      }
      frontier = nextFrontier;
    }
    collect(owner, aliases, [owner]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Dissector: names of addresses from DNS answers (SPEC §4: DNS PTR answers).

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4"; nibble-form ip6.arpa → IPv6 text; else null. */
export function arpaToIp(name: string): string | null {
  const n = name.toLowerCase();
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -13).split('.');
    if (parts.length !== 4) return null;
    const out: number[] = [];
    for (let i = 3; i >= 0; i--) {
      const p = parts[i]!;
      if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
      out.push(Number(p));
    }
    return out.join('.');
  }
  if (n.endsWith('.ip6.arpa')) {
    const nib = n.slice(0, -9).split('.');
    if (nib.length !== 32 || nib.some((x) => !/^[0-9a-f]$/.test(x))) return null;
    const w = [0, 0, 0, 0];
    for (let i = 0; i < 32; i++) {
      const d = parseInt(nib[31 - i]!, 16);
      w[i >> 3] = ((w[i >> 3]! << 4) | d) >>> 0;
    }
    return ip6ToString(w);
  }
  return null;
}

/** Offset after the (possibly compressed) name at `p`, without decoding it; -1 when malformed. */
function skipName(b: Uint8Array, p: number, end: number): number {
  for (let n = 0; n < 128 && p < end; n++) {
    const c = b[p]!;
    if (c === 0) return p + 1;
    if ((c & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if (c & 0xc0) return -1;
    p += 1 + c;
  }
  return -1;
}

const MAX_ANSWERS = 64;

/**
 * Reads answers only: a PTR answer names the address in its owner; A/AAAA
 * answers name their addresses (forward names of internal servers). Names
 * are decoded only for answers about addresses the inventory keeps (most
 * answers name external servers). Over TCP a message is preceded by its
 * 2-byte length; a cut message asks for more.
 */
export const dnsDissector: Dissector = {
  id: 'dns',
  app: { application: 'DNS', family: 'Name Services' },
  tcpPorts: [53],
  udpPorts: [53],
  maxStream: 8192,
  dissect(buf, off, len, ctx) {
    let o = off;
    let n = len;
    const tcp = ctx.view.proto === 6;
    if (tcp) {
      if (len < 2) return Verdict.More;
      const m = (buf[off]! << 8) | buf[off + 1]!;
      if (m < 12) return Verdict.Malformed;
      if (m + 2 > len) return len >= 8192 ? Verdict.Done : Verdict.More;
      o += 2;
      n = m;
    }
    const end = Math.min(o + n, buf.length);
    if (end - o < 12) return Verdict.Malformed;
    const done = tcp ? Verdict.Done : Verdict.Continue;
    if ((buf[o + 2]! & 0x80) === 0) return done; // a query
    if (((buf[o + 2]! >> 3) & 0xf) !== 0) return done; // not a standard query's answer
    const qd = u16(buf, o + 4);
    const an = u16(buf, o + 6);
    let p = o + 12;
    for (let i = 0; i < qd; i++) {
      p = skipName(buf, p, end);
      if (p < 0 || p + 4 > end) {
        ctx.count('dns.truncated');
        return Verdict.Malformed;
      }
      p += 4;
    }
    for (let i = 0; i < an && i < MAX_ANSWERS; i++) {
      const owner = p;
      p = skipName(buf, p, end);
      if (p < 0 || p + 10 > end) {
        ctx.count('dns.truncated');
        return Verdict.Malformed;
      }
      const type = u16(buf, p);
      const cls = u16(buf, p + 2) & 0x7fff;
      const rdlen = u16(buf, p + 8);
      const rd = p + 10;
      p = rd + rdlen;
      if (p > end) {
        ctx.count('dns.truncated');
        return Verdict.Malformed;
      }
      if (cls !== 1) continue;
      if (type === DnsType.A && rdlen === 4) {
        const ip = u32(buf, rd);
        if (!ctx.wants4(ip)) continue;
        const name = readName(buf, owner, o, end, ctx);
        if (name !== null && name.name) ctx.about4(ip, -1, 'hostname', name.name, { record: 'A' });
      } else if (type === DnsType.AAAA && rdlen === 16) {
        const w = [u32(buf, rd), u32(buf, rd + 4), u32(buf, rd + 8), u32(buf, rd + 12)];
        const name = readName(buf, owner, o, end, ctx);
        if (name !== null && name.name) {
          if (ctx.about6 !== undefined) ctx.about6(w, -1, 'hostname', name.name, { record: 'AAAA' });
          else ctx.about(ip6ToString(w), -1, 'hostname', name.name, { record: 'AAAA' });
        }
      } else if (type === DnsType.PTR) {
        const ownerName = readName(buf, owner, o, end, ctx);
        const ip = ownerName !== null ? arpaToIp(ownerName.name) : null;
        if (ip === null) continue;
        const target = readName(buf, rd, o, end, ctx);
        if (target !== null && target.name) ctx.about(ip, -1, 'hostname', target.name, { record: 'PTR' });
      }
    }
    return done;
  },
};
