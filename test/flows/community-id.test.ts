import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { communityId } from '../../src/flows/community-id.js';

function v4(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}

function v6(s: string): Uint8Array {
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const x = parseInt(g, 16);
    out[i * 2] = x >> 8;
    out[i * 2 + 1] = x & 0xff;
  });
  return out;
}

/** A deterministic byte stream (xorshift), so a failure can be reproduced. */
function bytes(seed: number, n: number): Uint8Array {
  let x = seed | 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('Community IDs equal the values published with the spec and by other implementations', () => {
  // community-id-spec baseline (default seed, then seed 1): ICMPv6 neighbour solicitation, both directions.
  const a = v6('fe80::200:86ff:fe05:80da');
  const b = v6('fe80::260:97ff:fe07:69ea');
  assert.is(communityId({ src: a, dst: b, proto: 58, srcPort: 135, dstPort: 136 }), '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=');
  assert.is(communityId({ src: b, dst: a, proto: 58, srcPort: 136, dstPort: 135 }), '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=');
  assert.is(communityId({ src: b, dst: a, proto: 58, srcPort: 135, dstPort: 136 }), '1:zavyT/cezQr1fmImYCwYnMXbgck=');
  assert.is(communityId({ src: a, dst: b, proto: 58, srcPort: 135, dstPort: 136 }, 1), '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=');
  // One-way ICMPv6 (time exceeded): never swapped.
  const s = v6('3ffe:501:1800:2345::2');
  const d = v6('3ffe:507:0:1:200:86ff:fe05:80da');
  assert.is(communityId({ src: s, dst: d, proto: 58, srcPort: 3, dstPort: 0 }), '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=');
  assert.is(communityId({ src: s, dst: d, proto: 58, srcPort: 3, dstPort: 0 }, 1), '1:lVEtCZpYu84Xqaa++3lXFyuu2n4=');
  // TCP over IPv4 (Tenzir's documented example), from either side.
  assert.is(communityId({ src: v4('1.2.3.4'), dst: v4('43.3.132.3'), proto: 6, srcPort: 4584, dstPort: 3483 }), '1:koNcqhFRD5kb254ZrLsdv630jCM=');
  assert.is(communityId({ src: v4('43.3.132.3'), dst: v4('1.2.3.4'), proto: 6, srcPort: 3483, dstPort: 4584 }), '1:koNcqhFRD5kb254ZrLsdv630jCM=');
});

test('Community IDs equal a node:crypto computation of the same tuple on random flows', () => {
  const ref = (src: Uint8Array, dst: Uint8Array, proto: number, sp: number, dp: number): string => {
    const c = Buffer.compare(Buffer.from(src), Buffer.from(dst));
    const swap = c > 0 || (c === 0 && sp > dp);
    const [x, y, p, q] = swap ? [dst, src, dp, sp] : [src, dst, sp, dp];
    const buf = Buffer.concat([Buffer.from([0, 0]), x, y, Buffer.from([proto, 0, p >> 8, p & 0xff, q >> 8, q & 0xff])]);
    return '1:' + createHash('sha1').update(buf).digest('base64');
  };
  for (let i = 0; i < 500; i++) {
    const r = bytes(i + 1000, 40);
    const six = (r[0]! & 1) === 1;
    const src = six ? r.slice(2, 18) : r.slice(2, 6);
    const dst = six ? r.slice(18, 34) : r.slice(18, 22);
    if (i % 50 === 0) dst.set(src); // same address both ways: ports decide
    const proto = r[1]! & 1 ? 6 : 17;
    const sp = (r[34]! << 8) | r[35]!;
    const dp = (r[36]! << 8) | r[37]!;
    assert.is(communityId({ src, dst, proto, srcPort: sp, dstPort: dp }), ref(src, dst, proto, sp, dp), `flow ${i}`);
  }
});

test.run();
