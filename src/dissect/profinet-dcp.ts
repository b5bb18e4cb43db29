/**
 * PROFINET DCP (Discovery and Configuration Protocol, IEC 61158-6-10), carried
 * directly over Ethernet with EtherType 0x8892 (PROFINET real-time).
 *
 * The frame is `buf[off, off + len)`: the EtherType's payload (VLAN tags already
 * skipped by the decoder), possibly followed by Ethernet padding.
 *
 *   FrameID        u16   0xfefe identify multicast request, 0xfeff identify
 *                        response, 0xfefd get/set (unicast), 0xfefc hello;
 *                        every other FrameID (cyclic I/O data, alarms) is not
 *                        DCP and is passed over quietly
 *   ServiceID      u8    3 get, 4 set, 5 identify, 6 hello
 *   ServiceType    u8    0 request, 1 response success, 5 request not supported
 *   Xid            u32
 *   ResponseDelay  u16   (requests; reserved in responses)
 *   DCPDataLength  u16   bytes of blocks that follow
 *   blocks         option u8, suboption u8, DCPBlockLength u16, value; each
 *                  block padded to an even length. In responses (and hello)
 *                  the value starts with a 2-byte BlockInfo.
 *
 * What the sensor takes, from identify / get responses and hello (the
 * sender's own properties): device properties (option 2) type of station (1),
 * name of station (2), vendor / device id (3), device role (4), alias name (6),
 * device instance (7), OEM device id (8); IP parameter (option 1 suboption 2).
 * From identify requests only the sender's role, and only from an Identify
 * All (the all-selector block, as engineering tools and controllers scan):
 * a request filtered by a NameOfStation names the device looked for, which
 * may be the sender itself (a device checks at start-up that no other holds
 * its name), so it says nothing sure about either.
 *
 * Lengths are checked before every read, nothing throws, every loop is
 * bounded. Counters: profinet.truncated (header or block past the end),
 * profinet.bad_block (a known block too short for its fields).
 */
import { u16, u32 } from '../decode/bytes.js';
import { printable } from './text.js';
import { Verdict, type LinkDissector } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export const PN_ETHERTYPE = 0x8892;
export const FRAME_ID_HELLO = 0xfefc;
export const FRAME_ID_GET_SET = 0xfefd;
export const FRAME_ID_IDENTIFY_REQ = 0xfefe;
export const FRAME_ID_IDENTIFY_RES = 0xfeff;

export const DCP_SERVICE_GET = 3;
export const DCP_SERVICE_SET = 4;
export const DCP_SERVICE_IDENTIFY = 5;
export const DCP_SERVICE_HELLO = 6;

/** Blocks walked at most in one frame. */
const MAX_BLOCKS = 64;
/** Longest station / vendor name kept (the standard allows 240). */
const MAX_NAME = 255;

export interface DcpInfo {
  frameId: number;
  serviceId: number;
  serviceType: number;
  xid: number;
  /** Response or hello: the blocks describe the sender. */
  isResponse: boolean;
  /** Type of station (device vendor value), e.g. "S7-300EC". */
  typeOfStation: string | null;
  nameOfStation: string | null;
  vendorId: number | null;
  deviceId: number | null;
  /** Device role bits: 1 IO-Device, 2 IO-Controller, 4 IO-Multidevice, 8 IO-Supervisor. */
  deviceRole: number | null;
  aliasName: string | null;
  /** Device instance high.low. */
  instance: string | null;
  oemVendorId: number | null;
  oemDeviceId: number | null;
  /** IP parameter block (option 1 suboption 2). */
  ip: number | null;
  mask: number | null;
  gateway: number | null;
  /** IP parameter BlockInfo: bit 0 IP set, bit 1 set by DHCP, bit 7 address conflict. */
  ipBlockInfo: number | null;
  /** (option << 8 | suboption) of every block, in order. */
  blocks: number[];
}

/** Option 0xFF, suboption 0xFF: the Identify All request's selector. */
const ALL_SELECTOR = 0xffff;

/** Well-known PROFINET vendor ids (PI-assigned), written by hand; unknown ids are reported as numbers. */
const VENDORS: ReadonlyMap<number, string> = new Map([[0x002a, 'Siemens']]);

export function profinetVendorName(id: number): string | null {
  return VENDORS.get(id) ?? null;
}

function text(b: Uint8Array, start: number, end: number): string {
  return printable(b, start, Math.min(end, start + MAX_NAME));
}

/**
 * Parses the DCP frame at buf[off, off + len). Null when the FrameID is not a
 * DCP one or the header is cut (counted).
 */
export function parseDcp(b: Uint8Array, off: number, len: number, errs?: ErrorCounter): DcpInfo | null {
  if (len < 2) return null;
  const frameId = u16(b, off);
  if (frameId < FRAME_ID_HELLO || frameId > FRAME_ID_IDENTIFY_RES) return null;
  if (len < 12) {
    errs?.count('profinet.truncated');
    return null;
  }
  const serviceId = b[off + 2]!;
  const serviceType = b[off + 3]!;
  const info: DcpInfo = {
    frameId,
    serviceId,
    serviceType,
    xid: u32(b, off + 4),
    isResponse: (serviceType & 1) === 1 || serviceId === DCP_SERVICE_HELLO,
    typeOfStation: null,
    nameOfStation: null,
    vendorId: null,
    deviceId: null,
    deviceRole: null,
    aliasName: null,
    instance: null,
    oemVendorId: null,
    oemDeviceId: null,
    ip: null,
    mask: null,
    gateway: null,
    ipBlockInfo: null,
    blocks: [],
  };
  const dataLen = u16(b, off + 10);
  let end = off + 12 + dataLen;
  if (end > off + len) {
    errs?.count('profinet.truncated');
    end = off + len;
  }
  // Blocks carry a BlockInfo in responses and hello; in set requests a BlockQualifier.
  const lead = info.isResponse || (serviceId === DCP_SERVICE_SET && serviceType === 0) ? 2 : 0;
  let p = off + 12;
  for (let n = 0; n < MAX_BLOCKS && p + 4 <= end; n++) {
    const option = b[p]!;
    const sub = b[p + 1]!;
    const blen = u16(b, p + 2);
    const vs = p + 4;
    const ve = vs + blen;
    if (ve > end) {
      errs?.count('profinet.truncated');
      break;
    }
    info.blocks.push((option << 8) | sub);
    p = ve + (blen & 1);
    // Requests: only the filter; the values are not the sender's.
    if (!info.isResponse || (serviceType & 4) !== 0) continue;
    const s = vs + lead;
    const vlen = ve - s;
    if (vlen < 0) {
      errs?.count('profinet.bad_block');
      continue;
    }
    if (option === 2) {
      switch (sub) {
        case 1:
          if (info.typeOfStation === null) info.typeOfStation = text(b, s, ve);
          break;
        case 2:
          if (info.nameOfStation === null) info.nameOfStation = text(b, s, ve);
          break;
        case 3:
          if (vlen < 4) errs?.count('profinet.bad_block');
          else if (info.vendorId === null) {
            info.vendorId = u16(b, s);
            info.deviceId = u16(b, s + 2);
          }
          break;
        case 4:
          if (vlen < 1) errs?.count('profinet.bad_block');
          else if (info.deviceRole === null) info.deviceRole = b[s]!;
          break;
        case 6:
          if (info.aliasName === null) info.aliasName = text(b, s, ve);
          break;
        case 7:
          if (vlen < 2) errs?.count('profinet.bad_block');
          else if (info.instance === null) info.instance = `${b[s]!}.${b[s + 1]!}`;
          break;
        case 8:
          if (vlen < 4) errs?.count('profinet.bad_block');
          else if (info.oemVendorId === null) {
            info.oemVendorId = u16(b, s);
            info.oemDeviceId = u16(b, s + 2);
          }
          break;
      }
    } else if (option === 1 && sub === 2) {
      if (vlen < 12) errs?.count('profinet.bad_block');
      else if (info.ip === null) {
        info.ipBlockInfo = lead ? u16(b, vs) : null;
        info.ip = u32(b, s);
        info.mask = u32(b, s + 4);
        info.gateway = u32(b, s + 8);
      }
    }
  }
  return info;
}

function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Device role bits to the sensor's device types (the first matching bit wins: controller, supervisor, device). */
export function roleDeviceType(role: number): string | null {
  if (role & 2) return 'industrial controller';
  if (role & 8) return 'hmi/engineering station';
  if (role & 1) return 'field device';
  return null;
}

function roleNames(role: number): string[] {
  const out: string[] = [];
  if (role & 1) out.push('IO-Device');
  if (role & 2) out.push('IO-Controller');
  if (role & 4) out.push('IO-Multidevice');
  if (role & 8) out.push('IO-Supervisor');
  return out;
}

export const profinetDcpDissector: LinkDissector = {
  id: 'profinet',
  etherType: PN_ETHERTYPE,
  dissect(buf, off, len, ctx) {
    if (len < 2) return Verdict.Malformed;
    const frameId = u16(buf, off);
    // Cyclic I/O data, alarms, PTCP: PROFINET but not DCP.
    if (frameId < FRAME_ID_HELLO || frameId > FRAME_ID_IDENTIFY_RES) return Verdict.Continue;
    const info = parseDcp(buf, off, len, ctx);
    if (info === null) return Verdict.Malformed;
    const mac = ctx.view.macSrc;
    const S = 'profinet';
    if (!info.isResponse) {
      if (info.serviceId === DCP_SERVICE_IDENTIFY && info.serviceType === 0 && info.blocks.includes(ALL_SELECTOR)) {
        ctx.about(null, mac, 'role', 'profinet-controller', { dcp: 'identify all' }, S, true);
      }
      return Verdict.Continue;
    }
    if ((info.serviceType & 4) !== 0) return Verdict.Continue;
    const hasDevice = info.nameOfStation !== null || info.vendorId !== null || info.typeOfStation !== null || info.deviceRole !== null;
    if (info.serviceId === DCP_SERVICE_IDENTIFY || info.serviceId === DCP_SERVICE_HELLO || hasDevice) ctx.about(null, mac, 'role', 'profinet-device', undefined, S, true);
    if (info.nameOfStation) ctx.about(null, mac, 'hostname', info.nameOfStation, { field: 'name_of_station' }, S, true);
    if (info.aliasName) ctx.about(null, mac, 'banner', `alias ${info.aliasName}`, { field: 'alias_name' }, S, true);
    if (info.typeOfStation) ctx.about(null, mac, 'model', info.typeOfStation, { field: 'type_of_station' }, S, true);
    if (info.vendorId !== null) {
      const name = profinetVendorName(info.vendorId);
      const hexId = `0x${info.vendorId.toString(16).padStart(4, '0')}`;
      ctx.about(null, mac, 'vendor', name ?? `vendor id ${hexId}`, { vendor_id: info.vendorId, device_id: info.deviceId ?? 0 }, S, true);
    }
    if (info.oemVendorId !== null) {
      ctx.about(null, mac, 'banner', `oem vendor id 0x${info.oemVendorId.toString(16).padStart(4, '0')} device id 0x${(info.oemDeviceId ?? 0).toString(16).padStart(4, '0')}`, { oem_vendor_id: info.oemVendorId, oem_device_id: info.oemDeviceId ?? 0 }, S, true);
    }
    if (info.deviceRole !== null) {
      const t = roleDeviceType(info.deviceRole);
      if (t) ctx.about(null, mac, 'device_type', t, { device_role: info.deviceRole, roles: roleNames(info.deviceRole) }, S, true);
    }
    if (info.ip !== null && info.ip !== 0) {
      const mask = ipText(info.mask ?? 0);
      const gw = ipText(info.gateway ?? 0);
      const ip = ipText(info.ip);
      ctx.about(null, mac, 'banner', `ip ${ip}/${mask} gw ${gw}`, { ip, mask, gateway: gw, block_info: info.ipBlockInfo ?? 0 }, S, true);
      ctx.about4(info.ip >>> 0, mac, 'banner', 'profinet ip', { mask, gateway: gw }, S, true);
    }
    return Verdict.Continue;
  },
};
