/**
 * Folds ended connections into report rows keyed by (client, server, server
 * port, protocol) per reporting interval (SPEC §5.1), with addresses shown
 * after classification. Runs once per connection, not per packet, so string
 * keys are fine here. The number of rows is bounded.
 */
import { AddrClass, type Classifier } from '../config/classify.js';
import { ip4Bytes, ip4ToString, ip6Bytes, ip6ToString } from '../inventory/addr-format.js';
import { applicationByPort } from './applications.js';
import { communityId } from './community-id.js';
import type { FlowTable } from './flow-table.js';

export const MAX_COMMUNITY_IDS = 16;

export interface FlowRow {
  intervalStart: number;
  intervalEnd: number;
  client: string;
  clientIp: string | null;
  server: string;
  serverIp: string | null;
  serverPort: number;
  proto: number;
  ipVersion: 4 | 6;
  application: string;
  family: string;
  connections: number;
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  first: number;
  last: number;
  communityIds: string[];
}

export interface EndpointLabel {
  label: string;
  ip: string | null;
}

export function labelFor(cls: AddrClass, ip: string): EndpointLabel {
  switch (cls) {
    case AddrClass.External:
      return { label: 'External', ip: null };
    case AddrClass.Excluded:
      return { label: 'Excluded', ip: null };
    default:
      return { label: ip, ip };
  }
}

export class FlowAggregator {
  readonly rows = new Map<string, FlowRow>();
  dropped = 0;
  private readonly w1 = new Uint32Array(4);
  private readonly w2 = new Uint32Array(4);

  constructor(
    private readonly classifier: Classifier,
    readonly intervalUs: number,
    readonly maxRows = 1_000_000,
  ) {}

  /** Adds the connection in `slot` of `t`. */
  add(t: FlowTable, slot: number): void {
    const ver = t.ver[slot] as 4 | 6;
    const clientIsA = t.clientIsA[slot] === 1;
    const o = slot * 4;
    const c = this.w1;
    const s = this.w2;
    for (let i = 0; i < 4; i++) {
      c[i] = clientIsA ? t.addrA[o + i]! : t.addrB[o + i]!;
      s[i] = clientIsA ? t.addrB[o + i]! : t.addrA[o + i]!;
    }
    const proto = t.proto[slot]!;
    const serverPort = t.serverPort(slot);
    const cIp = ver === 4 ? ip4ToString(c[0]!) : ip6ToString(c);
    const sIp = ver === 4 ? ip4ToString(s[0]!) : ip6ToString(s);
    const cCls = ver === 4 ? this.classifier.classify4(c[0]!) : this.classifier.classify6(c);
    const sCls = ver === 4 ? this.classifier.classify4(s[0]!) : this.classifier.classify6(s);
    const cl = labelFor(cCls, cIp);
    const sl = labelFor(sCls, sIp);
    const first = t.firstTs[slot]!;
    const intervalStart = Math.floor(first / this.intervalUs) * this.intervalUs;
    const key = `${intervalStart}|${cl.label}|${sl.label}|${serverPort}|${proto}|${ver}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      if (this.rows.size >= this.maxRows) {
        this.dropped++;
        return;
      }
      const app = applicationByPort(proto, serverPort);
      row = {
        intervalStart,
        intervalEnd: intervalStart + this.intervalUs,
        client: cl.label,
        clientIp: cl.ip,
        server: sl.label,
        serverIp: sl.ip,
        serverPort,
        proto,
        ipVersion: ver,
        application: app.application,
        family: app.family,
        connections: 0,
        clientPackets: 0,
        serverPackets: 0,
        clientBytes: 0,
        serverBytes: 0,
        first,
        last: t.lastTs[slot]!,
        communityIds: [],
      };
      this.rows.set(key, row);
    }
    row.connections++;
    row.clientPackets += t.clientPackets(slot);
    row.serverPackets += t.serverPackets(slot);
    row.clientBytes += t.clientBytes(slot);
    row.serverBytes += t.serverBytes(slot);
    if (first < row.first) row.first = first;
    if (t.lastTs[slot]! > row.last) row.last = t.lastTs[slot]!;
    if (row.communityIds.length < MAX_COMMUNITY_IDS) {
      const id = communityId({
        src: ver === 4 ? ip4Bytes(c[0]!) : ip6Bytes(c),
        dst: ver === 4 ? ip4Bytes(s[0]!) : ip6Bytes(s),
        proto,
        srcPort: proto === 1 || proto === 58 ? serverPort : t.clientPort(slot),
        dstPort: proto === 1 || proto === 58 ? t.clientPort(slot) : serverPort,
      });
      if (!row.communityIds.includes(id)) row.communityIds.push(id);
    }
  }
}
