/**
 * OPC UA binary messages (TCP payload bytes) for the OT sample capture and
 * tests: Hello, Acknowledge, OpenSecureChannel request / response with the
 * policy None, CreateSession request (client description) and response
 * (one endpoint with the server description). Little-endian throughout.
 */

export const POLICY_NONE = 'http://opcfoundation.org/UA/SecurityPolicy#None';

class W {
  parts: Buffer[] = [];
  u8(v: number): this {
    this.parts.push(Buffer.from([v & 255]));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v & 0xffff, 0);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    this.parts.push(b);
    return this;
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v | 0, 0);
    this.parts.push(b);
    return this;
  }
  /** 8-byte DateTime (100 ns ticks since 1601) or double: raw zeros unless given. */
  u64(lo = 0, hi = 0): this {
    return this.u32(lo).u32(hi);
  }
  str(s: string | null): this {
    if (s === null) return this.i32(-1);
    const b = Buffer.from(s, 'utf8');
    this.i32(b.length);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.i32(-1);
    this.i32(b.length);
    this.parts.push(b);
    return this;
  }
  /** A numeric NodeId in namespace 0, in its shortest encoding. */
  node(id: number, ns = 0): this {
    if (ns === 0 && id < 256) return this.u8(0).u8(id);
    if (ns < 256 && id < 65536) return this.u8(1).u8(ns).u16(id);
    return this.u8(2).u16(ns).u32(id);
  }
  localizedText(text: string | null, locale: string | null = null): this {
    const mask = (locale !== null ? 1 : 0) | (text !== null ? 2 : 0);
    this.u8(mask);
    if (locale !== null) this.str(locale);
    if (text !== null) this.str(text);
    return this;
  }
  buf(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function message(type: string, body: Buffer, chunk = 'F'): Buffer {
  const h = Buffer.alloc(8);
  h.write(type + chunk, 0, 'latin1');
  h.writeUInt32LE(8 + body.length, 4);
  return Buffer.concat([h, body]);
}

/** Request header: null authentication token, handle, no diagnostics, no additional header. */
function requestHeader(w: W, handle: number, auth = 0): void {
  w.node(auth).u64(0x9a4f0000, 0x01db0000).u32(handle).u32(0).str(null).u32(10000).node(0).u8(0);
}

function responseHeader(w: W, handle: number): void {
  w.u64(0x9a4f0000, 0x01db0000).u32(handle).u32(0).u8(0).i32(-1).node(0).u8(0);
}

export interface OpcuaApplicationOptions {
  applicationUri: string;
  productUri?: string;
  applicationName: string;
  /** Locale of the name, e.g. "en-US" (absent: none). */
  locale?: string;
  /** 0 server, 1 client, 2 client and server, 3 discovery server. */
  type?: number;
}

function applicationDescription(w: W, a: OpcuaApplicationOptions, discoveryUrls: string[] = []): void {
  w.str(a.applicationUri).str(a.productUri ?? null).localizedText(a.applicationName, a.locale ?? null).u32(a.type ?? 1).str(null).str(null);
  w.i32(discoveryUrls.length);
  for (const u of discoveryUrls) w.str(u);
}

export interface OpcuaHelloOptions {
  endpointUrl: string;
  version?: number;
  receiveBufferSize?: number;
  sendBufferSize?: number;
  maxMessageSize?: number;
  maxChunkCount?: number;
}

export function opcuaHello(o: OpcuaHelloOptions): Buffer {
  const w = new W().u32(o.version ?? 0).u32(o.receiveBufferSize ?? 65535).u32(o.sendBufferSize ?? 65535).u32(o.maxMessageSize ?? 0).u32(o.maxChunkCount ?? 0).str(o.endpointUrl);
  return message('HEL', w.buf());
}

export interface OpcuaAcknowledgeOptions {
  version?: number;
  receiveBufferSize?: number;
  sendBufferSize?: number;
  maxMessageSize?: number;
  maxChunkCount?: number;
}

export function opcuaAcknowledge(o: OpcuaAcknowledgeOptions = {}): Buffer {
  const w = new W().u32(o.version ?? 0).u32(o.receiveBufferSize ?? 65535).u32(o.sendBufferSize ?? 65535).u32(o.maxMessageSize ?? 0x1000000).u32(o.maxChunkCount ?? 0);
  return message('ACK', w.buf());
}

export interface OpcuaOpenSecureChannelOptions {
  /** 0 in the request; the server's channel id in the response. */
  secureChannelId?: number;
  securityPolicyUri?: string;
  sequenceNumber?: number;
  requestId?: number;
}

/** OpenSecureChannel request (Issue, security mode None). */
export function opcuaOpenSecureChannelRequest(o: OpcuaOpenSecureChannelOptions = {}): Buffer {
  const w = new W().u32(o.secureChannelId ?? 0).str(o.securityPolicyUri ?? POLICY_NONE).bytes(null).bytes(null).u32(o.sequenceNumber ?? 1).u32(o.requestId ?? 1);
  w.node(446);
  requestHeader(w, 1);
  w.u32(0).u32(0).u32(1).bytes(Buffer.alloc(0)).u32(3600000);
  return message('OPN', w.buf());
}

/** OpenSecureChannel response: the channel, token id 1, no nonce. */
export function opcuaOpenSecureChannelResponse(o: OpcuaOpenSecureChannelOptions = {}): Buffer {
  const scid = o.secureChannelId ?? 1;
  const w = new W().u32(scid).str(o.securityPolicyUri ?? POLICY_NONE).bytes(null).bytes(null).u32(o.sequenceNumber ?? 1).u32(o.requestId ?? 1);
  w.node(449);
  responseHeader(w, 1);
  w.u32(0).u32(scid).u32(1).u64(0x9a4f0000, 0x01db0000).u32(3600000).bytes(Buffer.alloc(0));
  return message('OPN', w.buf());
}

export interface OpcuaCreateSessionRequestOptions {
  client: OpcuaApplicationOptions;
  endpointUrl: string;
  serverUri?: string;
  sessionName?: string;
  secureChannelId?: number;
  sequenceNumber?: number;
  requestId?: number;
}

/** CreateSessionRequest in a MSG (policy None: plain). */
export function opcuaCreateSessionRequest(o: OpcuaCreateSessionRequestOptions): Buffer {
  const w = new W().u32(o.secureChannelId ?? 1).u32(1).u32(o.sequenceNumber ?? 2).u32(o.requestId ?? 2);
  w.node(461);
  requestHeader(w, 2);
  applicationDescription(w, { type: 1, ...o.client });
  w.str(o.serverUri ?? null).str(o.endpointUrl).str(o.sessionName ?? 'Session1').bytes(Buffer.alloc(32, 0x5a)).bytes(null);
  w.u64(0, 0x40ed4c00).u32(0x1000000); // 60000 ms (double), max response size
  return message('MSG', w.buf());
}

export interface OpcuaCreateSessionResponseOptions {
  server: OpcuaApplicationOptions;
  endpointUrl: string;
  secureChannelId?: number;
  sequenceNumber?: number;
  requestId?: number;
  sessionId?: number;
}

/** CreateSessionResponse in a MSG with one endpoint (policy None, anonymous). */
export function opcuaCreateSessionResponse(o: OpcuaCreateSessionResponseOptions): Buffer {
  const w = new W().u32(o.secureChannelId ?? 1).u32(1).u32(o.sequenceNumber ?? 2).u32(o.requestId ?? 2);
  w.node(464);
  responseHeader(w, 2);
  w.node(o.sessionId ?? 100001, 1).node(o.sessionId ?? 100001, 1).u64(0, 0x40ed4c00).bytes(Buffer.alloc(32, 0xa5)).bytes(null);
  w.i32(1);
  w.str(o.endpointUrl);
  applicationDescription(w, { type: 0, ...o.server }, [o.endpointUrl]);
  w.bytes(null).u32(1).str(POLICY_NONE);
  w.i32(1).str('anonymous').u32(0).str(null).str(null).str(null); // one user token policy
  w.str('http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary').u8(0);
  w.i32(0).str(null).bytes(null).u32(0); // server software certificates, signature (algorithm, bytes), max request size
  return message('MSG', w.buf());
}

/** Error message (e.g. 0x80820000 BadTcpEndpointUrlInvalid). */
export function opcuaError(code: number, reason: string | null): Buffer {
  return message('ERR', new W().u32(code).str(reason).buf());
}
