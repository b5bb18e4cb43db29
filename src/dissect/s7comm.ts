/**
 * Siemens S7 communication over ISO-on-TCP (RFC 1006), TCP 102.
 *
 * Layers: TPKT (version 3, reserved, 16-bit big-endian length of the whole
 * packet) → COTP (ISO 8073 class 0: length indicator, PDU type in the high
 * nibble; CR / CC carry the calling and called TSAPs as parameters 0xC1 /
 * 0xC2; DT carries user data, its EOT bit marking the last unit of a
 * message) → S7comm (protocol id 0x32) or S7comm-plus (protocol id 0x72,
 * S7-1200/1500; only recognised).
 *
 * S7comm header: protocol id, ROSCTR (1 Job, 2 Ack, 3 Ack_Data, 7
 * Userdata), 2 reserved bytes, PDU reference, parameter length, data
 * length, and for ROSCTR 2 and 3 an error class and code. A Job / Ack_Data
 * parameter starts with its function (0xF0 Setup communication: reserved,
 * max AmQ calling, max AmQ called, PDU length). A Userdata parameter is a
 * 3-byte head, its length, a method, type (high nibble: 0 push, 4 request,
 * 8 response) and function group (low nibble), subfunction, sequence number,
 * and in 8-byte parameters a data unit reference, a "more follows" flag and
 * an error code. CPU functions (group 4) / Read SZL (subfunction 1) return
 * the system status list: SZL-ID, index, record length, record count, then
 * the records. A long list is split over several responses sharing a data
 * unit reference; the pieces are joined here.
 *
 * SZL-ID xy11 (module identification, 28-byte records): index, 20-character
 * order number (MLFB), module type id, two version words; index 1 names the
 * module, 6 the hardware and 7 the firmware (version words 'V', major,
 * minor, patch). SZL-ID xy1C (component identification, 34-byte records):
 * index then 32 bytes: 1 automation system name, 2 module name, 3 plant
 * designation, 4 copyright, 5 serial number, 7 module type name, 8 memory
 * card serial, 9 manufacturer id / profile, 11 location designation.
 */
import { u16 } from '../decode/bytes.js';
import type { ErrorCounter } from './snmp.js';
import { escapeBytes } from './text.js';
import { Verdict, type Dissector, type ObservationData } from './types.js';

export const S7_MAX_STREAM = 8192;
/** Bound on a COTP-segmented message or a multi-part SZL answer that is put back together. */
const MAX_JOINED = 16384;

export const S7_ROSCTR: Readonly<Record<number, string>> = { 1: 'Job', 2: 'Ack', 3: 'Ack_Data', 7: 'Userdata' };

/** Job / Ack_Data functions (first parameter byte). */
export const S7_FUNCTIONS: Readonly<Record<number, string>> = {
  0x00: 'CPU services',
  0x04: 'Read Var',
  0x05: 'Write Var',
  0x1a: 'Request download',
  0x1b: 'Download block',
  0x1c: 'Download ended',
  0x1d: 'Start upload',
  0x1e: 'Upload',
  0x1f: 'End upload',
  0x28: 'PI service',
  0x29: 'PLC stop',
  0xf0: 'Setup communication',
};

/** Userdata function groups (low nibble of the type byte). */
export const S7_USERDATA_GROUPS: Readonly<Record<number, string>> = {
  0x0: 'Mode transition',
  0x1: 'Programmer commands',
  0x2: 'Cyclic data',
  0x3: 'Block functions',
  0x4: 'CPU functions',
  0x5: 'Security',
  0x6: 'PBC BSEND/BRECV',
  0x7: 'Time functions',
  0xf: 'NC programming',
};

export interface S7Setup {
  maxAmqCalling: number;
  maxAmqCalled: number;
  pduLength: number;
}

export interface S7Userdata {
  /** 0 push, 4 request, 8 response. */
  type: number;
  group: number;
  subfunction: number;
  seq: number;
  /** Present in 8-byte parameters. */
  dataUnitRef: number | null;
  /** More parts of this answer follow. */
  more: boolean;
}

/** One thing read from the stream. */
export interface S7Message {
  kind: 'cotp-cr' | 'cotp-cc' | 's7' | 's7plus' | 'other';
  /** COTP CR / CC. */
  srcTsap?: string;
  dstTsap?: string;
  /** S7comm. */
  rosctr?: number;
  pduRef?: number;
  errorClass?: number;
  errorCode?: number;
  /** Job / Ack_Data function. */
  func?: number;
  setup?: S7Setup;
  userdata?: S7Userdata;
  /** SZL list named by a request or carried by a whole (or completed) response. */
  szlId?: number;
  szlIndex?: number;
}

/** What SZL answers say about the device. */
export interface S7Identity {
  orderNumber: string | null;
  firmware: string | null;
  /** Hardware revision (SZL xy11 index 6 version words). */
  hardware: string | null;
  plcName: string | null;
  moduleName: string | null;
  plantId: string | null;
  copyright: string | null;
  serial: string | null;
  moduleTypeName: string | null;
  memoryCardSerial: string | null;
  manufacturerId: number | null;
  location: string | null;
  /** SZL ids whose identification records were read. */
  sources: number[];
}

export interface S7Scan {
  messages: S7Message[];
  identity: S7Identity;
  /** 'more': stopped at a cut TPKT; 'bad': stopped at bytes that are not TPKT; 'end': all consumed. */
  stop: 'more' | 'bad' | 'end';
  /** Bytes of whole TPKTs read. */
  consumed: number;
}

function emptyIdentity(): S7Identity {
  return {
    orderNumber: null,
    firmware: null,
    hardware: null,
    plcName: null,
    moduleName: null,
    plantId: null,
    copyright: null,
    serial: null,
    moduleTypeName: null,
    memoryCardSerial: null,
    manufacturerId: null,
    location: null,
    sources: [],
  };
}

/** A TSAP as text: printable names as they are, two or more other bytes as 0x hex. */
export function tsapText(b: Uint8Array, s: number, e: number): string {
  let text = e - s >= 3;
  for (let i = s; i < e && text; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) text = false;
  if (text) return escapeBytes(b, s, e);
  let h = '0x';
  for (let i = s; i < e; i++) h += b[i]!.toString(16).padStart(2, '0');
  return h;
}

/** An S7-style called TSAP: two bytes naming a connection type (1 PG, 2 OP, 3 S7 basic, ...) and rack/slot, or a SIMATIC name. */
export function isS7Tsap(t: string | undefined): boolean {
  if (t === undefined) return false;
  if (/^SIMATIC-/.test(t)) return true;
  const m = /^0x([0-9a-f]{2})[0-9a-f]{2}$/.exec(t);
  if (!m) return false;
  const kind = parseInt(m[1]!, 16);
  return kind >= 0x01 && kind <= 0x10;
}

/** Text of a fixed-size SZL field: up to the first NUL, surrounding spaces dropped; null when empty. */
function szlText(b: Uint8Array, s: number, e: number): string | null {
  let end = s;
  while (end < e && b[end] !== 0) end++;
  while (end > s && b[end - 1] === 0x20) end--;
  let start = s;
  while (start < end && b[start] === 0x20) start++;
  return start < end ? escapeBytes(b, start, end) : null;
}

/**
 * Reads the records of an SZL answer (`b[s, e)` starts at the SZL-ID) into
 * `id`. Returns the SZL id and index, or null when the list header is cut.
 */
export function parseSzl(b: Uint8Array, s: number, e: number, id: S7Identity, errs?: ErrorCounter): { id: number; index: number; count: number } | null {
  if (e - s < 8) return null;
  const szlId = u16(b, s);
  const szlIndex = u16(b, s + 2);
  const recLen = u16(b, s + 4);
  const count = u16(b, s + 6);
  const list = szlId & 0xff;
  let p = s + 8;
  if (recLen === 0) return { id: szlId, index: szlIndex, count };
  let n = 0;
  for (; n < count && n < 256 && p + recLen <= e; n++, p += recLen) {
    if (list === 0x11 && recLen >= 28) {
      const idx = u16(b, p);
      const mlfb = szlText(b, p + 2, p + 22);
      const ausbg = u16(b, p + 24);
      const ausbe = u16(b, p + 26);
      if (idx === 1 && mlfb) id.orderNumber = mlfb;
      else if (idx === 6) {
        if (mlfb && !id.orderNumber) id.orderNumber = mlfb;
        id.hardware = String(ausbe);
      } else if (idx === 7) {
        const letter = ausbg >> 8;
        if (letter >= 0x41 && letter <= 0x5a) id.firmware = `${String.fromCharCode(letter)}${ausbg & 0xff}.${ausbe >> 8}.${ausbe & 0xff}`;
      }
      if (!id.sources.includes(szlId)) id.sources.push(szlId);
    } else if (list === 0x1c && recLen >= 34) {
      const idx = u16(b, p);
      const v = p + 2;
      switch (idx) {
        case 1: id.plcName = szlText(b, v, v + 24) ?? id.plcName; break;
        case 2: id.moduleName = szlText(b, v, v + 24) ?? id.moduleName; break;
        case 3: id.plantId = szlText(b, v, v + 32) ?? id.plantId; break;
        case 4: id.copyright = szlText(b, v, v + 26) ?? id.copyright; break;
        case 5: id.serial = szlText(b, v, v + 24) ?? id.serial; break;
        case 7: id.moduleTypeName = szlText(b, v, v + 32) ?? id.moduleTypeName; break;
        case 8: id.memoryCardSerial = szlText(b, v, v + 32) ?? id.memoryCardSerial; break;
        case 9: id.manufacturerId = u16(b, v); break;
        case 11: id.location = szlText(b, v, v + 32) ?? id.location; break;
      }
      if (!id.sources.includes(szlId)) id.sources.push(szlId);
    }
  }
  if (n < count && n < 256 && (list === 0x11 || list === 0x1c)) errs?.count('s7comm.szl_truncated');
  return { id: szlId, index: szlIndex, count };
}

interface ScanState {
  /** COTP DT units of a message not yet ended. */
  cotp: Uint8Array[];
  cotpLen: number;
  /** Parts of multi-part userdata answers, by data unit reference. */
  parts: Map<number, Uint8Array[]>;
}

/** One S7comm PDU `b[s, e)` (starting at protocol id 0x32). */
function parseS7(b: Uint8Array, s: number, e: number, st: ScanState, id: S7Identity, errs?: ErrorCounter): S7Message {
  const m: S7Message = { kind: 's7' };
  if (e - s < 10) {
    errs?.count('s7comm.short_header');
    return m;
  }
  const rosctr = b[s + 1]!;
  m.rosctr = rosctr;
  m.pduRef = u16(b, s + 4);
  const parLen = u16(b, s + 6);
  const datLen = u16(b, s + 8);
  let p = s + 10;
  if (rosctr === 2 || rosctr === 3) {
    if (e - s < 12) {
      errs?.count('s7comm.short_header');
      return m;
    }
    m.errorClass = b[s + 10]!;
    m.errorCode = b[s + 11]!;
    p = s + 12;
  }
  if (p + parLen + datLen > e) {
    errs?.count('s7comm.bad_length');
    return m;
  }
  const par = p;
  const dat = p + parLen;
  if (rosctr === 1 || rosctr === 3 || rosctr === 2) {
    if (parLen >= 1) {
      m.func = b[par]!;
      if (m.func === 0xf0 && parLen >= 8) {
        m.setup = { maxAmqCalling: u16(b, par + 2), maxAmqCalled: u16(b, par + 4), pduLength: u16(b, par + 6) };
      }
    }
  } else if (rosctr === 7) {
    if (parLen < 8 || b[par] !== 0x00 || b[par + 1] !== 0x01 || b[par + 2] !== 0x12) {
      errs?.count('s7comm.bad_userdata');
      return m;
    }
    const plen = b[par + 3]!;
    const long = plen >= 8 && parLen >= 12;
    const ud: S7Userdata = {
      type: b[par + 5]! >> 4,
      group: b[par + 5]! & 0x0f,
      subfunction: b[par + 6]!,
      seq: b[par + 7]!,
      dataUnitRef: long ? b[par + 8]! : null,
      more: long ? b[par + 9]! !== 0 : false,
    };
    m.userdata = ud;
    // Data: return code, transport size, length, then the payload.
    if (datLen < 4) return m;
    const ret = b[dat]!;
    const dl = Math.min(u16(b, dat + 2), datLen - 4);
    const ds = dat + 4;
    if (ud.group !== 4 || ud.subfunction !== 1) return m;
    if (ud.type === 4) {
      if (ret === 0xff && dl >= 4) {
        m.szlId = u16(b, ds);
        m.szlIndex = u16(b, ds + 2);
      }
      return m;
    }
    if (ud.type !== 8 || ret !== 0xff) return m;
    const ref = ud.dataUnitRef ?? 0;
    const prior = ref !== 0 ? st.parts.get(ref) : undefined;
    if (ud.more && ref !== 0) {
      const list = prior ?? [];
      let total = 0;
      for (const x of list) total += x.length;
      if (total + dl <= MAX_JOINED) list.push(b.subarray(ds, ds + dl));
      st.parts.set(ref, list);
      // The list is named once it is whole (its first part alone is not counted as a read).
      return m;
    }
    let whole: Uint8Array = b;
    let ws = ds;
    let we = ds + dl;
    if (prior) {
      st.parts.delete(ref);
      prior.push(b.subarray(ds, ds + dl));
      whole = concat(prior);
      ws = 0;
      we = whole.length;
    }
    const r = parseSzl(whole, ws, we, id, errs);
    if (r) {
      m.szlId = r.id;
      m.szlIndex = r.index;
    }
  }
  return m;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** COTP CR / CC parameters: the TSAPs. */
function cotpTsaps(b: Uint8Array, s: number, e: number, m: S7Message): void {
  for (let p = s, k = 0; p + 2 <= e && k < 32; k++) {
    const code = b[p]!;
    const l = b[p + 1]!;
    if (p + 2 + l > e) break;
    if (code === 0xc1) m.srcTsap = tsapText(b, p + 2, p + 2 + l);
    else if (code === 0xc2) m.dstTsap = tsapText(b, p + 2, p + 2 + l);
    p += 2 + l;
  }
}

/** The user data of one ended COTP message. */
function userData(b: Uint8Array, s: number, e: number, st: ScanState, id: S7Identity, errs?: ErrorCounter): S7Message {
  if (s >= e) return { kind: 'other' };
  if (b[s] === 0x32) return parseS7(b, s, e, st, id, errs);
  if (b[s] === 0x72) return { kind: 's7plus' };
  return { kind: 'other' };
}

/**
 * Reads the TPKTs of one direction's bytes `buf[off, off + len)` from the
 * start: COTP connection requests / confirms, and the S7 messages carried
 * in data units. Never throws.
 */
export function scanS7(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): S7Scan {
  const out: S7Scan = { messages: [], identity: emptyIdentity(), stop: 'end', consumed: 0 };
  if (off < 0 || len < 0 || off + len > buf.length) {
    out.stop = 'bad';
    return out;
  }
  const end = off + len;
  const st: ScanState = { cotp: [], cotpLen: 0, parts: new Map() };
  let p = off;
  for (let k = 0; k < 4096 && p < end; k++) {
    if (buf[p] !== 3 || (p + 1 < end && buf[p + 1] !== 0)) {
      out.stop = 'bad';
      break;
    }
    if (p + 4 > end) {
      out.stop = 'more';
      break;
    }
    const tl = u16(buf, p + 2);
    if (tl < 7) {
      out.stop = 'bad';
      break;
    }
    if (p + 4 < end) {
      // Check the COTP length indicator as soon as it is there, so that a cut stream of garbage is not "more".
      const li = buf[p + 4]!;
      if (li < 2 || li + 5 > tl) {
        out.stop = 'bad';
        break;
      }
    }
    if (p + tl > end) {
      out.stop = 'more';
      break;
    }
    const c = p + 4;
    const li = buf[c]!;
    const type = buf[c + 1]! & 0xf0;
    const hdrEnd = c + 1 + li;
    const pe = p + tl;
    if (type === 0xe0 || type === 0xd0) {
      const m: S7Message = { kind: type === 0xe0 ? 'cotp-cr' : 'cotp-cc' };
      if (li >= 6) cotpTsaps(buf, c + 7, hdrEnd, m);
      out.messages.push(m);
    } else if (type === 0xf0) {
      const eot = (buf[c + 2]! & 0x80) !== 0;
      if (!eot) {
        if (st.cotpLen + (pe - hdrEnd) <= MAX_JOINED) {
          st.cotp.push(buf.subarray(hdrEnd, pe));
          st.cotpLen += pe - hdrEnd;
        } else errs?.count('s7comm.cotp_too_long');
      } else if (st.cotp.length === 0) {
        out.messages.push(userData(buf, hdrEnd, pe, st, out.identity, errs));
      } else {
        st.cotp.push(buf.subarray(hdrEnd, pe));
        const whole = concat(st.cotp);
        st.cotp = [];
        st.cotpLen = 0;
        out.messages.push(userData(whole, 0, whole.length, st, out.identity, errs));
      }
    } else {
      out.messages.push({ kind: 'other' });
    }
    p = pe;
    out.consumed = p - off;
  }
  return out;
}

function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

/** The banner naming a Job / Ack_Data function or a Userdata function. */
export function s7FunctionBanner(m: S7Message): string | null {
  if (m.func !== undefined && (m.rosctr === 1 || m.rosctr === 3)) {
    return `function ${hex2(m.func)} ${S7_FUNCTIONS[m.func] ?? 'unknown'}`;
  }
  const ud = m.userdata;
  if (ud) {
    const g = S7_USERDATA_GROUPS[ud.group] ?? `group ${ud.group}`;
    if (ud.group === 4 && ud.subfunction === 1) return `userdata ${g}: Read SZL`;
    return `userdata ${g}: subfunction ${ud.subfunction}`;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Dissector: Job and Userdata requests come from the client (an engineering
// station, HMI or SCADA), Ack / Ack_Data and Userdata answers and pushes from
// the PLC. A module identification answer names the CPU.

export const s7commDissector: Dissector = {
  id: 's7comm',
  app: { application: 'S7comm', family: 'Industrial' },
  tcpPorts: [102],
  maxStream: S7_MAX_STREAM,
  dissect(buf, off, len, ctx) {
    const scan = scanS7(buf, off, len, ctx);
    let mine = false;
    let plus = false;
    let client = false;
    let server = false;
    const banners = new Map<string, ObservationData | undefined>();
    for (const m of scan.messages) {
      if (m.kind === 'cotp-cr' || m.kind === 'cotp-cc') {
        if (isS7Tsap(m.dstTsap)) mine = true;
      } else if (m.kind === 's7plus') {
        mine = true;
        plus = true;
      } else if (m.kind === 's7') {
        mine = true;
        const r = m.rosctr;
        if (r === 1) client = true;
        else if (r === 2 || r === 3) server = true;
        else if (r === 7 && m.userdata) {
          if (m.userdata.type === 4) client = true;
          else if (m.userdata.type === 8 || m.userdata.type === 0) server = true;
        }
        const b = s7FunctionBanner(m);
        if (b !== null && !banners.has(b)) {
          banners.set(
            b,
            m.setup
              ? { function: 0xf0, max_amq_calling: m.setup.maxAmqCalling, max_amq_called: m.setup.maxAmqCalled, pdu_length: m.setup.pduLength }
              : m.func !== undefined
                ? { function: m.func }
                : { group: m.userdata!.group, subfunction: m.userdata!.subfunction },
          );
        }
      }
    }
    if (!mine) {
      if (scan.messages.length === 0 && scan.stop === 'more') return Verdict.More;
      return Verdict.NotMine;
    }
    if (scan.stop === 'bad') ctx.count('s7comm.bad_tpkt');
    if (client) {
      ctx.src('role', 's7-client');
      ctx.dst('role', 's7-server');
    }
    if (server) {
      ctx.src('role', 's7-server');
      ctx.dst('role', 's7-client');
    }
    if (plus) {
      ctx.src('role', ctx.fromClient ? 's7-client' : 's7-server');
      ctx.dst('role', ctx.fromClient ? 's7-server' : 's7-client');
      ctx.src('banner', 's7comm-plus');
    }
    for (const [b, d] of banners) ctx.src('banner', b, d);
    const id = scan.identity;
    if (id.sources.length) {
      const szl = id.sources.map((x) => '0x' + x.toString(16).padStart(4, '0'));
      const siemens = id.orderNumber !== null || id.manufacturerId === 0x2a || (id.copyright !== null && /siemens/i.test(id.copyright));
      if (siemens) ctx.src('vendor', 'Siemens', id.manufacturerId !== null ? { vendor_id: id.manufacturerId, szl_ids: szl } : { szl_ids: szl });
      if (id.orderNumber !== null || id.moduleTypeName !== null) {
        ctx.src('device_type', 'industrial controller', { szl_ids: szl, order_number: id.orderNumber, module_type: id.moduleTypeName });
      }
      if (id.orderNumber !== null) ctx.src('model', id.orderNumber, { order_number: true });
      if (id.moduleTypeName !== null) ctx.src('model', id.moduleTypeName, { module_type_name: true });
      if (id.firmware !== null) ctx.src('firmware', id.firmware, { hardware: id.hardware });
      if (id.serial !== null) ctx.src('serial', id.serial, { memory_card: id.memoryCardSerial });
      if (id.plcName !== null) ctx.src('hostname', id.plcName, { module_name: id.moduleName, plant_id: id.plantId, location: id.location });
    }
    if (plus) return Verdict.Done;
    if (scan.stop === 'bad') return Verdict.Done;
    return len >= S7_MAX_STREAM ? Verdict.Done : Verdict.More;
  },
};
