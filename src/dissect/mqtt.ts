/**
 * MQTT (3.1 "MQIsdp", 3.1.1, 5.0) on TCP port 1883 (8883 is MQTT over TLS:
 * nothing to read).
 *
 * Every control packet: a fixed header (type in the high nibble of the first
 * byte, flags in the low nibble; remaining length as a base-128 varint of 1 to
 * 4 bytes), then the rest. What the sensor reads:
 *
 *   CONNECT (1)    protocol name (u16 length + text: "MQTT" or "MQIsdp"),
 *                  protocol level (3 = 3.1, 4 = 3.1.1, 5 = 5.0), connect flags
 *                  (0x80 user name, 0x40 password, 0x20 will retain, 0x18 will
 *                  QoS, 0x04 will, 0x02 clean session), keep alive (u16), in
 *                  5.0 the properties (varint length, skipped), then the
 *                  payload: client id (u16 length + UTF-8), will (5.0 will
 *                  properties, topic, message) and user name when flagged.
 *   CONNACK (2)    acknowledge flags, return code (5.0: reason code).
 *   PUBLISH (3)    topic name (the first bytes, so a cut message still gives it).
 *   SUBSCRIBE (8)  packet id, (5.0 properties), topic filters with options.
 *
 * The dissector is handed one direction of the connection from its start;
 * it walks the packets from there each time (at most MAX_PACKETS, at most
 * MAX_TOPICS distinct topics noted per direction) and asks for more until it
 * has the CONNECT / CONNACK and a few topics, or the stream limit is reached.
 *
 * Lengths are checked before every read, nothing throws, every loop is bounded.
 */
import { u16 } from '../decode/bytes.js';
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export const MQTT_CONNECT = 1;
export const MQTT_CONNACK = 2;
export const MQTT_PUBLISH = 3;
export const MQTT_SUBSCRIBE = 8;

/** Packets walked at most per call. */
const MAX_PACKETS = 256;
/** Distinct topic names noted at most per direction. */
export const MAX_TOPICS = 8;
/** Longest client id / topic / user name kept. */
const MAX_TEXT = 256;
const STREAM = 8192;

export interface MqttConnect {
  protocolName: string;
  /** 3 = 3.1, 4 = 3.1.1, 5 = 5.0. */
  level: number;
  flags: number;
  keepAlive: number;
  /** Null when the payload was cut before it. */
  clientId: string | null;
  userName: string | null;
  usernamePresent: boolean;
  passwordPresent: boolean;
  will: boolean;
  cleanSession: boolean;
}

export interface MqttConnack {
  sessionPresent: boolean;
  returnCode: number;
}

export interface MqttScan {
  /** Packet types in order (at most MAX_PACKETS). */
  types: number[];
  connect: MqttConnect | null;
  connack: MqttConnack | null;
  /** Distinct PUBLISH topics, in order of appearance (at most MAX_TOPICS with the subscriptions). */
  published: string[];
  /** Distinct SUBSCRIBE topic filters. */
  subscribed: string[];
  /** The last packet is cut (or its header is). */
  cut: boolean;
  /** Total size the cut packet needs (header + remaining length), when known. */
  cutSize: number;
  /** The bytes do not look like MQTT at all (first packet not a valid CONNECT / CONNACK, or a bad header). */
  bad: boolean;
}

/** The fixed header at p: {type, flags, remaining length, header size}; null when cut; 'bad' when the varint is too long. */
export function fixedHeader(b: Uint8Array, p: number, end: number): { type: number; flags: number; rem: number; hdr: number } | null | 'bad' {
  if (p + 2 > end) return null;
  let rem = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    const q = p + 1 + i;
    if (q >= end) return null;
    const c = b[q]!;
    rem += (c & 0x7f) * mul;
    mul *= 128;
    if ((c & 0x80) === 0) return { type: b[p]! >> 4, flags: b[p]! & 15, rem, hdr: 2 + i };
  }
  return 'bad';
}

/** A base-128 varint (5.0 property lengths) at p: [value, size] or null. */
function varint(b: Uint8Array, p: number, end: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 4 && p + i < end; i++) {
    const c = b[p + i]!;
    v += (c & 0x7f) * mul;
    mul *= 128;
    if ((c & 0x80) === 0) return [v, i + 1];
  }
  return null;
}

/** A u16-length string at p: [text, next] or null when it runs past `end`. */
function str(b: Uint8Array, p: number, end: number): [string, number] | null {
  if (p + 2 > end) return null;
  const n = u16(b, p);
  if (p + 2 + n > end) return null;
  return [escapeBytes(b, p + 2, p + 2 + Math.min(n, MAX_TEXT)), p + 2 + n];
}

function parseConnect(b: Uint8Array, s: number, e: number): MqttConnect | null {
  const name = str(b, s, e);
  if (!name || (name[0] !== 'MQTT' && name[0] !== 'MQIsdp')) return null;
  let p = name[1];
  if (p + 4 > e) return null;
  const level = b[p]!;
  const flags = b[p + 1]!;
  const keepAlive = u16(b, p + 2);
  p += 4;
  const c: MqttConnect = {
    protocolName: name[0],
    level,
    flags,
    keepAlive,
    clientId: null,
    userName: null,
    usernamePresent: (flags & 0x80) !== 0,
    passwordPresent: (flags & 0x40) !== 0,
    will: (flags & 0x04) !== 0,
    cleanSession: (flags & 0x02) !== 0,
  };
  if (level >= 5) {
    const v = varint(b, p, e);
    if (!v) return c;
    p += v[1] + v[0];
  }
  const id = str(b, p, e);
  if (!id) return c;
  c.clientId = id[0];
  p = id[1];
  if (c.will) {
    if (level >= 5) {
      const v = varint(b, p, e);
      if (!v) return c;
      p += v[1] + v[0];
    }
    const topic = str(b, p, e);
    if (!topic) return c;
    const msg = str(b, topic[1], e);
    if (!msg) return c;
    p = msg[1];
  }
  if (c.usernamePresent) {
    const u = str(b, p, e);
    if (u) c.userName = u[0];
  }
  return c;
}

/**
 * Walks the MQTT packets of one direction at buf[off, off + len), from the
 * start of the connection (`fromStart` false: any packet may come first).
 */
export function scanMqtt(b: Uint8Array, off: number, len: number, fromStart = true): MqttScan {
  const end = off + len;
  const r: MqttScan = { types: [], connect: null, connack: null, published: [], subscribed: [], cut: false, cutSize: 0, bad: false };
  const note = (list: string[], t: string) => {
    if (r.published.length + r.subscribed.length < MAX_TOPICS && !list.includes(t)) list.push(t);
  };
  let p = off;
  for (let n = 0; n < MAX_PACKETS && p < end; n++) {
    const h = fixedHeader(b, p, end);
    if (h === 'bad') {
      r.bad = true;
      break;
    }
    if (h === null) {
      r.cut = true;
      break;
    }
    const s = p + h.hdr;
    const full = s + h.rem;
    const e = Math.min(full, end);
    if (h.type === 0) {
      r.bad = true;
      break;
    }
    if (n === 0 && fromStart) {
      // A connection starts with CONNECT (client) or CONNACK (broker).
      if (h.type === MQTT_CONNECT ? h.flags !== 0 || h.rem < 10 : h.type !== MQTT_CONNACK || h.flags !== 0 || h.rem < 2) {
        r.bad = true;
        break;
      }
    }
    r.types.push(h.type);
    if (h.type === MQTT_CONNECT && r.connect === null) {
      const c = parseConnect(b, s, e);
      if (c === null && full <= end) {
        r.bad = n === 0;
        if (r.bad) break;
      }
      r.connect = c;
    } else if (h.type === MQTT_CONNACK && r.connack === null && e - s >= 2) {
      r.connack = { sessionPresent: (b[s]! & 1) === 1, returnCode: b[s + 1]! };
    } else if (h.type === MQTT_PUBLISH) {
      const t = str(b, s, e);
      if (t && t[0]) note(r.published, t[0]);
    } else if (h.type === MQTT_SUBSCRIBE && full <= end) {
      let q = s + 2;
      if ((r.connect?.level ?? 4) >= 5) {
        const v = varint(b, q, e);
        q = v ? q + v[1] + v[0] : e;
      }
      for (let k = 0; k < 32 && q < e; k++) {
        const t = str(b, q, e);
        if (!t) break;
        if (t[0]) note(r.subscribed, t[0]);
        q = t[1] + 1;
      }
    }
    if (full > end) {
      r.cut = true;
      r.cutSize = full - p;
      break;
    }
    p = full;
  }
  return r;
}

/** A cheap look at a payload on another port: a CONNECT with the MQTT / MQIsdp protocol name. */
function probe(b: Buffer, off: number, len: number, proto: number): boolean {
  if (proto !== 6 || len < 12 || b[off] !== 0x10) return false;
  const h = fixedHeader(b, off, off + len);
  if (h === null || h === 'bad') return false;
  const s = off + h.hdr;
  if (s + 8 > off + len) return false;
  const n = u16(b, s);
  if (n === 4) return b.toString('latin1', s + 2, s + 6) === 'MQTT';
  if (n === 6 && s + 10 <= off + len) return b.toString('latin1', s + 2, s + 8) === 'MQIsdp';
  return false;
}

export const mqttDissector: Dissector = {
  id: 'mqtt',
  app: { application: 'MQTT', family: 'Industrial' },
  tcpPorts: [1883],
  maxStream: STREAM,
  probe,
  dissect(buf, off, len, ctx) {
    if (ctx.view.proto !== 6) return Verdict.NotMine;
    const r = scanMqtt(buf, off, len);
    if (r.types.length === 0) return r.bad ? Verdict.NotMine : Verdict.More;
    const c = r.connect;
    if (c) {
      ctx.src('role', 'mqtt-client', { protocol_level: c.level });
      ctx.dst('role', 'mqtt-broker', { protocol_level: c.level });
      if (c.clientId !== null && c.clientId !== '') {
        ctx.src('banner', `mqtt client id ${c.clientId}`, {
          protocol_name: c.protocolName,
          protocol_level: c.level,
          username_present: c.usernamePresent,
          password_present: c.passwordPresent,
          will: c.will,
          clean_session: c.cleanSession,
          keep_alive: c.keepAlive,
        });
      }
      if (c.userName) ctx.src('user', c.userName, { protocol: 'mqtt' });
    }
    if (r.connack) {
      ctx.src('role', 'mqtt-broker', { connack_return_code: r.connack.returnCode });
      ctx.dst('role', 'mqtt-client');
    }
    if (c) {
      // Topics the client publishes to and subscribes to (the broker's PUBLISH messages echo the subscriptions).
      for (const t of r.published) ctx.src('banner', `mqtt publish ${t}`);
      for (const t of r.subscribed) ctx.src('banner', `mqtt subscribe ${t}`);
    }
    if (r.bad && !c && !r.connack) return Verdict.Malformed;
    // The broker's side: the CONNACK is all that is wanted.
    if (r.bad || r.connack || (r.types[0] === MQTT_CONNECT && !c && !r.cut)) return Verdict.Done;
    if (r.published.length + r.subscribed.length >= MAX_TOPICS) return Verdict.Done;
    // A cut packet that cannot fit in the stream limit: what it had was read.
    if (r.cut && r.cutSize > STREAM) return Verdict.Done;
    return Verdict.More;
  },
};
