/**
 * SMB2 messages ([MS-SMB2]) and the NTLMSSP authentication they carry
 * ([MS-NLMP], inside SPNEGO, RFC 4178), built in code for the sample
 * captures: NEGOTIATE, the two SESSION_SETUP rounds (NTLM NEGOTIATE /
 * CHALLENGE, then AUTHENTICATE), TREE_CONNECT and a READ. Each function
 * returns one NetBIOS session record (4-byte header + SMB2 message), ready to
 * be a message of a TCP session to port 445.
 */

const NTLMSSP_SIG = Buffer.from('NTLMSSP\0', 'latin1');
/** Unicode, request target, NTLM, always sign, extended session security, target info, version, 128-bit, key exchange, 56-bit. */
const NTLM_FLAGS = 0xe2898215;
const NTLM_OID = Buffer.from('2b06010401823702020a', 'hex');
const SPNEGO_OID = Buffer.from('2b0601050502', 'hex');

export interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

function le16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}
function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}
/** Microseconds since the Unix epoch as a Windows FILETIME (100 ns since 1601). */
function filetime(us: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.round(us)) + 11_644_473_600_000_000n) * 10n, 0);
  return b;
}

/** A DER element: tag, definite length (short or long form), content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const c = Buffer.concat(content);
  const n = c.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 255]);
  return Buffer.concat([Buffer.from([tag]), len, c]);
}

function ntlmVersion(v: WindowsVersion): Buffer {
  const b = Buffer.alloc(8);
  b[0] = v.major;
  b[1] = v.minor;
  b.writeUInt16LE(v.build, 2);
  b[7] = 0x0f; // NTLMSSP_REVISION_W2K3
  return b;
}

/** NTLMSSP NEGOTIATE (type 1) with the client's Windows version. */
export function ntlmNegotiate(version: WindowsVersion): Buffer {
  return Buffer.concat([NTLMSSP_SIG, le32(1), le32(0xe2088297), Buffer.alloc(8), Buffer.alloc(8), ntlmVersion(version)]);
}

export interface NtlmTarget {
  nbDomain: string;
  nbComputer: string;
  dnsDomain: string;
  dnsComputer: string;
}

function avPairs(t: NtlmTarget, timeUs: number): Buffer {
  const pair = (id: number, v: Buffer) => Buffer.concat([le16(id), le16(v.length), v]);
  return Buffer.concat([
    pair(2, utf16(t.nbDomain)),
    pair(1, utf16(t.nbComputer)),
    pair(4, utf16(t.dnsDomain)),
    pair(3, utf16(t.dnsComputer)),
    pair(5, utf16(t.dnsDomain)),
    pair(7, filetime(timeUs)),
    pair(0, Buffer.alloc(0)),
  ]);
}

/** NTLMSSP CHALLENGE (type 2): the server's names in the target info, its version. */
export function ntlmChallenge(o: { target: NtlmTarget; version: WindowsVersion; challenge: Buffer; timeUs: number }): Buffer {
  const targetName = utf16(o.target.nbDomain);
  const info = avPairs(o.target, o.timeUs);
  const fixed = 56;
  return Buffer.concat([
    NTLMSSP_SIG,
    le32(2),
    le16(targetName.length), le16(targetName.length), le32(fixed),
    le32(NTLM_FLAGS),
    o.challenge.subarray(0, 8),
    Buffer.alloc(8),
    le16(info.length), le16(info.length), le32(fixed + targetName.length),
    ntlmVersion(o.version),
    targetName,
    info,
  ]);
}

/** NTLMSSP AUTHENTICATE (type 3) with an NTLMv2 response: who logs on from which workstation. */
export function ntlmAuthenticate(o: {
  domain: string;
  user: string;
  workstation: string;
  version: WindowsVersion;
  target: NtlmTarget;
  timeUs: number;
  /** 16 + 8 + 16 bytes of proof, client challenge and session key (derived by the caller). */
  secret: Buffer;
}): Buffer {
  const blob = Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(6), filetime(o.timeUs), o.secret.subarray(16, 24), Buffer.alloc(4), avPairs(o.target, o.timeUs), Buffer.alloc(4)]);
  const nt = Buffer.concat([o.secret.subarray(0, 16), blob]);
  const lm = Buffer.alloc(24);
  const domain = utf16(o.domain);
  const user = utf16(o.user);
  const ws = utf16(o.workstation);
  const key = o.secret.subarray(24, 40);
  let off = 88;
  const field = (b: Buffer) => {
    const f = Buffer.concat([le16(b.length), le16(b.length), le32(off)]);
    off += b.length;
    return f;
  };
  const fields = Buffer.concat([field(lm), field(nt), field(domain), field(user), field(ws), field(key)]);
  return Buffer.concat([NTLMSSP_SIG, le32(3), fields, le32(NTLM_FLAGS), ntlmVersion(o.version), Buffer.alloc(16), lm, nt, domain, user, ws, key]);
}

/** SPNEGO NegTokenInit offering NTLMSSP with its first token. */
export function spnegoInit(token: Buffer): Buffer {
  return der(0x60, der(0x06, SPNEGO_OID), der(0xa0, der(0x30, der(0xa0, der(0x30, der(0x06, NTLM_OID))), der(0xa2, der(0x04, token)))));
}

/** SPNEGO NegTokenResp: accept-incomplete with the server's token (state 1), or the client's next token (no state). */
export function spnegoResp(token: Buffer, state?: number): Buffer {
  const parts: Buffer[] = [];
  if (state !== undefined) parts.push(der(0xa0, der(0x0a, Buffer.from([state]))), der(0xa1, der(0x06, NTLM_OID)));
  parts.push(der(0xa2, der(0x04, token)));
  return der(0xa1, der(0x30, ...parts));
}

/** The NetBIOS session service header (type 0, 24-bit length) around one message. */
export function nbss(msg: Buffer): Buffer {
  const l = msg.length;
  return Buffer.concat([Buffer.from([0, (l >> 16) & 255, (l >> 8) & 255, l & 255]), msg]);
}

export const SMB2 = { NEGOTIATE: 0, SESSION_SETUP: 1, TREE_CONNECT: 3, CREATE: 5, READ: 8 } as const;
export const STATUS = { SUCCESS: 0, MORE_PROCESSING_REQUIRED: 0xc0000016 } as const;

export interface Smb2Header {
  command: number;
  response: boolean;
  messageId: number;
  status?: number;
  sessionId?: bigint;
  treeId?: number;
  credits?: number;
}

function smb2Header(h: Smb2Header): Buffer {
  const b = Buffer.alloc(64);
  b.write('fe534d42', 0, 'hex');
  b.writeUInt16LE(64, 4);
  b.writeUInt16LE(1, 6); // credit charge
  b.writeUInt32LE(h.status ?? 0, 8);
  b.writeUInt16LE(h.command, 12);
  b.writeUInt16LE(h.credits ?? (h.response ? 1 : 31), 14);
  b.writeUInt32LE(h.response ? 1 : 0, 16);
  b.writeBigUInt64LE(BigInt(h.messageId), 24);
  if (!h.response) b.writeUInt32LE(0xfeff, 32);
  b.writeUInt32LE(h.treeId ?? 0, 36);
  b.writeBigUInt64LE(h.sessionId ?? 0n, 40);
  return b;
}

function smb2(h: Smb2Header, body: Buffer): Buffer {
  return nbss(Buffer.concat([smb2Header(h), body]));
}

/** NEGOTIATE request offering SMB 2.0.2 to 3.1.1. */
export function smb2NegotiateRequest(o: { clientGuid: Buffer }): Buffer {
  const dialects = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];
  const body = Buffer.concat([le16(36), le16(dialects.length), le16(1), le16(0), le32(0x7f), o.clientGuid.subarray(0, 16), le32(0), le16(0), le16(0), ...dialects.map(le16)]);
  return smb2({ command: SMB2.NEGOTIATE, response: false, messageId: 0 }, body);
}

/** NEGOTIATE response choosing `dialect`, with the server GUID, time and a SPNEGO hint. */
export function smb2NegotiateResponse(o: { dialect: number; serverGuid: Buffer; timeUs: number; bootUs: number }): Buffer {
  const blob = der(0x60, der(0x06, SPNEGO_OID), der(0xa0, der(0x30, der(0xa0, der(0x30, der(0x06, NTLM_OID))))));
  const body = Buffer.concat([
    le16(65), le16(1), le16(o.dialect), le16(0), o.serverGuid.subarray(0, 16), le32(0x2f), le32(8_388_608), le32(8_388_608), le32(8_388_608),
    filetime(o.timeUs), filetime(o.bootUs), le16(0x80), le16(blob.length), le32(0), blob,
  ]);
  return smb2({ command: SMB2.NEGOTIATE, response: true, messageId: 0 }, body);
}

export function smb2SessionSetupRequest(o: { messageId: number; sessionId?: bigint; securityBlob: Buffer }): Buffer {
  const body = Buffer.concat([le16(25), Buffer.from([0, 1]), le32(1), le32(0), le16(0x58), le16(o.securityBlob.length), Buffer.alloc(8), o.securityBlob]);
  return smb2({ command: SMB2.SESSION_SETUP, response: false, messageId: o.messageId, sessionId: o.sessionId }, body);
}

export function smb2SessionSetupResponse(o: { messageId: number; sessionId: bigint; status: number; securityBlob: Buffer }): Buffer {
  const body = Buffer.concat([le16(9), le16(0), le16(0x48), le16(o.securityBlob.length), o.securityBlob]);
  return smb2({ command: SMB2.SESSION_SETUP, response: true, messageId: o.messageId, sessionId: o.sessionId, status: o.status }, body);
}

/** TREE_CONNECT request for a UNC path (\\server\share). */
export function smb2TreeConnectRequest(o: { messageId: number; sessionId: bigint; path: string }): Buffer {
  const p = utf16(o.path);
  return smb2({ command: SMB2.TREE_CONNECT, response: false, messageId: o.messageId, sessionId: o.sessionId }, Buffer.concat([le16(9), le16(0), le16(0x48), le16(p.length), p]));
}

export function smb2TreeConnectResponse(o: { messageId: number; sessionId: bigint; treeId: number }): Buffer {
  const body = Buffer.concat([le16(16), Buffer.from([1, 0]), le32(0), le32(0), le32(0x001f01ff)]);
  return smb2({ command: SMB2.TREE_CONNECT, response: true, messageId: o.messageId, sessionId: o.sessionId, treeId: o.treeId }, body);
}

/** READ request for `length` bytes at `offset` of an open file. */
export function smb2ReadRequest(o: { messageId: number; sessionId: bigint; treeId: number; fileId: Buffer; length: number; offset: number }): Buffer {
  const off = Buffer.alloc(8);
  off.writeBigUInt64LE(BigInt(o.offset), 0);
  const body = Buffer.concat([le16(49), Buffer.from([0x50, 0]), le32(o.length), off, o.fileId.subarray(0, 16), le32(1), le32(0), le32(0), le16(0), le16(0), Buffer.from([0])]);
  return smb2({ command: SMB2.READ, response: false, messageId: o.messageId, sessionId: o.sessionId, treeId: o.treeId }, body);
}

export function smb2ReadResponse(o: { messageId: number; sessionId: bigint; treeId: number; data: Buffer }): Buffer {
  const body = Buffer.concat([le16(17), Buffer.from([0x50, 0]), le32(o.data.length), le32(0), le32(0), o.data]);
  return smb2({ command: SMB2.READ, response: true, messageId: o.messageId, sessionId: o.sessionId, treeId: o.treeId }, body);
}
