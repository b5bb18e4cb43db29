/** DHCPv4 messages built in code for tests and samples (RFC 2131 layout, options after the magic cookie). */
import * as B from './builder.js';

export interface DhcpBuild {
  op: 1 | 2;
  /** Option 53 message type (1 DISCOVER, 3 REQUEST, 5 ACK...); null for plain BOOTP (no option 53). */
  type: number | null;
  mac: string;
  xid?: number;
  ciaddr?: string;
  yiaddr?: string;
  hostname?: string;
  vendorClass?: string;
  prl?: number[];
  requestedIp?: string;
  leaseSeconds?: number;
  serverId?: string;
}

function ip(s: string): number[] {
  return s.split('.').map(Number);
}

export function dhcpPayload(o: DhcpBuild): Buffer {
  const fixed = Buffer.alloc(236);
  fixed[0] = o.op;
  fixed[1] = 1;
  fixed[2] = 6;
  fixed.writeUInt32BE(o.xid ?? 0x1234, 4);
  Buffer.from(ip(o.ciaddr ?? '0.0.0.0')).copy(fixed, 12);
  Buffer.from(ip(o.yiaddr ?? '0.0.0.0')).copy(fixed, 16);
  Buffer.from(B.parseMac(o.mac)).copy(fixed, 28);
  const opts: number[] = [99, 130, 83, 99];
  if (o.type !== null) opts.push(53, 1, o.type);
  const add = (code: number, v: number[]) => opts.push(code, v.length, ...v);
  if (o.hostname) add(12, [...Buffer.from(o.hostname, 'latin1')]);
  if (o.vendorClass) add(60, [...Buffer.from(o.vendorClass, 'latin1')]);
  if (o.prl) add(55, o.prl);
  if (o.requestedIp) add(50, ip(o.requestedIp));
  if (o.leaseSeconds !== undefined) add(51, [(o.leaseSeconds >>> 24) & 255, (o.leaseSeconds >>> 16) & 255, (o.leaseSeconds >>> 8) & 255, o.leaseSeconds & 255]);
  if (o.serverId) add(54, ip(o.serverId));
  opts.push(255);
  return Buffer.concat([fixed, Buffer.from(opts)]);
}

/** A whole Ethernet frame: client broadcast (op 1) or server reply to the client's MAC (op 2). */
export function dhcpFrame(o: DhcpBuild & { serverMac?: string; serverIp?: string }): Buffer {
  const payload = dhcpPayload(o);
  if (o.op === 1) {
    return B.udpPacket({ src: '0.0.0.0', dst: '255.255.255.255', srcMac: o.mac, dstMac: 'ff:ff:ff:ff:ff:ff', sport: 68, dport: 67, payload });
  }
  return B.udpPacket({ src: o.serverIp ?? '192.168.1.1', dst: o.yiaddr ?? '255.255.255.255', srcMac: o.serverMac ?? '00:16:3e:00:00:01', dstMac: o.mac, sport: 67, dport: 68, payload });
}
