/**
 * mDNS / LLMNR facts (mdns.ts) and WS-Discovery (ws-discovery.ts):
 * hand-built messages, every truncation, random bytes, and the real mDNS /
 * LLMNR frames of the shared captures compared with tshark when installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { llmnrFacts, mdnsFacts } from '../../src/dissect/mdns.js';
import { parseWsDiscovery } from '../../src/dissect/ws-discovery.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_UDP } from '../../src/decode/view.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { readCapture } from '../../src/capture/reader.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

// ---------------------------------------------------------------------------
// A small DNS message builder with name compression.

class Msg {
  bytes: number[] = [];
  private names = new Map<string, number>();
  header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): this {
    return this.u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }
  u8(v: number): this {
    this.bytes.push(v & 255);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(Math.floor(v / 65536)).u16(v & 0xffff);
  }
  raw(b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  /** Labels given as an array so that an instance label may contain dots. */
  name(labels: string[]): this {
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('\u0000').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) return this.u16(0xc000 | at);
      this.names.set(suffix, this.bytes.length);
      const l = Buffer.from(labels[i]!, 'utf8');
      this.u8(l.length).raw([...l]);
    }
    return this.u8(0);
  }
  question(n: string[], type: number, cls = 1): this {
    return this.name(n).u16(type).u16(cls);
  }
  rr(n: string[], type: number, rdata: (m: Msg) => void, cls = 0x8001): this {
    this.name(n).u16(type).u16(cls).u32(120);
    const lenAt = this.bytes.length;
    this.u16(0);
    rdata(this);
    const l = this.bytes.length - lenAt - 2;
    this.bytes[lenAt] = l >> 8;
    this.bytes[lenAt + 1] = l & 255;
    return this;
  }
  buf(): Buffer {
    return Buffer.from(this.bytes);
  }
}

const n = (s: string) => s.split('.');
const ip4 = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
const txt = (m: Msg, ...strings: string[]) => {
  for (const s of strings) {
    const b = Buffer.from(s, 'utf8');
    m.u8(b.length).raw([...b]);
  }
};

/** A printer announcing itself: PTR (services enum, type, subtype), SRV, TXT, A, AAAA, reverse PTR. */
function printerResponse(): Buffer {
  const inst = ['HP LaserJet M402dn (4A1B2C)', '_ipp', '_tcp', 'local'];
  return new Msg()
    .header(0, 0x8400, 0, 6, 0, 4)
    .rr(n('_services._dns-sd._udp.local'), 12, (m) => m.name(n('_ipp._tcp.local')), 1)
    .rr(n('_services._dns-sd._udp.local'), 12, (m) => m.name(n('_printer._tcp.local')), 1)
    .rr(n('_ipp._tcp.local'), 12, (m) => m.name(inst), 1)
    .rr(n('_universal._sub._ipp._tcp.local'), 12, (m) => m.name(inst), 1)
    .rr(inst, 33, (m) => m.u16(0).u16(0).u16(631).name(n('NPI4A1B2C.local')))
    .rr(inst, 16, (m) => txt(m, 'txtvers=1', 'ty=HP LaserJet Pro M402dn', 'product=(HP LaserJet Pro M402dn)', 'usb_MFG=HP', 'usb_MDL=LaserJet Pro M402dn', 'TY=dup', 'Color=F', ''))
    .rr(n('NPI4A1B2C.local'), 1, (m) => m.u32(ip4('192.168.1.50')))
    .rr(n('NPI4A1B2C.local'), 28, (m) => m.u32(0xfe800000).u32(0).u32(0x02aabbff).u32(0xfe001122))
    .rr(n('50.1.168.192.in-addr.arpa'), 12, (m) => m.name(n('NPI4A1B2C.local')))
    .rr(n('_pdl-datastream._tcp.local'), 12, (m) => m.name(['HP LaserJet M402dn (4A1B2C)', '_pdl-datastream', '_tcp', 'local']), 1)
    .buf();
}

/** An Apple TV: AirPlay and RAOP instances, device-info TXT. */
function airplayResponse(): Buffer {
  return new Msg()
    .header(0, 0x8400, 0, 4, 0, 2)
    .rr(n('_airplay._tcp.local'), 12, (m) => m.name(['Living Room', '_airplay', '_tcp', 'local']), 1)
    .rr(['Living Room', '_airplay', '_tcp', 'local'], 33, (m) => m.u16(0).u16(0).u16(7000).name(n('Living-Room.local')))
    .rr(['Living Room', '_airplay', '_tcp', 'local'], 16, (m) => txt(m, 'deviceid=AA:BB:CC:DD:EE:FF', 'model=AppleTV6,2', 'srcvers=595.13.1'))
    .rr(['AABBCCDDEEFF@Living Room', '_raop', '_tcp', 'local'], 16, (m) => txt(m, 'am=AppleTV6,2', 'rpMd=AppleTV6,2'))
    .rr(['Living Room', '_device-info', '_tcp', 'local'], 16, (m) => txt(m, 'model=J105aAP'))
    .rr(n('Living-Room.local'), 1, (m) => m.u32(ip4('10.0.0.7')))
    .buf();
}

test('mDNS printer announcement', () => {
  const errs = new DecodeErrors();
  const f = mdnsFacts(printerResponse(), 0, printerResponse().length, errs);
  assert.is(errs.total, 0);
  assert.ok(f);
  assert.is(f.isResponse, true);
  assert.equal(f.hostnames, ['npi4a1b2c']);
  assert.equal(f.addresses, [
    { name: 'npi4a1b2c', v4: ip4('192.168.1.50') },
    { name: 'npi4a1b2c', v6: [0xfe800000, 0, 0x02aabbff, 0xfe001122] },
  ]);
  assert.equal(f.services, ['_ipp._tcp', '_printer._tcp', '_pdl-datastream._tcp']);
  assert.equal(f.questions, []);
  assert.equal(f.instances, [
    {
      instance: 'hp laserjet m402dn (4a1b2c)',
      service: '_ipp._tcp',
      target: 'npi4a1b2c',
      port: 631,
      txt: { txtvers: '1', ty: 'HP LaserJet Pro M402dn', product: '(HP LaserJet Pro M402dn)', usb_mfg: 'HP', usb_mdl: 'LaserJet Pro M402dn', color: 'F' },
    },
    { instance: 'hp laserjet m402dn (4a1b2c)', service: '_pdl-datastream._tcp', target: null, port: null, txt: {} },
  ]);
});

test('mDNS AirPlay device', () => {
  const b = airplayResponse();
  const f = mdnsFacts(b, 0, b.length)!;
  assert.equal(f.hostnames, ['living-room']);
  assert.equal(f.services, ['_airplay._tcp', '_raop._tcp', '_device-info._tcp']);
  assert.equal(f.instances.map((i) => [i.instance, i.service, i.target, i.port]), [
    ['living room', '_airplay._tcp', 'living-room', 7000],
    ['aabbccddeeff@living room', '_raop._tcp', null, null],
    ['living room', '_device-info._tcp', null, null],
  ]);
  assert.is(f.instances[0]!.txt['model'], 'AppleTV6,2');
  assert.is(f.instances[1]!.txt['am'], 'AppleTV6,2');
  assert.is(f.instances[1]!.txt['rpmd'], 'AppleTV6,2');
  assert.is(f.instances[2]!.txt['model'], 'J105aAP');
});

test('mDNS query: questions kept, known answers ignored, probe authority kept; escapes and UTF-8 instance', () => {
  const inst = ['Büro.Drucker', '_ipp', '_tcp', 'local'];
  const b = new Msg()
    .header(0, 0, 2, 1, 2, 0)
    .question(n('_ipp._tcp.local'), 12, 0x8001)
    .question(n('MacBook.local'), 255)
    .rr(n('_ipp._tcp.local'), 12, (m) => m.name(n('Other._ipp._tcp.local')), 1)
    .rr(n('MacBook.local'), 1, (m) => m.u32(ip4('10.1.2.3')))
    .rr(inst, 33, (m) => m.u16(0).u16(0).u16(631).name(n('MacBook.local')))
    .buf();
  const f = mdnsFacts(b, 0, b.length)!;
  assert.is(f.isResponse, false);
  assert.equal(f.questions, ['_ipp._tcp.local', 'macbook.local']);
  assert.equal(f.hostnames, ['macbook']);
  assert.equal(f.addresses, [{ name: 'macbook', v4: ip4('10.1.2.3') }]);
  assert.equal(f.services, ['_ipp._tcp']);
  assert.equal(f.instances, [{ instance: 'büro.drucker', service: '_ipp._tcp', target: 'macbook', port: 631, txt: {} }]);
});

function llmnrQuery(): Buffer {
  return new Msg().header(0x4c1d, 0, 1, 0, 0, 0).question(['WPAD'], 1).buf();
}
function llmnrResponse(): Buffer {
  return new Msg()
    .header(0x4c1d, 0x8000, 1, 2, 0, 0)
    .question(['DESKTOP-7Q2'], 255)
    .rr(['DESKTOP-7Q2'], 1, (m) => m.u32(ip4('10.0.0.23')), 1)
    .rr(['DESKTOP-7Q2'], 28, (m) => m.u32(0xfe800000).u32(0).u32(0x1234).u32(0x5678), 1)
    .buf();
}

test('LLMNR query and response', () => {
  const q = llmnrQuery();
  assert.equal(llmnrFacts(q, 0, q.length), { isResponse: false, names: ['wpad'], addresses: [] });
  const r = llmnrResponse();
  assert.equal(llmnrFacts(r, 0, r.length), {
    isResponse: true,
    names: ['desktop-7q2'],
    addresses: [
      { name: 'desktop-7q2', v4: ip4('10.0.0.23') },
      { name: 'desktop-7q2', v6: [0xfe800000, 0, 0x1234, 0x5678] },
    ],
  });
  // opcode != 0 is discarded
  const bad = Buffer.from(q);
  bad[2] = 0x28;
  assert.is(llmnrFacts(bad, 0, bad.length), null);
  assert.is(llmnrFacts(q, 0, 11), null);
});

// ---------------------------------------------------------------------------
// WS-Discovery

const WIN_HELLO = `<?xml version="1.0" encoding="utf-8" ?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof" xmlns:pub="http://schemas.microsoft.com/windows/pub/2005/07"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</wsa:Action><wsa:MessageID>urn:uuid:9a1c5e3e-0d6b-4c52-8a8f-2b1f3f0c7d11</wsa:MessageID><wsd:AppSequence InstanceId="12" SequenceId="urn:uuid:aa" MessageNumber="1"></wsd:AppSequence></soap:Header><soap:Body><wsd:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:5e2b4d1e-1111-2222-3333-444455556666</wsa:Address></wsa:EndpointReference><wsd:Types>wsdp:Device pub:Computer</wsd:Types><wsd:XAddrs>http://192.168.1.20:5357/5e2b4d1e-1111-2222-3333-444455556666/</wsd:XAddrs><wsd:MetadataVersion>2</wsd:MetadataVersion></wsd:Hello></soap:Body></soap:Envelope>`;

const PRINTER_PM = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wprt="http://schemas.microsoft.com/windows/2006/08/wdp/print" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">
 <SOAP-ENV:Header>
  <wsa:MessageID>urn:uuid:16a65700-007c-1000-bb49-3c2af4aabbcc</wsa:MessageID>
  <wsa:RelatesTo>urn:uuid:0d3e</wsa:RelatesTo>
  <wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>
  <wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>
 </SOAP-ENV:Header>
 <SOAP-ENV:Body>
  <wsd:ProbeMatches>
   <wsd:ProbeMatch>
    <wsa:EndpointReference><wsa:Address>urn:uuid:16a65700-007c-1000-bb49-3c2af4aabbcc</wsa:Address></wsa:EndpointReference>
    <wsd:Types>wsdp:Device wprt:PrintDeviceType</wsd:Types>
    <wsd:Scopes>
      http://schemas.xmlsoap.org/ws/2006/02/devprof/printer?a=1&amp;b=2
      ldap:///ou=Floor2
    </wsd:Scopes>
    <wsd:XAddrs>http://192.168.1.50:80/WebServices/Device http://[fe80::2aa:bbff:fe00:1122]:80/WebServices/Device</wsd:XAddrs>
    <wsd:MetadataVersion>1</wsd:MetadataVersion>
   </wsd:ProbeMatch>
  </wsd:ProbeMatches>
 </SOAP-ENV:Body>
</SOAP-ENV:Envelope>`;

const PROBE_NO_ACTION = `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Header/><Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"><Types xmlns:dn="http://www.onvif.org/ver10/network/wsdl">dn:NetworkVideoTransmitter</Types></Probe></Body></Envelope>`;

test('WS-Discovery Hello from a Windows PC', () => {
  const b = Buffer.from(WIN_HELLO);
  assert.equal(parseWsDiscovery(b, 0, b.length), {
    action: 'Hello',
    types: ['wsdp:Device', 'pub:Computer'],
    scopes: [],
    xaddrs: ['http://192.168.1.20:5357/5e2b4d1e-1111-2222-3333-444455556666/'],
    endpoint: 'urn:uuid:5e2b4d1e-1111-2222-3333-444455556666',
    messageId: 'urn:uuid:9a1c5e3e-0d6b-4c52-8a8f-2b1f3f0c7d11',
  });
});

test('WS-Discovery ProbeMatches from a printer; Probe without Action; not SOAP', () => {
  const b = Buffer.from(PRINTER_PM);
  assert.equal(parseWsDiscovery(b, 0, b.length), {
    action: 'ProbeMatches',
    types: ['wsdp:Device', 'wprt:PrintDeviceType'],
    scopes: ['http://schemas.xmlsoap.org/ws/2006/02/devprof/printer?a=1&b=2', 'ldap:///ou=Floor2'],
    xaddrs: ['http://192.168.1.50:80/WebServices/Device', 'http://[fe80::2aa:bbff:fe00:1122]:80/WebServices/Device'],
    endpoint: 'urn:uuid:16a65700-007c-1000-bb49-3c2af4aabbcc',
    messageId: 'urn:uuid:16a65700-007c-1000-bb49-3c2af4aabbcc',
  });
  const p = Buffer.from(PROBE_NO_ACTION);
  assert.equal(parseWsDiscovery(p, 0, p.length), { action: 'Probe', types: ['dn:NetworkVideoTransmitter'], scopes: [], xaddrs: [], endpoint: null, messageId: null });
  const h = Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n');
  assert.is(parseWsDiscovery(h, 0, h.length), null);
  // offset inside a larger buffer
  const pad = Buffer.concat([Buffer.from('xxxx'), b]);
  assert.is(parseWsDiscovery(pad, 4, b.length)!.action, 'ProbeMatches');
});

test('WS-Discovery pathological input stays fast', () => {
  const bad = Buffer.from('<s:Envelope>' + '<d:Types '.repeat(7000) + '<a:Address'.repeat(2000));
  const t0 = Date.now();
  const r = parseWsDiscovery(bad, 0, bad.length);
  assert.ok(r);
  const many = Buffer.from('<s:Envelope>' + '<d:Types>x</d:Types>'.repeat(3000) + '<d:Types>');
  parseWsDiscovery(many, 0, many.length);
  assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
});

// ---------------------------------------------------------------------------
// Robustness

test('every truncation and random bytes never throw', () => {
  const dns = [printerResponse(), airplayResponse(), llmnrQuery(), llmnrResponse()];
  for (const b of dns) {
    for (let l = 0; l <= b.length; l++) {
      mdnsFacts(b, 0, l, new DecodeErrors());
      llmnrFacts(b, 0, l, new DecodeErrors());
      mdnsFacts(b.subarray(0, l), 0, b.length);
    }
  }
  for (const s of [WIN_HELLO, PRINTER_PM, PROBE_NO_ACTION]) {
    const b = Buffer.from(s);
    for (let l = 0; l <= b.length; l++) {
      parseWsDiscovery(b, 0, l);
      parseWsDiscovery(b.subarray(0, l), 0, b.length);
    }
  }
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(1 + (rnd() % 200));
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    mdnsFacts(b, 0, b.length);
    llmnrFacts(b, 0, b.length);
    parseWsDiscovery(b, 0, b.length);
    // mutate a valid message
    const m = Buffer.from(i % 2 ? printerResponse() : airplayResponse());
    for (let k = 0; k < 3; k++) m[rnd() % m.length] = rnd();
    mdnsFacts(m, 0, m.length);
    const w = Buffer.from(PRINTER_PM);
    for (let k = 0; k < 5; k++) w[(rnd() * 256 + rnd()) % w.length] = rnd();
    parseWsDiscovery(w, 0, w.length);
  }
  assert.is(mdnsFacts(new Uint8Array(4), 0, 4), null);
  assert.is(mdnsFacts(printerResponse(), -1, 100), null);
});

// ---------------------------------------------------------------------------
// Real captures

const MDNS_CAPTURES = ['zeek/dns/mdns.pcap', 'zeek/wikipedia.pcap'];
const LLMNR_CAPTURES = ['zeek/erspan.pcap', 'zeek/wikipedia.pcap'];

type Frame = { index: number; mdns?: ReturnType<typeof mdnsFacts>; llmnr?: ReturnType<typeof llmnrFacts> };

async function ours(file: string): Promise<Map<number, Frame>> {
  const out = new Map<number, Frame>();
  const v = new PacketView();
  const errs = new DecodeErrors();
  await readCapture(file, (f) => {
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    if (v.proto !== IPPROTO_UDP || v.isFragment) return;
    if (v.srcPort === 5353 || v.dstPort === 5353) out.set(f.index, { index: f.index, mdns: mdnsFacts(v.buf, v.payloadOff, v.payloadLen, errs) });
    else if (v.srcPort === 5355 || v.dstPort === 5355) out.set(f.index, { index: f.index, llmnr: llmnrFacts(v.buf, v.payloadOff, v.payloadLen, errs) });
  });
  return out;
}

function tshark(file: string, filter: string, fields: string[]): string[][] {
  let out = '';
  try {
    out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const strip = (s: string) => (s.endsWith('.local') ? s.slice(0, -6) : s);
const split = (s: string | undefined) => (s ? s.split('|') : []);

if (!haveShared()) {
  skip('../shared/captures is absent: real mDNS / LLMNR frames not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: mDNS / LLMNR facts not compared');

  test('real mDNS frames: host names and services match tshark', async () => {
    let frames = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const c of MDNS_CAPTURES) {
      const file = join(sharedCaptures, c);
      if (!existsSync(file)) continue;
      const got = await ours(file);
      for (const fr of got.values()) {
        if (!('mdns' in fr)) continue;
        assert.ok(fr.mdns, `${c} frame ${fr.index} not parsed`);
        frames++;
      }
      if (!withTshark) continue;
      const rows = tshark(file, 'mdns', ['frame.number', 'dns.flags.response', 'dns.count.answers', 'dns.qry.name', 'dns.resp.name', 'dns.resp.type', 'dns.srv.target', 'dns.ptr.domain_name']);
      for (const [num = '', resp = '', an = '', qn, rn, rt, srv, ptr] of rows) {
        const o = got.get(Number(num))?.mdns;
        const where = `${c} frame ${num}`;
        if (!o) {
          diffs.push(`${where}: nps nothing`);
          continue;
        }
        compared++;
        const names = split(rn).map((s) => s.toLowerCase());
        const types = split(rt).map(Number);
        // In a query the answer section holds known answers, which nps ignores.
        const skipN = resp === '1' ? 0 : Number(an);
        const hosts = new Set<string>();
        const allowed = new Set<string>();
        names.forEach((nm, i) => {
          // tshark also lists NSEC bitmap types under dns.resp.type, so types may not align: DNS-SD names are left out
          if (i >= skipN && (types[i] === 1 || types[i] === 28) && nm.endsWith('.local') && !/\._(tcp|udp)\./.test(nm)) hosts.add(strip(nm));
        });
        for (const t of split(srv)) if (t.toLowerCase().endsWith('.local')) hosts.add(strip(t.toLowerCase()));
        for (const t of split(ptr)) if (t.toLowerCase().endsWith('.local')) allowed.add(strip(t.toLowerCase()));
        for (const h of hosts) if (!o.hostnames.includes(h)) diffs.push(`${where}: tshark host ${h} missing in nps ${JSON.stringify(o.hostnames)}`);
        for (const h of o.hostnames) if (!hosts.has(h) && !allowed.has(h)) diffs.push(`${where}: nps host ${h} not in tshark`);
        const qs = split(qn).map((s) => s.toLowerCase());
        if (JSON.stringify([...new Set(qs)]) !== JSON.stringify(o.questions)) diffs.push(`${where}: questions tshark ${qs} nps ${o.questions}`);
        // services: every _x._tcp / _x._udp seen by tshark in record names (answers of queries excepted)
        const svc = new Set<string>();
        const re = /(?:^|\.)(_[^.]+\._(?:tcp|udp))\.local$/;
        names.forEach((nm, i) => {
          const m = i >= skipN ? re.exec(nm) : null;
          if (m && m[1] !== '_dns-sd._udp') svc.add(m[1]!);
        });
        for (const s of svc) if (!o.services.includes(s)) diffs.push(`${where}: service ${s} missing`);
      }
    }
    assert.ok(frames > 10, `only ${frames} mDNS frames`);
    if (withTshark) assert.ok(compared > 10, `only ${compared} compared`);
    assert.equal(diffs, []);
  });

  test('real LLMNR frames (erspan.pcap, wikipedia.pcap): names match tshark', async () => {
    let frames = 0;
    const diffs: string[] = [];
    for (const c of LLMNR_CAPTURES) {
      const file = join(sharedCaptures, c);
      if (!existsSync(file)) continue;
      const got = await ours(file);
      for (const fr of got.values()) {
        if (!('llmnr' in fr)) continue;
        assert.ok(fr.llmnr, `${c} frame ${fr.index}`);
        frames++;
      }
      if (!withTshark) continue;
      for (const [num = '', resp = '', qn] of tshark(file, 'llmnr', ['frame.number', 'dns.flags.response', 'dns.qry.name'])) {
        const o = got.get(Number(num))?.llmnr;
        if (!o) diffs.push(`${c} frame ${num}: nps nothing`);
        else if (o.isResponse !== (resp === '1') || JSON.stringify(o.names) !== JSON.stringify([...new Set(split(qn).map((s) => s.toLowerCase()))]))
          diffs.push(`${c} frame ${num}: tshark ${resp} ${qn}, nps ${JSON.stringify(o)}`);
      }
    }
    if (existsSync(join(sharedCaptures, LLMNR_CAPTURES[0]!))) assert.ok(frames >= 4, `only ${frames} LLMNR frames`);
    assert.equal(diffs, []);
  });
}

test.run();
