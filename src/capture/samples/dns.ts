/**
 * DNS messages (RFC 1035) built in code for the sample captures: unicast
 * queries and answers through a resolver, and multicast DNS (RFC 6762)
 * announcements with DNS-SD records (RFC 6763). Names are written without
 * compression; every length is computed, so the messages parse cleanly.
 */

export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;

/** One resource record. `data` is the RDATA (use the helpers below). */
export interface DnsRecord {
  name: string;
  type: number;
  /** Class (default 1, IN); mDNS announcements set the cache-flush bit (0x8001). */
  cls?: number;
  ttl?: number;
  data: Uint8Array;
}

export interface DnsQuestion {
  name: string;
  type: number;
  /** Default 1 (IN); 0x8001 asks for a unicast answer in mDNS. */
  cls?: number;
}

export interface DnsMessage {
  id?: number;
  /** QR bit. */
  response?: boolean;
  /** Opcode (0 query, 5 update). */
  opcode?: number;
  /** AA bit (mDNS answers set it). */
  authoritative?: boolean;
  /** RD bit (default: true for unicast queries/answers, off when `mdns`). */
  recursionDesired?: boolean;
  /** RA bit on answers (default true unless `mdns`). */
  recursionAvailable?: boolean;
  rcode?: number;
  /** An mDNS message: no RD/RA defaults, id 0. */
  mdns?: boolean;
  questions?: DnsQuestion[];
  answers?: DnsRecord[];
  authority?: DnsRecord[];
  additional?: DnsRecord[];
}

/** A domain name as length-prefixed labels ending with the root label. */
export function dnsName(name: string): Buffer {
  const parts: Buffer[] = [];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const b = Buffer.from(label, 'utf8');
      if (b.length === 0 || b.length > 63) throw new RangeError(`bad DNS label in ${name}`);
      parts.push(Buffer.from([b.length]), b);
    }
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function aData(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

export function aaaaData(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((x) => parseInt(x, 16));
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
  return b;
}

export function nameData(target: string): Buffer {
  return dnsName(target);
}

export function srvData(o: { priority?: number; weight?: number; port: number; target: string }): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(o.priority ?? 0, 0);
  b.writeUInt16BE(o.weight ?? 0, 2);
  b.writeUInt16BE(o.port, 4);
  return Buffer.concat([b, dnsName(o.target)]);
}

/** TXT RDATA from "key=value" strings (an empty list gives the single empty string). */
export function txtData(strings: string[]): Buffer {
  if (strings.length === 0) return Buffer.from([0]);
  return Buffer.concat(
    strings.map((s) => {
      const b = Buffer.from(s, 'utf8');
      if (b.length > 255) throw new RangeError('TXT string over 255 bytes');
      return Buffer.concat([Buffer.from([b.length]), b]);
    }),
  );
}

function record(r: DnsRecord, mdns: boolean): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(r.type, 0);
  fixed.writeUInt16BE(r.cls ?? 1, 2);
  fixed.writeUInt32BE(r.ttl ?? (mdns ? 120 : 300), 4);
  fixed.writeUInt16BE(r.data.length, 8);
  return Buffer.concat([dnsName(r.name), fixed, r.data]);
}

/** The whole DNS message (what goes in a UDP datagram). */
export function dnsMessage(m: DnsMessage): Buffer {
  const mdns = m.mdns ?? false;
  const qs = m.questions ?? [];
  const an = m.answers ?? [];
  const ns = m.authority ?? [];
  const ar = m.additional ?? [];
  const h = Buffer.alloc(12);
  h.writeUInt16BE(m.id ?? 0, 0);
  const response = m.response ?? false;
  const rd = m.recursionDesired ?? !mdns;
  const ra = response && (m.recursionAvailable ?? !mdns);
  const flags =
    (response ? 0x8000 : 0) | ((m.opcode ?? 0) << 11) | (m.authoritative ? 0x0400 : 0) | (rd ? 0x0100 : 0) | (ra ? 0x0080 : 0) | ((m.rcode ?? 0) & 0xf);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qs.length, 4);
  h.writeUInt16BE(an.length, 6);
  h.writeUInt16BE(ns.length, 8);
  h.writeUInt16BE(ar.length, 10);
  const parts: Buffer[] = [h];
  for (const q of qs) {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(q.type, 0);
    t.writeUInt16BE(q.cls ?? 1, 2);
    parts.push(dnsName(q.name), t);
  }
  for (const r of [...an, ...ns, ...ar]) parts.push(record(r, mdns));
  return Buffer.concat(parts);
}

/** A recursive query for one name. */
export function dnsQuery(id: number, name: string, type: number = DNS_TYPE.A): Buffer {
  return dnsMessage({ id, questions: [{ name, type }] });
}

/**
 * The resolver's answer: an optional CNAME chain then A records for the last
 * name of the chain.
 */
export function dnsAnswer(o: { id: number; name: string; type?: number; cnames?: string[]; addresses: string[]; ttl?: number }): Buffer {
  const answers: DnsRecord[] = [];
  let owner = o.name;
  for (const c of o.cnames ?? []) {
    answers.push({ name: owner, type: DNS_TYPE.CNAME, ttl: o.ttl, data: nameData(c) });
    owner = c;
  }
  for (const a of o.addresses) {
    const v6 = a.includes(':');
    answers.push({ name: owner, type: v6 ? DNS_TYPE.AAAA : DNS_TYPE.A, ttl: o.ttl, data: v6 ? aaaaData(a) : aData(a) });
  }
  return dnsMessage({ id: o.id, response: true, questions: [{ name: o.name, type: o.type ?? DNS_TYPE.A }], answers });
}
