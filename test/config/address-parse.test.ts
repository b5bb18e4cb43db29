/**
 * Addresses in ranges are read without ipaddr.js when they are plain (a
 * dotted quad, IPv6 hex groups): the result must be ipaddr.js's, and every
 * form the fast path does not take must still go to ipaddr.js.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ipaddr from 'ipaddr.js';
import { parseAddress } from '../../src/config/load.js';

function reference(text: string): { version: 4 | 6; words: number[] } | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { version: 4, words: [ipaddr.IPv4.parse(text).toByteArray().reduce((a, b) => a * 256 + b, 0), 0, 0, 0] };
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const b = ipaddr.IPv6.parse(text).toByteArray();
    return { version: 6, words: [0, 1, 2, 3].map((i) => ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0) };
  }
  return null;
}

const EDGE = [
  '10.0.0.0', '255.255.255.255', '256.1.1.1', '010.0.0.1', '1.2.3', '1.2.3.4.5', '0.0.0.0', ' 1.2.3.4',
  'fc00::', '::', '::1', '1::', 'fe80::1:2', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::2:3:4:5:6:7',
  '1:2:3:4:5:6:7:8:9', '1:2::3::4', '12345::', 'FFFF:ffff::', '2001:db8::192.0.2.1', '::ffff:1.2.3.4',
  '1:2:3:4:5:6:7', 'g::1', ':1::', '1:2:3:4::5:6:7:8', 'fe80::1%eth0', ':::', '1:::2', '',
];

test('edge cases: the same address as ipaddr.js, or none', () => {
  for (const t of EDGE) assert.equal(parseAddress(t), reference(t), t);
});

test('random plain addresses: the same as ipaddr.js', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 2000; i++) {
    const v4 = [0, 1, 2, 3].map(() => String(rnd(4) === 0 ? rnd(300) : rnd(256))).join('.');
    assert.equal(parseAddress(v4), reference(v4), v4);
    const groups = Array.from({ length: 8 }, () => rnd(3) === 0 ? '0' : rnd(0x10000).toString(16));
    // Compress a random run of groups (possibly none) into "::".
    const from = rnd(9);
    const len = rnd(9 - from);
    const v6 = len === 0 ? groups.join(':') : `${groups.slice(0, from).join(':')}::${groups.slice(from + len).join(':')}`;
    assert.equal(parseAddress(v6), reference(v6), v6);
  }
});

test.run();
