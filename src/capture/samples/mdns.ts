/**
 * Multicast DNS announcements (RFC 6762 §8.3) with DNS-SD service records
 * (RFC 6763): what a Mac, a phone or a printer multicasts to 224.0.0.251:5353
 * when it joins the network. One announcement per call: the PTR records of
 * each service, the SRV and TXT records of each instance, and the host's A
 * record, all in the answer section of a response.
 */
import { aData, dnsMessage, nameData, srvData, txtData, DNS_TYPE, type DnsRecord } from './dns.js';

export interface MdnsService {
  /** Instance label, e.g. "Anna's MacBook Pro" or "HP LaserJet Pro M404dn". */
  instance: string;
  /** Service type, e.g. "_airplay._tcp". */
  service: string;
  port: number;
  txt?: string[];
}

export interface MdnsAnnouncement {
  /** Host name without ".local". */
  host: string;
  ip: string;
  services: MdnsService[];
}

/** Cache-flush bit + class IN, as unique records are announced. */
const FLUSH_IN = 0x8001;

export function mdnsAnnouncement(a: MdnsAnnouncement): Buffer {
  const host = `${a.host}.local`;
  const answers: DnsRecord[] = [];
  for (const s of a.services) {
    const type = `${s.service}.local`;
    const inst = `${s.instance}.${type}`;
    answers.push({ name: '_services._dns-sd._udp.local', type: DNS_TYPE.PTR, ttl: 4500, data: nameData(type) });
    answers.push({ name: type, type: DNS_TYPE.PTR, ttl: 4500, data: nameData(inst) });
    answers.push({ name: inst, type: DNS_TYPE.SRV, cls: FLUSH_IN, ttl: 120, data: srvData({ port: s.port, target: host }) });
    answers.push({ name: inst, type: DNS_TYPE.TXT, cls: FLUSH_IN, ttl: 4500, data: txtData(s.txt ?? []) });
  }
  answers.push({ name: host, type: DNS_TYPE.A, cls: FLUSH_IN, ttl: 120, data: aData(a.ip) });
  return dnsMessage({ mdns: true, response: true, authoritative: true, answers });
}

/** A one-shot mDNS query (QU bit clear) for the given PTR names. */
export function mdnsQuery(names: string[]): Buffer {
  return dnsMessage({ mdns: true, questions: names.map((name) => ({ name, type: DNS_TYPE.PTR })) });
}
