/**
 * Decoder tests: one frame through decodeFrame, what a tunnel left in the
 * view, every truncation and random bytes, and the frames of a shared
 * capture.
 */
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame } from '../../src/decode/decode.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { L3, PacketView } from '../../src/decode/view.js';
import { ip4ToString, ip6ToString } from '../../src/inventory/addr-format.js';
import { readCapture } from '../../src/capture/reader.js';
import { sharedCaptures, skip } from './skip.js';

export const ETHERNET = 1;

/** Bytes from hex text; spaces, newlines and `|` (field separators in comments) are ignored. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]+/g, ''), 'hex');
}

/** Decodes `frame` (cut to `capLen` captured bytes) into a fresh view. */
export function decode(frame: Buffer, linkType = ETHERNET, capLen = frame.length): { v: PacketView; errs: DecodeErrors } {
  const v = new PacketView();
  const errs = new DecodeErrors();
  decodeFrame(v, errs, frame, 0, capLen, frame.length, 0, linkType);
  return { v, errs };
}

/** The view's source and destination addresses as text (`-` when it holds no IP packet). */
export function addrs(v: PacketView): string {
  if (v.l3 === L3.IPv4) return `${ip4ToString(v.src4)} > ${ip4ToString(v.dst4)}`;
  if (v.l3 === L3.IPv6) return `${ip6ToString(v.src6)} > ${ip6ToString(v.dst6)}`;
  return '-';
}

/** The outer IP header of tunnel `i` as text. */
export function outerAddrs(v: PacketView, i: number): string {
  const l3 = v.outerL3[i];
  if (l3 === L3.IPv4) return `${ip4ToString(v.outerSrc4[i]!)} > ${ip4ToString(v.outerDst4[i]!)}`;
  if (l3 === L3.IPv6) return `${ip6ToString(v.outerSrc6.subarray(i * 4, i * 4 + 4))} > ${ip6ToString(v.outerDst6.subarray(i * 4, i * 4 + 4))}`;
  return '-';
}

/**
 * Every captured length of `frame` (as a snap length cuts it) and of the
 * frame with its length fields left but the bytes gone, then random bytes
 * behind the first `keep` bytes: the decoder must return, never throw.
 */
export function survivesDamage(frame: Buffer, linkType = ETHERNET, keep = 0, seed = 1): void {
  const v = new PacketView();
  const errs = new DecodeErrors();
  for (let n = 0; n <= frame.length; n++) {
    decodeFrame(v, errs, frame, 0, n, frame.length, 0, linkType);
    const cut = frame.subarray(0, n);
    decodeFrame(v, errs, cut, 0, n, n, 0, linkType);
  }
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const junk = Buffer.from(frame);
  for (let round = 0; round < 300; round++) {
    for (let i = keep; i < junk.length; i++) junk[i] = rnd();
    decodeFrame(v, errs, junk, 0, junk.length, junk.length, 0, linkType);
  }
  assert.ok(true);
}

/**
 * A tunnelled frame that decodes whole (no error, one tunnel opened), cut at
 * every length short of its inner IP (or ARP) header's end: each cut must be
 * counted as an error and must not give the inner packet. Returns where the
 * inner header starts.
 */
export function everyCutCounted(frame: Buffer, linkType = ETHERNET): number {
  const whole = decode(frame, linkType);
  assert.equal(whole.errs.toObject(), {});
  assert.is(whole.v.tunnelDepth, 1);
  const inner = (v: PacketView) => (v.l3 === L3.ARP ? 'arp' : addrs(v));
  const want = inner(whole.v);
  const l3End = whole.v.l3Off + (whole.v.l3 === L3.ARP ? 28 : 20);
  for (let n = 0; n < l3End; n++) {
    const { v, errs } = decode(frame, linkType, n);
    assert.ok(errs.total >= 1, `cut at ${n} of ${frame.length} not counted`);
    assert.is.not(inner(v), want, `cut at ${n}`);
  }
  return whole.v.l3Off;
}

/**
 * Every frame of `../shared/captures/<dir>/<name>` decoded in one reused
 * view (`each` gets the 1-based frame number); the decode errors counted, or
 * null (and a skip message) when the capture is absent.
 */
export async function sharedFrames(dir: string, name: string, each: (index: number, v: PacketView) => void): Promise<DecodeErrors | null> {
  const file = join(sharedCaptures, dir, name);
  if (!existsSync(file)) {
    skip(`../shared/captures/${dir}/${name} is absent`);
    return null;
  }
  const v = new PacketView();
  const errs = new DecodeErrors();
  await readCapture(file, (f) => {
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    each(f.index, v);
  });
  return errs;
}

/**
 * What a decoded view says about its packet, without the offsets: the same
 * packet behind another link layer must give the same facts as over
 * Ethernet.
 */
export function viewFacts(v: PacketView): Record<string, unknown> {
  return {
    macSrc: v.macSrc, macDst: v.macDst, etherType: v.etherType, vlan: v.vlan, l3: v.l3, addrs: addrs(v), ttl: v.ttl, ipId: v.ipId,
    proto: v.proto, srcPort: v.srcPort, dstPort: v.dstPort, tcpFlags: v.tcpFlags, payloadLen: v.payloadLen,
    arpOp: v.arpOp, arpSenderMac: v.arpSenderMac, arpSenderIp: v.arpSenderIp, arpTargetMac: v.arpTargetMac, arpTargetIp: v.arpTargetIp,
    truncated: v.truncated, malformed: v.malformed, tunnelDepth: v.tunnelDepth,
  };
}

/**
 * The `source > destination` address pairs of the IPv4 and IPv6 packets
 * `tcpdump -n` prints for `../shared/captures/<dir>/<name>`, in order (ports
 * left out): what `addrs()` of each decoded frame should give.
 */
function tcpdumpAddrs(dir: string, name: string): string[] {
  const out = execFileSync('tcpdump', ['-nr', join(sharedCaptures, dir, name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pairs: string[] = [];
  for (const line of out.split('\n')) {
    const m =
      /\bIP (\d+\.\d+\.\d+\.\d+)(?:\.\d+)? > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?: /.exec(line) ??
      /\bIP6 ([0-9a-f:]+)(?:\.\d+)? > ([0-9a-f:]+)(?:\.\d+)?: /.exec(line);
    if (m) pairs.push(`${m[1]} > ${m[2]}`);
  }
  return pairs;
}

/**
 * Decodes `../shared/captures/<dir>/<name>` and asserts that the frames
 * holding an IP packet give the address pairs tcpdump prints, in order (and
 * that there is at least one). Returns the decode errors counted, or null
 * (and a skip message) when the capture is absent. Needs tcpdump.
 */
export async function agreesWithTcpdump(dir: string, name: string): Promise<DecodeErrors | null> {
  const got: string[] = [];
  const errs = await sharedFrames(dir, name, (_i, v) => {
    if (addrs(v) !== '-') got.push(addrs(v));
  });
  if (errs === null) return null;
  const want = tcpdumpAddrs(dir, name);
  assert.ok(want.length > 0, name);
  assert.equal(got, want, name);
  return errs;
}
