/**
 * NTLMSSP messages ([MS-NLMP] §2.2) and their SPNEGO wrappings (RFC 4178),
 * built field by field for the carrier tests (HTTP, LDAP, DCE/RPC).
 */
import { berLen } from './ber.js';

const SIG = [...Buffer.from('NTLMSSP\0', 'latin1')];
const le16 = (n: number) => [n & 255, (n >> 8) & 255];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const utf16 = (s: string) => [...Buffer.from(s, 'utf16le')];

/** Security buffer descriptors for `fields`, laid out one after another from `headerLen`. */
function layout(headerLen: number, fields: number[][]): { descs: number[]; payload: number[] } {
  const descs: number[] = [];
  const payload: number[] = [];
  for (const f of fields) {
    descs.push(...le16(f.length), ...le16(f.length), ...le32(headerLen + payload.length));
    payload.push(...f);
  }
  return { descs, payload };
}

function version(v: [number, number, number]): number[] {
  return [v[0], v[1], ...le16(v[2]), 0, 0, 0, 15];
}

const F_UNICODE = 0x1;
const F_TARGET_INFO = 0x800000;
const F_VERSION = 0x02000000;
const F_OEM_DOMAIN = 0x1000;
const F_OEM_WORKSTATION = 0x2000;

/** NEGOTIATE (type 1): optional OEM domain / workstation, version. */
export function ntlmNegotiate(o: { domain?: string; workstation?: string; version?: [number, number, number] } = {}): Buffer {
  const dom = [...Buffer.from(o.domain ?? '', 'latin1')];
  const ws = [...Buffer.from(o.workstation ?? '', 'latin1')];
  const flags = 0x60088207 | (o.version ? F_VERSION : 0) | (dom.length ? F_OEM_DOMAIN : 0) | (ws.length ? F_OEM_WORKSTATION : 0);
  const { descs, payload } = layout(40, [dom, ws]);
  return Buffer.from([...SIG, ...le32(1), ...le32(flags), ...descs, ...(o.version ? version(o.version) : new Array<number>(8).fill(0)), ...payload]);
}

/** CHALLENGE (type 2): target name and target info (NetBIOS / DNS names), version. */
export function ntlmChallenge(o: {
  target: string;
  nbComputer?: string;
  nbDomain?: string;
  dnsComputer?: string;
  dnsDomain?: string;
  version?: [number, number, number];
}): Buffer {
  const av = (id: number, s: string | undefined) => (s === undefined ? [] : [...le16(id), ...le16(s.length * 2), ...utf16(s)]);
  const ti = [...av(2, o.nbDomain), ...av(1, o.nbComputer), ...av(4, o.dnsDomain), ...av(3, o.dnsComputer), 0, 0, 0, 0];
  const flags = 0x00008215 | F_UNICODE | F_TARGET_INFO | (o.version ? F_VERSION : 0);
  const tn = utf16(o.target);
  // TargetName at 12, flags at 20, challenge at 24, reserved at 32, TargetInfo at 40, version at 48.
  const payload = [...tn, ...ti];
  return Buffer.from([
    ...SIG,
    ...le32(2),
    ...le16(tn.length), ...le16(tn.length), ...le32(56),
    ...le32(flags),
    1, 2, 3, 4, 5, 6, 7, 8,
    0, 0, 0, 0, 0, 0, 0, 0,
    ...le16(ti.length), ...le16(ti.length), ...le32(56 + tn.length),
    ...(o.version ? version(o.version) : new Array<number>(8).fill(0)),
    ...payload,
  ]);
}

/** AUTHENTICATE (type 3), Unicode: domain, user, workstation, an NTLMv2 response (with a target SPN when given), version. */
export function ntlmAuthenticate(o: { domain?: string; user: string; workstation: string; version?: [number, number, number]; spn?: string }): Buffer {
  const lm = new Array<number>(24).fill(0);
  // NTProofStr, blob header (resp types 1 1, reserved), timestamp, client challenge, reserved, AV pairs (MsvAvTargetName when `spn`), EOL.
  const spn = o.spn === undefined ? [] : [9, 0, ...le16(o.spn.length * 2), ...utf16(o.spn)];
  const nt = [...new Array<number>(16).fill(0xaa), 1, 1, 0, 0, 0, 0, 0, 0, ...new Array<number>(8).fill(0), ...new Array<number>(8).fill(0xbb), 0, 0, 0, 0, ...spn, 0, 0, 0, 0];
  const flags = 0xe2888215 & ~(o.version ? 0 : F_VERSION);
  // LM, NT, domain, user, workstation, session key descriptors at 12..52, flags at 60, version at 64, payload from 72 (MIC omitted).
  const { descs, payload } = layout(72, [lm, nt, utf16(o.domain ?? ''), utf16(o.user), utf16(o.workstation), []]);
  return Buffer.from([...SIG, ...le32(3), ...descs, ...le32(flags >>> 0), ...(o.version ? version(o.version) : new Array<number>(8).fill(0)), ...payload]);
}

// ---------------------------------------------------------------------------
// BER / SPNEGO

export { berLen };
export function tlv(tag: number, v: ArrayLike<number>): number[] {
  return [tag, ...berLen(v.length), ...Array.from(v)];
}

const OID_SPNEGO = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
const OID_NTLM = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];

/** GSS-API InitialContextToken with a SPNEGO NegTokenInit offering NTLM, the token as mechToken. */
export function spnegoInit(token: ArrayLike<number>): Buffer {
  const init = tlv(0x30, [...tlv(0xa0, tlv(0x30, OID_NTLM)), ...tlv(0xa2, tlv(0x04, token))]);
  return Buffer.from(tlv(0x60, [...OID_SPNEGO, ...tlv(0xa0, init)]));
}

/** SPNEGO NegTokenResp (accept-incomplete, NTLM) with the token as responseToken; `token` absent for a bare accept-complete. */
export function spnegoResp(token?: ArrayLike<number>): Buffer {
  const state = tlv(0xa0, tlv(0x0a, [token ? 1 : 0]));
  const body = token ? [...state, ...tlv(0xa1, OID_NTLM), ...tlv(0xa2, tlv(0x04, token))] : state;
  return Buffer.from(tlv(0xa1, tlv(0x30, body)));
}
