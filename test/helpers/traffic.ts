/**
 * Small, varied captures built in code for engine tests: every packet has a
 * known address, port and timestamp, so tests can assert real values.
 */
import * as B from '../../src/capture/builder.js';
import type { WriterPacket } from '../../src/capture/writer.js';

export const T0 = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z

export const HOST = {
  client: '192.168.1.10',
  web: '192.168.1.20',
  dns: '192.168.1.1',
  vlanA: '10.10.0.5',
  vlanB: '10.10.0.6',
  v6a: 'fd00::10',
  v6b: 'fd00::20',
  publicWeb: '93.184.216.34',
} as const;

export const MAC = {
  client: '00:16:3e:00:00:10',
  web: '00:16:3e:00:00:20',
  dns: '00:16:3e:00:00:01',
  vlanA: '00:16:3e:00:10:05',
  vlanB: '00:16:3e:00:10:06',
  v6a: '00:16:3e:00:60:10',
  v6b: '00:16:3e:00:60:20',
  gw: '00:16:3e:00:00:fe',
} as const;

/** A DNS query (A record) or its answer, hand-built. */
export function dnsMessage(id: number, name: string, answer?: string): Buffer {
  const qname = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, 'ascii')])), Buffer.of(0)]);
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(id, 0);
  hdr.writeUInt16BE(answer ? 0x8180 : 0x0100, 2);
  hdr.writeUInt16BE(1, 4);
  hdr.writeUInt16BE(answer ? 1 : 0, 6);
  const q = Buffer.concat([qname, Buffer.from([0, 1, 0, 1])]);
  if (!answer) return Buffer.concat([hdr, q]);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(4, 10);
  Buffer.from(B.parseIpv4(answer)).copy(rr, 12);
  return Buffer.concat([hdr, q, rr]);
}

const HTTP_REQ = 'GET /index.html HTTP/1.1\r\nHost: web.example.lan\r\nUser-Agent: curl/8.4.0\r\nAccept: */*\r\n\r\n';
const HTTP_RESP = 'HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>';

/**
 * ~20 packets: an HTTP session (9), a DNS exchange (2), ARP request/reply (2),
 * a VLAN 100 UDP exchange (2), IPv6 neighbour discovery (2), an IPv6 UDP
 * exchange (2). Timestamps strictly increase.
 */
export function smallTraffic(): WriterPacket[] {
  const out: WriterPacket[] = [];
  const http = B.tcpSession({
    client: HOST.client,
    server: HOST.web,
    cport: 50000,
    sport: 80,
    clientMac: MAC.client,
    serverMac: MAC.web,
    startUs: T0,
    requests: [
      { fromClient: true, data: HTTP_REQ },
      { fromClient: false, data: HTTP_RESP },
    ],
  });
  for (const p of http) out.push({ tsUs: p.tsUs, data: p.data });
  let t = http[http.length - 1]!.tsUs + 1000;
  const add = (data: Buffer): void => {
    out.push({ tsUs: t, data });
    t += 1000;
  };
  add(B.udpPacket({ src: HOST.client, dst: HOST.dns, srcMac: MAC.client, dstMac: MAC.dns, sport: 53000, dport: 53, payload: dnsMessage(0x1234, 'web.example.lan') }));
  add(B.udpPacket({ src: HOST.dns, dst: HOST.client, srcMac: MAC.dns, dstMac: MAC.client, sport: 53, dport: 53000, payload: dnsMessage(0x1234, 'web.example.lan', HOST.web) }));
  add(B.arpPacket({ op: 'request', senderMac: MAC.client, senderIp: HOST.client, targetIp: HOST.dns, padTo60: true }));
  add(B.arpPacket({ op: 'reply', senderMac: MAC.dns, senderIp: HOST.dns, targetMac: MAC.client, targetIp: HOST.client, padTo60: true }));
  add(B.udpPacket({ src: HOST.vlanA, dst: HOST.vlanB, srcMac: MAC.vlanA, dstMac: MAC.vlanB, vlans: [100], sport: 40000, dport: 5000, payload: 'ping' }));
  add(B.udpPacket({ src: HOST.vlanB, dst: HOST.vlanA, srcMac: MAC.vlanB, dstMac: MAC.vlanA, vlans: [100], sport: 5000, dport: 40000, payload: 'pong' }));
  const sn = B.solicitedNodeAddress(HOST.v6b);
  add(
    B.ipPacket({
      src: HOST.v6a,
      dst: sn,
      srcMac: MAC.v6a,
      dstMac: B.ipv6MulticastMac(sn),
      ttl: 255,
      proto: B.IPPROTO.ICMPV6,
      payload: B.ndNeighborSolicitation({ target: HOST.v6b, srcLinkAddr: MAC.v6a }),
    }),
  );
  add(
    B.ipPacket({
      src: HOST.v6b,
      dst: HOST.v6a,
      srcMac: MAC.v6b,
      dstMac: MAC.v6a,
      ttl: 255,
      proto: B.IPPROTO.ICMPV6,
      payload: B.ndNeighborAdvertisement({ target: HOST.v6b, solicited: true, targetLinkAddr: MAC.v6b }),
    }),
  );
  add(B.udpPacket({ src: HOST.v6a, dst: HOST.v6b, srcMac: MAC.v6a, dstMac: MAC.v6b, sport: 41000, dport: 7000, payload: 'hello6' }));
  add(B.udpPacket({ src: HOST.v6b, dst: HOST.v6a, srcMac: MAC.v6b, dstMac: MAC.v6a, sport: 7000, dport: 41000, payload: 'olleh6' }));
  return out;
}

/**
 * smallTraffic plus: an IPv6 TCP session, an HTTPS session to a public
 * address, ICMP echo, QinQ, and an ERSPAN II / III encapsulated mirrored
 * TCP exchange. Timestamps strictly increase.
 */
export function variedTraffic(): WriterPacket[] {
  const out = smallTraffic();
  let t = out[out.length - 1]!.tsUs + 10_000;
  const session = (o: Omit<B.TcpSessionOptions, 'startUs'>): void => {
    const s = B.tcpSession({ ...o, startUs: t });
    for (const p of s) out.push({ tsUs: p.tsUs, data: p.data });
    t = s[s.length - 1]!.tsUs + 10_000;
  };
  const add = (data: Buffer): void => {
    out.push({ tsUs: t, data });
    t += 777; // odd steps: sub-millisecond digits in every timestamp
  };
  session({
    client: HOST.v6a,
    server: HOST.v6b,
    cport: 51000,
    sport: 22,
    clientMac: MAC.v6a,
    serverMac: MAC.v6b,
    requests: [
      { fromClient: false, data: 'SSH-2.0-OpenSSH_9.6\r\n' },
      { fromClient: true, data: 'SSH-2.0-OpenSSH_9.3\r\n' },
    ],
  });
  session({
    client: HOST.client,
    server: HOST.publicWeb,
    cport: 50443,
    sport: 443,
    clientMac: MAC.client,
    serverMac: MAC.gw,
    requests: [
      { fromClient: true, data: Buffer.alloc(517, 0x16) },
      { fromClient: false, data: Buffer.alloc(3000, 0x17) },
    ],
  });
  add(B.ipPacket({ src: HOST.client, dst: HOST.dns, srcMac: MAC.client, dstMac: MAC.dns, proto: B.IPPROTO.ICMP, payload: B.icmpv4({ type: 8, id: 7, seq: 1, payload: 'abcdefgh' }) }));
  add(B.ipPacket({ src: HOST.dns, dst: HOST.client, srcMac: MAC.dns, dstMac: MAC.client, proto: B.IPPROTO.ICMP, payload: B.icmpv4({ type: 0, id: 7, seq: 1, payload: 'abcdefgh' }) }));
  add(B.udpPacket({ src: '10.20.0.5', dst: '10.20.0.6', srcMac: '00:16:3e:00:20:05', dstMac: '00:16:3e:00:20:06', vlans: [200, 300], sport: 40001, dport: 161, payload: 'snmp?' }));
  add(B.udpPacket({ src: '10.20.0.6', dst: '10.20.0.5', srcMac: '00:16:3e:00:20:06', dstMac: '00:16:3e:00:20:05', vlans: [200, 300], sport: 161, dport: 40001, payload: 'snmp!' }));
  // ERSPAN: a switch (172.16.0.1) mirrors a TCP exchange to a collector (172.16.0.2).
  const inner = B.tcpSession({
    client: '10.30.0.5',
    server: '10.30.0.6',
    cport: 49152,
    sport: 502,
    clientMac: '00:16:3e:00:30:05',
    serverMac: '00:16:3e:00:30:06',
    startUs: t,
    requests: [
      { fromClient: true, data: Buffer.from('000100000006010300000001', 'hex') },
      { fromClient: false, data: Buffer.from('00010000000501030200ff', 'hex') },
    ],
  });
  inner.forEach((p, i) => {
    const gre = i % 2 === 0 ? B.erspan2({ payload: p.data, sessionId: 5, seq: i }) : B.erspan3({ payload: p.data, sessionId: 5, seq: i, timestamp: i });
    const outer = B.ipPacket({ src: '172.16.0.1', dst: '172.16.0.2', srcMac: '00:16:3e:00:f0:01', dstMac: '00:16:3e:00:f0:02', proto: B.IPPROTO.GRE, payload: gre });
    out.push({ tsUs: p.tsUs, data: outer });
  });
  t = inner[inner.length - 1]!.tsUs + 1000;
  add(B.udpPacket({ src: HOST.client, dst: '198.51.100.7', srcMac: MAC.client, dstMac: MAC.gw, sport: 55555, dport: 123, payload: Buffer.alloc(48, 0x23) }));
  return out;
}

/** Record boundaries (byte offsets where a record starts, plus the end) of a classic pcap. */
export function pcapBoundaries(buf: Buffer): number[] {
  const out = [24];
  let p = 24;
  while (p + 16 <= buf.length) {
    p += 16 + buf.readUInt32LE(p + 8);
    out.push(p);
  }
  if (p !== buf.length) throw new Error(`pcapBoundaries: ended at ${p}, length ${buf.length}`);
  return out;
}

/** Block boundaries of a little-endian pcapng, with the type of the block starting there. */
export function pcapngBlocks(buf: Buffer): { start: number; end: number; type: number }[] {
  const out: { start: number; end: number; type: number }[] = [];
  let p = 0;
  while (p + 12 <= buf.length) {
    const len = buf.readUInt32LE(p + 4);
    out.push({ start: p, end: p + len, type: buf.readUInt32LE(p) });
    p += len;
  }
  if (p !== buf.length) throw new Error(`pcapngBlocks: ended at ${p}, length ${buf.length}`);
  return out;
}
