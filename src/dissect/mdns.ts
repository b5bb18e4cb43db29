/**
 * Facts from multicast DNS (RFC 6762, DNS-SD RFC 6763; UDP 5353) and LLMNR
 * (RFC 4795; UDP 5355) messages, on top of the shared DNS wire parser
 * (dns-message.ts), which does the framing, bounds checks and error counting
 * (`dns.*` counters, see there).
 *
 * Names from the parser are lower-cased, labels joined with '.', bytes
 * outside 0x21..0x7e written \DDD and . \ " ( ) ; @ $ escaped with a
 * backslash. Here:
 *   - host names are given without the final ".local" (other names whole);
 *   - DNS-SD instance labels ("hp laserjet 400" in
 *     "HP LaserJet 400._ipp._tcp.local") are un-escaped: \DDD back to bytes,
 *     decoded as UTF-8, then control characters written \xNN (lower case, as
 *     the parser lower-cases ASCII);
 *   - service types are "_name._tcp" / "_name._udp" (no ".local").
 *
 * Which records count as the sender's own: every record of a response; in a
 * query (QR = 0) the answer section holds known answers (RFC 6762 §7.1, data
 * the querier cached from others), which is skipped; the authority section
 * of a query holds the records a host probes for (§8.2), which are kept.
 *
 * Nothing throws. When the DNS framing is malformed, the records read before
 * the problem are still used; null only when nothing at all could be read
 * (header missing or broken before the first question or record).
 */
import { parseDnsMessage, type ErrorCounter } from './dns-message.js';
import { Verdict, type Dissector } from './types.js';
import { ip6ToString } from '../inventory/addr-format.js';

export type { ErrorCounter };

export interface MdnsAddress {
  /** Owner name (without ".local" when it ends so). */
  name: string;
  v4?: number;
  v6?: [number, number, number, number];
}

export interface MdnsInstance {
  /** The instance label, un-escaped (lower case). */
  instance: string;
  /** Service type, e.g. "_ipp._tcp". */
  service: string;
  /** SRV target host (without ".local" when it ends so), null without SRV. */
  target: string | null;
  /** SRV port, null without SRV. */
  port: number | null;
  /**
   * TXT key=value pairs (RFC 6763 §6): keys lower-cased ("md", "ty",
   * "product", "usb_mfg", "usb_mdl", "rpmd", "am", "model", ...), values kept
   * verbatim (control characters as \xNN); a key without '=' maps to ''; the
   * first occurrence of a key wins (§6.4). At most MAX_TXT_KEYS keys.
   */
  txt: Record<string, string>;
}

export interface MdnsFacts {
  /** QR bit: a response (true) or a query. */
  isResponse: boolean;
  /**
   * Host names: owners of A/AAAA records and SRV targets ending ".local", and
   * PTR targets of reverse-mapping (".arpa") records, without ".local".
   */
  hostnames: string[];
  addresses: MdnsAddress[];
  /** Service types offered ("_airplay._tcp"), from _services._dns-sd._udp PTRs and from record names. */
  services: string[];
  instances: MdnsInstance[];
  /** Question names as read (lower case, ".local" kept). */
  questions: string[];
}

export interface LlmnrFacts {
  isResponse: boolean;
  /** Question names, then answer owner names (distinct, lower case). */
  names: string[];
  /** A / AAAA answers. */
  addresses: { name: string; v4?: number; v6?: [number, number, number, number] }[];
}

const MAX_TXT_KEYS = 64;
const MAX_ITEMS = 256;
const SERVICES_ENUM = '_services._dns-sd._udp.local';

/** Splits an escaped name into its labels (a backslash escapes the next character). */
function labelsOf(name: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      cur += c + name[i + 1]!;
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const utf8 = new TextDecoder('utf-8');

/** Control characters (and backslash, to stay unambiguous) as \xNN. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\\]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** Undoes the parser's label escapes (\DDD and \X), decoding the bytes as UTF-8. */
function unescapeLabel(label: string): string {
  if (label.indexOf('\\') < 0) return clean(label);
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x5c && i + 1 < label.length) {
      const d = label.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        bytes.push(Number(d) & 255);
        i += 3;
      } else {
        bytes.push(label.charCodeAt(i + 1) & 255);
        i += 1;
      }
    } else bytes.push(c & 255);
  }
  return clean(utf8.decode(Uint8Array.from(bytes)));
}

function stripLocal(name: string): string {
  return name.endsWith('.local') && name.length > 6 ? name.slice(0, -6) : name;
}

/**
 * A DNS-SD name: "<instance>.<_svc>.<_tcp|_udp>.<domain>" or a service type
 * "<_svc>.<_tcp|_udp>.<domain>" or a subtype "<sub>._sub.<_svc>.<_tcp|_udp>.<domain>".
 * The protocol label is searched from the right, so any domain works.
 */
function dnssd(name: string): { service: string; instance: string | null } | null {
  const l = labelsOf(name);
  for (let i = l.length - 1; i >= 1; i--) {
    const proto = l[i]!;
    if (proto !== '_tcp' && proto !== '_udp') continue;
    const svc = l[i - 1]!;
    if (svc.length < 2 || svc[0] !== '_') return null;
    const service = svc + '.' + proto;
    if (service === '_dns-sd._udp') return null; // _services._dns-sd._udp, b._dns-sd._udp (browse domains)
    const head = l.slice(0, i - 1);
    if (head.length === 0) return { service, instance: null };
    if (head[head.length - 1] === '_sub') return { service, instance: null };
    return { service, instance: unescapeLabel(head.join('.')) };
  }
  return null;
}

class Uniq {
  readonly list: string[] = [];
  private seen = new Set<string>();
  add(s: string): void {
    if (s === '' || this.seen.has(s) || this.list.length >= MAX_ITEMS) return;
    this.seen.add(s);
    this.list.push(s);
  }
}

/** Facts from one mDNS message `buf[off, off + len)`, or null when nothing could be read. */
export function mdnsFacts(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): MdnsFacts | null {
  const hostnames = new Uniq();
  const services = new Uniq();
  const questions = new Uniq();
  const addresses: MdnsAddress[] = [];
  const addrSeen = new Set<string>();
  const instances = new Map<string, MdnsInstance>();
  let qr = false;
  let seenAny = false;
  // The header is needed before records to know whether answers are known answers.
  if (off >= 0 && len >= 12 && off + 12 <= buf.length) qr = (buf[off + 2]! & 0x80) !== 0;

  const instanceOf = (owner: string): MdnsInstance | null => {
    const d = dnssd(owner);
    if (d === null) return null;
    services.add(d.service);
    if (d.instance === null) return null;
    let inst = instances.get(owner);
    if (inst === undefined) {
      if (instances.size >= MAX_ITEMS) return null;
      inst = { instance: d.instance, service: d.service, target: null, port: null, txt: {} };
      instances.set(owner, inst);
    }
    return inst;
  };

  const hdr = parseDnsMessage(
    buf,
    off,
    len,
    {
      question(name) {
        seenAny = true;
        questions.add(name);
      },
      record(section, name, type, _cls, _ttl, rd) {
        seenAny = true;
        if (!qr && section === 1) return; // known answers of a query
        switch (rd.kind) {
          case 'a':
          case 'aaaa': {
            if (name.endsWith('.local')) hostnames.add(stripLocal(name));
            const n = stripLocal(name);
            const key = n + '|' + (rd.kind === 'a' ? rd.ip : rd.words.join(','));
            if (addrSeen.has(key) || addresses.length >= MAX_ITEMS) return;
            addrSeen.add(key);
            addresses.push(rd.kind === 'a' ? { name: n, v4: rd.ip } : { name: n, v6: rd.words });
            return;
          }
          case 'name':
            if (type !== 12) return; // PTR only
            if (name === SERVICES_ENUM) {
              const d = dnssd(rd.name);
              if (d !== null) services.add(d.service);
              return;
            }
            if (name.endsWith('.arpa')) {
              if (rd.name.endsWith('.local')) hostnames.add(stripLocal(rd.name));
              return;
            }
            instanceOf(name); // the service type (or subtype) owner
            instanceOf(rd.name); // the instance it points to
            return;
          case 'srv': {
            const inst = instanceOf(name);
            const target = rd.target === '' ? null : stripLocal(rd.target);
            if (rd.target.endsWith('.local')) hostnames.add(target!);
            if (inst !== null && inst.port === null) {
              inst.target = target;
              inst.port = rd.port;
            }
            return;
          }
          case 'txt': {
            const inst = instanceOf(name);
            if (inst === null) return;
            addTxt(inst.txt, rd.strings);
            return;
          }
          default:
            return;
        }
      },
    },
    errs,
  );
  if (hdr === null && !seenAny) return null;
  return {
    isResponse: qr,
    hostnames: hostnames.list,
    addresses,
    services: services.list,
    instances: [...instances.values()],
    questions: questions.list,
  };
}

function addTxt(txt: Record<string, string>, strings: string[]): void {
  let n = Object.keys(txt).length;
  for (const s of strings) {
    if (n >= MAX_TXT_KEYS) return;
    if (s === '') continue;
    const eq = s.indexOf('=');
    const key = clean((eq < 0 ? s : s.slice(0, eq)).toLowerCase());
    if (key === '' || Object.prototype.hasOwnProperty.call(txt, key)) continue;
    const value = eq < 0 ? '' : clean(s.slice(eq + 1));
    Object.defineProperty(txt, key, { value, enumerable: true, writable: true, configurable: true });
    n++;
  }
}

/**
 * Facts from one LLMNR message `buf[off, off + len)` (same wire format as
 * DNS). Null when nothing could be read or the opcode is not 0 (RFC 4795
 * §2.1.1: such messages are discarded).
 */
export function llmnrFacts(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): LlmnrFacts | null {
  if (off >= 0 && len >= 12 && off + 12 <= buf.length && ((buf[off + 2]! >> 3) & 0xf) !== 0) return null;
  const names = new Uniq();
  const addresses: LlmnrFacts['addresses'] = [];
  let seenAny = false;
  const hdr = parseDnsMessage(
    buf,
    off,
    len,
    {
      question(name) {
        seenAny = true;
        names.add(name);
      },
      record(section, name, _type, _cls, _ttl, rd) {
        seenAny = true;
        if (section !== 1) return;
        names.add(name);
        if (addresses.length >= MAX_ITEMS) return;
        if (rd.kind === 'a') addresses.push({ name, v4: rd.ip });
        else if (rd.kind === 'aaaa') addresses.push({ name, v6: rd.words });
      },
    },
    errs,
  );
  if (hdr === null && !seenAny) return null;
  const isResponse = off >= 0 && off + 3 <= buf.length ? (buf[off + 2]! & 0x80) !== 0 : false;
  return { isResponse, names: names.list, addresses };
}

// ---------------------------------------------------------------------------
// Dissectors: mDNS responses describe their sender (host names, services,
// TXT model keys); LLMNR answers name their addresses.

const MAX_TXT_OBS = 16;

export const mdnsDissector: Dissector = {
  id: 'mdns',
  app: { application: 'mDNS', family: 'Name Services' },
  udpPorts: [5353],
  dissect(buf, off, len, ctx) {
    const f = mdnsFacts(buf, off, len, ctx);
    if (f === null) return Verdict.Malformed;
    if (!f.isResponse) return Verdict.Continue;
    // Addresses in the answers name their owners; the sender owns what it announces.
    for (const a of f.addresses) {
      if (a.v4 !== undefined) ctx.about4(a.v4, -1, 'hostname', a.name, { record: 'A' });
      else if (a.v6 !== undefined) {
        if (ctx.about6 !== undefined) ctx.about6(a.v6, -1, 'hostname', a.name, { record: 'AAAA' });
        else ctx.about(ip6ToString(a.v6), -1, 'hostname', a.name, { record: 'AAAA' });
      }
    }
    for (const h of f.hostnames) ctx.src('hostname', h);
    for (const s of f.services) if (!s.startsWith('_services.')) ctx.src('service', s);
    for (const inst of f.instances) {
      let n = 0;
      for (const [k, v] of Object.entries(inst.txt)) {
        if (n++ >= MAX_TXT_OBS) break;
        if (v !== '' && TXT_KEYS.has(k)) ctx.src('txt', `${k}=${v}`, { service: inst.service, instance: inst.instance });
      }
    }
    return Verdict.Continue;
  },
};

/** TXT keys that describe the device (model, product, vendor); other keys are service settings. */
const TXT_KEYS = new Set(['model', 'md', 'ty', 'product', 'usb_mfg', 'usb_mdl', 'am', 'manufacturer', 'mfg', 'mdl', 'fn', 'rpmd', 'osxvers', 'os', 'vendor', 'serialnumber', 'sn', 'fv', 'srcvers', 'deviceid', 'note']);

export const llmnrDissector: Dissector = {
  id: 'llmnr',
  app: { application: 'LLMNR', family: 'Name Services' },
  udpPorts: [5355],
  tcpPorts: [5355],
  dissect(buf, off, len, ctx) {
    if (ctx.view.proto === 6) return Verdict.Done;
    const f = llmnrFacts(buf, off, len, ctx);
    if (f === null) return Verdict.Malformed;
    if (f.isResponse) {
      for (const a of f.addresses) {
        if (a.v4 !== undefined) ctx.about4(a.v4, -1, 'hostname', a.name);
        else if (a.v6 !== undefined) {
          if (ctx.about6 !== undefined) ctx.about6(a.v6, -1, 'hostname', a.name);
          else ctx.about(ip6ToString(a.v6), -1, 'hostname', a.name);
        }
      }
      // The responder answers for its own name.
      if (f.addresses.length === 0) for (const n of f.names) ctx.src('hostname', n);
    }
    return Verdict.Continue;
  },
};
