/**
 * Builds samples/small-office.pcapng with the project's own packet builder:
 * a gateway, a file server, a printer and three workstations on 192.168.10.0/24,
 * with ARP, DNS, HTTP, HTTPS, SSH and SMB traffic and two external web servers.
 * Deterministic: the same bytes on every run (`npm run sample`).
 */
import { arpPacket, tcpSession, udpPacket, type SessionPacket } from '../src/capture/builder.js';
import { writePcapngFile, type WriterPacket } from '../src/capture/writer.js';

const T0 = Date.UTC(2026, 0, 12, 9, 0, 0) * 1000;
const GW = { ip: '192.168.10.1', mac: '00:0d:b9:4a:10:01' };
const FILES = { ip: '192.168.10.5', mac: '00:15:5d:0a:05:05' };
const PRINTER = { ip: '192.168.10.20', mac: '00:1b:a9:20:20:20' };
const WS = [
  { ip: '192.168.10.101', mac: '3c:52:82:11:01:01' },
  { ip: '192.168.10.102', mac: 'a4:83:e7:22:02:02' },
  { ip: '192.168.10.103', mac: '00:0c:29:33:03:03' },
];
const WEB = ['93.184.216.34', '151.101.1.69'];

const packets: WriterPacket[] = [];
const add = (tsUs: number, data: Uint8Array) => packets.push({ tsUs, data });
const addSession = (s: SessionPacket[]) => s.forEach((p) => add(p.tsUs, p.data));

let t = T0;
// Everyone announces itself: ARP for the gateway, the gateway answers.
for (const h of [...WS, FILES, PRINTER]) {
  add((t += 1000), arpPacket({ op: 'request', senderMac: h.mac, senderIp: h.ip, targetIp: GW.ip }));
  add((t += 300), arpPacket({ op: 'reply', senderMac: GW.mac, senderIp: GW.ip, targetMac: h.mac, targetIp: h.ip, dstMac: h.mac }));
}
WS.forEach((ws, i) => {
  const base = T0 + 1_000_000 * (i + 1);
  // DNS through the gateway's resolver.
  const q = Buffer.from('abcd01000001000000000000076578616d706c6503636f6d0000010001', 'hex');
  add(base, udpPacket({ srcMac: ws.mac, dstMac: GW.mac, src: ws.ip, dst: GW.ip, sport: 53000 + i, dport: 53, payload: q }));
  const a = Buffer.concat([Buffer.from('abcd81800001000100000000076578616d706c6503636f6d0000010001c00c000100010000012c00045db8d822', 'hex')]);
  add(base + 800, udpPacket({ srcMac: GW.mac, dstMac: ws.mac, src: GW.ip, dst: ws.ip, sport: 53, dport: 53000 + i, payload: a }));
  // Web: HTTP and HTTPS to the outside, through the gateway's MAC.
  addSession(
    tcpSession({
      client: ws.ip, server: WEB[i % 2]!, cport: 50100 + i, sport: 80, clientMac: ws.mac, serverMac: GW.mac, startUs: base + 5000,
      requests: [
        { fromClient: true, data: `GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\n\r\n` },
        { fromClient: false, data: 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n' },
      ],
    }),
  );
  addSession(
    tcpSession({
      client: ws.ip, server: WEB[(i + 1) % 2]!, cport: 50200 + i, sport: 443, clientMac: ws.mac, serverMac: GW.mac, startUs: base + 90_000,
      requests: [
        { fromClient: true, data: Buffer.alloc(517, 0x16) },
        { fromClient: false, data: Buffer.alloc(2900, 0x17) },
      ],
    }),
  );
  // SMB to the file server, and a print job.
  addSession(
    tcpSession({
      client: ws.ip, server: FILES.ip, cport: 50300 + i, sport: 445, clientMac: ws.mac, serverMac: FILES.mac, startUs: base + 200_000,
      requests: [
        { fromClient: true, data: Buffer.alloc(200, 0xfe) },
        { fromClient: false, data: Buffer.alloc(64000, 0x42) },
      ],
    }),
  );
  addSession(
    tcpSession({
      client: ws.ip, server: PRINTER.ip, cport: 50400 + i, sport: 9100, clientMac: ws.mac, serverMac: PRINTER.mac, startUs: base + 400_000,
      requests: [{ fromClient: true, data: Buffer.alloc(12000, 0x1b) }],
    }),
  );
});
// An administrator's SSH session to the file server.
addSession(
  tcpSession({
    client: WS[0]!.ip, server: FILES.ip, cport: 50500, sport: 22, clientMac: WS[0]!.mac, serverMac: FILES.mac, startUs: T0 + 6_000_000,
    requests: [
      { fromClient: false, data: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' },
      { fromClient: true, data: 'SSH-2.0-OpenSSH_9.6\r\n' },
    ],
  }),
);

packets.sort((a, b) => a.tsUs - b.tsUs);
const out = new URL('../samples/small-office.pcapng', import.meta.url).pathname;
writePcapngFile(out, packets);
process.stderr.write(`wrote ${packets.length} packets to ${out}\n`);
