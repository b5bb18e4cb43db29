/**
 * What a TCP SYN or SYN-ACK says about the sender's stack: the initial TTL
 * and the layout of the TCP options, plus the window and window scale.
 *
 * Our own rules, written from how these stacks build their SYNs:
 *  - Windows starts TTLs at 128; Linux, Android, macOS, iOS and the BSDs at 64;
 *    Cisco IOS, Solaris and many network appliances at 255.
 *  - Linux always lays out options as MSS, SACK-permitted, timestamps, NOP,
 *    window scale ('M,S,T,N,W'; 'M,N,N,S,N,W' with timestamps off).
 *  - Windows 10/11 sends 'M,N,W,N,N,S' (no timestamps by default), window
 *    64240 (44 × 1460) / 65535 / 8192, scale 8; Windows XP 'M,N,N,S' without scaling.
 *  - Apple's stack (macOS and iOS alike) sends 'M,N,W,N,N,T,S,E,E', window
 *    65535, scale 6 (older releases 3–5).
 *  - FreeBSD sends 'M,N,W,S,T' with 65535; OpenBSD 'M,N,N,S,N,W,N,N,T' with 16384.
 *
 * A stack says nothing about versions, so every guess is family-level: at most
 * 0.5 when the option layout agrees with the TTL, 0.3 (0.2 for TTL 64, which
 * several families share) when only the TTL matches. SYN-ACK layouts partly
 * echo the client's offer, so they count 0.1 less.
 *
 * Pure, never throws.
 */
import type { OsGuess, TcpStackSample } from './types.js';

/** The initial TTL a sender most likely used: the next of 32, 64, 128, 255 at or above `ttl`. */
export function initialTtl(ttl: number): number {
  if (!(ttl <= 32)) {
    if (ttl <= 64) return 64;
    if (ttl <= 128) return 128;
    return 255;
  }
  return 32;
}

const LETTER: Record<number, string> = { 2: 'M', 3: 'W', 4: 'S', 8: 'T' };

/**
 * Raw TCP option bytes → 'M,N,W,N,N,S' (see TcpStackSample.options). Each EOL
 * byte is an 'E' (macOS pads with two). On a malformed option (length < 2 or
 * running past the end) it stops and appends '!'. Bounded by `len` and the buffer.
 */
export function tcpOptionString(buf: Uint8Array, off: number, len: number): string {
  if (!buf || typeof buf.length !== 'number') return '!';
  if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len <= 0) return len === 0 ? '' : '!';
  const end = Math.min(off + len, buf.length, off + 40);
  const out: string[] = [];
  let i = off;
  while (i < end) {
    const kind = buf[i];
    if (kind === 0) {
      out.push('E');
      i++;
      continue;
    }
    if (kind === 1) {
      out.push('N');
      i++;
      continue;
    }
    if (i + 1 >= end) {
      out.push('!');
      break;
    }
    const olen = buf[i + 1];
    if (olen < 2 || i + olen > end) {
      out.push('!');
      break;
    }
    out.push(LETTER[kind] ?? `?${kind}`);
    i += olen;
  }
  if (off + len > buf.length && (out.length === 0 || out[out.length - 1] !== '!')) out.push('!');
  return out.join(',');
}

/** The MSS and window scale carried in raw option bytes (-1 when absent or malformed). */
export function tcpOptionValues(buf: Uint8Array, off: number, len: number): { mss: number; wscale: number } {
  let mss = -1;
  let wscale = -1;
  if (!buf || !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len <= 0) return { mss, wscale };
  const end = Math.min(off + len, buf.length, off + 40);
  let i = off;
  while (i < end) {
    const kind = buf[i];
    if (kind === 0 || kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) break;
    const olen = buf[i + 1];
    if (olen < 2 || i + olen > end) break;
    if (kind === 2 && olen === 4) mss = (buf[i + 2] << 8) | buf[i + 3];
    else if (kind === 3 && olen === 3) wscale = buf[i + 2];
    i += olen;
  }
  return { mss, wscale };
}

const g = (name: string, family: OsGuess['family'], confidence: number): OsGuess => ({ name, version: null, family, confidence });

/** Windows option layouts: 10/11 and 7/8 ('M,N,W,N,N,S'), XP ('M,N,N,S'), with timestamps on ('M,N,W,S,T' / 'M,N,W,N,N,T,N,N,S'). */
const WINDOWS_LAYOUTS = new Set(['M,N,W,N,N,S', 'M,N,N,S', 'M,N,W,S,T', 'M,N,W,N,N,T,N,N,S', 'M,N,W,N,N,S,N,N,T', 'M,N,W,N,N,T']);
const WINDOWS_WINDOWS = new Set([64240, 65535, 8192, 64512, 16384, 65160]);

const LINUX_LAYOUTS = new Set(['M,S,T,N,W', 'M,N,N,S,N,W', 'M,N,N,T,N,W', 'M,S,T', 'M,N,N,S', 'M,N,N,T']);
// k × MSS windows of successive kernels: 64240 (44 × 1460, 4.19+), 29200 (20 ×, 3.x–4.x),
// 14600 (10 ×, 2.6.3x), 5840 (4 ×, 2.4/early 2.6); SYN-ACKs of 5.x/6.x: 65160 (45 × 1448), 28960.
const LINUX_WINDOWS = new Set([64240, 29200, 14600, 5840, 65160, 28960, 14480, 5792, 43690, 42340, 26883]);

const APPLE_LAYOUTS = new Set(['M,N,W,N,N,T,S,E,E', 'M,N,W,N,N,T,S,E', 'M,N,W,N,N,T,S', 'M,N,W,S,E,E']);
const FREEBSD_LAYOUTS = new Set(['M,N,W,S,T', 'M,N,W,S,T,S,E']);
const OPENBSD_LAYOUTS = new Set(['M,N,N,S,N,W,N,N,T']);

export function inferFromTcpStack(s: TcpStackSample): OsGuess | null {
  try {
    return infer(s);
  } catch {
    return null;
  }
}

function infer(s: TcpStackSample): OsGuess | null {
  if (!s || typeof s.ttl !== 'number' || !Number.isFinite(s.ttl) || s.ttl <= 0 || s.ttl > 255) return null;
  const ttl = initialTtl(s.ttl);
  const layout = typeof s.options === 'string' ? s.options : '';
  const window = typeof s.window === 'number' ? s.window : -1;
  const wscale = typeof s.wscale === 'number' ? s.wscale : -1;
  const mss = typeof s.mss === 'number' ? s.mss : -1;
  const penalty = s.synAck ? 0.1 : 0;
  const strong = (name: string, family: OsGuess['family'], c: number) => g(name, family, Math.max(0.1, Math.round((c - penalty) * 100) / 100));

  if (ttl === 128) {
    if (WINDOWS_LAYOUTS.has(layout)) {
      // window/scale pairs typical of Windows make it a full-strength stack match.
      const typical = WINDOWS_WINDOWS.has(window) || (wscale >= 0 && wscale <= 8 && window % 1460 === 0);
      return strong('Windows', 'Windows', typical ? 0.5 : 0.4);
    }
    return g('Windows', 'Windows', 0.3);
  }
  if (ttl === 64) {
    // A Linux SYN-ACK to a client that offered only MSS and window scale is 'M,N,W'.
    if (LINUX_LAYOUTS.has(layout) || (s.synAck && layout === 'M,N,W')) {
      const typical = LINUX_WINDOWS.has(window) || (mss > 0 && window > 0 && window % mss === 0) || wscale === 7;
      // Android uses the Linux stack unchanged: this is 'Linux' the kernel.
      return strong('Linux', 'Linux', typical ? 0.5 : 0.4);
    }
    if (APPLE_LAYOUTS.has(layout)) {
      // macOS and iOS send the same SYN; see user-agent.ts for the 'macOS/iOS' convention.
      const typical = window === 65535 && (wscale === 6 || wscale === 5 || wscale === 4 || wscale === 3);
      return strong('macOS/iOS', 'macOS', typical ? 0.45 : 0.35);
    }
    if (FREEBSD_LAYOUTS.has(layout)) return strong('FreeBSD', 'BSD', window === 65535 ? 0.45 : 0.35);
    if (OPENBSD_LAYOUTS.has(layout)) return strong('OpenBSD', 'BSD', window === 16384 ? 0.45 : 0.35);
    return g('Linux/Unix', 'Linux', 0.2);
  }
  if (ttl === 255) {
    // Cisco IOS, Solaris, many appliances; a short option list (MSS only) is typical of network gear.
    if (layout === 'M' || layout === '') return g('Network device', 'Network OS', 0.35);
    return g('Network device/Solaris', 'Network OS', 0.3);
  }
  // 32: Windows 9x and some embedded stacks; too little to go on.
  return null;
}
