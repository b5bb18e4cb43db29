/**
 * Builds the two sensor captures of the merge example (samples/merge/) with the
 * project's own packet builder. Both sensors are on network "corp":
 *   - branch-a inventories 10.10.10.0/24 (DHCP) and tracks 10.20.20.0/24;
 *   - branch-b inventories 10.20.20.0/24 (servers static, clients DHCP) and tracks 10.10.10.0/24.
 * Assets, and what the managed inventory (samples/merge/managed.csv) knows of them:
 *   - WS-0042 (3c:52:82:11:01:01): DHCP at branch-a, later at branch-b: one machine, merged by MAC;
 *   - JDOE-LAPTOP on a new USB NIC: merged by hostname although the MAC differs;
 *   - a phone calling itself "android": the name is excluded, so it stays unmanaged;
 *   - 10.10.10.50: DHCP lease seen, the scanner's last_scan falls inside it;
 *   - 10.10.10.60: no DHCP seen, last scanned three days before: not merged;
 *   - 10.20.20.10: a static server, merged by IP at once;
 *   - 10.20.20.11: listed by the scanner, but in network "lab": never merged by IP.
 * Deterministic: the same bytes on every run (`npm run sample:merge`).
 */
import { arpPacket, tcpSession, type SessionPacket } from '../src/capture/builder.js';
import { dhcpFrame } from '../src/capture/dhcp-builder.js';
import { writePcapngFile, type WriterPacket } from '../src/capture/writer.js';

const T0 = Date.UTC(2026, 0, 14, 6, 0, 0) * 1000;
const MIN = 60e6;
const HOUR = 60 * MIN;

const GW_A = { ip: '10.10.10.1', mac: '00:0d:b9:4a:10:01' };
const GW_B = { ip: '10.20.20.1', mac: '00:0d:b9:4a:20:01' };
const WS42 = { mac: '3c:52:82:11:01:01', name: 'WS-0042' };
const JDOE = { mac: '00:e0:4c:68:00:07', name: 'JDOE-LAPTOP' }; // Realtek USB NIC
const PHONE = { mac: 'f8:1a:67:00:00:33', name: 'android' };
const LEASED = { ip: '10.10.10.50', mac: '00:1b:a9:50:50:50', name: null };
const QUIET = { ip: '10.10.10.60', mac: '00:25:90:60:60:60' };
const SERVER = { ip: '10.20.20.10', mac: '00:15:5d:0a:10:10' };
const LABBOX = { ip: '10.20.20.11', mac: '00:15:5d:0a:11:11' };

type Packets = WriterPacket[];

function dhcpExchange(out: Packets, tsUs: number, c: { mac: string; name: string | null; ip: string }, gw: { ip: string; mac: string }, leaseSeconds: number): void {
  const name = c.name ?? undefined;
  out.push({ tsUs, data: dhcpFrame({ op: 1, type: 3, mac: c.mac, hostname: name, requestedIp: c.ip, prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] }) });
  out.push({
    tsUs: tsUs + 2000,
    data: dhcpFrame({ op: 2, type: 5, mac: c.mac, yiaddr: c.ip, hostname: name, leaseSeconds, serverId: gw.ip, serverIp: gw.ip, serverMac: gw.mac }),
  });
  out.push({ tsUs: tsUs + 5000, data: arpPacket({ op: 'request', senderMac: c.mac, senderIp: c.ip, targetIp: gw.ip }) });
  out.push({ tsUs: tsUs + 5300, data: arpPacket({ op: 'reply', senderMac: gw.mac, senderIp: gw.ip, targetMac: c.mac, targetIp: c.ip, dstMac: c.mac }) });
}

function web(out: Packets, tsUs: number, c: { ip: string; mac: string }, server: { ip: string; mac: string }, port: number): void {
  const s: SessionPacket[] = tcpSession({
    client: c.ip,
    server: server.ip,
    cport: 50000 + (tsUs % 10000),
    sport: port,
    clientMac: c.mac,
    serverMac: server.mac,
    startUs: tsUs,
    requests: [
      { fromClient: true, data: Buffer.alloc(300, 0x16) },
      { fromClient: false, data: Buffer.alloc(1800, 0x17) },
    ],
  });
  for (const p of s) out.push({ tsUs: p.tsUs, data: p.data });
}

export function branchAPackets(): Packets {
  const out: Packets = [];
  out.push({ tsUs: T0, data: arpPacket({ op: 'request', senderMac: GW_A.mac, senderIp: GW_A.ip, targetIp: '10.10.10.254' }) });
  const ws42 = { ...WS42, ip: '10.10.10.101' };
  dhcpExchange(out, T0 + 1 * MIN, ws42, GW_A, 8 * 3600);
  web(out, T0 + 2 * MIN, ws42, { ip: '10.20.20.10', mac: GW_A.mac }, 445);
  const jdoe = { ...JDOE, ip: '10.10.10.107' };
  dhcpExchange(out, T0 + 3 * MIN, jdoe, GW_A, 8 * 3600);
  web(out, T0 + 4 * MIN, jdoe, { ip: '10.20.20.10', mac: GW_A.mac }, 445);
  dhcpExchange(out, T0 + 5 * MIN, { ...PHONE, ip: '10.10.10.133' }, GW_A, 3600);
  dhcpExchange(out, T0 + 1 * HOUR, LEASED, GW_A, 8 * 3600);
  web(out, T0 + 1 * HOUR + MIN, LEASED, { ip: '10.20.20.10', mac: GW_A.mac }, 443);
  out.push({ tsUs: T0 + 2 * HOUR, data: arpPacket({ op: 'request', senderMac: QUIET.mac, senderIp: QUIET.ip, targetIp: GW_A.ip }) });
  out.push({ tsUs: T0 + 2 * HOUR + 300, data: arpPacket({ op: 'reply', senderMac: GW_A.mac, senderIp: GW_A.ip, targetMac: QUIET.mac, targetIp: QUIET.ip, dstMac: QUIET.mac }) });
  web(out, T0 + 2 * HOUR + MIN, QUIET, { ip: '10.20.20.10', mac: GW_A.mac }, 22);
  return out.sort((a, b) => a.tsUs - b.tsUs);
}

export function branchBPackets(): Packets {
  const out: Packets = [];
  for (const h of [SERVER, LABBOX]) {
    out.push({ tsUs: T0 + 10_000, data: arpPacket({ op: 'request', senderMac: h.mac, senderIp: h.ip, targetIp: GW_B.ip }) });
    out.push({ tsUs: T0 + 10_300, data: arpPacket({ op: 'reply', senderMac: GW_B.mac, senderIp: GW_B.ip, targetMac: h.mac, targetIp: h.ip, dstMac: h.mac }) });
  }
  // The file server answers branch-a's clients (through the router) all morning.
  for (const [i, c] of ['10.10.10.101', '10.10.10.107', '10.10.10.50'].entries()) web(out, T0 + (2 + i) * MIN, { ip: c, mac: GW_B.mac }, SERVER, 445);
  web(out, T0 + 3 * HOUR, { ip: '10.20.20.1', mac: GW_B.mac }, LABBOX, 8080);
  // WS-0042 moves to branch b after lunch and takes a DHCP lease there.
  const ws42 = { ...WS42, ip: '10.20.20.130' };
  dhcpExchange(out, T0 + 6 * HOUR, ws42, GW_B, 8 * 3600);
  web(out, T0 + 6 * HOUR + MIN, ws42, SERVER, 445);
  return out.sort((a, b) => a.tsUs - b.tsUs);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writePcapngFile('samples/merge/branch-a.pcapng', branchAPackets());
  writePcapngFile('samples/merge/branch-b.pcapng', branchBPackets());
  process.stdout.write('wrote samples/merge/branch-a.pcapng, samples/merge/branch-b.pcapng\n');
}
