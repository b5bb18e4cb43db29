/**
 * MQTT control packets (TCP payload bytes) for the OT sample capture and
 * tests: CONNECT (3.1.1 or 5.0), CONNACK, PUBLISH, SUBSCRIBE.
 */

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let c = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) c |= 0x80;
    out.push(c);
  } while (n > 0 && out.length < 4);
  return Buffer.from(out);
}

function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), remainingLength(body.length), body]);
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(2);
  h.writeUInt16BE(b.length, 0);
  return Buffer.concat([h, b]);
}

export interface MqttConnectOptions {
  clientId: string;
  /** 4 = 3.1.1 (default), 5 = 5.0, 3 = 3.1 (protocol name MQIsdp). */
  level?: 3 | 4 | 5;
  username?: string;
  password?: string;
  keepAlive?: number;
  cleanSession?: boolean;
  will?: { topic: string; message: string; qos?: number; retain?: boolean };
}

/** CONNECT. In 5.0 a Session Expiry Interval property (0) is included, to exercise the property skipping. */
export function mqttConnect(o: MqttConnectOptions): Buffer {
  const level = o.level ?? 4;
  let flags = 0;
  if (o.cleanSession ?? true) flags |= 0x02;
  if (o.will) flags |= 0x04 | ((o.will.qos ?? 0) & 3) << 3 | (o.will.retain ? 0x20 : 0);
  if (o.password !== undefined) flags |= 0x40;
  if (o.username !== undefined) flags |= 0x80;
  const ka = Buffer.alloc(2);
  ka.writeUInt16BE(o.keepAlive ?? 60, 0);
  const parts: Buffer[] = [str(level === 3 ? 'MQIsdp' : 'MQTT'), Buffer.from([level, flags]), ka];
  if (level === 5) parts.push(Buffer.from([5, 0x11, 0, 0, 0, 0]));
  parts.push(str(o.clientId));
  if (o.will) {
    if (level === 5) parts.push(Buffer.from([0]));
    parts.push(str(o.will.topic), str(o.will.message));
  }
  if (o.username !== undefined) parts.push(str(o.username));
  if (o.password !== undefined) parts.push(str(o.password));
  return packet(0x10, Buffer.concat(parts));
}

export interface MqttConnackOptions {
  /** 0 accepted (3.1.1: 1..5 refused; 5.0: reason codes). */
  returnCode?: number;
  sessionPresent?: boolean;
  /** 5.0: adds an empty property list. */
  level?: 3 | 4 | 5;
}

export function mqttConnack(o: MqttConnackOptions = {}): Buffer {
  const body = [o.sessionPresent ? 1 : 0, o.returnCode ?? 0];
  if (o.level === 5) body.push(0);
  return packet(0x20, Buffer.from(body));
}

export interface MqttPublishOptions {
  topic: string;
  payload: Buffer | string;
  qos?: 0 | 1 | 2;
  packetId?: number;
  retain?: boolean;
  /** 5.0: adds an empty property list. */
  level?: 3 | 4 | 5;
}

export function mqttPublish(o: MqttPublishOptions): Buffer {
  const qos = o.qos ?? 0;
  const parts: Buffer[] = [str(o.topic)];
  if (qos > 0) {
    const id = Buffer.alloc(2);
    id.writeUInt16BE(o.packetId ?? 1, 0);
    parts.push(id);
  }
  if (o.level === 5) parts.push(Buffer.from([0]));
  parts.push(typeof o.payload === 'string' ? Buffer.from(o.payload, 'utf8') : o.payload);
  return packet(0x30 | (qos << 1) | (o.retain ? 1 : 0), Buffer.concat(parts));
}

export interface MqttSubscribeOptions {
  topics: string[];
  packetId?: number;
  qos?: 0 | 1 | 2;
  level?: 3 | 4 | 5;
}

export function mqttSubscribe(o: MqttSubscribeOptions): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(o.packetId ?? 1, 0);
  const parts: Buffer[] = [id];
  if (o.level === 5) parts.push(Buffer.from([0]));
  for (const t of o.topics) parts.push(str(t), Buffer.from([o.qos ?? 0]));
  return packet(0x82, Buffer.concat(parts));
}
