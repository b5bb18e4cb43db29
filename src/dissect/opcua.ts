/**
 * OPC UA binary protocol (UA TCP / UA Secure Conversation, OPC 10000-6) on
 * TCP port 4840, or any port when the client's first bytes are a Hello.
 *
 * Every message starts with a header: a 3-byte type (HEL, ACK, ERR, RHE, OPN,
 * MSG, CLO), a chunk type (F final, C intermediate, A abort) and the message
 * size (u32 little-endian, header included). What the sensor reads:
 *
 *   HEL  protocol version, buffer sizes, EndpointUrl (the address the client
 *        uses for the server)
 *   ACK  the server's answer to a Hello (role confirmation)
 *   ERR  error code and reason
 *   RHE  ReverseHello (server to client): ServerUri, EndpointUrl
 *   OPN  secure channel id, SecurityPolicyUri (then certificates and the
 *        OpenSecureChannel request / response, not read)
 *   MSG  with the policy None only (otherwise the body is encrypted or at
 *        least not worth the trouble): after the sequence header, the type
 *        NodeId of the body. CreateSessionRequest (i=461): request header, then
 *        the ClientDescription (ApplicationUri, ProductUri, ApplicationName);
 *        CreateSessionResponse (i=464) and GetEndpointsResponse (i=431): the
 *        server's ApplicationDescription of the first EndpointDescription.
 *
 * UA encodings (little-endian): String / ByteString = i32 length + bytes (-1
 * null); NodeId = encoding byte (0 two-byte, 1 four-byte, 2 numeric, 3 string,
 * 4 guid, 5 byte string; 0x80 namespace URI and 0x40 server index follow in an
 * ExpandedNodeId); LocalizedText = mask (1 locale, 2 text) + strings;
 * ExtensionObject = NodeId + encoding (1 binary, 2 XML: i32 length + body);
 * DiagnosticInfo = mask + optional fields (nested at most MAX_DIAG_DEPTH).
 *
 * The dissector is handed one direction of the connection from its start,
 * walks its messages each time (at most MAX_MESSAGES) and asks for more until
 * it has the Hello / Acknowledge, the security policy and (policy None) the
 * application description of that side, or the stream limit (16 KiB).
 *
 * Lengths are checked before every read, nothing throws, every loop and every
 * string (MAX_STRING) and array (MAX_ARRAY) is bounded.
 */
import { u32le } from '../decode/bytes.js';
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export const OPCUA_PORT = 4840;
export const SECURITY_POLICY_PREFIX = 'http://opcfoundation.org/UA/SecurityPolicy#';
export const SECURITY_POLICY_NONE = SECURITY_POLICY_PREFIX + 'None';

/** Binary encoding ids of the service bodies read. */
export const ID_CREATE_SESSION_REQUEST = 461;
export const ID_CREATE_SESSION_RESPONSE = 464;
export const ID_GET_ENDPOINTS_RESPONSE = 431;
export const ID_OPEN_SECURE_CHANNEL_REQUEST = 446;
export const ID_OPEN_SECURE_CHANNEL_RESPONSE = 449;

const MAX_STRING = 4096;
const MAX_BYTESTRING = 1 << 24;
const MAX_ARRAY = 1024;
const MAX_DIAG_DEPTH = 4;
const MAX_MESSAGES = 64;
/** Longest message size accepted in a header. */
const MAX_MESSAGE = 1 << 26;
const STREAM = 16384;

const TYPES = ['HEL', 'ACK', 'ERR', 'RHE', 'OPN', 'MSG', 'CLO'];

/** A bounds-checked little-endian reader over [p, end): reads past the end clear `ok` and return 0 / null. */
class Reader {
  ok = true;
  constructor(
    readonly b: Uint8Array,
    public p: number,
    readonly end: number,
  ) {}
  has(n: number): boolean {
    if (this.ok && this.p + n <= this.end) return true;
    this.ok = false;
    return false;
  }
  skip(n: number): void {
    if (this.has(n)) this.p += n;
  }
  u8(): number {
    if (!this.has(1)) return 0;
    return this.b[this.p++]!;
  }
  u16(): number {
    if (!this.has(2)) return 0;
    const v = this.b[this.p]! | (this.b[this.p + 1]! << 8);
    this.p += 2;
    return v;
  }
  u32(): number {
    if (!this.has(4)) return 0;
    const v = u32le(this.b, this.p);
    this.p += 4;
    return v;
  }
  i32(): number {
    return this.u32() | 0;
  }
  /** A UA String: null when null (-1); too long (> MAX_STRING) or cut clears ok. */
  str(): string | null {
    const n = this.i32();
    if (!this.ok || n < 0) return null;
    if (n > MAX_STRING || !this.has(n)) {
      this.ok = false;
      return null;
    }
    const s = escapeBytes(this.b, this.p, this.p + n);
    this.p += n;
    return s;
  }
  byteString(): void {
    const n = this.i32();
    if (!this.ok || n < 0) return;
    if (n > MAX_BYTESTRING) this.ok = false;
    else this.skip(n);
  }
  /** A NodeId or ExpandedNodeId: [namespace, numeric id (-1 when not numeric)]. */
  nodeId(): [number, number] {
    const enc = this.u8();
    let ns = 0;
    let id = -1;
    switch (enc & 0x0f) {
      case 0:
        id = this.u8();
        break;
      case 1:
        ns = this.u8();
        id = this.u16();
        break;
      case 2:
        ns = this.u16();
        id = this.u32();
        break;
      case 3:
        ns = this.u16();
        this.str();
        break;
      case 4:
        ns = this.u16();
        this.skip(16);
        break;
      case 5:
        ns = this.u16();
        this.byteString();
        break;
      default:
        this.ok = false;
    }
    if (enc & 0x80) this.str();
    if (enc & 0x40) this.skip(4);
    return [ns, id];
  }
  extensionObject(): void {
    this.nodeId();
    const enc = this.u8();
    if (enc & 3) this.byteString();
  }
  localizedText(): string | null {
    const mask = this.u8();
    if (mask & 1) this.str();
    return mask & 2 ? this.str() : null;
  }
  diagnosticInfo(depth = 0): void {
    const mask = this.u8();
    if (mask & 0x01) this.skip(4); // symbolic id
    if (mask & 0x02) this.skip(4); // namespace uri
    if (mask & 0x08) this.skip(4); // locale
    if (mask & 0x04) this.skip(4); // localized text
    if (mask & 0x10) this.str(); // additional info
    if (mask & 0x20) this.skip(4); // inner status code
    if (mask & 0x40) {
      if (depth >= MAX_DIAG_DEPTH) this.ok = false;
      else this.diagnosticInfo(depth + 1);
    }
  }
  /** Array length: -1 (null) as 0; more than MAX_ARRAY clears ok. */
  arrayLength(): number {
    const n = this.i32();
    if (n > MAX_ARRAY) this.ok = false;
    return this.ok && n > 0 ? n : 0;
  }
  requestHeader(): void {
    this.nodeId(); // authentication token
    this.skip(8 + 4 + 4); // timestamp, request handle, return diagnostics
    this.str(); // audit entry id
    this.skip(4); // timeout hint
    this.extensionObject();
  }
  responseHeader(): void {
    this.skip(8 + 4 + 4); // timestamp, request handle, service result
    this.diagnosticInfo();
    const n = this.arrayLength(); // string table
    for (let i = 0; i < n && this.ok; i++) this.str();
    this.extensionObject();
  }
  applicationDescription(): OpcuaApplication | null {
    const applicationUri = this.str();
    const productUri = this.str();
    const name = this.localizedText();
    const type = this.u32();
    if (!this.ok) return null;
    return { applicationUri, productUri, name, type };
  }
}

export interface OpcuaApplication {
  applicationUri: string | null;
  productUri: string | null;
  name: string | null;
  /** 0 server, 1 client, 2 client and server, 3 discovery server. */
  type: number;
}

export interface OpcuaHello {
  version: number;
  receiveBufferSize: number;
  sendBufferSize: number;
  maxMessageSize: number;
  maxChunkCount: number;
  endpointUrl: string | null;
}

export interface OpcuaScan {
  /** Message types in order (e.g. "HEL", "MSG"), at most MAX_MESSAGES. */
  messages: string[];
  hello: OpcuaHello | null;
  /** An Acknowledge was seen. */
  ack: boolean;
  reverseHello: { serverUri: string | null; endpointUrl: string | null } | null;
  error: { code: number; reason: string | null } | null;
  closed: boolean;
  /** SecurityPolicyUri of the first OpenSecureChannel. */
  securityPolicy: string | null;
  secureChannelId: number | null;
  /** Type ids of the service bodies read (policy None), in order. */
  services: number[];
  /** From a CreateSessionRequest. */
  client: OpcuaApplication | null;
  /** From a CreateSessionResponse / GetEndpointsResponse (the first endpoint's server). */
  server: OpcuaApplication | null;
  /** EndpointUrl of that endpoint. */
  serverEndpointUrl: string | null;
  /** The last message is cut. */
  cut: boolean;
  cutSize: number;
  /** Not OPC UA: a header with an unknown type, chunk type or size. */
  bad: boolean;
}

/** A message header at p: [type, chunk, size], or null (bad) / 'cut'. */
function header(b: Uint8Array, p: number, end: number): [string, number, number] | null | 'cut' {
  if (p + 8 > end) {
    // check what is there, so garbage is rejected early
    for (let i = 0; i < 3 && p + i < end; i++) if (b[p + i]! < 0x41 || b[p + i]! > 0x5a) return null;
    if (p + 3 < end && b[p + 3] !== 0x46 && b[p + 3] !== 0x43 && b[p + 3] !== 0x41) return null;
    return 'cut';
  }
  const type = String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
  const chunk = b[p + 3]!;
  const size = u32le(b, p + 4);
  if (!TYPES.includes(type) || (chunk !== 0x46 && chunk !== 0x43 && chunk !== 0x41) || size < 8 || size > MAX_MESSAGE) return null;
  return [type, chunk, size];
}

/** The body of a MSG (or the OPN body after its security header) at r: reads the services the sensor wants. */
function service(r: Reader, s: OpcuaScan): void {
  const [ns, id] = r.nodeId();
  if (!r.ok) return;
  if (ns !== 0) return;
  if (s.services.length < MAX_MESSAGES) s.services.push(id);
  if (id === ID_CREATE_SESSION_REQUEST) {
    r.requestHeader();
    const app = r.applicationDescription();
    if (app && !s.client) s.client = app;
  } else if (id === ID_CREATE_SESSION_RESPONSE || id === ID_GET_ENDPOINTS_RESPONSE) {
    r.responseHeader();
    if (id === ID_CREATE_SESSION_RESPONSE) {
      r.nodeId(); // session id
      r.nodeId(); // authentication token
      r.skip(8); // revised session timeout
      r.byteString(); // server nonce
      r.byteString(); // server certificate
    }
    const n = r.arrayLength();
    if (n > 0 && !s.server) {
      const url = r.str();
      const app = r.applicationDescription();
      if (app) {
        s.server = app;
        s.serverEndpointUrl = url;
      }
    }
  }
}

/**
 * Walks the OPC UA messages of one direction at buf[off, off + len), from the
 * start of the connection. `plain`: read MSG bodies without having seen an
 * OPN with the policy None (messages taken out of their stream).
 */
export function scanOpcua(b: Uint8Array, off: number, len: number, plain = false): OpcuaScan {
  const end = off + len;
  const s: OpcuaScan = {
    messages: [],
    hello: null,
    ack: false,
    reverseHello: null,
    error: null,
    closed: false,
    securityPolicy: null,
    secureChannelId: null,
    services: [],
    client: null,
    server: null,
    serverEndpointUrl: null,
    cut: false,
    cutSize: 0,
    bad: false,
  };
  let p = off;
  let continuation = false;
  for (let n = 0; n < MAX_MESSAGES && p < end; n++) {
    const h = header(b, p, end);
    if (h === null) {
      s.bad = true;
      break;
    }
    if (h === 'cut') {
      s.cut = true;
      break;
    }
    const [type, chunk, size] = h;
    const full = p + size;
    const e = Math.min(full, end);
    s.messages.push(type);
    const r = new Reader(b, p + 8, e);
    switch (type) {
      case 'HEL':
        if (!s.hello) {
          const version = r.u32();
          const receiveBufferSize = r.u32();
          const sendBufferSize = r.u32();
          const maxMessageSize = r.u32();
          const maxChunkCount = r.u32();
          const endpointUrl = r.str();
          if (r.ok) s.hello = { version, receiveBufferSize, sendBufferSize, maxMessageSize, maxChunkCount, endpointUrl };
          else if (full <= end) s.bad = n === 0;
        }
        break;
      case 'ACK':
        if (size >= 28) s.ack = true;
        break;
      case 'ERR': {
        const code = r.u32();
        const reason = r.str();
        if (r.ok || (full > end && e - p >= 12)) s.error = { code, reason: r.ok ? reason : null };
        break;
      }
      case 'RHE': {
        const serverUri = r.str();
        const endpointUrl = r.str();
        if (r.ok) s.reverseHello = { serverUri, endpointUrl };
        break;
      }
      case 'OPN': {
        const scid = r.u32();
        const policy = r.str();
        if (r.ok && s.securityPolicy === null) {
          s.secureChannelId = scid;
          s.securityPolicy = policy ?? '';
        }
        if (r.ok && policy === SECURITY_POLICY_NONE) {
          r.byteString(); // sender certificate
          r.byteString(); // receiver certificate thumbprint
          r.skip(8); // sequence number, request id
          service(r, s);
        }
        break;
      }
      case 'MSG':
        if ((plain || s.securityPolicy === SECURITY_POLICY_NONE) && !continuation) {
          r.skip(16); // secure channel id, token id, sequence number, request id
          service(r, s);
        }
        continuation = chunk === 0x43;
        break;
      case 'CLO':
        s.closed = true;
        break;
    }
    if (s.bad) break;
    if (full > end) {
      s.cut = true;
      s.cutSize = size;
      break;
    }
    p = full;
  }
  return s;
}

/** Short name of a security policy: the part after '#' of the standard URIs. */
export function policyName(uri: string): string {
  return uri.startsWith(SECURITY_POLICY_PREFIX) ? uri.slice(SECURITY_POLICY_PREFIX.length) || uri : uri || '(empty)';
}

/** A Hello (or ReverseHello) at the start of a payload on another port. */
function probe(b: Buffer, off: number, len: number, proto: number): boolean {
  if (proto !== 6 || len < 8) return false;
  const h = header(b, off, off + len);
  if (h === null || h === 'cut') return false;
  return (h[0] === 'HEL' || h[0] === 'RHE') && h[1] === 0x46 && h[2] >= 32 && h[2] <= 8 + 20 + 4 + MAX_STRING;
}

function appData(a: OpcuaApplication): { application_uri: string | null; product_uri: string | null; application_type: number } {
  return { application_uri: a.applicationUri, product_uri: a.productUri, application_type: a.type };
}

export const opcuaDissector: Dissector = {
  id: 'opcua',
  app: { application: 'OPC-UA', family: 'Industrial' },
  tcpPorts: [OPCUA_PORT],
  maxStream: STREAM,
  probe,
  dissect(buf, off, len, ctx) {
    if (ctx.view.proto !== 6) return Verdict.NotMine;
    const s = scanOpcua(buf, off, len);
    if (s.messages.length === 0) return s.bad ? Verdict.NotMine : Verdict.More;
    if (s.hello) {
      ctx.src('role', 'opcua-client');
      ctx.dst('role', 'opcua-server');
      if (s.hello.endpointUrl) ctx.dst('banner', `endpoint ${s.hello.endpointUrl}`, { protocol_version: s.hello.version });
    }
    if (s.ack || s.reverseHello) {
      ctx.src('role', 'opcua-server');
      ctx.dst('role', 'opcua-client');
    }
    if (s.reverseHello?.endpointUrl) ctx.src('banner', `endpoint ${s.reverseHello.endpointUrl}`, { server_uri: s.reverseHello.serverUri });
    if (s.securityPolicy !== null) {
      const v = `security policy ${policyName(s.securityPolicy)}`;
      ctx.src('banner', v, { uri: s.securityPolicy });
      ctx.dst('banner', v, { uri: s.securityPolicy });
    }
    if (s.client) {
      const name = s.client.name || s.client.applicationUri;
      if (name) ctx.src('banner', `application ${name}`, appData(s.client));
    }
    if (s.server) {
      const name = s.server.name || s.server.applicationUri;
      if (name) ctx.src('banner', `application ${name}`, { ...appData(s.server), endpoint_url: s.serverEndpointUrl });
    }
    if (s.bad) return s.messages.length === 1 && !s.hello && !s.ack ? Verdict.Malformed : Verdict.Done;
    if (s.error || s.closed || s.client || s.server) return Verdict.Done;
    // Encrypted or signed channel: the rest is not readable.
    if (s.securityPolicy !== null && s.securityPolicy !== SECURITY_POLICY_NONE) return Verdict.Done;
    if (s.messages.length >= MAX_MESSAGES) return Verdict.Done;
    if (s.cut && s.cutSize > STREAM) return Verdict.Done;
    return Verdict.More;
  },
};
