/**
 * 802.11 data frames built field by field, for the tunnels that carry them
 * from access points to their controller (CAPWAP, LWAPP, Aruba's GRE), in
 * 802.11's byte order or in Cisco's (Frame Control bytes swapped, Sequence
 * Control big-endian).
 */
import * as B from '../../src/capture/builder.js';

export const mac = (m: string): Buffer => Buffer.from(B.parseMac(m));

export interface WlanData {
  /** 1: ToDS (station to AP: A1 BSSID, A2 SA, A3 DA); 2: FromDS (A1 DA, A2 BSSID, A3 SA); 0: within a BSS (A1 DA, A2 SA, A3 BSSID). */
  ds: 0 | 1 | 2;
  sa: string;
  da: string;
  bssid: string;
  /** QoS data (subtype 8) with this QoS Control first byte; plain data otherwise. */
  qos?: number;
  /** Subtype when not given by `qos` (4: null function). */
  subtype?: number;
  protected?: boolean;
  moreFragments?: boolean;
  fragment?: number;
  /** Sequence number (12 bits). */
  seq?: number;
  /** Cisco's byte order: Frame Control swapped, Sequence Control big-endian. */
  cisco?: boolean;
  body: Uint8Array;
}

export function wlanData(o: WlanData): Buffer {
  const subtype = o.subtype ?? (o.qos !== undefined ? 8 : 0);
  const fc0 = (2 << 2) | (subtype << 4);
  const fc1 = o.ds | (o.moreFragments ? 0x04 : 0) | (o.protected ? 0x40 : 0);
  const a = o.ds === 0 ? [o.da, o.sa, o.bssid] : o.ds === 1 ? [o.bssid, o.sa, o.da] : [o.da, o.bssid, o.sa];
  const sc = (((o.seq ?? 0x123) & 0xfff) << 4) | ((o.fragment ?? 0) & 0x0f);
  const parts: Buffer[] = [
    o.cisco ? Buffer.of(fc1, fc0) : Buffer.of(fc0, fc1),
    o.cisco ? Buffer.of(0x00, 0x2c) : Buffer.of(0x2c, 0x00), // duration 44 µs
    mac(a[0]!),
    mac(a[1]!),
    mac(a[2]!),
    o.cisco ? Buffer.of(sc >> 8, sc & 0xff) : Buffer.of(sc & 0xff, sc >> 8),
  ];
  if (subtype & 8) parts.push(Buffer.of(o.qos ?? 0, 0));
  return Buffer.concat([...parts, o.body]);
}

/** LLC/SNAP (RFC 1042) and the payload. */
export function snap(etherType: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(0xaa, 0xaa, 0x03, 0, 0, 0, etherType >> 8, etherType & 0xff), payload]);
}

/** An Ethernet frame's DA, SA, EtherType and payload as an 802.11 data frame to (`ds` 1) or from (2) the DS. */
export function ethToWlan(eth: Buffer, ds: 1 | 2, bssid: string, cisco = false): Buffer {
  return wlanData({ ds, da: B.formatMac(eth, 0), sa: B.formatMac(eth, 6), bssid, qos: 0, cisco, body: snap(eth.readUInt16BE(12), eth.subarray(14)) });
}
