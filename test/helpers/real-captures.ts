/** Reading real captures in dissector tests: files of a shared folder, decoded frames, tshark fields per frame. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView } from '../../src/decode/view.js';
import { sharedCaptures } from './skip.js';

/** Files of `../shared/captures/<dir>` whose names match `re`, sorted; [] when absent. */
export function listShared(dir: string, re: RegExp): string[] {
  const p = join(sharedCaptures, dir);
  return existsSync(p) ? readdirSync(p).filter((f) => re.test(f)).sort().map((f) => join(p, f)) : [];
}

/**
 * tshark's `fields` for the frames matching `filter`, by frame number; several
 * occurrences of a field are joined with `aggregator`. A tshark error gives what it printed.
 */
export function tsharkByFrame(file: string, filter: string, fields: string[], aggregator = ','): Map<number, string[]> {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${aggregator}`, '-e', 'frame.number'];
  for (const f of fields) args.push('-e', f);
  let out = '';
  try {
    out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const rows = new Map<number, string[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [n = '', ...rest] = line.split('\t');
    rows.set(Number(n), rest);
  }
  return rows;
}

/** Every frame of `file` decoded into one reused PacketView, with its 1-based number. */
export async function decodedFrames(file: string, each: (index: number, v: PacketView) => void): Promise<void> {
  const v = new PacketView();
  const errs = new DecodeErrors();
  await readCapture(file, (f) => {
    decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
    each(f.index, v);
  });
}

/** Every file below `dir`, sorted, recursively; `keep` filters by name and size. */
export function walkFiles(dir: string, keep: (name: string, size: number) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walkFiles(p, keep));
    else if (keep(name, st.size)) out.push(p);
  }
  return out;
}

/** Capture files below `dir` of at most `maxSize` bytes (by extension). */
export function captureFiles(dir: string, maxSize: number): string[] {
  return walkFiles(dir, (name, size) => size <= maxSize && /\.(pcap|pcapng|cap|trace|dump)(\.gz)?$/.test(name));
}
