/**
 * Which MAC an address belongs to: the ARP/ND binding, else the only MAC it
 * sent from (no router's); and when ARP says one MAC while every packet from
 * the address came from another, the packets (ARP spoofing), with an
 * `address-conflict` warning.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { reportSchemaErrors } from '../helpers/schema.js';

const T0 = 1_700_000_000_000_000;
const ATTACKER = 'c8:5b:76:8b:4c:69';
const HMI = '84:7b:eb:0d:bd:b7';
const PLC = '10:4b:46:28:0b:fa';
const OTHER = '00:16:3e:00:00:99';

function report(frames: Buffer[]): Report {
  const e = new Engine();
  frames.forEach((f, i) => e.packet(f, 0, f.length, f.length, T0 + i * 1000, 1));
  return buildReport(e, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
}
const claim = (mac: string, ip: string, target: string) =>
  B.arpPacket({ op: 'reply', senderMac: mac, senderIp: ip, targetIp: target, targetMac: 'ff:ff:ff:ff:ff:ff' });
const udpFrom = (mac: string, src: string, dst: string) => B.udpPacket({ srcMac: mac, dstMac: OTHER, src, dst, sport: 5000, dport: 5560, payload: 'x' });
const ipsOf = (r: Report, mac: string) => (r.assets.find((a) => a.id === `mac:${mac}`)?.ips as string[] | undefined) ?? null;
const conflict = (r: Report) => r.warnings.find((w) => w.code === 'address-conflict') as Record<string, any> | undefined;

test('ARP poisoning: the addresses go to the MACs that sent their packets, and the conflict is reported', () => {
  const r = report([
    claim(ATTACKER, '192.168.3.250', '192.168.3.101'),
    claim(ATTACKER, '192.168.3.101', '192.168.3.250'),
    udpFrom(HMI, '192.168.3.101', '192.168.3.250'),
    udpFrom(PLC, '192.168.3.250', '192.168.3.101'),
    udpFrom(ATTACKER, '192.168.3.55', '192.168.3.255'),
    claim(ATTACKER, '192.168.3.250', '192.168.3.101'),
  ]);
  assert.equal(ipsOf(r, HMI), ['192.168.3.101']);
  assert.equal(ipsOf(r, PLC), ['192.168.3.250']);
  assert.equal(ipsOf(r, ATTACKER), ['192.168.3.55'], 'the claimant keeps only the address it used');
  const w = conflict(r);
  assert.ok(w, 'an address-conflict warning');
  assert.is(w!.count, 2);
  assert.equal(w!.addresses, ['192.168.3.101', '192.168.3.250'], 'in address order');
  assert.equal(w!.claimed_by, [ATTACKER]);
  assert.ok(w!.evidence.some((e: any) => e.asset === `mac:${HMI}` && e.reasons.some((x: string) => x.includes(ATTACKER))));
  assert.match(w!.message, /192\.168\.3\.\d+ claimed by c8:5b:76:8b:4c:69, used by/);
  const hmi = r.assets.find((a) => a.id === `mac:${HMI}`) as Record<string, any>;
  assert.equal(hmi.attributes.link.mac_binding, ['source-mac']);
  assert.equal(reportSchemaErrors(r), []);
});

test('no conflict: a host that claims its own address and sends from it; an address never used; two senders', () => {
  const r = report([
    claim(HMI, '192.168.3.101', '192.168.3.1'),
    udpFrom(HMI, '192.168.3.101', '192.168.3.250'),
    claim(ATTACKER, '192.168.3.77', '192.168.3.1'), // claimed, never sent from: the claim stands
    claim(ATTACKER, '192.168.3.88', '192.168.3.1'),
    udpFrom(PLC, '192.168.3.88', '192.168.3.1'),
    udpFrom(OTHER, '192.168.3.88', '192.168.3.2'), // two MACs sent from .88: which is the owner is unknown
  ]);
  assert.equal(ipsOf(r, HMI), ['192.168.3.101']);
  assert.equal(ipsOf(r, ATTACKER), ['192.168.3.77', '192.168.3.88'], 'claims not contradicted by a single sender stand');
  assert.is(conflict(r), undefined);
  assert.equal(reportSchemaErrors(r), []);
});

test('neighbour-discovery spoofing: a Neighbour Advertisement for another\'s IPv6 address is the same conflict', () => {
  const victim = 'fe80::86:7bff:fe0d:bdb7';
  const attacker = 'fe80::ca5b:76ff:fe8b:4c69';
  const na = B.ndNeighborAdvertisement({ target: victim, targetLinkAddr: ATTACKER, solicited: false, src: attacker, dst: 'ff02::1' });
  const r = report([
    B.ipPacket({ srcMac: ATTACKER, dstMac: '33:33:00:00:00:01', src: attacker, dst: 'ff02::1', proto: 58, payload: na }),
    B.udpPacket({ srcMac: HMI, dstMac: OTHER, src: victim, dst: 'fe80::1', sport: 5000, dport: 5560, payload: 'x' }),
  ]);
  assert.ok(ipsOf(r, HMI)?.includes(victim), `the victim keeps its address (${JSON.stringify(ipsOf(r, HMI))})`);
  assert.not.ok(ipsOf(r, ATTACKER)?.includes(victim));
  const w = conflict(r);
  assert.ok(w);
  assert.equal(w!.addresses, [victim]);
  assert.ok(w!.evidence[0].reasons[0].includes('neighbour discovery'));
  assert.equal(reportSchemaErrors(r), []);
});

test('a redundancy group\'s virtual MAC (VRRP, HSRP, GLBP) keeps its address though the router sends from its own MAC', () => {
  for (const vmac of ['00:00:5e:00:01:0a', '00:00:5e:00:02:0a', '00:00:0c:07:ac:01', '00:00:0c:9f:f0:01', '00:07:b4:00:01:02']) {
    const r = report([claim(vmac, '192.168.3.1', '192.168.3.101'), udpFrom(OTHER, '192.168.3.1', '192.168.3.101')]);
    assert.equal(ipsOf(r, vmac), ['192.168.3.1'], vmac);
    assert.is(conflict(r), undefined, vmac);
  }
  // A MAC of the same vendor blocks that is no virtual router's is held to the packets.
  const r = report([claim('00:00:5e:00:53:01', '192.168.3.1', '192.168.3.101'), udpFrom(OTHER, '192.168.3.1', '192.168.3.101')]);
  assert.ok(conflict(r));
});

test.run();
