/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a hash of
 * the connection tuple that Zeek and Suricata also log, so rows can be joined.
 * Not on the hot path: computed once per sampled connection when it is
 * reported, from scratch arrays.
 */
import * as crypto from 'node:crypto';

// One-shot hashing (Node >= 20.12) avoids a Hash object per connection.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'base64') => string }).hash;

/** The hashed tuple (seed, two addresses of up to 16 bytes, protocol, pad, ports), one scratch array per length in use. */
const TUPLES = new Map<number, Uint8Array>();

// ICMP types that come in request/reply pairs map to each other; the
// "port" pair is then (type, partner type) from the requester's side.
const ICMP4_PAIRS = new Map<number, number>([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [17, 18], [18, 17], [10, 9], [9, 10],
]);
const ICMP6_PAIRS = new Map<number, number>([
  [128, 129], [129, 128], [133, 134], [134, 133], [135, 136], [136, 135], [130, 131], [131, 130],
  [139, 140], [140, 139], [144, 145], [145, 144],
]);

export interface CommunityTuple {
  /** 4 or 16 address bytes each. */
  src: Uint8Array;
  dst: Uint8Array;
  proto: number;
  /** Ports, or for ICMP/ICMPv6 the type (srcPort) and code (dstPort). */
  srcPort: number;
  dstPort: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function communityId(t: CommunityTuple, seed = 0): string {
  let { src, dst, srcPort: sp, dstPort: dp } = t;
  const proto = t.proto;
  let oneWay = false;
  const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 1 || proto === 58;
  if (proto === 1 || proto === 58) {
    const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
    const partner = pairs.get(sp);
    if (partner === undefined) oneWay = true;
    else dp = partner;
  }
  const c = compareBytes(src, dst);
  const swap = !oneWay && (c > 0 || (c === 0 && sp > dp));
  if (swap) {
    [src, dst] = [dst, src];
    [sp, dp] = [dp, sp];
  }
  const n = 2 + src.length + dst.length + 2 + (hasPorts ? 4 : 0);
  let buf = TUPLES.get(n);
  if (buf === undefined) TUPLES.set(n, (buf = new Uint8Array(n)));
  buf[0] = (seed >>> 8) & 0xff;
  buf[1] = seed & 0xff;
  let o = 2;
  buf.set(src, o);
  o += src.length;
  buf.set(dst, o);
  o += dst.length;
  buf[o++] = proto;
  buf[o++] = 0;
  if (hasPorts) {
    buf[o++] = (sp >>> 8) & 0xff;
    buf[o++] = sp & 0xff;
    buf[o++] = (dp >>> 8) & 0xff;
    buf[o++] = dp & 0xff;
  }
  return '1:' + (oneShot ? oneShot('sha1', buf, 'base64') : crypto.createHash('sha1').update(buf).digest('base64'));
}
