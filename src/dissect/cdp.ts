/**
 * Cisco Discovery Protocol (CDP v1 / v2) PDU parser.
 *
 * CDP travels in 802.3 frames with LLC/SNAP: DSAP AA, SSAP AA, control 03,
 * OUI 00:00:0c, PID 0x2000, to 01:00:0c:cc:cc:cc. cdpPduOffset() checks that
 * header and gives the offset of the PDU that follows it; parseCdp() reads the
 * PDU itself at `buf[off, off + len)`. `len` should be the PDU length (the
 * 802.3 length field minus the 8 LLC/SNAP bytes) so that Ethernet padding is
 * not read as TLVs; padding is tolerated all the same (see cdp.trailing_bytes).
 *
 * PDU: version (1), TTL (1), checksum (2), then TLVs: type (2), length (2,
 * header included), value. What the sensor takes from it: device id (1),
 * addresses (2), port id (3), capabilities (4), software version (5),
 * platform (6), VTP management domain (9), native VLAN (10), duplex (11),
 * voice VLAN (14), system name (20), management addresses (22).
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`. When a
 * type appears more than once, the first one is kept (addresses: all kept).
 *
 * Text values are printable(): ASCII 0x20..0x7e as is (except backslash),
 * every other byte as \xNN (lower-case hex), trailing NULs dropped.
 *
 * Counters:
 *   cdp.truncated        fewer than 4 bytes (the function returns null)
 *   cdp.bad_tlv_length   a TLV length below 4 or past the end of the PDU: the
 *                        walk stops there, keeping the TLVs read before
 *   cdp.trailing_bytes   1 to 3 bytes left after the last TLV (not a TLV header)
 *   cdp.bad_tlv_value    a known TLV whose value is too short for its fields,
 *                        or an address entry past the end of its TLV
 *   cdp.bad_checksum     the checksum does not verify
 */
import { hex, ip4Text, ip6Text, printable } from './text.js';
import { u16, u32 } from '../decode/bytes.js';
import { Verdict, type LinkDissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface CdpAddress {
  /** 'ipv4', 'ipv6', or 'other' for any other protocol. */
  protocol: 'ipv4' | 'ipv6' | 'other';
  /** IPv4 dotted, IPv6 RFC 5952 text; for 'other' "ptype/protocol-hex/address-hex". */
  address: string;
}

export interface CdpInfo {
  version: number;
  ttl: number;
  checksum: number;
  /** True when the checksum over buf[off, off + len) verifies (Cisco's odd-length variant included). */
  checksumOk: boolean;
  deviceId: string | null;
  /** TLV 2, every entry of every instance. */
  addresses: CdpAddress[];
  portId: string | null;
  /** TLV 4 bitmask, null when absent. */
  capabilityBits: number | null;
  /**
   * Names of the set capability bits, in bit order: router, trans-bridge,
   * source-route-bridge, switch, host, igmp, repeater, phone, remote, cvta,
   * mac-relay; other bits as "bitN". Null when absent.
   */
  capabilities: string[] | null;
  softwareVersion: string | null;
  platform: string | null;
  vtpDomain: string | null;
  nativeVlan: number | null;
  /** TLV 11: 'full' (1), 'half' (0), other values as their number in text. */
  duplex: string | null;
  /** TLV 14 (appliance / voice VLAN): the VLAN id. */
  voiceVlan: number | null;
  /** TLV 20. */
  systemName: string | null;
  /** TLV 22. */
  managementAddresses: CdpAddress[];
  /** Every TLV type read, in order. */
  tlvTypes: number[];
}

const TLV_DEVICE_ID = 0x01;
const TLV_ADDRESSES = 0x02;
const TLV_PORT_ID = 0x03;
const TLV_CAPABILITIES = 0x04;
const TLV_SOFTWARE = 0x05;
const TLV_PLATFORM = 0x06;
const TLV_VTP_DOMAIN = 0x09;
const TLV_NATIVE_VLAN = 0x0a;
const TLV_DUPLEX = 0x0b;
const TLV_VOICE_VLAN = 0x0e;
const TLV_SYSTEM_NAME = 0x14;
const TLV_MGMT_ADDRESSES = 0x16;

const CAP_NAMES = ['router', 'trans-bridge', 'source-route-bridge', 'switch', 'host', 'igmp', 'repeater', 'phone', 'remote', 'cvta', 'mac-relay'];






/** SNAP header AA AA 03 00 00 00 86 DD: the 802.2 protocol id CDP uses for IPv6. */
const IPV6_PROTO = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd];

/**
 * Address list (TLV 2 and 22): count (4), then entries of protocol type (1:
 * NLPID, 2: 802.2), protocol length (1), protocol, address length (2), address.
 * Appends to `out`; stops (counted) at an entry past `end`.
 */
function parseAddresses(b: Uint8Array, start: number, end: number, out: CdpAddress[], errs: ErrorCounter | undefined): void {
  if (end - start < 4) {
    errs?.count('cdp.bad_tlv_value');
    return;
  }
  const n = u32(b, start);
  let p = start + 4;
  for (let k = 0; k < n; k++) {
    if (end - p < 2) {
      errs?.count('cdp.bad_tlv_value');
      return;
    }
    const ptype = b[p]!;
    const plen = b[p + 1]!;
    const proto = p + 2;
    if (proto + plen + 2 > end) {
      errs?.count('cdp.bad_tlv_value');
      return;
    }
    const alen = u16(b, proto + plen);
    const a = proto + plen + 2;
    if (a + alen > end) {
      errs?.count('cdp.bad_tlv_value');
      return;
    }
    if (ptype === 1 && plen === 1 && b[proto] === 0xcc && alen === 4) {
      out.push({ protocol: 'ipv4', address: ip4Text(b, a) });
    } else if (ptype === 2 && plen === 8 && alen === 16 && IPV6_PROTO.every((x, i) => b[proto + i] === x)) {
      out.push({ protocol: 'ipv6', address: ip6Text(b, a) });
    } else {
      out.push({ protocol: 'other', address: `${ptype}/${hex(b, proto, proto + plen)}/${hex(b, a, a + alen)}` });
    }
    p = a + alen;
  }
}

/**
 * CDP's checksum: the Internet checksum, except that an odd last byte X is
 * summed as the word 0x00XX, or 0xFF(X-1) when X >= 0x80 (Cisco's sign bug).
 */
function checksumOk(b: Uint8Array, start: number, end: number): boolean {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += u16(b, i);
  if (i < end) {
    const x = b[i]!;
    sum += x & 0x80 ? 0xff00 | (x - 1) : x;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum === 0xffff;
}

function capNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 32; i++) {
    if ((bits >>> i) & 1) out.push(CAP_NAMES[i] ?? `bit${i}`);
  }
  return out;
}

/**
 * The offset of the CDP PDU after an LLC/SNAP header at buf[llcOff] (AA AA 03,
 * OUI 00:00:0c, PID 0x2000), or -1 when the header is absent or truncated
 * (`end`: the end of the readable bytes).
 */
export function cdpPduOffset(buf: Uint8Array, llcOff: number, end: number = buf.length): number {
  end = Math.min(end, buf.length);
  if (!(llcOff >= 0) || end - llcOff < 8) return -1;
  const b = buf;
  const o = llcOff;
  if (b[o] !== 0xaa || b[o + 1] !== 0xaa || b[o + 2] !== 0x03) return -1;
  if (b[o + 3] !== 0x00 || b[o + 4] !== 0x00 || b[o + 5] !== 0x0c) return -1;
  if (b[o + 6] !== 0x20 || b[o + 7] !== 0x00) return -1;
  return o + 8;
}

/**
 * Parses the CDP PDU at buf[off, off + len). Returns null when the 4-byte
 * header does not fit; never throws.
 */
export function parseCdp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): CdpInfo | null {
  if (!(off >= 0 && len >= 0)) {
    errs?.count('cdp.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  if (end - off < 4) {
    errs?.count('cdp.truncated');
    return null;
  }
  const info: CdpInfo = {
    version: buf[off]!,
    ttl: buf[off + 1]!,
    checksum: u16(buf, off + 2),
    checksumOk: checksumOk(buf, off, end),
    deviceId: null,
    addresses: [],
    portId: null,
    capabilityBits: null,
    capabilities: null,
    softwareVersion: null,
    platform: null,
    vtpDomain: null,
    nativeVlan: null,
    duplex: null,
    voiceVlan: null,
    systemName: null,
    managementAddresses: [],
    tlvTypes: [],
  };
  if (!info.checksumOk) errs?.count('cdp.bad_checksum');
  let p = off + 4;
  while (p < end) {
    if (end - p < 4) {
      errs?.count('cdp.trailing_bytes');
      break;
    }
    const type = u16(buf, p);
    const l = u16(buf, p + 2);
    if (l < 4 || p + l > end) {
      errs?.count('cdp.bad_tlv_length');
      break;
    }
    const v = p + 4;
    const ve = p + l;
    const n = l - 4;
    info.tlvTypes.push(type);
    p = ve;
    switch (type) {
      case TLV_DEVICE_ID:
        info.deviceId ??= printable(buf, v, ve);
        break;
      case TLV_ADDRESSES:
        parseAddresses(buf, v, ve, info.addresses, errs);
        break;
      case TLV_PORT_ID:
        info.portId ??= printable(buf, v, ve);
        break;
      case TLV_CAPABILITIES:
        if (n < 4) errs?.count('cdp.bad_tlv_value');
        else if (info.capabilityBits === null) {
          info.capabilityBits = u32(buf, v);
          info.capabilities = capNames(info.capabilityBits);
        }
        break;
      case TLV_SOFTWARE:
        info.softwareVersion ??= printable(buf, v, ve);
        break;
      case TLV_PLATFORM:
        info.platform ??= printable(buf, v, ve);
        break;
      case TLV_VTP_DOMAIN:
        info.vtpDomain ??= printable(buf, v, ve);
        break;
      case TLV_NATIVE_VLAN:
        if (n < 2) errs?.count('cdp.bad_tlv_value');
        else info.nativeVlan ??= u16(buf, v);
        break;
      case TLV_DUPLEX:
        if (n < 1) errs?.count('cdp.bad_tlv_value');
        else info.duplex ??= buf[v] === 1 ? 'full' : buf[v] === 0 ? 'half' : String(buf[v]);
        break;
      case TLV_VOICE_VLAN:
        // data (1), VLAN id (2)
        if (n < 3) errs?.count('cdp.bad_tlv_value');
        else info.voiceVlan ??= u16(buf, v + 1);
        break;
      case TLV_SYSTEM_NAME:
        info.systemName ??= printable(buf, v, ve);
        break;
      case TLV_MGMT_ADDRESSES:
        parseAddresses(buf, v, ve, info.managementAddresses, errs);
        break;
      default:
        break;
    }
  }
  return info;
}

// ---------------------------------------------------------------------------
// Dissector: a CDP frame describes the Cisco (or CDP-speaking) device that sent it.

export const cdpDissector: LinkDissector = {
  id: 'cdp',
  etherType: 0x2000,
  dissect(buf, off, len, ctx) {
    const info = parseCdp(buf, off, len, ctx);
    if (info === null) return Verdict.Malformed;
    const mac = ctx.view.macSrc;
    const name = info.systemName ?? info.deviceId;
    if (name) ctx.about(null, mac, 'hostname', name, info.deviceId && info.deviceId !== name ? { device_id: info.deviceId } : undefined, 'cdp', true);
    if (info.platform) ctx.about(null, mac, 'platform', info.platform, undefined, 'cdp', true);
    if (info.softwareVersion) ctx.about(null, mac, 'sys_descr', info.softwareVersion, undefined, 'cdp', true);
    if (info.capabilityBits !== null) ctx.about(null, mac, 'capabilities', (info.capabilities ?? []).join(','), { bits: info.capabilityBits }, 'cdp', true);
    for (const a of info.addresses.slice(0, 4)) if (a.protocol !== 'other') ctx.about(null, mac, 'mgmt_address', a.address, undefined, 'cdp', true);
    return Verdict.Continue;
  },
};
