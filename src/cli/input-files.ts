/**
 * Turns the capture arguments into files: a file stays itself, a directory
 * becomes the capture files under it (recursively, by content, sorted by
 * path), and a pattern the shell did not expand (quoted, or too many files for
 * the command line) is matched here: `*`, `?`, `[...]` within a path
 * component, `**` across directories.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { InputError } from './errors.js';
import { isPcapMagic } from '../capture/pcap-parser.js';

const GLOB_CHARS = /[*?[]/;

export function expandInputs(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '-') out.push(a);
    else if (isDirectory(a)) {
      const found = capturesUnder(a);
      if (found.length === 0) throw new InputError(`${a}: the directory holds no capture files (pcap, pcapng, or either gzipped)`);
      out.push(...found);
    } else if (!exists(a) && GLOB_CHARS.test(a)) {
      const found = glob(a).filter((p) => !isDirectory(p));
      if (found.length === 0) throw new InputError(`${a}: no file matches this pattern`);
      out.push(...found);
    } else out.push(a);
  }
  return out;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** pcap (both byte orders, µs and ns, Kuznetsov's), pcapng, gzip. */
function looksLikeCapture(path: string): boolean {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    if (readSync(fd, b, 0, 4, 0) < 4) return false;
    return isPcapMagic(b, 0) || b.readUInt32BE(0) === 0x0a0d0d0a || (b[0] === 0x1f && b[1] === 0x8b);
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function capturesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && looksLikeCapture(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A path component pattern as a regular expression. */
function componentRegex(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pat.slice(i + 1, end);
        if (body[0] === '!') body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

function glob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const parts = pattern.split(/[\\/]+/).filter((p) => p.length > 0);
  let bases = [absolute ? '/' : '.'];
  const shown = (base: string, name: string) => (base === '.' ? name : base === '/' ? '/' + name : base + sep + name);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    if (part === '**') {
      // Zero or more directories.
      const all: string[] = [];
      const walk = (d: string): void => {
        all.push(d);
        for (const e of safeReaddir(d)) if (e.isDirectory() && !e.name.startsWith('.')) walk(shown(d, e.name));
      };
      for (const b of bases) walk(b);
      bases = all;
      if (last) bases = bases.flatMap((d) => safeReaddir(d).filter((e) => e.isFile()).map((e) => shown(d, e.name)));
      continue;
    }
    if (!GLOB_CHARS.test(part)) {
      for (const b of bases) {
        const p = shown(b, part);
        if (exists(p) && (last || isDirectory(p))) next.push(p);
      }
    } else {
      const re = componentRegex(part);
      for (const b of bases) {
        for (const e of safeReaddir(b)) {
          if (e.name.startsWith('.') && !part.startsWith('.')) continue;
          if (!re.test(e.name)) continue;
          if (!last && !e.isDirectory()) continue;
          next.push(shown(b, e.name));
        }
      }
    }
    bases = next;
  }
  return [...new Set(bases)].sort();
}

function safeReaddir(d: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}
