/**
 * Builds the bundled sample captures with the project's own packet builder,
 * byte for byte the same on every run (fixed timestamps, a seeded PRNG):
 *
 *   samples/office.pcapng        a small office LAN (10.1.10.0/24) over ten
 *                                minutes: DHCP from six kinds of clients, DNS,
 *                                mDNS, NetBIOS, SSDP, HTTP, TLS, SSH and SMB
 *                                with NTLMSSP; with samples/office.yaml a
 *                                monitored external group by DNS name.
 *   samples/branch-erspan.pcap   a branch office seen through ERSPAN type II
 *                                (GRE) from a remote switch, the mirrored
 *                                frames 802.1Q-tagged on VLANs 10 and 20.
 *   samples/messy.pcap           what real SPAN ports give: duplicated frames,
 *                                a NAT address hiding several stacks, and a
 *                                file cut in the middle of its last record.
 *
 * `node --import tsx scripts/make-samples.ts` (also run by `npm run samples:update`).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  IPPROTO,
  arpPacket,
  erspan2,
  ipPacket,
  tcpSession,
  udpPacket,
  type SessionMessage,
  type TcpOption,
  type VlanTag,
} from '../src/capture/builder.js';
import { dhcpPayload } from '../src/capture/dhcp-builder.js';
import { LINKTYPE, pcapBytes, pcapngBytes, type WriterPacket } from '../src/capture/writer.js';
import { dnsAnswer, dnsQuery } from '../src/capture/samples/dns.js';
import { mdnsAnnouncement } from '../src/capture/samples/mdns.js';
import { NB_SUFFIX, nbnsQuery, nbnsQueryResponse, nbnsRegistration } from '../src/capture/samples/netbios.js';
import { ssdpNotify, ssdpSearch } from '../src/capture/samples/ssdp.js';
import {
  STATUS,
  ntlmAuthenticate,
  ntlmChallenge,
  ntlmNegotiate,
  smb2NegotiateRequest,
  smb2NegotiateResponse,
  smb2ReadRequest,
  smb2ReadResponse,
  smb2SessionSetupRequest,
  smb2SessionSetupResponse,
  smb2TreeConnectRequest,
  smb2TreeConnectResponse,
  spnegoInit,
  spnegoResp,
  type NtlmTarget,
  type WindowsVersion,
} from '../src/capture/samples/smb.js';
import { seededBytes, tls13ServerFlight, tlsApplicationData, tlsClientHello, type TlsClientProfile } from '../src/capture/samples/tls.js';

export const OFFICE_SAMPLE = 'samples/office.pcapng';
export const BRANCH_SAMPLE = 'samples/branch-erspan.pcap';
export const MESSY_SAMPLE = 'samples/messy.pcap';

/** The pcapng interface and section the office sample is written with. */
export const OFFICE_IFACE = { linkType: LINKTYPE.ETHERNET, name: 'eth1', description: 'office SPAN port' };
export const OFFICE_SHB = { shb: { userappl: 'nps scripts/make-samples.ts' } };

const SEC = 1_000_000;
const MS = 1000;

// ---------------------------------------------------------------------------
// determinism

/** mulberry32: a small seeded PRNG, so "random" ids and ports are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------
// hosts and their TCP/IP stacks

/** How a host's TCP/IP stack opens connections (what the tcp-stack inference reads). */
interface Stack {
  ttl: number;
  synWindow: number;
  synOptions: TcpOption[];
}

const STACK = {
  windows: { ttl: 128, synWindow: 64240, synOptions: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 8 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackok' }] },
  apple: {
    ttl: 64,
    synWindow: 65535,
    synOptions: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 6 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 0, ecr: 0 }, { kind: 'sackok' }, { kind: 'eol' }],
  },
  linux: { ttl: 64, synWindow: 64240, synOptions: [{ kind: 'mss', value: 1460 }, { kind: 'sackok' }, { kind: 'ts', val: 0, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 7 }] },
  android: { ttl: 64, synWindow: 65535, synOptions: [{ kind: 'mss', value: 1460 }, { kind: 'sackok' }, { kind: 'ts', val: 0, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 9 }] },
  embedded: { ttl: 64, synWindow: 5840, synOptions: [{ kind: 'mss', value: 1460 }] },
} satisfies Record<string, Stack>;

interface Host {
  ip: string;
  mac: string;
  stack: Stack;
  /** 802.1Q tag of the host's access port (branch sample). */
  vlans?: VlanTag[];
}

/** An Internet server, reached through the gateway's MAC. */
interface Remote {
  ip: string;
  name: string;
  /** Its stack as seen after ~8 hops (TTL already decremented). */
  stack: Stack;
}

const REMOTE_LINUX: Stack = { ttl: 56, synWindow: 65160, synOptions: STACK.linux.synOptions };

// ---------------------------------------------------------------------------
// a capture under construction

type Peer = Host | Remote;
const isHost = (p: Peer): p is Host => 'mac' in p;

interface HttpExchange {
  method?: string;
  host: string;
  path: string;
  userAgent: string;
  extraHeaders?: string[];
  status?: string;
  server?: string;
  contentType?: string;
  body?: number;
}

class Capture {
  readonly packets: WriterPacket[] = [];
  private readonly rnd: () => number;
  private portNext = new Map<string, number>();
  private dnsId = 0x1000;

  constructor(
    seed: number,
    /** The router every external peer sits behind, and its resolver. */
    readonly gateway: Host,
  ) {
    this.rnd = prng(seed);
  }

  add(tsUs: number, data: Uint8Array): void {
    this.packets.push({ tsUs: Math.round(tsUs), data });
  }

  /** A fresh ephemeral port of a client (its own sequence, starting at a random point). */
  port(h: Host, base = 49152): number {
    const cur = this.portNext.get(h.ip) ?? base + Math.floor(this.rnd() * 8000);
    this.portNext.set(h.ip, cur + 1 + Math.floor(this.rnd() * 7));
    return cur;
  }

  jitter(maxUs: number): number {
    return Math.floor(this.rnd() * maxUs);
  }

  private macOf(p: Peer): string {
    return isHost(p) ? p.mac : this.gateway.mac;
  }

  udp(t: number, from: Peer, to: Peer | { ip: string; mac: string }, sport: number, dport: number, payload: Uint8Array, ttl?: number): void {
    const fromHost = isHost(from) ? from : null;
    this.add(
      t,
      udpPacket({
        src: from.ip,
        dst: to.ip,
        srcMac: this.macOf(from),
        dstMac: 'mac' in to ? to.mac : this.gateway.mac,
        sport,
        dport,
        payload,
        ttl: ttl ?? from.stack.ttl,
        // The tag of the access port: the receiving host's when the sender is the router, else the sender's.
        vlans: ('vlans' in to && to !== this.gateway ? (to as Host).vlans : undefined) ?? fromHost?.vlans,
      }),
    );
  }

  arp(t: number, who: Host, target: Host): void {
    this.add(t, arpPacket({ op: 'request', senderMac: who.mac, senderIp: who.ip, targetIp: target.ip, vlans: who.vlans, padTo60: true }));
    this.add(t + 400, arpPacket({ op: 'reply', senderMac: target.mac, senderIp: target.ip, targetMac: who.mac, targetIp: who.ip, dstMac: who.mac, vlans: who.vlans, padTo60: true }));
  }

  /** A TCP conversation; returns the time of its last packet. */
  tcp(t: number, client: Host, server: Peer, sport: number, messages: SessionMessage[], o: { rttUs?: number; cport?: number } = {}): number {
    const rtt = o.rttUs ?? (isHost(server) ? 400 : 18_000 + this.jitter(12_000));
    const s = tcpSession({
      client: client.ip,
      server: server.ip,
      cport: o.cport ?? this.port(client),
      sport,
      clientMac: client.mac,
      serverMac: this.macOf(server),
      vlans: client.vlans,
      startUs: t,
      rttUs: rtt,
      requests: messages,
      clientTtl: client.stack.ttl,
      clientSynWindow: client.stack.synWindow,
      clientSynOptions: client.stack.synOptions,
      serverTtl: server.stack.ttl,
      serverSynWindow: server.stack.synWindow,
      serverSynOptions: server.stack.synOptions,
      clientIsn: Math.floor(this.rnd() * 0xffffffff),
      serverIsn: Math.floor(this.rnd() * 0xffffffff),
      clientIpId: Math.floor(this.rnd() * 0xffff),
      serverIpId: Math.floor(this.rnd() * 0xffff),
    });
    for (const p of s) this.add(p.tsUs, p.data);
    return s[s.length - 1]!.tsUs;
  }

  /** A DNS lookup through the gateway's resolver; the answer gives `addresses` (after the CNAME chain). */
  dns(t: number, client: Host, name: string, addresses: string[], cnames: string[] = []): number {
    const id = this.dnsId++;
    const sport = this.port(client);
    this.udp(t, client, this.gateway, sport, 53, dnsQuery(id, name));
    const at = t + 9 * MS + this.jitter(20 * MS);
    this.udp(at, this.gateway, client, 53, sport, dnsAnswer({ id, name, cnames, addresses, ttl: 300 }));
    return at;
  }

  /** An HTTP/1.1 request and its answer. */
  http(t: number, client: Host, server: Peer, x: HttpExchange, port = 80): number {
    const req =
      `${x.method ?? 'GET'} ${x.path} HTTP/1.1\r\n` +
      `Host: ${x.host}\r\n` +
      `User-Agent: ${x.userAgent}\r\n` +
      'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
      'Accept-Language: en-US,en;q=0.9\r\n' +
      (x.extraHeaders ?? []).map((h) => `${h}\r\n`).join('') +
      'Connection: keep-alive\r\n\r\n';
    const bodyLen = x.body ?? 1256;
    const body = Buffer.from(seededBytes(`http:${x.host}${x.path}`, bodyLen).toString('base64').slice(0, bodyLen), 'latin1');
    const resp =
      `HTTP/1.1 ${x.status ?? '200 OK'}\r\n` +
      (x.server ? `Server: ${x.server}\r\n` : '') +
      `Content-Type: ${x.contentType ?? 'text/html; charset=UTF-8'}\r\n` +
      `Content-Length: ${bodyLen}\r\n` +
      'Cache-Control: max-age=600\r\n\r\n';
    return this.tcp(t, client, server, port, [
      { fromClient: true, data: req },
      { fromClient: false, data: Buffer.concat([Buffer.from(resp, 'latin1'), body]) },
    ]);
  }

  /** A TLS 1.3 connection: ClientHello with SNI, server flight, some encrypted data both ways. */
  tls(t: number, client: Host, server: Peer, sni: string, profile: TlsClientProfile, bytes: { up?: number; down?: number } = {}, port = 443): number {
    const seed = `${client.ip}>${server.ip}:${sni}@${t}`;
    const ch = tlsClientHello({ sni, profile, seed });
    const flight = tls13ServerFlight({ seed, clientHello: ch, encryptedBytes: 2800 + this.jitter(1400) });
    return this.tcp(t, client, server, port, [
      { fromClient: true, data: ch },
      { fromClient: false, data: flight },
      { fromClient: true, data: Buffer.concat([Buffer.from('140303000101', 'hex'), tlsApplicationData(`${seed}/c`, bytes.up ?? 600)]) },
      { fromClient: false, data: tlsApplicationData(`${seed}/s`, bytes.down ?? 4000) },
    ]);
  }

  /** The client's DHCP exchange (DISCOVER, OFFER, REQUEST, ACK) with the gateway's server. */
  dhcp(t: number, client: Host, o: { hostname: string; vendorClass?: string; prl: readonly number[]; lease: number; server?: Host }): number {
    const xid = Math.floor(this.rnd() * 0xffffffff);
    const gw = o.server ?? this.gateway;
    const common = { mac: client.mac, xid, hostname: o.hostname, vendorClass: o.vendorClass, prl: [...o.prl] };
    const bcast = { ip: '255.255.255.255', mac: 'ff:ff:ff:ff:ff:ff' };
    const fromClient = (at: number, payload: Buffer) =>
      this.add(at, udpPacket({ src: '0.0.0.0', dst: bcast.ip, srcMac: client.mac, dstMac: bcast.mac, sport: 68, dport: 67, payload, ttl: client.stack.ttl, vlans: client.vlans }));
    const fromServer = (at: number, payload: Buffer) =>
      this.add(at, udpPacket({ src: gw.ip, dst: client.ip, srcMac: gw.mac, dstMac: client.mac, sport: 67, dport: 68, payload, ttl: 64, vlans: client.vlans }));
    fromClient(t, dhcpPayload({ op: 1, type: 1, ...common }));
    fromServer(t + 1200, dhcpPayload({ op: 2, type: 2, mac: client.mac, xid, yiaddr: client.ip, leaseSeconds: o.lease, serverId: gw.ip }));
    fromClient(t + 2400, dhcpPayload({ op: 1, type: 3, ...common, requestedIp: client.ip, serverId: gw.ip }));
    fromServer(t + 3600, dhcpPayload({ op: 2, type: 5, mac: client.mac, xid, yiaddr: client.ip, leaseSeconds: o.lease, serverId: gw.ip }));
    return t + 3600;
  }

  sorted(): WriterPacket[] {
    // Stable: packets with the same timestamp keep the order they were made in.
    return [...this.packets].sort((a, b) => a.tsUs - b.tsUs);
  }
}

// ---------------------------------------------------------------------------
// what the clients send

const UA = {
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.83',
  chromeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2.1 Safari/605.1.15',
  firefoxLinux: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.101 Mobile Safari/537.36',
  dalvik: 'Dalvik/2.1.0 (Linux; U; Android 14; SM-S911B Build/UP1A.231005.007)',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  captive: 'CaptiveNetworkSupport-481.0.1 wispr',
  msConnectTest: 'Microsoft NCSI',
  apt: 'Debian APT-HTTP/1.3 (2.7.14)',
} as const;

/** DHCP option 55 lists of the clients (what dhcp-fingerprint.ts recognises). */
const PRL = {
  windows10: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252],
  macos: [1, 121, 3, 6, 15, 119, 252, 95, 44, 46],
  ios: [1, 121, 3, 6, 15, 119, 252],
  dhclient: [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42],
  android: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108],
  hpPrinter: [1, 3, 6, 15, 44, 46, 47, 12, 69, 81],
} as const;

const WIN11: WindowsVersion = { major: 10, minor: 0, build: 22631 };
const WIN2022: WindowsVersion = { major: 10, minor: 0, build: 20348 };

/** An SMB2 session: negotiate, NTLM logon (the client's version and workstation name, the server's names), tree connect, one read. */
function smbSession(cap: Capture, t: number, client: Host, server: Host, o: { workstation: string; domain: string; user: string; target: NtlmTarget; share: string; readBytes: number }): number {
  const seed = `smb:${client.ip}>${server.ip}@${t}`;
  const r = seededBytes(seed, 16 + 16 + 8 + 40 + 16);
  const sid = 0x0000_1c00_0000_0045n + BigInt(r[0]!);
  const challenge = r.subarray(32, 40);
  const fileId = r.subarray(80, 96);
  const treeId = 5;
  return cap.tcp(t, client, server, 445, [
    { fromClient: true, data: smb2NegotiateRequest({ clientGuid: r.subarray(0, 16) }) },
    { fromClient: false, data: smb2NegotiateResponse({ dialect: 0x0311, serverGuid: r.subarray(16, 32), timeUs: t, bootUs: t - 12 * 86400 * SEC }) },
    { fromClient: true, data: smb2SessionSetupRequest({ messageId: 1, securityBlob: spnegoInit(ntlmNegotiate(WIN11)) }) },
    {
      fromClient: false,
      data: smb2SessionSetupResponse({
        messageId: 1,
        sessionId: sid,
        status: STATUS.MORE_PROCESSING_REQUIRED,
        securityBlob: spnegoResp(ntlmChallenge({ target: o.target, version: WIN2022, challenge, timeUs: t }), 1),
      }),
    },
    {
      fromClient: true,
      data: smb2SessionSetupRequest({
        messageId: 2,
        sessionId: sid,
        securityBlob: spnegoResp(ntlmAuthenticate({ domain: o.domain, user: o.user, workstation: o.workstation, version: WIN11, target: o.target, timeUs: t, secret: r.subarray(40, 80) })),
      }),
    },
    { fromClient: false, data: smb2SessionSetupResponse({ messageId: 2, sessionId: sid, status: STATUS.SUCCESS, securityBlob: spnegoResp(Buffer.alloc(0), 0).subarray(0, 9) }) },
    { fromClient: true, data: smb2TreeConnectRequest({ messageId: 3, sessionId: sid, path: o.share }) },
    { fromClient: false, data: smb2TreeConnectResponse({ messageId: 3, sessionId: sid, treeId }) },
    { fromClient: true, data: smb2ReadRequest({ messageId: 4, sessionId: sid, treeId, fileId, length: o.readBytes, offset: 0 }) },
    { fromClient: false, data: smb2ReadResponse({ messageId: 4, sessionId: sid, treeId, data: seededBytes(`${seed}/file`, o.readBytes) }) },
  ]);
}

// ---------------------------------------------------------------------------
// 1. office.pcapng

export const OFFICE = {
  gateway: { ip: '10.1.10.1', mac: 'f0:9f:c2:10:0a:01', stack: STACK.linux },
  fileServer: { ip: '10.1.10.5', mac: '00:15:5d:0a:05:05', stack: STACK.windows },
  buildServer: { ip: '10.1.10.10', mac: 'bc:24:11:0a:10:10', stack: STACK.linux },
  printer: { ip: '10.1.10.20', mac: '50:81:40:2a:4c:04', stack: STACK.embedded },
  sonos: { ip: '10.1.10.30', mac: '34:7e:5c:3e:1f:30', stack: STACK.embedded },
  windows: { ip: '10.1.10.101', mac: 'd4:81:d7:5e:21:01', stack: STACK.windows },
  mac: { ip: '10.1.10.102', mac: 'f0:18:98:4b:7c:02', stack: STACK.apple },
  linux: { ip: '10.1.10.103', mac: '80:96:21:3a:6d:03', stack: STACK.linux },
  android: { ip: '10.1.10.104', mac: '10:30:47:9e:5b:04', stack: STACK.android },
  iphone: { ip: '10.1.10.105', mac: '3c:22:fb:61:88:05', stack: STACK.apple },
} satisfies Record<string, Host>;

export const OFFICE_NAMES = {
  windows: 'LAPTOP-K3V9QX2D',
  mac: 'Annas-MacBook-Pro',
  linux: 'dev-ws03',
  android: 'Galaxy-S23',
  iphone: 'Marcs-iPhone',
  printer: 'HPLJ-M404',
  fileServer: 'FILESRV01',
} as const;

const WEB = {
  example: { ip: '93.184.215.14', name: 'www.example.com', stack: REMOTE_LINUX },
  facebook: { ip: '157.240.22.35', name: 'www.facebook.com', stack: REMOTE_LINUX },
  fbcdn: { ip: '157.240.22.19', name: 'static.xx.fbcdn.net', stack: REMOTE_LINUX },
  microsoft: { ip: '20.190.160.20', name: 'login.microsoftonline.com', stack: { ttl: 112, synWindow: 65535, synOptions: STACK.windows.synOptions } },
  msftncsi: { ip: '23.215.0.136', name: 'www.msftconnecttest.com', stack: REMOTE_LINUX },
  apple: { ip: '17.253.144.10', name: 'www.apple.com', stack: REMOTE_LINUX },
  captive: { ip: '17.253.85.204', name: 'captive.apple.com', stack: REMOTE_LINUX },
  icloud: { ip: '17.248.185.73', name: 'gateway.icloud.com', stack: REMOTE_LINUX },
  github: { ip: '140.82.121.4', name: 'github.com', stack: REMOTE_LINUX },
  ubuntu: { ip: '91.189.91.82', name: 'archive.ubuntu.com', stack: REMOTE_LINUX },
  google: { ip: '142.250.185.68', name: 'www.google.com', stack: REMOTE_LINUX },
  gstatic: { ip: '142.250.185.67', name: 'connectivitycheck.gstatic.com', stack: REMOTE_LINUX },
} satisfies Record<string, Remote>;

const FB_CNAME = ['star-mini.c10r.facebook.com'];
const FILESRV_TARGET: NtlmTarget = { nbDomain: 'CORP', nbComputer: 'FILESRV01', dnsDomain: 'corp.example.net', dnsComputer: 'filesrv01.corp.example.net' };
const MDNS = { ip: '224.0.0.251', mac: '01:00:5e:00:00:fb' };
const SSDP = { ip: '239.255.255.250', mac: '01:00:5e:7f:ff:fa' };
const NB_BCAST = { ip: '10.1.10.255', mac: 'ff:ff:ff:ff:ff:ff' };

const OFFICE_T0 = Date.UTC(2026, 1, 2, 8, 30, 0) * 1000;

/** Every packet of the office sample, in time order. */
export function officePackets(): WriterPacket[] {
  const H = OFFICE;
  const cap = new Capture(0x0ff1ce, H.gateway);
  const T = (s: number) => OFFICE_T0 + s * SEC;

  // Static hosts are there from the start: the servers answer ARP, the speaker announces itself.
  cap.arp(T(0.2), H.fileServer, H.gateway);
  cap.arp(T(0.4), H.buildServer, H.gateway);
  for (const [i, nt] of ['upnp:rootdevice', 'urn:schemas-upnp-org:device:ZonePlayer:1'].entries()) {
    cap.udp(
      T(1 + i * 0.01),
      H.sonos,
      SSDP,
      1900,
      1900,
      ssdpNotify({
        location: `http://${H.sonos.ip}:1400/xml/device_description.xml`,
        nt,
        uuid: 'RINCON_347E5C3E1F3001400',
        server: 'Linux UPnP/1.0 Sonos/80.1-55014 (ZPS33)',
      }),
      4,
    );
  }

  // --- the Windows laptop joins.
  const win = H.windows;
  let t = cap.dhcp(T(5), win, { hostname: OFFICE_NAMES.windows, vendorClass: 'MSFT 5.0', prl: PRL.windows10, lease: 86400 });
  cap.arp(t + 20 * MS, win, H.gateway);
  // NetBIOS: register the workstation and server names and the workgroup, three times each as Windows does.
  let nbId = 0x8a10;
  for (let k = 0; k < 3; k++) {
    const at = t + 100 * MS + k * 750 * MS;
    for (const [name, suffix, group] of [
      [OFFICE_NAMES.windows, NB_SUFFIX.WORKSTATION, false],
      [OFFICE_NAMES.windows, NB_SUFFIX.SERVER, false],
      ['CORP', NB_SUFFIX.WORKSTATION, true],
    ] as const) {
      cap.udp(at + nbId % 7, win, NB_BCAST, 137, 137, nbnsRegistration({ id: nbId++, name, suffix, ip: win.ip, group }));
    }
  }
  // Network connectivity check (NCSI), then sign-in and browsing.
  t = cap.dns(t + 3 * SEC, win, WEB.msftncsi.name, [WEB.msftncsi.ip]);
  cap.http(t + 2 * MS, win, WEB.msftncsi, { host: WEB.msftncsi.name, path: '/connecttest.txt', userAgent: UA.msConnectTest, contentType: 'text/plain', body: 22 });
  t = cap.dns(t + 1 * SEC, win, WEB.microsoft.name, [WEB.microsoft.ip]);
  cap.tls(t + 2 * MS, win, WEB.microsoft, WEB.microsoft.name, 'chrome', { up: 1600, down: 4000 });
  // The file server, by its NetBIOS name, then SMB.
  const nbq = nbId++;
  cap.udp(T(20), win, NB_BCAST, 137, 137, nbnsQuery({ id: nbq, name: OFFICE_NAMES.fileServer, suffix: NB_SUFFIX.SERVER }));
  cap.udp(T(20) + 700, H.fileServer, win, 137, 137, nbnsQueryResponse({ id: nbq, name: OFFICE_NAMES.fileServer, suffix: NB_SUFFIX.SERVER, ip: H.fileServer.ip }));
  cap.arp(T(20) + 900, win, H.fileServer);
  smbSession(cap, T(20.01), win, H.fileServer, {
    workstation: OFFICE_NAMES.windows,
    domain: 'CORP',
    user: 'jsmith',
    target: FILESRV_TARGET,
    share: `\\\\${OFFICE_NAMES.fileServer}\\projects`,
    readBytes: 16_000,
  });
  // Browsing: example.com over HTTP and HTTPS, Facebook over HTTPS (the monitored group).
  t = cap.dns(T(75), win, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, win, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.edge, server: 'ECS (nyd/D184)', body: 1256 });
  cap.tls(t + 400 * MS, win, WEB.example, WEB.example.name, 'chrome');
  t = cap.dns(T(140), win, WEB.facebook.name, [WEB.facebook.ip], FB_CNAME);
  cap.tls(t + 2 * MS, win, WEB.facebook, WEB.facebook.name, 'chrome', { up: 2000, down: 9000 });
  t = cap.dns(T(141), win, WEB.fbcdn.name, [WEB.fbcdn.ip]);
  cap.tls(t + 2 * MS, win, WEB.fbcdn, WEB.fbcdn.name, 'chrome', { up: 900, down: 12_000 });
  // A print job.
  cap.arp(T(300), win, H.printer);
  cap.tcp(T(300.01), win, H.printer, 9100, [{ fromClient: true, data: Buffer.concat([Buffer.from('\x1b%-12345X@PJL JOB NAME="Quarterly report"\r\n', 'latin1'), seededBytes('print', 6000)]) }], { rttUs: 600 });
  // Later: a second look at the file share and more browsing.
  smbSession(cap, T(420), win, H.fileServer, {
    workstation: OFFICE_NAMES.windows,
    domain: 'CORP',
    user: 'jsmith',
    target: FILESRV_TARGET,
    share: `\\\\${OFFICE_NAMES.fileServer}\\projects`,
    readBytes: 8_000,
  });
  cap.tls(T(480), win, WEB.facebook, WEB.facebook.name, 'chrome', { up: 1200, down: 5000 });

  // --- the printer (DHCP reservation), announcing IPP over mDNS.
  const prn = H.printer;
  t = cap.dhcp(T(8), prn, { hostname: OFFICE_NAMES.printer, vendorClass: 'Hewlett-Packard JetDirect', prl: PRL.hpPrinter, lease: 604800 });
  const printerMdns = mdnsAnnouncement({
    host: OFFICE_NAMES.printer,
    ip: prn.ip,
    services: [
      {
        instance: 'HP LaserJet Pro M404dn',
        service: '_ipp._tcp',
        port: 631,
        txt: ['txtvers=1', 'qtotal=1', 'rp=ipp/print', 'ty=HP LaserJet Pro M404dn', 'product=(HP LaserJet Pro M404dn)', 'usb_MFG=HP', 'usb_MDL=LaserJet Pro M404dn', 'pdl=application/pdf,image/urf', 'note=2nd floor'],
      },
      { instance: 'HP LaserJet Pro M404dn', service: '_pdl-datastream._tcp', port: 9100, txt: ['txtvers=1', 'ty=HP LaserJet Pro M404dn'] },
    ],
  });
  cap.udp(t + 1 * SEC, prn, MDNS, 5353, 5353, printerMdns, 255);
  cap.udp(t + 2 * SEC, prn, MDNS, 5353, 5353, printerMdns, 255);

  // --- the MacBook.
  const mac = H.mac;
  t = cap.dhcp(T(30), mac, { hostname: OFFICE_NAMES.mac, prl: PRL.macos, lease: 86400 });
  const macMdns = mdnsAnnouncement({
    host: OFFICE_NAMES.mac,
    ip: mac.ip,
    services: [
      { instance: "Anna's MacBook Pro", service: '_airplay._tcp', port: 7000, txt: ['acl=0', 'deviceid=F0:18:98:4B:7C:02', 'features=0x4A7FCA00,0xBC354BD0', 'model=MacBookPro18,3', 'osvers=14.2.1', 'srcvers=720.5.1'] },
      { instance: "Anna's MacBook Pro", service: '_companion-link._tcp', port: 49431, txt: ['rpMac=0', 'rpHN=8d1c3a7e2b44', 'rpFl=0x20000', 'rpMd=MacBookPro18,3', 'rpVr=520.8.1'] },
    ],
  });
  cap.udp(t + 500 * MS, mac, MDNS, 5353, 5353, macMdns, 255);
  cap.udp(t + 1500 * MS, mac, MDNS, 5353, 5353, macMdns, 255);
  t = cap.dns(t + 2 * SEC, mac, WEB.captive.name, [WEB.captive.ip]);
  cap.http(t + 2 * MS, mac, WEB.captive, { host: WEB.captive.name, path: '/hotspot-detect.html', userAgent: UA.captive, body: 68 });
  t = cap.dns(T(90), mac, WEB.apple.name, [WEB.apple.ip]);
  cap.tls(t + 2 * MS, mac, WEB.apple, WEB.apple.name, 'safari', { up: 1500, down: 12_000 });
  t = cap.dns(T(200), mac, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, mac, WEB.example, { host: WEB.example.name, path: '/index.html', userAgent: UA.safariMac, server: 'ECS (nyd/D184)', body: 1256 });
  t = cap.dns(T(380), mac, WEB.facebook.name, [WEB.facebook.ip], FB_CNAME);
  cap.tls(t + 2 * MS, mac, WEB.facebook, WEB.facebook.name, 'safari', { up: 1500, down: 7000 });

  // --- the Linux workstation: dhclient, apt over HTTP, Firefox, SSH to the build server.
  const lnx = H.linux;
  t = cap.dhcp(T(45), lnx, { hostname: OFFICE_NAMES.linux, prl: PRL.dhclient, lease: 86400 });
  cap.arp(t + 10 * MS, lnx, H.gateway);
  t = cap.dns(t + 1 * SEC, lnx, WEB.ubuntu.name, [WEB.ubuntu.ip]);
  cap.http(t + 2 * MS, lnx, WEB.ubuntu, { host: WEB.ubuntu.name, path: '/ubuntu/dists/noble-updates/InRelease', userAgent: UA.apt, server: 'Apache/2.4.29 (Ubuntu)', contentType: 'application/octet-stream', body: 3000 });
  t = cap.dns(T(110), lnx, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, lnx, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.firefoxLinux, server: 'ECS (nyd/D184)', body: 1256 });
  t = cap.dns(T(112), lnx, WEB.github.name, [WEB.github.ip]);
  cap.tls(t + 2 * MS, lnx, WEB.github, WEB.github.name, 'firefox', { up: 1200, down: 8000 });
  cap.dns(T(149.9), lnx, 'build01.corp.example.net', [H.buildServer.ip]);
  cap.arp(T(150), lnx, H.buildServer);
  cap.tcp(
    T(150.01),
    lnx,
    H.buildServer,
    22,
    [
      { fromClient: false, data: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' },
      { fromClient: true, data: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n' },
      { fromClient: true, data: seededBytes('ssh-kexinit-c', 1520) },
      { fromClient: false, data: seededBytes('ssh-kexinit-s', 1100) },
      { fromClient: true, data: seededBytes('ssh-session-c', 2400), gapUs: 2 * SEC },
      { fromClient: false, data: seededBytes('ssh-session-s', 4000) },
    ],
    { rttUs: 350 },
  );
  t = cap.dns(T(520), lnx, WEB.github.name, [WEB.github.ip]);
  cap.tls(t + 2 * MS, lnx, WEB.github, WEB.github.name, 'firefox', { up: 4000, down: 9000 });

  // --- the Android phone.
  const and = H.android;
  t = cap.dhcp(T(60), and, { hostname: OFFICE_NAMES.android, vendorClass: 'android-dhcp-14', prl: PRL.android, lease: 3600 });
  t = cap.dns(t + 300 * MS, and, WEB.gstatic.name, [WEB.gstatic.ip]);
  cap.http(t + 2 * MS, and, WEB.gstatic, { host: WEB.gstatic.name, path: '/generate_204', userAgent: UA.dalvik, status: '204 No Content', body: 0 });
  t = cap.dns(T(65), and, WEB.google.name, [WEB.google.ip]);
  cap.tls(t + 2 * MS, and, WEB.google, WEB.google.name, 'chrome', { up: 1200, down: 6000 });
  t = cap.dns(T(240), and, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, and, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.chromeAndroid, server: 'ECS (nyd/D184)', body: 1256 });
  t = cap.dns(T(245), and, WEB.facebook.name, [WEB.facebook.ip], FB_CNAME);
  cap.tls(t + 2 * MS, and, WEB.facebook, WEB.facebook.name, 'okhttp', { up: 1800, down: 9000 });
  // The phone looks for cast targets; the speaker answers with another NOTIFY.
  cap.udp(T(250), and, SSDP, cap.port(and), 1900, ssdpSearch({ st: 'urn:dial-multiscreen-org:service:dial:1', userAgent: 'Android/14 UPnP/1.0 Chrome/121' }), 1);

  // --- the iPhone.
  const iph = H.iphone;
  t = cap.dhcp(T(180), iph, { hostname: OFFICE_NAMES.iphone, prl: PRL.ios, lease: 86400 });
  t = cap.dns(t + 200 * MS, iph, WEB.captive.name, [WEB.captive.ip]);
  cap.http(t + 2 * MS, iph, WEB.captive, { host: WEB.captive.name, path: '/hotspot-detect.html', userAgent: UA.captive, body: 68 });
  cap.udp(
    t + 1 * SEC,
    iph,
    MDNS,
    5353,
    5353,
    mdnsAnnouncement({
      host: OFFICE_NAMES.iphone,
      ip: iph.ip,
      services: [{ instance: "Marc's iPhone", service: '_companion-link._tcp', port: 52618, txt: ['rpMac=0', 'rpHN=51f0d2e9a7c3', 'rpFl=0x20000', 'rpMd=iPhone15,2', 'rpVr=520.8.1'] }],
    }),
    255,
  );
  t = cap.dns(T(185), iph, WEB.icloud.name, [WEB.icloud.ip]);
  cap.tls(t + 2 * MS, iph, WEB.icloud, WEB.icloud.name, 'safari', { up: 2000, down: 4000 });
  t = cap.dns(T(330), iph, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, iph, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.safariIphone, server: 'ECS (nyd/D184)', body: 1256 });

  // Periodic announcements through the ten minutes: the speaker and the printer.
  for (let k = 1; k <= 4; k++) {
    cap.udp(T(k * 120 + 1), H.sonos, SSDP, 1900, 1900, ssdpNotify({ location: `http://${H.sonos.ip}:1400/xml/device_description.xml`, nt: 'urn:schemas-upnp-org:device:ZonePlayer:1', uuid: 'RINCON_347E5C3E1F3001400', server: 'Linux UPnP/1.0 Sonos/80.1-55014 (ZPS33)' }), 4);
  }
  cap.udp(T(590), prn, MDNS, 5353, 5353, printerMdns, 255);
  return cap.sorted();
}

/** The office sample's configuration (samples/office.yaml). */
export const OFFICE_YAML = `# Configuration of the office sample (samples/office.pcapng):
#   nps analyze --config samples/office.yaml samples/office.pcapng
sensor:
  name: office
  network: corp
internal:
  - name: office-lan
    ranges: [10.1.10.0/24]
    inventory: true
    assignment: dhcp
external:
  # Traffic to addresses a DNS answer gave for these names is shown under
  # "social-media" instead of "External".
  - name: social-media
    fqdns: [facebook.com, "*.facebook.com", "*.fbcdn.net"]
`;

// ---------------------------------------------------------------------------
// 2. branch-erspan.pcap

export const BRANCH = {
  /** The router, with a sub-interface (same MAC) on each VLAN. */
  gateway: { ip: '10.2.10.1', mac: 'e8:fc:af:20:0a:01', stack: STACK.linux, vlans: [10] },
  gateway20: { ip: '10.2.20.1', mac: 'e8:fc:af:20:0a:01', stack: STACK.linux, vlans: [20] },
  fileServer: { ip: '10.2.10.5', mac: '00:15:5d:14:05:05', stack: STACK.windows, vlans: [10] },
  windows: { ip: '10.2.10.21', mac: 'd4:81:d7:14:15:21', stack: STACK.windows, vlans: [10] },
  mac: { ip: '10.2.10.22', mac: 'a4:c3:61:14:16:22', stack: STACK.apple, vlans: [10] },
  printer: { ip: '10.2.20.30', mac: '50:81:40:14:1e:30', stack: STACK.embedded, vlans: [20] },
  android: { ip: '10.2.20.41', mac: '10:30:47:14:29:41', stack: STACK.android, vlans: [20] },
} satisfies Record<string, Host>;

export const BRANCH_NAMES = { windows: 'DESKTOP-8Q3ZL5T', mac: 'Jamies-MacBook-Air', printer: 'HPLJ-M404-BR', android: 'Galaxy-A54', fileServer: 'BRFS01' } as const;

/** The mirroring switch and the collector the GRE packets go to. */
export const ERSPAN = {
  switch: { ip: '10.250.0.10', mac: '00:1b:0d:e0:00:10' },
  collector: { ip: '10.250.0.20', mac: '00:50:56:a1:00:20' },
  sessionId: 101,
};

const BRANCH_T0 = Date.UTC(2026, 1, 3, 14, 0, 0) * 1000;

/** The branch's traffic as the switch saw it (802.1Q-tagged frames: VLAN 10 staff, VLAN 20 devices and Wi-Fi), before encapsulation. */
function branchInnerPackets(): WriterPacket[] {
  const H = BRANCH;
  const N = BRANCH_NAMES;
  const v10 = new Capture(0xb4a2c4, H.gateway);
  const v20 = new Capture(0xb4a214, H.gateway20);
  const T = (s: number) => BRANCH_T0 + s * SEC;
  let t: number;

  // VLAN 10: a Windows desktop, a MacBook, the file server.
  const win = H.windows;
  t = v10.dhcp(T(1), win, { hostname: N.windows, vendorClass: 'MSFT 5.0', prl: PRL.windows10, lease: 28800 });
  v10.arp(t + 10 * MS, win, H.gateway);
  t = v10.dns(t + 1 * SEC, win, WEB.example.name, [WEB.example.ip]);
  v10.http(t + 2 * MS, win, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.chromeWin, server: 'ECS (nyd/D184)', body: 1256 });
  v10.tls(t + 300 * MS, win, WEB.example, WEB.example.name, 'chrome', { up: 800, down: 6000 });
  v10.arp(T(12), win, H.fileServer);
  smbSession(v10, T(12.01), win, H.fileServer, {
    workstation: N.windows,
    domain: 'BRANCH',
    user: 'mlopez',
    target: { nbDomain: 'BRANCH', nbComputer: N.fileServer, dnsDomain: 'branch.example.net', dnsComputer: 'brfs01.branch.example.net' },
    share: `\\\\${N.fileServer}\\shared`,
    readBytes: 12_000,
  });

  const mac = H.mac;
  t = v10.dhcp(T(20), mac, { hostname: N.mac, prl: PRL.macos, lease: 28800 });
  v10.udp(
    t + 500 * MS,
    mac,
    MDNS,
    5353,
    5353,
    mdnsAnnouncement({ host: N.mac, ip: mac.ip, services: [{ instance: "Jamie's MacBook Air", service: '_companion-link._tcp', port: 49422, txt: ['rpMd=MacBookAir10,1', 'rpVr=520.8.1'] }] }),
    255,
  );
  t = v10.dns(t + 2 * SEC, mac, WEB.apple.name, [WEB.apple.ip]);
  v10.tls(t + 2 * MS, mac, WEB.apple, WEB.apple.name, 'safari', { up: 1000, down: 8000 });
  t = v10.dns(T(40), mac, WEB.example.name, [WEB.example.ip]);
  v10.http(t + 2 * MS, mac, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.safariMac, server: 'ECS (nyd/D184)', body: 1256 });

  // VLAN 20: the printer and an Android phone on the Wi-Fi.
  const prn = H.printer;
  t = v20.dhcp(T(5), prn, { hostname: N.printer, vendorClass: 'Hewlett-Packard JetDirect', prl: PRL.hpPrinter, lease: 604800 });
  v20.udp(
    t + 1 * SEC,
    prn,
    MDNS,
    5353,
    5353,
    mdnsAnnouncement({ host: N.printer, ip: prn.ip, services: [{ instance: 'HP LaserJet Pro M404dn', service: '_ipp._tcp', port: 631, txt: ['ty=HP LaserJet Pro M404dn', 'usb_MFG=HP', 'usb_MDL=LaserJet Pro M404dn'] }] }),
    255,
  );
  const and = H.android;
  t = v20.dhcp(T(25), and, { hostname: N.android, vendorClass: 'android-dhcp-14', prl: PRL.android, lease: 3600 });
  t = v20.dns(t + 300 * MS, and, WEB.gstatic.name, [WEB.gstatic.ip]);
  v20.http(t + 2 * MS, and, WEB.gstatic, { host: WEB.gstatic.name, path: '/generate_204', userAgent: UA.dalvik, status: '204 No Content', body: 0 });
  t = v20.dns(T(30), and, WEB.google.name, [WEB.google.ip]);
  v20.tls(t + 2 * MS, and, WEB.google, WEB.google.name, 'chrome', { up: 1000, down: 6000 });
  return [...v10.packets, ...v20.packets].sort((a, b) => a.tsUs - b.tsUs);
}

/** Every packet of the branch sample: the inner frames, each in ERSPAN II / GRE / IPv4 from the switch to the collector. */
export function branchPackets(): WriterPacket[] {
  const inner = branchInnerPackets();
  return inner.map((p, i) => ({
    tsUs: p.tsUs + 150, // the collector receives a little later
    data: ipPacket({
      src: ERSPAN.switch.ip,
      dst: ERSPAN.collector.ip,
      srcMac: ERSPAN.switch.mac,
      dstMac: ERSPAN.collector.mac,
      proto: IPPROTO.GRE,
      ttl: 61,
      ipId: i & 0xffff,
      df: false,
      payload: erspan2({ payload: p.data, sessionId: ERSPAN.sessionId, seq: i, vlan: ((p.data[14]! << 8) | p.data[15]!) & 0xfff, index: 3 }),
    }),
  }));
}

// ---------------------------------------------------------------------------
// 3. messy.pcap

export const MESSY = {
  gateway: { ip: '10.3.0.1', mac: 'f0:9f:c2:30:00:01', stack: STACK.linux },
  server: { ip: '10.3.0.10', mac: '00:15:5d:30:00:10', stack: STACK.windows },
  workstation: { ip: '10.3.0.50', mac: 'd4:81:d7:30:00:50', stack: STACK.windows },
  /** A small Wi-Fi router (guest network) that NATs several devices behind one address. */
  nat: { ip: '10.3.0.200', mac: 'e8:fc:af:30:00:c8', stack: STACK.linux },
} satisfies Record<string, Host>;

const MESSY_T0 = Date.UTC(2026, 1, 4, 10, 0, 0) * 1000;

/** Behind the NAT: the devices' stacks, seen with TTL one less (the router routed them). */
const BEHIND_NAT: { stack: Stack; ua: string; profile: TlsClientProfile }[] = [
  { stack: { ...STACK.windows, ttl: 127 }, ua: UA.chromeWin, profile: 'chrome' },
  { stack: { ...STACK.apple, ttl: 63 }, ua: UA.safariIphone, profile: 'safari' },
  { stack: { ...STACK.android, ttl: 63 }, ua: UA.chromeAndroid, profile: 'okhttp' },
];

/** The first packets of the duplicated stretch and how many (the SPAN port fed both directions twice for a while). */
const DUP_FROM = 20;
const DUP_COUNT = 40;

/** Every packet of the messy sample, whole (the file is then cut inside the last one). */
export function messyPackets(): WriterPacket[] {
  const H = MESSY;
  const cap = new Capture(0x3e55, H.gateway);
  const T = (s: number) => MESSY_T0 + s * SEC;
  let t: number;

  const ws = H.workstation;
  t = cap.dhcp(T(1), ws, { hostname: 'DESKTOP-M4X2T7R', vendorClass: 'MSFT 5.0', prl: PRL.windows10, lease: 86400 });
  cap.arp(t + 10 * MS, ws, H.server);
  smbSession(cap, t + 20 * MS, ws, H.server, {
    workstation: 'DESKTOP-M4X2T7R',
    domain: 'LAB',
    user: 'operator',
    target: { nbDomain: 'LAB', nbComputer: 'LABSRV', dnsDomain: 'lab.example.net', dnsComputer: 'labsrv.lab.example.net' },
    share: '\\\\LABSRV\\data',
    readBytes: 12_000,
  });
  t = cap.dns(T(10), ws, WEB.example.name, [WEB.example.ip]);
  cap.http(t + 2 * MS, ws, WEB.example, { host: WEB.example.name, path: '/', userAgent: UA.edge, server: 'ECS (nyd/D184)', body: 1256 });

  // The NAT router: its own DHCP, then traffic from three devices behind it, all from one address.
  const nat = H.nat;
  t = cap.dhcp(T(3), nat, { hostname: 'guest-router', vendorClass: 'udhcp 1.36.1', prl: [1, 3, 6, 12, 15, 28, 42], lease: 86400 });
  BEHIND_NAT.forEach((d, i) => {
    const dev: Host = { ...nat, stack: d.stack };
    const at = T(20 + i * 15);
    const a = cap.dns(at, dev, WEB.example.name, [WEB.example.ip]);
    cap.http(a + 2 * MS, dev, WEB.example, { host: WEB.example.name, path: `/page${i + 1}`, userAgent: d.ua, server: 'ECS (nyd/D184)', body: 900 });
    cap.tls(a + 500 * MS, dev, WEB.google, WEB.google.name, d.profile, { up: 700, down: 5000 });
  });

  // The last packet: a bulk transfer segment the capture will cut short.
  cap.tcp(T(70), ws, H.server, 445, [
    { fromClient: true, data: smb2NegotiateRequest({ clientGuid: seededBytes('messy-guid', 16) }) },
    { fromClient: false, data: smb2NegotiateResponse({ dialect: 0x0311, serverGuid: seededBytes('messy-sguid', 16), timeUs: T(70), bootUs: T(70) - 86400 * SEC }) },
  ], { rttUs: 300 });

  const sorted = cap.sorted();
  // A double-fed SPAN: a stretch of frames (the workstation's SMB session) arrives twice, 3 µs apart.
  const out: WriterPacket[] = [];
  sorted.forEach((p, i) => {
    out.push(p);
    if (i >= DUP_FROM && i < DUP_FROM + DUP_COUNT) out.push({ tsUs: p.tsUs + 3, data: p.data });
  });
  return out;
}

/** The messy sample's bytes: a classic pcap cut in the middle of its last record (half of that packet's bytes are missing). */
export function messyBytes(): Buffer {
  const packets = messyPackets();
  const whole = pcapBytes(packets, { linkType: LINKTYPE.ETHERNET });
  return whole.subarray(0, whole.length - Math.floor(packets[packets.length - 1]!.data.length / 2));
}

// ---------------------------------------------------------------------------
// the files

export function officeBytes(): Buffer {
  return pcapngBytes(officePackets(), OFFICE_IFACE, OFFICE_SHB);
}

export function branchBytes(): Buffer {
  return pcapBytes(branchPackets(), { linkType: LINKTYPE.ETHERNET });
}

if (import.meta.url === `file://${process.argv[1]}` || fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = new URL('..', import.meta.url);
  const out: [string, Buffer | string][] = [
    [OFFICE_SAMPLE, officeBytes()],
    ['samples/office.yaml', OFFICE_YAML],
    [BRANCH_SAMPLE, branchBytes()],
    [MESSY_SAMPLE, messyBytes()],
  ];
  for (const [path, bytes] of out) {
    writeFileSync(new URL(path, root), bytes);
    process.stdout.write(`wrote ${path} (${bytes.length} bytes)\n`);
  }
}
