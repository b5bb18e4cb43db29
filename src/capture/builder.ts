/**
 * Packet builder: composable, explicit constructors for link, network,
 * transport and tunnel headers with correct lengths and checksums.
 *
 * Layers are built inside-out: each function takes its payload and returns a
 * new Buffer holding header + payload. Transport checksums need the IP
 * pseudo-header; two ways to get them right:
 *  - pass `src`/`dst` to tcp()/udp()/icmpv6(): the checksum is computed at once;
 *  - or leave them out: the checksum field stays 0 and ipv4()/ipv6() fill it
 *    from their own addresses (only when the field is still 0, the packet is
 *    not a fragment, and `l4Checksum` is not false). A checksum given
 *    explicitly (e.g. a deliberately wrong one) is never overwritten.
 *
 * Higher level: tcpPacket()/udpPacket()/ipPacket() build whole frames,
 * tcpSession() a whole conversation, patchTuple() rewrites addresses and ports
 * of a prebuilt frame in place with incremental checksum updates.
 */
import { LINKTYPE } from './writer.js';

export { LINKTYPE };

/** 'aa:bb:cc:dd:ee:ff' (also '-' separated), or 6 raw bytes. */
export type Mac = string | Uint8Array;
/** Dotted IPv4, RFC 4291 IPv6 text, or 4/16 raw bytes. */
export type Ip = string | Uint8Array;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  LLDP: 0x88cc,
  TEB: 0x6558, // transparent Ethernet bridging (Ethernet over GRE)
  ERSPAN2: 0x88be, // also ERSPAN type I
  ERSPAN3: 0x22eb,
  PROFINET: 0x8892,
} as const;

export const IPPROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  SCTP: 132,
} as const;

/** BSD loopback address families. */
export const AF = { INET: 2, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;

// ---------------------------------------------------------------------------
// addresses

/** Parses a MAC address into 6 bytes. */
export function parseMac(m: Mac): Uint8Array {
  if (typeof m !== 'string') {
    if (m.length !== 6) throw new RangeError(`MAC must be 6 bytes, got ${m.length}`);
    return m;
  }
  const parts = m.split(/[:-]/);
  if (parts.length !== 6) throw new RangeError(`bad MAC address '${m}'`);
  const b = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new RangeError(`bad MAC address '${m}'`);
    b[i] = parseInt(p, 16);
  }
  return b;
}

export function formatMac(b: Uint8Array, off = 0): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[off + i]!.toString(16).padStart(2, '0');
  return s;
}

/** Parses dotted-quad IPv4 into 4 bytes. */
export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.');
  if (parts.length !== 4) throw new RangeError(`bad IPv4 address '${s}'`);
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new RangeError(`bad IPv4 address '${s}'`);
    b[i] = Number(p);
  }
  return b;
}

/** Parses IPv6 text (with '::' and an embedded dotted IPv4 tail) into 16 bytes. */
export function parseIpv6(s: string): Uint8Array {
  const bad = (): never => {
    throw new RangeError(`bad IPv6 address '${s}'`);
  };
  let str = s;
  const pct = str.indexOf('%');
  if (pct >= 0) str = str.slice(0, pct);
  const words: number[] = [];
  const parseGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) bad();
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const dbl = str.indexOf('::');
  if (dbl >= 0) {
    if (str.indexOf('::', dbl + 1) >= 0) bad();
    const head = parseGroups(str.slice(0, dbl));
    const tail = parseGroups(str.slice(dbl + 2));
    if (head.length + tail.length > 7) bad();
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    words.push(...parseGroups(str));
    if (words.length !== 8) bad();
  }
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[2 * i] = words[i]! >> 8;
    b[2 * i + 1] = words[i]! & 0xff;
  }
  return b;
}

/** Parses an IPv4 or IPv6 address (IPv6 when it contains ':'). */
export function parseIp(a: Ip): Uint8Array {
  if (typeof a !== 'string') {
    if (a.length !== 4 && a.length !== 16) throw new RangeError(`IP must be 4 or 16 bytes, got ${a.length}`);
    return a;
  }
  return a.includes(':') ? parseIpv6(a) : parseIpv4(a);
}

export function isIpv6(a: Ip): boolean {
  return typeof a === 'string' ? a.includes(':') : a.length === 16;
}

const ipCache = new Map<string, Uint8Array>();
const macCache = new Map<string, Uint8Array>();
const CACHE_MAX = 65536;

/** Cached parse for internal use (the result must not be mutated). */
function ipBytes(a: Ip, want?: 4 | 16): Uint8Array {
  let b: Uint8Array | undefined;
  if (typeof a !== 'string') b = parseIp(a);
  else {
    b = ipCache.get(a);
    if (b === undefined) {
      b = parseIp(a);
      if (ipCache.size >= CACHE_MAX) ipCache.clear();
      ipCache.set(a, b);
    }
  }
  if (want !== undefined && b.length !== want) throw new RangeError(`expected an IPv${want === 4 ? 4 : 6} address, got '${typeof a === 'string' ? a : `${a.length} bytes`}'`);
  return b;
}

function macBytes(m: Mac): Uint8Array {
  if (typeof m !== 'string') return parseMac(m);
  let b = macCache.get(m);
  if (b === undefined) {
    b = parseMac(m);
    if (macCache.size >= CACHE_MAX) macCache.clear();
    macCache.set(m, b);
  }
  return b;
}

/** Zero-filled buffer from Node's pool (much cheaper than Buffer.alloc for small packets). */
function alloc(n: number): Buffer {
  return Buffer.allocUnsafe(n).fill(0);
}

function asBytes(d: Uint8Array | string | undefined): Uint8Array {
  if (d === undefined) return EMPTY;
  return typeof d === 'string' ? Buffer.from(d, 'utf8') : d;
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------
// checksums

/** Sum of big-endian 16-bit words (odd tail padded with a zero byte), not folded. */
export function sum16(b: Uint8Array, off = 0, len = b.length - off, acc = 0): number {
  let s = acc;
  const end = off + len - 1;
  let i = off;
  for (; i < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i === end) s += b[i]! << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

/** RFC 1071 Internet checksum of b[off, off+len) (plus an unfolded initial sum). */
export function internetChecksum(b: Uint8Array, off = 0, len = b.length - off, initial = 0): number {
  return ~fold(sum16(b, off, len, initial)) & 0xffff;
}

/** Unfolded sum of the IPv4/IPv6 pseudo-header. */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, proto: number, l4Len: number): number {
  let s = sum16(src) + sum16(dst) + proto;
  if (src.length === 16) s += Math.floor(l4Len / 65536) + (l4Len & 0xffff);
  else s += l4Len;
  return s;
}

/** Offset of the Internet checksum inside a transport header, or -1. */
function l4ChecksumOffset(proto: number): number {
  switch (proto) {
    case IPPROTO.TCP:
      return 16;
    case IPPROTO.UDP:
      return 6;
    case IPPROTO.ICMPV6:
      return 2;
    case IPPROTO.ICMP:
      return 2;
    default:
      return -1;
  }
}

/**
 * Computes the transport checksum of `l4` (TCP, UDP, ICMPv6 with the
 * pseudo-header; ICMPv4 without; SCTP CRC32c) and stores it in place.
 * With `onlyIfZero`, a non-zero checksum field is left alone.
 */
export function setL4Checksum(proto: number, l4: Uint8Array, src: Uint8Array, dst: Uint8Array, onlyIfZero = false): void {
  if (proto === IPPROTO.SCTP) {
    if (l4.length < 12) return;
    const dv = new DataView(l4.buffer, l4.byteOffset, l4.byteLength);
    if (onlyIfZero && dv.getUint32(8) !== 0) return;
    dv.setUint32(8, 0);
    dv.setUint32(8, crc32c(l4), true); // CRC32c is stored little-endian-first as bytes (RFC 4960 B)
    return;
  }
  const off = l4ChecksumOffset(proto);
  if (off < 0 || l4.length < off + 2) return;
  if (onlyIfZero && (l4[off]! | l4[off + 1]!) !== 0) return;
  l4[off] = 0;
  l4[off + 1] = 0;
  const initial = proto === IPPROTO.ICMP ? 0 : pseudoHeaderSum(src, dst, proto, l4.length);
  let c = internetChecksum(l4, 0, l4.length, initial);
  if (proto === IPPROTO.UDP && c === 0) c = 0xffff;
  l4[off] = c >> 8;
  l4[off + 1] = c & 0xff;
}

let crcTable: Uint32Array | null = null;
/** CRC32c (Castagnoli), as used by SCTP. */
export function crc32c(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < b.length; i++) crc = crcTable[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------
// small helpers

function concat(...parts: Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = alloc(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
function u32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
function rd16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Guesses the EtherType of a network-layer payload from its version nibble. */
function inferEtherType(payload: Uint8Array, what: string): number {
  const v = payload.length ? payload[0]! >> 4 : -1;
  if (v === 4) return ETHERTYPE.IPV4;
  if (v === 6) return ETHERTYPE.IPV6;
  throw new Error(`${what}: cannot infer the EtherType/protocol of the payload; pass it explicitly`);
}

// ---------------------------------------------------------------------------
// link layers

/** A VLAN tag: a VLAN id, or the full TCI with an explicit TPID. */
export type VlanTag = number | { id: number; pcp?: number; dei?: boolean; tpid?: number };

export interface EthernetOptions {
  src: Mac;
  dst: Mac;
  /** 802.1Q tags, outermost first. With two or more, the outer tag uses TPID 0x88a8 (QinQ). */
  vlans?: VlanTag[];
  /** Defaults to IPv4/IPv6 from the payload's version nibble. */
  etherType?: number;
  payload: Uint8Array;
  /** Pad the frame to the 60-byte Ethernet minimum (as seen on received frames). */
  padTo60?: boolean;
}

function vlanBytes(vlans: VlanTag[] | undefined): Uint8Array {
  if (!vlans || vlans.length === 0) return EMPTY;
  const b = new Uint8Array(4 * vlans.length);
  vlans.forEach((t, i) => {
    const tag = typeof t === 'number' ? { id: t } : t;
    const tpid = tag.tpid ?? (vlans.length >= 2 && i === 0 ? ETHERTYPE.QINQ : ETHERTYPE.VLAN);
    if (tag.id < 0 || tag.id > 4095) throw new RangeError(`VLAN id out of range: ${tag.id}`);
    u16(b, 4 * i, tpid);
    u16(b, 4 * i + 2, ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | tag.id);
  });
  return b;
}

/** Ethernet II frame, optionally 802.1Q / QinQ tagged. */
export function ethernet(o: EthernetOptions): Buffer {
  const tags = vlanBytes(o.vlans);
  const et = o.etherType ?? inferEtherType(o.payload, 'ethernet');
  const hdrLen = 14 + tags.length;
  const len = Math.max(hdrLen + o.payload.length, o.padTo60 ? 60 : 0);
  const b = alloc(len);
  b.set(macBytes(o.dst), 0);
  b.set(macBytes(o.src), 6);
  b.set(tags, 12);
  u16(b, 12 + tags.length, et);
  b.set(o.payload, hdrLen);
  return b;
}

export interface LlcOptions {
  src: Mac;
  dst: Mac;
  vlans?: VlanTag[];
  /** LLC DSAP/SSAP/control; default 0xaa/0xaa/0x03 (SNAP) when oui/pid are given, else required. */
  dsap?: number;
  ssap?: number;
  control?: number;
  /** SNAP organisation code (e.g. 0x00000c Cisco) and protocol id (e.g. 0x2000 CDP). */
  oui?: number;
  pid?: number;
  payload: Uint8Array;
  padTo60?: boolean;
}

/** IEEE 802.3 frame with an 802.2 LLC header, and a SNAP header when oui/pid are given. */
export function llcSnap(o: LlcOptions): Buffer {
  const snap = o.oui !== undefined || o.pid !== undefined;
  const llc = new Uint8Array(snap ? 8 : 3);
  llc[0] = o.dsap ?? (snap ? 0xaa : 0x42);
  llc[1] = o.ssap ?? (snap ? 0xaa : 0x42);
  llc[2] = o.control ?? 0x03;
  if (snap) {
    const oui = o.oui ?? 0;
    llc[3] = (oui >> 16) & 0xff;
    llc[4] = (oui >> 8) & 0xff;
    llc[5] = oui & 0xff;
    u16(llc, 6, o.pid ?? 0);
  }
  const body = concat(llc, o.payload);
  if (body.length > 1500) throw new RangeError('802.3 length field cannot exceed 1500');
  return ethernet({ src: o.src, dst: o.dst, vlans: o.vlans, etherType: body.length, payload: body, padTo60: o.padTo60 });
}

export interface SllOptions {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us (outgoing). */
  packetType?: number;
  /** ARPHRD_* (1 = Ethernet). */
  arphrdType?: number;
  /** Link-layer address (up to 8 bytes). */
  addr?: Mac;
  /** EtherType; inferred from the payload for IP. */
  protocol?: number;
  payload: Uint8Array;
}

function sllAddr(a: Mac | undefined): Uint8Array {
  if (a === undefined) return new Uint8Array(6);
  if (typeof a === 'string') return macBytes(a);
  if (a.length > 8) throw new RangeError('SLL address is at most 8 bytes');
  return a;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL = 113), 16-byte header. */
export function sll(o: SllOptions): Buffer {
  const addr = sllAddr(o.addr);
  const b = alloc(16 + o.payload.length);
  u16(b, 0, o.packetType ?? 0);
  u16(b, 2, o.arphrdType ?? 1);
  u16(b, 4, addr.length);
  b.set(addr, 6);
  u16(b, 14, o.protocol ?? inferEtherType(o.payload, 'sll'));
  b.set(o.payload, 16);
  return b;
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 = 276), 20-byte header. */
export function sll2(o: SllOptions & { ifIndex?: number }): Buffer {
  const addr = sllAddr(o.addr);
  const b = alloc(20 + o.payload.length);
  u16(b, 0, o.protocol ?? inferEtherType(o.payload, 'sll2'));
  // 2..3 reserved
  u32(b, 4, o.ifIndex ?? 1);
  u16(b, 8, o.arphrdType ?? 1);
  b[10] = o.packetType ?? 0;
  b[11] = addr.length;
  b.set(addr, 12);
  b.set(o.payload, 20);
  return b;
}

/**
 * BSD loopback header (LINKTYPE_NULL = 0: family in the capturing host's byte
 * order, little endian by default; LINKTYPE_LOOP = 108: use bigEndian).
 * Family defaults to 2 for IPv4 and 30 (Darwin) for IPv6; BSDs use 24 or 28.
 */
export function bsdNull(o: { family?: number; payload: Uint8Array; bigEndian?: boolean }): Buffer {
  const fam = o.family ?? (inferEtherType(o.payload, 'bsdNull') === ETHERTYPE.IPV4 ? AF.INET : AF.INET6_DARWIN);
  const b = alloc(4 + o.payload.length);
  if (o.bigEndian) b.writeUInt32BE(fam, 0);
  else b.writeUInt32LE(fam, 0);
  b.set(o.payload, 4);
  return b;
}

export interface LinkOptions {
  /** LINKTYPE_* (default Ethernet). */
  link?: number;
  srcMac?: Mac;
  dstMac?: Mac;
  vlans?: VlanTag[];
  /** SLL/SLL2 packet type (default 0 = to us). */
  packetType?: number;
  padTo60?: boolean;
}

export const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
export const DEFAULT_DST_MAC = '02:00:00:00:00:02';

/** Wraps a network-layer packet (IPv4/IPv6, or anything with an explicit etherType) in the given link layer. */
export function linkFrame(payload: Uint8Array, o: LinkOptions & { etherType?: number } = {}): Buffer {
  const link = o.link ?? LINKTYPE.ETHERNET;
  switch (link) {
    case LINKTYPE.ETHERNET:
      return ethernet({
        src: o.srcMac ?? DEFAULT_SRC_MAC,
        dst: o.dstMac ?? DEFAULT_DST_MAC,
        vlans: o.vlans,
        etherType: o.etherType,
        payload,
        padTo60: o.padTo60,
      });
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return Buffer.from(payload);
    case LINKTYPE.LINUX_SLL:
      return sll({ packetType: o.packetType, addr: o.srcMac ?? DEFAULT_SRC_MAC, protocol: o.etherType, payload });
    case LINKTYPE.LINUX_SLL2:
      return sll2({ packetType: o.packetType, addr: o.srcMac ?? DEFAULT_SRC_MAC, protocol: o.etherType, payload });
    case LINKTYPE.NULL:
      return bsdNull({ payload });
    case LINKTYPE.LOOP:
      return bsdNull({ payload, bigEndian: true });
    default:
      throw new Error(`linkFrame: unsupported link type ${link}`);
  }
}

/** Offset of the network-layer header in a frame of the given link type (skips 802.1Q/QinQ tags). */
export function ipOffset(frame: Uint8Array, link: number = LINKTYPE.ETHERNET): number {
  switch (link) {
    case LINKTYPE.ETHERNET: {
      let off = 12;
      let et = rd16(frame, off);
      while (et === ETHERTYPE.VLAN || et === ETHERTYPE.QINQ || et === 0x9100) {
        off += 4;
        et = rd16(frame, off);
      }
      return off + 2;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return 0;
    case LINKTYPE.LINUX_SLL:
      return 16;
    case LINKTYPE.LINUX_SLL2:
      return 20;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return 4;
    default:
      throw new Error(`ipOffset: unsupported link type ${link}`);
  }
}

// ---------------------------------------------------------------------------
// ARP

export interface ArpOptions {
  /** 1 / 'request', 2 / 'reply'. */
  op: number | 'request' | 'reply';
  senderMac: Mac;
  senderIp: string;
  /** Defaults to 00:00:00:00:00:00 (requests). */
  targetMac?: Mac;
  targetIp: string;
}

/** ARP for Ethernet/IPv4 (28 bytes); wrap with ethernet({etherType: ETHERTYPE.ARP}). */
export function arp(o: ArpOptions): Buffer {
  const b = alloc(28);
  u16(b, 0, 1);
  u16(b, 2, ETHERTYPE.IPV4);
  b[4] = 6;
  b[5] = 4;
  u16(b, 6, o.op === 'request' ? 1 : o.op === 'reply' ? 2 : o.op);
  b.set(macBytes(o.senderMac), 8);
  b.set(ipBytes(o.senderIp, 4), 14);
  b.set(o.targetMac === undefined ? new Uint8Array(6) : macBytes(o.targetMac), 18);
  b.set(ipBytes(o.targetIp, 4), 24);
  return b;
}

/** A whole ARP Ethernet frame; requests go to broadcast unless dstMac is given. */
export function arpPacket(o: ArpOptions & { dstMac?: Mac; vlans?: VlanTag[]; padTo60?: boolean }): Buffer {
  const isReq = o.op === 'request' || o.op === 1;
  return ethernet({
    src: o.senderMac,
    dst: o.dstMac ?? (isReq ? 'ff:ff:ff:ff:ff:ff' : (o.targetMac ?? 'ff:ff:ff:ff:ff:ff')),
    vlans: o.vlans,
    etherType: ETHERTYPE.ARP,
    payload: arp(o),
    padTo60: o.padTo60,
  });
}

// ---------------------------------------------------------------------------
// IPv4

export interface Ipv4Options {
  src: Ip;
  dst: Ip;
  proto: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  /** Raw option bytes; padded with EOL to a multiple of 4. */
  options?: Uint8Array;
  /** The whole TOS/DSCP+ECN byte. */
  tos?: number;
  /** Override the total length field (malformed-packet tests). */
  totalLength?: number;
  /** Override the header checksum (malformed-packet tests). */
  checksum?: number;
  /** Fill a zero TCP/UDP/ICMP/ICMPv6/SCTP checksum in the payload (default true). */
  l4Checksum?: boolean;
}

/** IPv4 packet with a correct header checksum. */
export function ipv4(o: Ipv4Options): Buffer {
  const opts = o.options ?? EMPTY;
  const optLen = (opts.length + 3) & ~3;
  const ihl = 20 + optLen;
  if (ihl > 60) throw new RangeError('IPv4 options longer than 40 bytes');
  const frag = o.fragOffset ?? 0;
  if (frag % 8 !== 0) throw new RangeError('IPv4 fragment offset must be a multiple of 8');
  const b = alloc(ihl + o.payload.length);
  b[0] = 0x40 | (ihl >> 2);
  b[1] = o.tos ?? 0;
  u16(b, 2, o.totalLength ?? b.length);
  u16(b, 4, o.id ?? 0);
  u16(b, 6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | (frag >> 3));
  b[8] = o.ttl ?? 64;
  b[9] = o.proto;
  const src = ipBytes(o.src, 4);
  const dst = ipBytes(o.dst, 4);
  b.set(src, 12);
  b.set(dst, 16);
  b.set(opts, 20);
  u16(b, 10, o.checksum ?? internetChecksum(b, 0, ihl));
  b.set(o.payload, ihl);
  if ((o.l4Checksum ?? true) && frag === 0 && !o.mf) setL4Checksum(o.proto, b.subarray(ihl), src, dst, true);
  return b;
}

/** Recomputes the IPv4 header checksum of the header at `off`. */
export function fixIpv4HeaderChecksum(b: Uint8Array, off = 0): void {
  const ihl = (b[off]! & 0x0f) * 4;
  u16(b, off + 10, 0);
  u16(b, off + 10, internetChecksum(b, off, ihl));
}

/**
 * Splits an IPv4 packet into fragments whose total length is at most `mtu`.
 * Options with the copy bit go into every fragment, the others only into the
 * first. A packet that already fits is returned as a single copy.
 */
export function fragmentIpv4(packet: Uint8Array, mtu: number): Buffer[] {
  const ihl = (packet[0]! & 0x0f) * 4;
  const total = Math.min(rd16(packet, 2), packet.length);
  if (total <= mtu) return [Buffer.from(packet.subarray(0, total))];
  const flags = rd16(packet, 6);
  if (flags & 0x4000) throw new Error('fragmentIpv4: packet has DF set');
  const baseOff = (flags & 0x1fff) * 8;
  const origMf = (flags & 0x2000) !== 0;
  const data = packet.subarray(ihl, total);
  const firstOpts = packet.subarray(20, ihl);
  // options copied into later fragments
  const copied: number[] = [];
  for (let i = 0; i < firstOpts.length; ) {
    const t = firstOpts[i]!;
    if (t === 0) break;
    if (t === 1) {
      i++;
      continue;
    }
    const l = Math.max(2, firstOpts[i + 1] ?? 2);
    if (t & 0x80) for (let k = 0; k < l && i + k < firstOpts.length; k++) copied.push(firstOpts[i + k]!);
    i += l;
  }
  const laterOpts = Uint8Array.from(copied);
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    const opts = pos === 0 ? firstOpts : laterOpts;
    const hl = 20 + ((opts.length + 3) & ~3);
    const room = Math.floor((mtu - hl) / 8) * 8;
    if (room <= 0) throw new RangeError(`fragmentIpv4: MTU ${mtu} too small`);
    const n = Math.min(room, data.length - pos);
    const last = pos + n >= data.length;
    const f = alloc(hl + n);
    f.set(packet.subarray(0, 20), 0);
    f.set(opts, 20);
    f[0] = 0x40 | (hl >> 2);
    u16(f, 2, f.length);
    u16(f, 6, (last && !origMf ? 0 : 0x2000) | ((baseOff + pos) >> 3));
    f.set(data.subarray(pos, pos + n), hl);
    fixIpv4HeaderChecksum(f);
    out.push(f);
    pos += n;
  }
  return out;
}

// ---------------------------------------------------------------------------
// IPv6

export type Ipv6ExtHeader =
  /** Hop-by-hop (0) or destination options (60): raw option TLVs, padded with Pad1/PadN to 8. */
  | { type: 'hopbyhop' | 'dstopts'; options?: Uint8Array }
  /** Routing header (43); `addresses` (type 0 style) follow 4 reserved bytes. */
  | { type: 'routing'; routingType?: number; segmentsLeft?: number; addresses?: string[]; data?: Uint8Array }
  /** Fragment header (44); offset in bytes (multiple of 8). */
  | { type: 'fragment'; offset: number; more: boolean; id: number }
  /** Any other header in the 8-octet-unit format: body follows next-header and length bytes. */
  | { type: 'raw'; code: number; body: Uint8Array };

export interface Ipv6Options {
  src: Ip;
  dst: Ip;
  /** Upper-layer protocol (after any extension headers). */
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  extHeaders?: Ipv6ExtHeader[];
  /** Override the payload length field. */
  payloadLength?: number;
  /** Fill a zero TCP/UDP/ICMPv6 checksum in the payload (default true). */
  l4Checksum?: boolean;
}

function extCode(h: Ipv6ExtHeader): number {
  switch (h.type) {
    case 'hopbyhop':
      return IPPROTO.HOPOPTS;
    case 'dstopts':
      return IPPROTO.DSTOPTS;
    case 'routing':
      return IPPROTO.ROUTING;
    case 'fragment':
      return IPPROTO.FRAGMENT;
    case 'raw':
      return h.code;
  }
}

function tlvPad(opts: Uint8Array): Uint8Array {
  const len = (2 + opts.length + 7) & ~7;
  const b = new Uint8Array(len - 2);
  b.set(opts, 0);
  const pad = b.length - opts.length;
  if (pad === 1) b[opts.length] = 0; // Pad1
  else if (pad >= 2) {
    b[opts.length] = 1; // PadN
    b[opts.length + 1] = pad - 2;
  }
  return b;
}

function extBytes(h: Ipv6ExtHeader, next: number): Uint8Array {
  let body: Uint8Array;
  switch (h.type) {
    case 'fragment': {
      if (h.offset % 8 !== 0) throw new RangeError('IPv6 fragment offset must be a multiple of 8');
      const b = new Uint8Array(8);
      b[0] = next;
      u16(b, 2, h.offset | (h.more ? 1 : 0));
      u32(b, 4, h.id);
      return b;
    }
    case 'hopbyhop':
    case 'dstopts':
      body = tlvPad(h.options ?? EMPTY);
      break;
    case 'routing': {
      const addrs = (h.addresses ?? []).map(parseIpv6);
      const data = h.data ?? concat(new Uint8Array(4), ...addrs);
      body = new Uint8Array(((2 + 2 + data.length + 7) & ~7) - 2);
      body[0] = h.routingType ?? 0;
      body[1] = h.segmentsLeft ?? addrs.length;
      body.set(data, 2);
      break;
    }
    case 'raw': {
      body = new Uint8Array(((2 + h.body.length + 7) & ~7) - 2);
      body.set(h.body);
      break;
    }
  }
  const b = new Uint8Array(2 + body.length);
  b[0] = next;
  b[1] = b.length / 8 - 1;
  b.set(body, 2);
  return b;
}

/** IPv6 packet with optional extension headers. */
export function ipv6(o: Ipv6Options): Buffer {
  const exts = o.extHeaders ?? [];
  const extParts: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? extCode(exts[i + 1]!) : o.nextHeader;
    extParts.push(extBytes(exts[i]!, next));
  }
  const ext = concat(...extParts);
  const src = ipBytes(o.src, 16);
  const dst = ipBytes(o.dst, 16);
  const b = alloc(40 + ext.length + o.payload.length);
  u32(b, 0, (6 << 28) | ((o.trafficClass ?? 0) << 20) | ((o.flowLabel ?? 0) & 0xfffff));
  u16(b, 4, o.payloadLength ?? ext.length + o.payload.length);
  b[6] = exts.length ? extCode(exts[0]!) : o.nextHeader;
  b[7] = o.hopLimit ?? 64;
  b.set(src, 8);
  b.set(dst, 24);
  b.set(ext, 40);
  b.set(o.payload, 40 + ext.length);
  const isFrag = exts.some((h) => h.type === 'fragment');
  if ((o.l4Checksum ?? true) && !isFrag) {
    // The pseudo-header uses the final destination (last routing address with segments left).
    let finalDst = dst;
    for (const h of exts)
      if (h.type === 'routing' && h.addresses?.length && (h.segmentsLeft ?? h.addresses.length) > 0)
        finalDst = parseIpv6(h.addresses[h.addresses.length - 1]!);
    setL4Checksum(o.nextHeader, b.subarray(40 + ext.length), src, finalDst, true);
  }
  return b;
}

/**
 * Splits an IPv6 packet into fragments (fragment header after the
 * unfragmentable part: hop-by-hop and routing headers) with total length at
 * most `mtu`. Always fragments, even when the packet fits (an atomic fragment
 * if it is small).
 */
export function fragmentIpv6(packet: Uint8Array, mtu: number, id: number): Buffer[] {
  let nh = packet[6]!;
  let off = 40;
  let nhPos = 6;
  const total = Math.min(40 + rd16(packet, 4), packet.length);
  while (nh === IPPROTO.HOPOPTS || nh === IPPROTO.ROUTING || (nh === IPPROTO.DSTOPTS && packet[off] === IPPROTO.ROUTING)) {
    nhPos = off;
    nh = packet[off]!;
    off += (packet[off + 1]! + 1) * 8;
  }
  const unfrag = packet.subarray(0, off);
  const data = packet.subarray(off, total);
  const room = Math.floor((mtu - off - 8) / 8) * 8;
  if (room <= 0) throw new RangeError(`fragmentIpv6: MTU ${mtu} too small`);
  const out: Buffer[] = [];
  let pos = 0;
  do {
    const n = Math.min(room, data.length - pos);
    const last = pos + n >= data.length;
    const f = alloc(off + 8 + n);
    f.set(unfrag, 0);
    f[nhPos] = IPPROTO.FRAGMENT;
    f[off] = nh;
    u16(f, off + 2, pos | (last ? 0 : 1));
    u32(f, off + 4, id);
    f.set(data.subarray(pos, pos + n), off + 8);
    u16(f, 4, f.length - 40);
    out.push(f);
    pos += n;
  } while (pos < data.length);
  return out;
}

/** Builds an IPv6 packet and fragments it: ipv6(o) then fragmentIpv6(·, mtu, id). */
export function ipv6Fragments(o: Ipv6Options & { mtu: number; id: number }): Buffer[] {
  return fragmentIpv6(ipv6(o), o.mtu, o.id);
}

// ---------------------------------------------------------------------------
// transport

export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackok' }
  | { kind: 'sack'; blocks: Array<[number, number]> }
  | { kind: 'ts'; val: number; ecr: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'raw'; code: number; data?: Uint8Array };

const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80, N: 0x100 };

/** 'S', 'SA', 'PA', 'FA', 'R', 'RA', ... (F S R P A U E C, N = NS) or a number. */
export function tcpFlags(f: string | number): number {
  if (typeof f === 'number') return f;
  let v = 0;
  for (const ch of f.toUpperCase()) {
    const bit = TCP_FLAG_BITS[ch];
    if (bit === undefined) throw new RangeError(`unknown TCP flag '${ch}' in '${f}'`);
    v |= bit;
  }
  return v;
}

/** Encodes TCP options, padded with EOL (zeros) to a multiple of 4. */
export function tcpOptionBytes(opts: TcpOption[]): Uint8Array {
  const parts: number[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case 'eol':
        parts.push(0);
        break;
      case 'nop':
        parts.push(1);
        break;
      case 'mss':
        parts.push(2, 4, (o.value >> 8) & 0xff, o.value & 0xff);
        break;
      case 'wscale':
        parts.push(3, 3, o.value);
        break;
      case 'sackok':
        parts.push(4, 2);
        break;
      case 'sack': {
        parts.push(5, 2 + 8 * o.blocks.length);
        for (const [l, r] of o.blocks) for (const v of [l, r]) parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
        break;
      }
      case 'ts':
        parts.push(8, 10);
        for (const v of [o.val, o.ecr]) parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
        break;
      case 'raw':
        parts.push(o.code, 2 + (o.data?.length ?? 0), ...(o.data ?? []));
        break;
    }
  }
  while (parts.length % 4) parts.push(0);
  if (parts.length > 40) throw new RangeError('TCP options longer than 40 bytes');
  return Uint8Array.from(parts);
}

export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  flags: string | number;
  window?: number;
  urgent?: number;
  options?: TcpOption[];
  payload?: Uint8Array | string;
  /** Addresses for the pseudo-header; without them ipv4()/ipv6() fill the checksum. */
  src?: Ip;
  dst?: Ip;
  /** Force the checksum field (malformed-packet tests). */
  checksum?: number;
}

/** TCP segment (header + payload). */
export function tcp(o: TcpOptions): Buffer {
  const opts = o.options ? tcpOptionBytes(o.options) : EMPTY;
  const payload = asBytes(o.payload);
  const hl = 20 + opts.length;
  const b = alloc(hl + payload.length);
  u16(b, 0, o.srcPort);
  u16(b, 2, o.dstPort);
  u32(b, 4, o.seq ?? 0);
  u32(b, 8, o.ack ?? 0);
  const f = tcpFlags(o.flags);
  b[12] = ((hl >> 2) << 4) | ((f >> 8) & 1);
  b[13] = f & 0xff;
  u16(b, 14, o.window ?? 65535);
  u16(b, 18, o.urgent ?? 0);
  b.set(opts, 20);
  b.set(payload, hl);
  if (o.checksum !== undefined) u16(b, 16, o.checksum);
  else if (o.src !== undefined && o.dst !== undefined) setL4Checksum(IPPROTO.TCP, b, ipBytes(o.src), ipBytes(o.dst));
  return b;
}

export interface UdpOptions {
  srcPort: number;
  dstPort: number;
  payload?: Uint8Array | string;
  src?: Ip;
  dst?: Ip;
  /** Force the checksum field (0 = none, IPv4 only; also pass l4Checksum:false to ipv4()). */
  checksum?: number;
  /** Override the length field. */
  length?: number;
}

/** UDP datagram (header + payload). */
export function udp(o: UdpOptions): Buffer {
  const payload = asBytes(o.payload);
  const b = alloc(8 + payload.length);
  u16(b, 0, o.srcPort);
  u16(b, 2, o.dstPort);
  u16(b, 4, o.length ?? b.length);
  b.set(payload, 8);
  if (o.checksum !== undefined) u16(b, 6, o.checksum);
  else if (o.src !== undefined && o.dst !== undefined) setL4Checksum(IPPROTO.UDP, b, ipBytes(o.src), ipBytes(o.dst));
  return b;
}

export interface SctpChunk {
  type: number;
  flags?: number;
  value?: Uint8Array;
}

/** SCTP packet (common header + chunks) with its CRC32c. */
export function sctp(o: { srcPort: number; dstPort: number; verificationTag?: number; chunks: SctpChunk[] }): Buffer {
  const parts: Uint8Array[] = [];
  for (const c of o.chunks) {
    const v = c.value ?? EMPTY;
    const ch = new Uint8Array((4 + v.length + 3) & ~3);
    ch[0] = c.type;
    ch[1] = c.flags ?? 0;
    u16(ch, 2, 4 + v.length);
    ch.set(v, 4);
    parts.push(ch);
  }
  const hdr = new Uint8Array(12);
  u16(hdr, 0, o.srcPort);
  u16(hdr, 2, o.dstPort);
  u32(hdr, 4, o.verificationTag ?? 0);
  const b = concat(hdr, ...parts);
  setL4Checksum(IPPROTO.SCTP, b, EMPTY, EMPTY);
  return b;
}

export interface Icmpv4Options {
  type: number;
  code?: number;
  /** Echo identifier / sequence (bytes 4..7). */
  id?: number;
  seq?: number;
  /** Raw bytes 4..7 (instead of id/seq). */
  rest?: Uint8Array;
  payload?: Uint8Array | string;
  checksum?: number;
}

/** ICMPv4 message with checksum. */
export function icmpv4(o: Icmpv4Options): Buffer {
  const payload = asBytes(o.payload);
  const b = alloc(8 + payload.length);
  b[0] = o.type;
  b[1] = o.code ?? 0;
  if (o.rest) b.set(o.rest.subarray(0, 4), 4);
  else {
    u16(b, 4, o.id ?? 0);
    u16(b, 6, o.seq ?? 0);
  }
  b.set(payload, 8);
  u16(b, 2, o.checksum ?? internetChecksum(b));
  return b;
}

export interface Icmpv6Options {
  type: number;
  code?: number;
  /** Everything after the checksum. */
  body?: Uint8Array;
  src?: Ip;
  dst?: Ip;
  checksum?: number;
}

/** ICMPv6 message; checksum computed when src/dst are given, else by ipv6(). */
export function icmpv6(o: Icmpv6Options): Buffer {
  const body = o.body ?? EMPTY;
  const b = alloc(4 + body.length);
  b[0] = o.type;
  b[1] = o.code ?? 0;
  b.set(body, 4);
  if (o.checksum !== undefined) u16(b, 2, o.checksum);
  else if (o.src !== undefined && o.dst !== undefined) setL4Checksum(IPPROTO.ICMPV6, b, ipBytes(o.src), ipBytes(o.dst));
  return b;
}

/** ND option: source (1) / target (2) link-layer address. */
function ndLinkAddrOption(type: 1 | 2, mac: Mac): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = type;
  b[1] = 1;
  b.set(parseMac(mac), 2);
  return b;
}

/** ICMPv6 echo request (128) / reply (129) body. */
export function icmpv6Echo(o: { reply?: boolean; id: number; seq: number; data?: Uint8Array | string; src?: Ip; dst?: Ip }): Buffer {
  const d = asBytes(o.data);
  const body = new Uint8Array(4 + d.length);
  u16(body, 0, o.id);
  u16(body, 2, o.seq);
  body.set(d, 4);
  return icmpv6({ type: o.reply ? 129 : 128, body, src: o.src, dst: o.dst });
}

/** Neighbour Solicitation (135) for `target`, with a source link-layer address option. */
export function ndNeighborSolicitation(o: { target: string; srcLinkAddr?: Mac; src?: Ip; dst?: Ip }): Buffer {
  const body = concat(new Uint8Array(4), parseIpv6(o.target), o.srcLinkAddr ? ndLinkAddrOption(1, o.srcLinkAddr) : EMPTY);
  return icmpv6({ type: 135, body, src: o.src, dst: o.dst });
}

/** Neighbour Advertisement (136) with R/S/O flags and a target link-layer address option. */
export function ndNeighborAdvertisement(o: {
  target: string;
  router?: boolean;
  solicited?: boolean;
  override?: boolean;
  targetLinkAddr?: Mac;
  src?: Ip;
  dst?: Ip;
}): Buffer {
  const flags = new Uint8Array(4);
  flags[0] = (o.router ? 0x80 : 0) | (o.solicited ? 0x40 : 0) | ((o.override ?? true) ? 0x20 : 0);
  const body = concat(flags, parseIpv6(o.target), o.targetLinkAddr ? ndLinkAddrOption(2, o.targetLinkAddr) : EMPTY);
  return icmpv6({ type: 136, body, src: o.src, dst: o.dst });
}

/** Router Solicitation (133). */
export function ndRouterSolicitation(o: { srcLinkAddr?: Mac; src?: Ip; dst?: Ip } = {}): Buffer {
  const body = concat(new Uint8Array(4), o.srcLinkAddr ? ndLinkAddrOption(1, o.srcLinkAddr) : EMPTY);
  return icmpv6({ type: 133, body, src: o.src, dst: o.dst });
}

/** Router Advertisement (134) with optional prefix information, MTU and source link-layer options. */
export function ndRouterAdvertisement(o: {
  curHopLimit?: number;
  managed?: boolean;
  other?: boolean;
  routerLifetime?: number;
  reachableTime?: number;
  retransTimer?: number;
  srcLinkAddr?: Mac;
  mtu?: number;
  prefixes?: Array<{ prefix: string; length: number; onLink?: boolean; autonomous?: boolean; valid?: number; preferred?: number }>;
  src?: Ip;
  dst?: Ip;
}): Buffer {
  const fixed = new Uint8Array(12);
  fixed[0] = o.curHopLimit ?? 64;
  fixed[1] = (o.managed ? 0x80 : 0) | (o.other ? 0x40 : 0);
  u16(fixed, 2, o.routerLifetime ?? 1800);
  u32(fixed, 4, o.reachableTime ?? 0);
  u32(fixed, 8, o.retransTimer ?? 0);
  const opts: Uint8Array[] = [];
  if (o.srcLinkAddr) opts.push(ndLinkAddrOption(1, o.srcLinkAddr));
  if (o.mtu !== undefined) {
    const m = new Uint8Array(8);
    m[0] = 5;
    m[1] = 1;
    u32(m, 4, o.mtu);
    opts.push(m);
  }
  for (const p of o.prefixes ?? []) {
    const pi = new Uint8Array(32);
    pi[0] = 3;
    pi[1] = 4;
    pi[2] = p.length;
    pi[3] = ((p.onLink ?? true) ? 0x80 : 0) | ((p.autonomous ?? true) ? 0x40 : 0);
    u32(pi, 4, p.valid ?? 2592000);
    u32(pi, 8, p.preferred ?? 604800);
    pi.set(parseIpv6(p.prefix), 16);
    opts.push(pi);
  }
  return icmpv6({ type: 134, body: concat(fixed, ...opts), src: o.src, dst: o.dst });
}

/** Solicited-node multicast address ff02::1:ffXX:XXXX for an IPv6 address. */
export function solicitedNodeAddress(ip: string): string {
  const b = parseIpv6(ip);
  const h = (n: number): string => n.toString(16);
  return `ff02::1:ff${h(b[13]!).padStart(2, '0')}:${h((b[14]! << 8) | b[15]!)}`;
}

/** Ethernet multicast MAC 33:33:xx:xx:xx:xx for an IPv6 multicast address. */
export function ipv6MulticastMac(ip: string): string {
  const b = parseIpv6(ip);
  return formatMac(Uint8Array.of(0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!));
}

// ---------------------------------------------------------------------------
// tunnels

export interface GreOptions {
  /** EtherType of the payload (0x0800, 0x86dd, 0x6558 TEB, 0x88be ERSPAN, ...); inferred for IP. */
  protocol?: number;
  payload: Uint8Array;
  /** Include a checksum (C bit). */
  checksum?: boolean;
  key?: number;
  seq?: number;
}

/** GRE (RFC 2784/2890) header + payload; put it in ipv4({proto: IPPROTO.GRE}). */
export function gre(o: GreOptions): Buffer {
  const proto = o.protocol ?? inferEtherType(o.payload, 'gre');
  const hl = 4 + (o.checksum ? 4 : 0) + (o.key !== undefined ? 4 : 0) + (o.seq !== undefined ? 4 : 0);
  const b = alloc(hl + o.payload.length);
  u16(b, 0, (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0));
  u16(b, 2, proto);
  let p = 4;
  if (o.checksum) p += 4;
  if (o.key !== undefined) {
    u32(b, p, o.key);
    p += 4;
  }
  if (o.seq !== undefined) {
    u32(b, p, o.seq);
    p += 4;
  }
  b.set(o.payload, hl);
  if (o.checksum) u16(b, 4, internetChecksum(b));
  return b;
}

/** ERSPAN type I: GRE (no sequence number) protocol 0x88be carrying the mirrored Ethernet frame directly. */
export function erspan1(o: { payload: Uint8Array }): Buffer {
  return gre({ protocol: ETHERTYPE.ERSPAN2, payload: o.payload });
}

export interface Erspan2Options {
  /** Mirrored Ethernet frame. */
  payload: Uint8Array;
  sessionId: number;
  /** GRE sequence number (default 0). */
  seq?: number;
  /** Original VLAN (0 = none). */
  vlan?: number;
  cos?: number;
  /** Encapsulation type: 0 untagged, 1 ISL, 2 802.1Q preserved, 3 VLAN (default 0, or 3 with vlan). */
  en?: number;
  truncated?: boolean;
  index?: number;
}

/** ERSPAN type II: GRE (with sequence) + 8-byte ERSPAN header + mirrored frame. */
export function erspan2(o: Erspan2Options): Buffer {
  const h = new Uint8Array(8);
  const vlan = o.vlan ?? 0;
  u16(h, 0, (1 << 12) | (vlan & 0xfff));
  u16(h, 2, ((o.cos ?? 0) << 13) | ((o.en ?? (vlan ? 3 : 0)) << 11) | (o.truncated ? 0x400 : 0) | (o.sessionId & 0x3ff));
  u32(h, 4, (o.index ?? 0) & 0xfffff);
  return gre({ protocol: ETHERTYPE.ERSPAN2, seq: o.seq ?? 0, payload: concat(h, o.payload) });
}

export interface Erspan3Options {
  payload: Uint8Array;
  sessionId: number;
  seq?: number;
  vlan?: number;
  cos?: number;
  /** Bad/short/oversized frame flags (2 bits). */
  bso?: number;
  truncated?: boolean;
  /** 32-bit timestamp (granularity given by gra). */
  timestamp?: number;
  /** Security group tag. */
  sgt?: number;
  /** P: frame is Ethernet with preserved protocol. */
  p?: boolean;
  /** Frame type (0 = Ethernet, 2 = IP). */
  ft?: number;
  hwId?: number;
  /** Direction: false ingress, true egress. */
  d?: boolean;
  /** Timestamp granularity (0..3). */
  gra?: number;
  /** 8-byte platform-specific subheader (sets the O bit). */
  platformSpecific?: Uint8Array;
}

/** ERSPAN type III: GRE (with sequence) protocol 0x22eb + 12-byte header (+ optional 8-byte subheader) + mirrored frame. */
export function erspan3(o: Erspan3Options): Buffer {
  const ps = o.platformSpecific;
  const h = new Uint8Array(12 + (ps ? 8 : 0));
  const vlan = o.vlan ?? 0;
  u16(h, 0, (2 << 12) | (vlan & 0xfff));
  u16(h, 2, ((o.cos ?? 0) << 13) | ((o.bso ?? 0) << 11) | (o.truncated ? 0x400 : 0) | (o.sessionId & 0x3ff));
  u32(h, 4, o.timestamp ?? 0);
  u16(h, 8, o.sgt ?? 0);
  u16(
    h,
    10,
    (o.p ? 0x8000 : 0) | (((o.ft ?? 0) & 0x1f) << 10) | (((o.hwId ?? 0) & 0x3f) << 4) | (o.d ? 8 : 0) | (((o.gra ?? 0) & 3) << 1) | (ps ? 1 : 0),
  );
  if (ps) h.set(ps.subarray(0, 8), 12);
  return gre({ protocol: ETHERTYPE.ERSPAN3, seq: o.seq ?? 0, payload: concat(h, o.payload) });
}

/** VXLAN header (8 bytes, I flag) + inner Ethernet frame; carry it in udp({dstPort: 4789}). */
export function vxlan(o: { vni: number; payload: Uint8Array }): Buffer {
  const b = alloc(8 + o.payload.length);
  b[0] = 0x08;
  b[4] = (o.vni >> 16) & 0xff;
  b[5] = (o.vni >> 8) & 0xff;
  b[6] = o.vni & 0xff;
  b.set(o.payload, 8);
  return b;
}

// ---------------------------------------------------------------------------
// whole packets

export interface IpCommon extends LinkOptions {
  /** IPv4 or IPv6 (picked by ':'). */
  src: string;
  dst: string;
  /** TTL / hop limit (default 64). */
  ttl?: number;
  ipId?: number;
  df?: boolean;
  tos?: number;
  flowLabel?: number;
  ipOptions?: Uint8Array;
  extHeaders?: Ipv6ExtHeader[];
}

/** An IPv4 or IPv6 packet (no link layer) carrying `payload` as protocol `proto`. */
export function ipPacketRaw(o: IpCommon, proto: number, payload: Uint8Array, df = o.df): Buffer {
  if (isIpv6(o.src)) {
    return ipv6({
      src: o.src,
      dst: o.dst,
      nextHeader: proto,
      payload,
      hopLimit: o.ttl,
      flowLabel: o.flowLabel,
      trafficClass: o.tos,
      extHeaders: o.extHeaders,
    });
  }
  return ipv4({ src: o.src, dst: o.dst, proto, payload, ttl: o.ttl, id: o.ipId, df, tos: o.tos, options: o.ipOptions });
}

/** A whole frame (link layer per `link`, default Ethernet) carrying an IP packet with the given transport payload. */
export function ipPacket(o: IpCommon & { proto: number; payload: Uint8Array }): Buffer {
  return linkFrame(ipPacketRaw(o, o.proto, o.payload), o);
}

export interface TcpPacketOptions extends IpCommon {
  sport: number;
  dport: number;
  flags: string | number;
  seq?: number;
  ack?: number;
  window?: number;
  urgent?: number;
  options?: TcpOption[];
  payload?: Uint8Array | string;
}

/** A whole TCP frame (DF set by default on IPv4, like Linux/Windows stacks). */
export function tcpPacket(o: TcpPacketOptions): Buffer {
  const seg = tcp({
    srcPort: o.sport,
    dstPort: o.dport,
    seq: o.seq,
    ack: o.ack,
    flags: o.flags,
    window: o.window,
    urgent: o.urgent,
    options: o.options,
    payload: o.payload,
  });
  return linkFrame(ipPacketRaw(o, IPPROTO.TCP, seg, o.df ?? true), o);
}

export interface UdpPacketOptions extends IpCommon {
  sport: number;
  dport: number;
  payload?: Uint8Array | string;
}

/** A whole UDP frame. */
export function udpPacket(o: UdpPacketOptions): Buffer {
  return linkFrame(ipPacketRaw(o, IPPROTO.UDP, udp({ srcPort: o.sport, dstPort: o.dport, payload: o.payload })), o);
}

// ---------------------------------------------------------------------------
// TCP conversation

export interface SessionMessage {
  fromClient: boolean;
  data: Uint8Array | string;
  /** Extra delay before this message (µs). */
  gapUs?: number;
}

export interface TcpSessionOptions {
  client: string;
  server: string;
  cport: number;
  sport: number;
  clientMac?: Mac;
  serverMac?: Mac;
  vlans?: VlanTag[];
  /** LINKTYPE_* (default Ethernet). */
  link?: number;
  /** Application messages in order. */
  requests?: SessionMessage[];
  /** Time of the first packet (µs since epoch; default 2023-11-14T22:13:20Z). */
  startUs?: number;
  /** Round-trip time (µs, default 2000): a reply comes rttUs/2 after what it answers. */
  rttUs?: number;
  /** Gap between back-to-back segments of one side (µs, default 10). */
  stepUs?: number;
  clientIsn?: number;
  serverIsn?: number;
  /** Maximum data per segment (default 1448 with timestamps, else 1460). */
  mss?: number;
  clientTtl?: number;
  serverTtl?: number;
  /** Window after the handshake (default 502 with window scaling, else 64240). */
  clientWindow?: number;
  serverWindow?: number;
  clientSynWindow?: number;
  serverSynWindow?: number;
  /** SYN / SYN-ACK options (default Linux: mss 1460, sackok, ts, nop, wscale 7). TS on later segments iff present here. */
  clientSynOptions?: TcpOption[];
  serverSynOptions?: TcpOption[];
  /** Emit the three-way handshake (default true). */
  handshake?: boolean;
  /** Teardown: client FIN first (default), server FIN first, client RST, or none. */
  close?: 'fin' | 'server-fin' | 'rst' | 'none';
  /** First IPv4 id of client / server (incremented per packet). */
  clientIpId?: number;
  serverIpId?: number;
}

export interface SessionPacket {
  tsUs: number;
  data: Buffer;
  fromClient: boolean;
}

const LINUX_SYN_OPTIONS: TcpOption[] = [
  { kind: 'mss', value: 1460 },
  { kind: 'sackok' },
  { kind: 'ts', val: 0, ecr: 0 },
  { kind: 'nop' },
  { kind: 'wscale', value: 7 },
];

/**
 * A whole TCP conversation: handshake, the messages (segmented at `mss`, PSH
 * on each message's last segment, correct seq/ack), pure ACKs where the peer
 * has nothing to send, and the teardown. Returns frames with timestamps.
 */
export function tcpSession(o: TcpSessionOptions): SessionPacket[] {
  const rtt = o.rttUs ?? 2000;
  const half = Math.max(1, Math.round(rtt / 2));
  const step = o.stepUs ?? 10;
  const out: SessionPacket[] = [];
  const cSyn = o.clientSynOptions ?? LINUX_SYN_OPTIONS;
  const sSyn = o.serverSynOptions ?? LINUX_SYN_OPTIONS;
  const useTs = cSyn.some((x) => x.kind === 'ts') && sSyn.some((x) => x.kind === 'ts');
  const scaled = cSyn.some((x) => x.kind === 'wscale') && sSyn.some((x) => x.kind === 'wscale');
  const mss = o.mss ?? (useTs ? 1448 : 1460);
  const side = {
    c: {
      seq: (o.clientIsn ?? 0x1000_0000) >>> 0,
      ipId: o.clientIpId ?? 0x1000,
      tsBase: 100_000,
      lastTsSeen: 0,
      ttl: o.clientTtl ?? 64,
      win: o.clientWindow ?? (scaled ? 502 : 64240),
      synWin: o.clientSynWindow ?? 64240,
    },
    s: {
      seq: (o.serverIsn ?? 0x2000_0000) >>> 0,
      ipId: o.serverIpId ?? 0x2000,
      tsBase: 900_000,
      lastTsSeen: 0,
      ttl: o.serverTtl ?? 64,
      win: o.serverWindow ?? (scaled ? 509 : 65160),
      synWin: o.serverSynWindow ?? 65160,
    },
  };
  let t = o.startUs ?? 1_700_000_000_000_000;
  let lastFromClient: boolean | null = null;

  const emit = (fromClient: boolean, flags: string, payload: Uint8Array, synOpts?: TcpOption[], extraGap = 0): void => {
    if (lastFromClient !== null) t += (lastFromClient === fromClient ? step : half) + extraGap;
    lastFromClient = fromClient;
    const me = fromClient ? side.c : side.s;
    const peer = fromClient ? side.s : side.c;
    const tsval = (me.tsBase + Math.floor(t / 1000)) >>> 0;
    let options: TcpOption[] | undefined;
    if (synOpts) options = synOpts.map((x) => (x.kind === 'ts' ? { kind: 'ts', val: tsval, ecr: flags === 'SA' ? me.lastTsSeen : 0 } : x));
    else if (useTs) options = [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsval, ecr: me.lastTsSeen }];
    peer.lastTsSeen = tsval;
    const isSyn = flags.includes('S');
    const frame = tcpPacket({
      src: fromClient ? o.client : o.server,
      dst: fromClient ? o.server : o.client,
      srcMac: (fromClient ? o.clientMac : o.serverMac) ?? (fromClient ? DEFAULT_SRC_MAC : DEFAULT_DST_MAC),
      dstMac: (fromClient ? o.serverMac : o.clientMac) ?? (fromClient ? DEFAULT_DST_MAC : DEFAULT_SRC_MAC),
      vlans: o.vlans,
      link: o.link,
      packetType: fromClient ? 4 : 0,
      sport: fromClient ? o.cport : o.sport,
      dport: fromClient ? o.sport : o.cport,
      seq: me.seq,
      ack: flags.includes('A') ? peer.seq : 0,
      flags,
      window: isSyn ? me.synWin : me.win,
      options,
      payload,
      ttl: me.ttl,
      ipId: me.ipId,
    });
    me.ipId = (me.ipId + 1) & 0xffff;
    me.seq = (me.seq + payload.length + (isSyn || flags.includes('F') ? 1 : 0)) >>> 0;
    out.push({ tsUs: t, data: frame, fromClient });
  };

  if (o.handshake ?? true) {
    emit(true, 'S', EMPTY, cSyn);
    emit(false, 'SA', EMPTY, sSyn);
    emit(true, 'A', EMPTY);
  } else {
    side.c.seq = (side.c.seq + 1) >>> 0;
    side.s.seq = (side.s.seq + 1) >>> 0;
  }
  const msgs = o.requests ?? [];
  msgs.forEach((m, i) => {
    const data = asBytes(m.data);
    const n = Math.max(1, Math.ceil(data.length / mss));
    for (let k = 0; k < n; k++) {
      emit(m.fromClient, k === n - 1 ? 'PA' : 'A', data.subarray(k * mss, (k + 1) * mss), undefined, k === 0 ? (m.gapUs ?? 0) : 0);
    }
    const next = msgs[i + 1];
    if (!next || next.fromClient === m.fromClient) emit(!m.fromClient, 'A', EMPTY);
  });
  switch (o.close ?? 'fin') {
    case 'fin':
      emit(true, 'FA', EMPTY);
      emit(false, 'FA', EMPTY);
      emit(true, 'A', EMPTY);
      break;
    case 'server-fin':
      emit(false, 'FA', EMPTY);
      emit(true, 'FA', EMPTY);
      emit(false, 'A', EMPTY);
      break;
    case 'rst':
      emit(true, 'RA', EMPTY);
      break;
    case 'none':
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// patching prebuilt frames

export interface TuplePatch {
  src?: Ip;
  dst?: Ip;
  sport?: number;
  dport?: number;
}

/** Locates the transport header of the IPv4/IPv6 packet at `ipOff`: [proto, offset] or null (non-first fragment, unknown). */
export function transportOffset(frame: Uint8Array, ipOff: number): [number, number] | null {
  const v = frame[ipOff]! >> 4;
  if (v === 4) {
    if (rd16(frame, ipOff + 6) & 0x1fff) return null;
    return [frame[ipOff + 9]!, ipOff + (frame[ipOff]! & 0x0f) * 4];
  }
  if (v !== 6) return null;
  let nh = frame[ipOff + 6]!;
  let off = ipOff + 40;
  for (;;) {
    if (nh === IPPROTO.HOPOPTS || nh === IPPROTO.ROUTING || nh === IPPROTO.DSTOPTS) {
      const next = frame[off]!;
      off += (frame[off + 1]! + 1) * 8;
      nh = next;
    } else if (nh === IPPROTO.FRAGMENT) {
      if (rd16(frame, off + 2) & 0xfff8) return null;
      nh = frame[off]!;
      off += 8;
    } else return [nh, off];
  }
}

/**
 * Rewrites addresses and/or ports of the IPv4/IPv6 packet at `ipOff` in place,
 * updating the IPv4 header checksum and the TCP/UDP/ICMPv6 checksum
 * incrementally (RFC 1624), so the cost does not depend on the payload size.
 * A UDP checksum of 0 (none) stays 0. Addresses must match the IP version.
 */
export function patchTuple(frame: Uint8Array, ipOff: number, p: TuplePatch): void {
  const v = frame[ipOff]! >> 4;
  const alen = v === 4 ? 4 : 16;
  const srcOff = ipOff + (v === 4 ? 12 : 8);
  const dstOff = srcOff + alen;
  const tr = transportOffset(frame, ipOff);
  const proto = tr ? tr[0] : -1;
  const csOff = tr && (proto === IPPROTO.TCP || proto === IPPROTO.UDP || proto === IPPROTO.ICMPV6) ? tr[1] + l4ChecksumOffset(proto) : -1;
  const hasPorts = tr !== null && (proto === IPPROTO.TCP || proto === IPPROTO.UDP);
  // Sum of (~old + new) over all changed words (pseudo-header addresses and ports).
  let delta = 0;
  const replace = (off: number, nb: Uint8Array): void => {
    for (let i = 0; i < nb.length; i += 2) {
      delta += (~rd16(frame, off + i) & 0xffff) + ((nb[i]! << 8) | nb[i + 1]!);
      frame[off + i] = nb[i]!;
      frame[off + i + 1] = nb[i + 1]!;
    }
  };
  if (p.src !== undefined) {
    const a = ipBytes(p.src);
    if (a.length !== alen) throw new RangeError('patchTuple: src address family does not match the packet');
    replace(srcOff, a);
  }
  if (p.dst !== undefined) {
    const a = ipBytes(p.dst);
    if (a.length !== alen) throw new RangeError('patchTuple: dst address family does not match the packet');
    replace(dstOff, a);
  }
  const ipDelta = delta;
  if (hasPorts && p.sport !== undefined) replace(tr[1], Uint8Array.of(p.sport >> 8, p.sport & 0xff));
  if (hasPorts && p.dport !== undefined) replace(tr[1] + 2, Uint8Array.of(p.dport >> 8, p.dport & 0xff));
  if (v === 4 && ipDelta) fixIpv4HeaderChecksum(frame, ipOff);
  if (csOff >= 0 && delta) {
    const old = rd16(frame, csOff);
    if (proto === IPPROTO.UDP && old === 0) return; // no checksum
    let c = ~fold((~old & 0xffff) + delta) & 0xffff;
    if (proto === IPPROTO.UDP && c === 0) c = 0xffff;
    u16(frame, csOff, c);
  }
}

/** Alias of patchTuple for IPv4 packets. */
export const patchIpv4Tuple = patchTuple;

/**
 * Recomputes every checksum of the IP packet at `ipOff` from scratch: the IPv4
 * header checksum and, for unfragmented packets, the TCP/UDP/ICMP/ICMPv6/SCTP
 * checksum (after arbitrary edits to a prebuilt frame). A zero UDP checksum
 * over IPv4 stays zero.
 */
export function recomputeChecksums(frame: Uint8Array, ipOff: number): void {
  const v = frame[ipOff]! >> 4;
  let end: number;
  let src: Uint8Array;
  let dst: Uint8Array;
  if (v === 4) {
    fixIpv4HeaderChecksum(frame, ipOff);
    if (rd16(frame, ipOff + 6) & 0x3fff) return; // fragment (MF or offset)
    end = ipOff + rd16(frame, ipOff + 2);
    src = frame.subarray(ipOff + 12, ipOff + 16);
    dst = frame.subarray(ipOff + 16, ipOff + 20);
  } else if (v === 6) {
    end = ipOff + 40 + rd16(frame, ipOff + 4);
    src = frame.subarray(ipOff + 8, ipOff + 24);
    dst = frame.subarray(ipOff + 24, ipOff + 40);
  } else return;
  const tr = transportOffset(frame, ipOff);
  if (!tr) return;
  // an IPv6 fragment header with M set (first fragment): not checksummable here
  const l4 = frame.subarray(tr[1], Math.min(end, frame.length));
  if (v === 4 && tr[0] === IPPROTO.UDP && rd16(l4, 6) === 0) return;
  if (v === 6 && hasIpv6Fragment(frame, ipOff)) return;
  setL4Checksum(tr[0], l4, src, dst);
}

function hasIpv6Fragment(frame: Uint8Array, ipOff: number): boolean {
  let nh = frame[ipOff + 6]!;
  let off = ipOff + 40;
  while (nh === IPPROTO.HOPOPTS || nh === IPPROTO.ROUTING || nh === IPPROTO.DSTOPTS) {
    nh = frame[off]!;
    off += (frame[off + 1]! + 1) * 8;
  }
  return nh === IPPROTO.FRAGMENT;
}
