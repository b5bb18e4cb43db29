/**
 * TLS handshake messages (RFC 8446) built in code for the sample captures:
 * ClientHellos shaped like those of common browsers (cipher and extension
 * lists, GREASE where the browser sends it, SNI and ALPN), and a TLS 1.3
 * ServerHello followed by the change_cipher_spec and encrypted records.
 * Random fields (client/server random, session id, key shares) are derived
 * from a seed string with SHA-256, so the bytes are the same on every build.
 */
import { createHash } from 'node:crypto';

export type TlsClientProfile = 'chrome' | 'firefox' | 'safari' | 'okhttp';

/** `n` pseudo-random bytes from a seed string (SHA-256 in counter mode). */
export function seededBytes(seed: string, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < n; i++) parts.push(createHash('sha256').update(`${seed}#${i}`).digest());
  return Buffer.concat(parts).subarray(0, n);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
}
/** A vector with a 1- or 2-byte length prefix. */
function vec(len: 1 | 2, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([len === 1 ? Buffer.from([body.length]) : u16(body.length), body]);
}
function ext(type: number, ...parts: Buffer[]): Buffer {
  return Buffer.concat([u16(type), vec(2, ...parts)]);
}
function u16s(list: number[]): Buffer {
  return Buffer.concat(list.map(u16));
}

/** A TLS record of the given content type. */
export function tlsRecord(contentType: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([contentType]), u16(version), u16(body.length), body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

const GREASE = [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa];

const CHROME_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const FIREFOX_CIPHERS = [0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SAFARI_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f, 0xcca8, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f, 0xc008, 0xc012, 0x000a];
const OKHTTP_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SIG_ALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const FIREFOX_SIG_ALGS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201];

export interface ClientHelloOptions {
  sni: string;
  profile: TlsClientProfile;
  /** Seed of the random fields (e.g. "<client>-<server>-<port>"). */
  seed: string;
  /** ALPN protocols (default h2, http/1.1). */
  alpn?: string[];
}

/** A ClientHello in one handshake record. */
export function tlsClientHello(o: ClientHelloOptions): Buffer {
  const rnd = seededBytes(`ch:${o.seed}`, 32 + 32 + 32 + 2);
  const random = rnd.subarray(0, 32);
  const sessionId = rnd.subarray(32, 64);
  const keyShare = rnd.subarray(64, 96);
  const g = o.profile === 'chrome' || o.profile === 'safari';
  // GREASE values differ per connection in Chrome; pick two from the seed.
  const grease1 = GREASE[rnd[96]! & 15]!;
  let grease2 = GREASE[rnd[97]! & 15]!;
  if (grease2 === grease1) grease2 = GREASE[((rnd[97]! & 15) + 1) & 15]!;
  const alpn = o.alpn ?? ['h2', 'http/1.1'];
  const sni = ext(0, vec(2, Buffer.from([0]), vec(2, Buffer.from(o.sni, 'ascii'))));
  const groups = (list: number[]) => ext(10, vec(2, u16s(list)));
  const alpnExt = ext(16, vec(2, ...alpn.map((p) => vec(1, Buffer.from(p, 'ascii')))));
  const versions = (list: number[]) => ext(43, vec(1, u16s(list)));
  const keyShareExt = (withGrease: boolean) =>
    ext(51, vec(2, ...(withGrease ? [u16(grease1), vec(2, Buffer.from([0]))] : []), u16(0x001d), vec(2, keyShare)));
  const sigs = (list: number[]) => ext(13, vec(2, u16s(list)));

  let ciphers: number[];
  let exts: Buffer[];
  switch (o.profile) {
    case 'chrome':
      ciphers = [grease1, ...CHROME_CIPHERS];
      exts = [
        ext(grease1),
        sni,
        ext(23),
        ext(65281, Buffer.from([0])),
        groups([grease1, 0x001d, 0x0017, 0x0018]),
        ext(11, vec(1, Buffer.from([0]))),
        ext(35),
        alpnExt,
        ext(5, Buffer.from([1, 0, 0, 0, 0])),
        sigs(SIG_ALGS),
        ext(18),
        keyShareExt(true),
        ext(45, vec(1, Buffer.from([1]))),
        versions([grease1, 0x0304, 0x0303]),
        ext(27, vec(1, u16(2))),
        ext(17513, vec(2, vec(1, Buffer.from('h2', 'ascii')))),
        ext(grease2, Buffer.from([0])),
      ];
      break;
    case 'safari':
      ciphers = [grease1, ...SAFARI_CIPHERS];
      exts = [
        ext(grease1),
        sni,
        ext(23),
        ext(65281, Buffer.from([0])),
        groups([grease1, 0x001d, 0x0017, 0x0018, 0x0019]),
        ext(11, vec(1, Buffer.from([0]))),
        alpnExt,
        ext(5, Buffer.from([1, 0, 0, 0, 0])),
        sigs([...SIG_ALGS, 0x0201]),
        ext(18),
        keyShareExt(true),
        ext(45, vec(1, Buffer.from([1]))),
        versions([grease1, 0x0304, 0x0303, 0x0302, 0x0301]),
        ext(27, vec(1, u16(1))),
        ext(grease2, Buffer.from([0])),
      ];
      break;
    case 'firefox':
      ciphers = FIREFOX_CIPHERS;
      exts = [
        sni,
        ext(23),
        ext(65281, Buffer.from([0])),
        groups([0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101]),
        ext(11, vec(1, Buffer.from([0]))),
        ext(35),
        alpnExt,
        ext(5, Buffer.from([1, 0, 0, 0, 0])),
        ext(34, vec(2, u16s([0x0403, 0x0503, 0x0603, 0x0203]))),
        keyShareExt(false),
        versions([0x0304, 0x0303]),
        sigs(FIREFOX_SIG_ALGS),
        ext(45, vec(1, Buffer.from([1]))),
        ext(28, u16(0x4001)),
      ];
      break;
    case 'okhttp':
      ciphers = OKHTTP_CIPHERS;
      exts = [
        sni,
        ext(23),
        ext(65281, Buffer.from([0])),
        groups([0x001d, 0x0017, 0x0018]),
        ext(11, vec(1, Buffer.from([0]))),
        ext(35),
        alpnExt,
        sigs(SIG_ALGS),
        keyShareExt(false),
        ext(45, vec(1, Buffer.from([1]))),
        versions([0x0304, 0x0303]),
      ];
      break;
  }
  const body = Buffer.concat([
    u16(0x0303),
    random,
    vec(1, sessionId),
    vec(2, u16s(ciphers)),
    Buffer.from([1, 0]),
    vec(2, ...exts),
  ]);
  return tlsRecord(22, handshake(1, body), 0x0301);
}

/**
 * The server's first flight of a TLS 1.3 handshake: ServerHello (echoing the
 * session id), change_cipher_spec, then `encryptedBytes` of application data
 * records (encrypted extensions, certificate, finished and whatever follows).
 */
export function tls13ServerFlight(o: { seed: string; clientHello: Buffer; encryptedBytes: number }): Buffer {
  // The client's session id sits after record (5) + handshake (4) + version (2) + random (32).
  const sidLen = o.clientHello[43]!;
  const sessionId = o.clientHello.subarray(44, 44 + sidLen);
  const rnd = seededBytes(`sh:${o.seed}`, 64 + o.encryptedBytes);
  const body = Buffer.concat([
    u16(0x0303),
    rnd.subarray(0, 32),
    vec(1, sessionId),
    u16(0x1301),
    Buffer.from([0]),
    vec(2, ext(43, u16(0x0304)), ext(51, u16(0x001d), vec(2, rnd.subarray(32, 64)))),
  ]);
  const records: Buffer[] = [tlsRecord(22, handshake(2, body)), tlsRecord(20, Buffer.from([1]))];
  let left = o.encryptedBytes;
  let p = 64;
  while (left > 0) {
    const n = Math.min(left, 16401);
    records.push(tlsRecord(23, rnd.subarray(p, p + n)));
    p += n;
    left -= n;
  }
  return Buffer.concat(records);
}

/** Encrypted application data records (what follows the handshake), `n` payload bytes in records of at most 16 KiB. */
export function tlsApplicationData(seed: string, n: number): Buffer {
  const rnd = seededBytes(`ad:${seed}`, n);
  const records: Buffer[] = [];
  for (let p = 0; p < n; p += 16401) records.push(tlsRecord(23, rnd.subarray(p, Math.min(n, p + 16401))));
  return Buffer.concat(records);
}
