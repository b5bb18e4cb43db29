/**
 * LLDP PDU parser (IEEE 802.1AB-2016).
 *
 * The PDU is `buf[off, off + len)`: the payload of an EtherType 0x88cc frame.
 * What the sensor takes from it: chassis id, port id, TTL, port description,
 * system name / description, system capabilities, management addresses, the
 * IEEE 802.1 port VLAN id and the IEEE 802.3 MAC/PHY status (MAU type), and a
 * summary ({oui, subtype, length}) of every organisationally specific TLV.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * TLV header: 7-bit type, 9-bit length (of the value). Type 0 is End of LLDPDU.
 * The walk is lenient: the mandatory TLVs (chassis id, port id, TTL) are not
 * required to come first or at all; a TLV of a known type whose value is too
 * short for its fixed fields is skipped (its field stays null). When a type
 * that should be unique appears more than once, the first one is kept.
 *
 * Text values are printable(): ASCII 0x20..0x7e as is (except backslash),
 * every other byte as \xNN (lower-case hex), trailing NULs dropped.
 *
 * Counters:
 *   lldp.truncated         fewer than 2 bytes (the function returns null)
 *   lldp.bad_tlv_length    a TLV header or value past the end of the PDU: the
 *                          walk stops there, keeping the TLVs read before
 *   lldp.bad_tlv_value     a known TLV whose value is too short for its fields
 *                          (or a MAC / network address id of the wrong size)
 *   lldp.missing_mandatory no chassis id, port id or TTL TLV in the PDU
 *   lldp.no_end            the PDU ends without an End of LLDPDU TLV
 */
import { hexColons, ip4Text, ip6Text, printable } from './text.js';
import { u16, u32 } from '../decode/bytes.js';
import { Verdict, type LinkDissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

/** A chassis id or port id: the subtype and the value as text. */
export interface LldpId {
  /**
   * Chassis id subtypes: 1 chassis component, 2 interface alias, 3 port
   * component, 4 MAC address, 5 network address, 6 interface name, 7 locally
   * assigned. Port id subtypes: 1 interface alias, 2 port component, 3 MAC
   * address, 4 network address, 5 interface name, 6 agent circuit id, 7 locally
   * assigned.
   */
  subtype: number;
  /**
   * MAC address subtypes as "aa:bb:cc:dd:ee:ff" (hex with colons when not 6
   * bytes); network address subtypes as an IPv4 / IPv6 text address (other
   * families as "family:hex"); every other subtype printable().
   */
  value: string;
}

export interface LldpManagementAddress {
  /** IANA address family: 1 IPv4, 2 IPv6, 6 802 (MAC), ... */
  family: number;
  /** IPv4 / IPv6 as text, a MAC (family 6, 6 bytes) as aa:bb:.., anything else hex with colons. */
  address: string;
  /** Interface numbering subtype: 1 unknown, 2 ifIndex, 3 system port number. */
  ifSubtype: number;
  /** Interface number, unsigned 32-bit. */
  ifNumber: number;
  /** The OID as dotted decimal when present and decodable, else null. */
  oid: string | null;
}

export interface LldpOrgTlv {
  /** "00:80:c2" (IEEE 802.1), "00:12:0f" (IEEE 802.3), "00:12:bb" (LLDP-MED), ... */
  oui: string;
  subtype: number;
  /** Bytes of information after the OUI and subtype. */
  length: number;
}

export interface LldpMau {
  /** Auto-negotiation support / status byte: bit 0 supported, bit 1 enabled. */
  autonegSupported: boolean;
  autonegEnabled: boolean;
  /** PMD auto-negotiation advertised capability bits (16-bit). */
  advertised: number;
  /** Operational MAU type (RFC 4836 dot3MauType number, e.g. 16 = 100BASE-TXFD, 30 = 1000BASE-TFD). */
  mauType: number;
}

export interface LldpInfo {
  chassisId: LldpId | null;
  portId: LldpId | null;
  /** Time to live in seconds (0 = shutdown). */
  ttl: number | null;
  portDescription: string | null;
  systemName: string | null;
  systemDescription: string | null;
  /**
   * System capabilities (TLV 7): names of the available (`capabilities`) and
   * enabled (`enabledCapabilities`) bits, in bit order: other, repeater,
   * bridge, wlan-ap, router, telephone, docsis, station, then the 802.1AB-2009
   * additions c-vlan, s-vlan, tpmr; an unnamed bit as "bitN". Null when absent.
   */
  capabilities: string[] | null;
  enabledCapabilities: string[] | null;
  managementAddresses: LldpManagementAddress[];
  /** Every organisationally specific TLV (127), in order. */
  orgTlvs: LldpOrgTlv[];
  /** IEEE 802.1 (00:80:c2) subtype 1, port VLAN id (0 = none). */
  portVlanId: number | null;
  /** IEEE 802.3 (00:12:0f) subtype 1, MAC/PHY configuration / status. */
  mau: LldpMau | null;
  /** IEEE 802.3 (00:12:0f) subtype 4, maximum frame size. */
  maxFrameSize: number | null;
  /** Every TLV type read, in order (End included when present). */
  tlvTypes: number[];
}

const TLV_END = 0;
const TLV_CHASSIS_ID = 1;
const TLV_PORT_ID = 2;
const TLV_TTL = 3;
const TLV_PORT_DESC = 4;
const TLV_SYS_NAME = 5;
const TLV_SYS_DESC = 6;
const TLV_SYS_CAP = 7;
const TLV_MGMT_ADDR = 8;
const TLV_ORG = 127;

const OUI_8021 = 0x0080c2;
const OUI_8023 = 0x00120f;

const CAP_NAMES = ['other', 'repeater', 'bridge', 'wlan-ap', 'router', 'telephone', 'docsis', 'station', 'c-vlan', 's-vlan', 'tpmr'];






/**
 * An address given as (IANA family, bytes): IPv4 / IPv6 as text when the size
 * fits, a family 6 (802) MAC as hex with colons, anything else "family:hex".
 * `ok` is false when an IP family has the wrong size.
 */
function familyAddress(b: Uint8Array, family: number, start: number, end: number): { text: string; ok: boolean } {
  const n = end - start;
  if (family === 1 && n === 4) return { text: ip4Text(b, start), ok: true };
  if (family === 2 && n === 16) return { text: ip6Text(b, start), ok: true };
  if (family === 6) return { text: hexColons(b, start, end), ok: n === 6 };
  const ok = family !== 1 && family !== 2;
  return { text: `${family}:${hexColons(b, start, end)}`, ok };
}

function capNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (bits & (1 << i)) out.push(CAP_NAMES[i] ?? `bit${i}`);
  }
  return out;
}

/** BER-encoded OID (value bytes only) as dotted decimal, or null when malformed. */
function oidText(b: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null;
  const arcs: number[] = [];
  let v = 0;
  let inArc = false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    v = v * 128 + (c & 0x7f);
    inArc = true;
    if (v > Number.MAX_SAFE_INTEGER / 256) return null;
    if ((c & 0x80) === 0) {
      arcs.push(v);
      v = 0;
      inArc = false;
    }
  }
  if (inArc || arcs.length === 0) return null;
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Chassis id (chassis = true) or port id value. */
function parseId(b: Uint8Array, start: number, end: number, chassis: boolean, errs: ErrorCounter | undefined): LldpId | null {
  if (end - start < 1) {
    errs?.count('lldp.bad_tlv_value');
    return null;
  }
  const subtype = b[start]!;
  const v = start + 1;
  const macSub = chassis ? 4 : 3;
  const netSub = chassis ? 5 : 4;
  let value: string;
  if (subtype === macSub) {
    if (end - v !== 6) errs?.count('lldp.bad_tlv_value');
    value = hexColons(b, v, end);
  } else if (subtype === netSub) {
    if (end - v < 1) {
      errs?.count('lldp.bad_tlv_value');
      value = '';
    } else {
      const a = familyAddress(b, b[v]!, v + 1, end);
      if (!a.ok) errs?.count('lldp.bad_tlv_value');
      value = a.text;
    }
  } else {
    value = printable(b, v, end);
  }
  return { subtype, value };
}

/** Management address TLV value; null (counted) when too short. */
function parseMgmt(b: Uint8Array, start: number, end: number, errs: ErrorCounter | undefined): LldpManagementAddress | null {
  // address string length (includes the subtype byte), subtype, address
  if (end - start < 2) {
    errs?.count('lldp.bad_tlv_value');
    return null;
  }
  const strLen = b[start]!;
  if (strLen < 1 || start + 1 + strLen + 6 > end) {
    errs?.count('lldp.bad_tlv_value');
    return null;
  }
  const family = b[start + 1]!;
  const aEnd = start + 1 + strLen;
  const a = familyAddress(b, family, start + 2, aEnd);
  if (!a.ok) errs?.count('lldp.bad_tlv_value');
  const ifSubtype = b[aEnd]!;
  const ifNumber = u32(b, aEnd + 1);
  const oidLen = b[aEnd + 5]!;
  let oid: string | null = null;
  if (oidLen > 0) {
    if (aEnd + 6 + oidLen > end) errs?.count('lldp.bad_tlv_value');
    else oid = oidText(b, aEnd + 6, aEnd + 6 + oidLen);
  }
  return { family, address: a.text, ifSubtype, ifNumber, oid };
}

/**
 * Parses the LLDP PDU at buf[off, off + len). Returns null only when not even
 * one TLV header fits (fewer than 2 bytes); never throws.
 */
export function parseLldp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): LldpInfo | null {
  if (!(off >= 0 && len >= 0)) {
    errs?.count('lldp.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  if (end - off < 2) {
    errs?.count('lldp.truncated');
    return null;
  }
  const info: LldpInfo = {
    chassisId: null,
    portId: null,
    ttl: null,
    portDescription: null,
    systemName: null,
    systemDescription: null,
    capabilities: null,
    enabledCapabilities: null,
    managementAddresses: [],
    orgTlvs: [],
    portVlanId: null,
    mau: null,
    maxFrameSize: null,
    tlvTypes: [],
  };
  let seenChassis = false;
  let seenPort = false;
  let seenTtl = false;
  let sawEnd = false;
  let p = off;
  while (p < end) {
    if (end - p < 2) {
      errs?.count('lldp.bad_tlv_length');
      break;
    }
    const h = u16(buf, p);
    const type = h >> 9;
    const l = h & 0x1ff;
    const v = p + 2;
    if (v + l > end) {
      errs?.count('lldp.bad_tlv_length');
      break;
    }
    const ve = v + l;
    info.tlvTypes.push(type);
    p = ve;
    switch (type) {
      case TLV_END:
        sawEnd = true;
        break;
      case TLV_CHASSIS_ID:
        seenChassis = true;
        if (info.chassisId === null) info.chassisId = parseId(buf, v, ve, true, errs);
        break;
      case TLV_PORT_ID:
        seenPort = true;
        if (info.portId === null) info.portId = parseId(buf, v, ve, false, errs);
        break;
      case TLV_TTL:
        seenTtl = true;
        if (l < 2) errs?.count('lldp.bad_tlv_value');
        else if (info.ttl === null) info.ttl = u16(buf, v);
        break;
      case TLV_PORT_DESC:
        info.portDescription ??= printable(buf, v, ve);
        break;
      case TLV_SYS_NAME:
        info.systemName ??= printable(buf, v, ve);
        break;
      case TLV_SYS_DESC:
        info.systemDescription ??= printable(buf, v, ve);
        break;
      case TLV_SYS_CAP:
        if (l < 4) errs?.count('lldp.bad_tlv_value');
        else if (info.capabilities === null) {
          info.capabilities = capNames(u16(buf, v));
          info.enabledCapabilities = capNames(u16(buf, v + 2));
        }
        break;
      case TLV_MGMT_ADDR: {
        const m = parseMgmt(buf, v, ve, errs);
        if (m) info.managementAddresses.push(m);
        break;
      }
      case TLV_ORG: {
        if (l < 4) {
          errs?.count('lldp.bad_tlv_value');
          break;
        }
        const oui = (buf[v]! << 16) | (buf[v + 1]! << 8) | buf[v + 2]!;
        const subtype = buf[v + 3]!;
        const i = v + 4;
        const n = ve - i;
        info.orgTlvs.push({ oui: hexColons(buf, v, v + 3), subtype, length: n });
        if (oui === OUI_8021 && subtype === 1) {
          if (n < 2) errs?.count('lldp.bad_tlv_value');
          else info.portVlanId ??= u16(buf, i);
        } else if (oui === OUI_8023 && subtype === 1) {
          if (n < 5) errs?.count('lldp.bad_tlv_value');
          else
            info.mau ??= {
              autonegSupported: (buf[i]! & 1) !== 0,
              autonegEnabled: (buf[i]! & 2) !== 0,
              advertised: u16(buf, i + 1),
              mauType: u16(buf, i + 3),
            };
        } else if (oui === OUI_8023 && subtype === 4) {
          if (n < 2) errs?.count('lldp.bad_tlv_value');
          else info.maxFrameSize ??= u16(buf, i);
        }
        break;
      }
      default:
        break;
    }
    if (sawEnd) break;
  }
  if (!sawEnd) errs?.count('lldp.no_end');
  if (!seenChassis || !seenPort || !seenTtl) errs?.count('lldp.missing_mandatory');
  return info;
}

// ---------------------------------------------------------------------------
// Dissector: an LLDP frame describes the device that sent it.

export const lldpDissector: LinkDissector = {
  id: 'lldp',
  etherType: 0x88cc,
  dissect(buf, off, len, ctx) {
    const info = parseLldp(buf, off, len, ctx);
    if (info === null) return Verdict.Malformed;
    const mac = ctx.view.macSrc;
    const chassis = info.chassisId?.value ?? null;
    const data = chassis !== null ? { chassis_id: chassis } : undefined;
    if (info.systemName) ctx.about(null, mac, 'hostname', info.systemName, data, 'lldp', true);
    if (info.systemDescription) ctx.about(null, mac, 'sys_descr', info.systemDescription, data, 'lldp', true);
    if (info.enabledCapabilities && info.enabledCapabilities.length) ctx.about(null, mac, 'capabilities', info.enabledCapabilities.join(','), data, 'lldp', true);
    else if (info.capabilities && info.capabilities.length) ctx.about(null, mac, 'capabilities', info.capabilities.join(','), { available_only: true }, 'lldp', true);
    for (const m of info.managementAddresses.slice(0, 4)) if (m.family === 1 || m.family === 2) ctx.about(null, mac, 'mgmt_address', m.address, data, 'lldp', true);
    return Verdict.Continue;
  },
};
