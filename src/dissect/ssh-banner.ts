/**
 * SSH identification string (RFC 4253 §4.2):
 *   SSH-protoversion-softwareversion SP comments CR LF
 * e.g. `SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1`. `SSH-1.99-` (a server that
 * also speaks protocol 1) and `SSH-1.5-` are accepted the same way.
 *
 * The payload is `buf[off, off + len)`, the first bytes a side sends. A server
 * may send other lines before its identification string; up to MAX_LINES
 * lines of at most MAX_LINE bytes each (CR LF included) are scanned for the
 * first one starting with "SSH-". The identification line must end with LF
 * (an optional CR before it is dropped); a cut line gives null.
 *
 * Never throws; counts nothing (a non-SSH payload is not a malformation).
 * Text is kept printable: bytes outside 0x20..0x7e, and backslash, as \xNN.
 */
import { escapeBytes } from './text.js';
import { Verdict, type Dissector } from './types.js';

export interface SshBanner {
  /** "2.0", "1.99", "1.5". */
  protoVersion: string;
  /** "OpenSSH_8.9p1", "dropbear_2019.78", "Cisco-1.25". */
  software: string;
  /** The text after the first space ("Ubuntu-3ubuntu0.1"), null when none. */
  comments: string | null;
  /** The whole line without CR LF ("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1"). */
  raw: string;
}

export interface SshOsHint {
  os: string;
  version: string | null;
}

const MAX_LINE = 255;
const MAX_LINES = 8;



const BANNER_RE = /^SSH-(\d+\.\d+)-([^ ]*)(?: (.*))?$/s;

export function parseSshBanner(buf: Uint8Array, off: number, len: number): SshBanner | null {
  if (off < 0 || len <= 0 || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  let i = off;
  for (let n = 0; n < MAX_LINES && i < end; n++) {
    const limit = Math.min(end, i + MAX_LINE);
    let lf = -1;
    for (let k = i; k < limit; k++) {
      if (buf[k] === 0x0a) {
        lf = k;
        break;
      }
    }
    const isSsh = i + 4 <= end && buf[i] === 0x53 && buf[i + 1] === 0x53 && buf[i + 2] === 0x48 && buf[i + 3] === 0x2d;
    if (lf < 0) return null; // cut, or a line longer than MAX_LINE
    if (isSsh) {
      const stop = lf > i && buf[lf - 1] === 0x0d ? lf - 1 : lf;
      const raw = escapeBytes(buf, i, stop);
      const m = BANNER_RE.exec(raw);
      if (!m || !m[2]) return null;
      const comments = m[3] ?? '';
      return { protoVersion: m[1]!, software: m[2], comments: comments === '' ? null : comments, raw };
    }
    i = lf + 1;
  }
  return null;
}

/**
 * The operating system a banner names, from distribution tags that packagers
 * add to the comments (or software) field; null when none is recognised.
 *   Ubuntu-3ubuntu0.1        Ubuntu, version "3ubuntu0.1" (the package version)
 *   Debian-5+deb11u1         Debian, version "11" (from debN; null without it)
 *   Raspbian-10+deb10u2      Raspbian, version "10" (likewise)
 *   FreeBSD-20200214         FreeBSD, version null (the tag is a patch date)
 *   OpenSSH_for_Windows_8.1  Windows
 *   dropbear_2019.78         embedded Linux
 *   Cisco-1.25               Cisco IOS
 *   ROSSSH                   MikroTik RouterOS
 */
export function sshOsHint(b: SshBanner): SshOsHint | null {
  const sw = b.software;
  const text = b.comments === null ? sw : sw + ' ' + b.comments;
  let m = /(?:^|[ _])Ubuntu-([^ ]+)/i.exec(text);
  if (m) return { os: 'Ubuntu', version: m[1]! };
  m = /(?:^|[ _])(Debian|Raspbian)-([^ ]*)/i.exec(text);
  if (m) {
    const deb = /deb(\d+)u?\d*/.exec(m[2]!);
    return { os: m[1]!.toLowerCase() === 'debian' ? 'Debian' : 'Raspbian', version: deb ? deb[1]! : null };
  }
  if (/(?:^|[ _])Raspbian\b/i.test(text)) return { os: 'Raspbian', version: null };
  if (/(?:^|[ _])FreeBSD\b/i.test(text)) return { os: 'FreeBSD', version: null };
  if (/windows/i.test(sw)) return { os: 'Windows', version: null };
  if (/^dropbear/i.test(sw)) return { os: 'embedded Linux', version: null };
  if (/^Cisco-/i.test(sw)) return { os: 'Cisco IOS', version: null };
  if (/^ROSSSH/i.test(sw)) return { os: 'MikroTik RouterOS', version: null };
  return null;
}

// ---------------------------------------------------------------------------
// Dissector: each side's identification string describes its software.

export const sshDissector: Dissector = {
  id: 'ssh',
  app: { application: 'SSH', family: 'Remote Access' },
  tcpPorts: [22, 2222],
  maxStream: 2048,
  probe(buf, off, len, proto) {
    return proto === 6 && len >= 8 && buf[off] === 0x53 && buf[off + 1] === 0x53 && buf[off + 2] === 0x48 && buf[off + 3] === 0x2d;
  },
  dissect(buf, off, len, ctx) {
    const b = parseSshBanner(buf, off, len);
    if (b === null) {
      // Before the banner a server may send other lines; a cut line needs more.
      const hasSsh = len >= 4 && buf[off] === 0x53 && buf[off + 1] === 0x53 && buf[off + 2] === 0x48 && buf[off + 3] === 0x2d;
      return hasSsh ? Verdict.More : Verdict.NotMine;
    }
    ctx.src('ssh_banner', b.raw, { software: b.software, comments: b.comments, role: ctx.fromClient ? 'client' : 'server' });
    return Verdict.Done;
  },
};
