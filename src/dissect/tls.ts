/**
 * TLS dissector: the client's ClientHello (SNI, ALPN, JA3 and JA4 client
 * fingerprints) and the server's first flight (ServerHello, and the
 * certificate's subject and alternative names when the handshake is TLS 1.2
 * or older, where certificates travel in clear).
 */
import { clientHelloFingerprint } from './tls-client-hello.js';
import { parseTlsServerFlight } from './tls-server.js';
import { Verdict, type DissectContext, type Dissector } from './types.js';

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
/** Largest record body: 2^14 bytes of plaintext plus what encryption adds (RFC 8446 §5.2: 256; TLS 1.2: 2048). */
const MAX_RECORD = 16384 + 2048;

/** True when the payload starts with a TLS handshake record (or SSLv2-compatible hello is not considered). */
export function looksLikeTls(buf: Uint8Array, off: number, len: number): boolean {
  return len >= 6 && buf[off] === HANDSHAKE && buf[off + 1] === 3 && buf[off + 2]! <= 4 && (buf[off + 5] === 1 || buf[off + 5] === 2);
}

/** A record header at `p`: content type 20 to 23, version 3.0 to 3.4, a body of 1 to MAX_RECORD bytes. */
function recordHeaderAt(buf: Uint8Array, p: number): number {
  const type = buf[p]!;
  if (type < CHANGE_CIPHER_SPEC || type > APPLICATION_DATA || buf[p + 1] !== 3 || buf[p + 2]! > 4) return -1;
  const n = (buf[p + 3]! << 8) | buf[p + 4]!;
  return n >= 1 && n <= MAX_RECORD ? n : -1;
}

/**
 * True when the payload is TLS records of a connection whose handshake was not
 * captured (it began before the capture): an application data record, ending
 * exactly where the payload ends or followed by another record header, as
 * Wireshark's heuristic reads them. A segment that ends inside the record is
 * not enough: five bytes alone say too little.
 */
export function looksLikeTlsRecords(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 6 || buf[off] !== APPLICATION_DATA) return false;
  const n = recordHeaderAt(buf, off);
  if (n < 0) return false;
  const next = 5 + n;
  if (next === len) return true;
  return next + 5 <= len && recordHeaderAt(buf, off + next) >= 0;
}

/** Bytes the first handshake message needs (record headers included), or -1 when unknown. */
function firstMessageNeeds(buf: Uint8Array, off: number, len: number): number {
  if (len < 9) return -1;
  const body = (buf[off + 6]! << 16) | (buf[off + 7]! << 8) | buf[off + 8]!;
  // One record can carry at most 2^14 bytes; count a header per record.
  const records = Math.max(1, Math.ceil((body + 4) / 16384));
  return body + 4 + records * 5;
}

function clientSide(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict {
  if (buf[off + 5] !== 1) return Verdict.Done;
  const ch = clientHelloFingerprint(buf, off, len, ctx);
  if (ch === null) {
    const need = firstMessageNeeds(buf, off, len);
    return need > len && need <= 32768 ? Verdict.More : Verdict.Malformed;
  }
  if (ch.sni) {
    ctx.src('sni', ch.sni);
    ctx.dst('hostname', ch.sni, { from: 'sni' });
  }
  ctx.src('ja3', ch.ja3);
  ctx.src('ja4', ch.ja4);
  return Verdict.Done;
}

const TLS_VERSIONS: Record<number, string> = { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

/** The server's first flight: its certificate names the server (TLS 1.2 and older only). */
function serverSide(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict {
  const f = parseTlsServerFlight(buf, off, len, ctx);
  if (f === null) return Verdict.NotMine;
  // What is known so far is reported even while more is awaited: the stream
  // may end (or lose a segment) before the certificate is whole.
  const hello = f.serverHello;
  if (hello !== null) {
    const v = hello.selectedVersion ?? hello.version;
    ctx.src('banner', `${TLS_VERSIONS[v] ?? '0x' + v.toString(16)} cipher 0x${hello.cipherSuite.toString(16).padStart(4, '0')}`, { alpn: hello.alpn });
  }
  const leaf = f.certificates[0];
  if (leaf !== undefined) {
    ctx.src('cert_subject', leaf.subject, { issuer: leaf.issuer, not_before: leaf.notBefore, not_after: leaf.notAfter, self_signed: leaf.selfSigned });
    for (const n of leaf.sanDns.slice(0, 16)) ctx.src('cert_san', n);
    const cn = leaf.subjectCN;
    if (cn !== null && /^[a-z0-9][a-z0-9.-]*$/i.test(cn) && /[a-z]/i.test(cn)) ctx.src('hostname', cn.toLowerCase(), { from: 'certificate' });
  }
  return !f.complete && f.needMore > 0 ? Verdict.More : Verdict.Done;
}

export const tlsDissector: Dissector = {
  id: 'tls',
  app: { application: 'HTTPS', family: 'Web Services' },
  tcpPorts: [443, 8443, 465, 993, 995, 636, 3269, 5061, 5986, 853, 990, 992, 994, 8883, 4443, 9443],
  maxStream: 32768,
  protectsOthers: true,
  probe(buf, off, len, proto) {
    return proto === 6 && (looksLikeTls(buf, off, len) || looksLikeTlsRecords(buf, off, len));
  },
  dissect(buf, off, len, ctx) {
    if (len < 6) return Verdict.More;
    // Encrypted records of a connection caught after its handshake: TLS, with nothing to read.
    if (looksLikeTlsRecords(buf, off, len)) return Verdict.Done;
    // A server may open its flight with a warning alert (unrecognized_name) before the ServerHello.
    if ((buf[off] !== HANDSHAKE && (ctx.fromClient || buf[off] !== ALERT)) || buf[off + 1] !== 3) return Verdict.NotMine;
    if (ctx.fromClient) return clientSide(buf, off, len, ctx);
    return serverSide(buf, off, len, ctx);
  },
};
