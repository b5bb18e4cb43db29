/** Reading real captures in dissector tests: files of a shared folder, decoded frames, tshark fields per frame. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tcpPacket, udpPacket } from '../../src/capture/builder.js';
import { pcapBytes } from '../../src/capture/writer.js';
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
 * occurrences of a field are joined with `aggregator`; `prefs` are tshark
 * preferences (`capwap.swap_fc:FALSE`). A tshark error gives what it printed.
 */
export function tsharkByFrame(file: string, filter: string, fields: string[], aggregator = ',', prefs: string[] = []): Map<number, string[]> {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${aggregator}`, '-e', 'frame.number'];
  for (const p of prefs) args.push('-o', p);
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

/** A payload to run through tshark: protocol, ports, bytes (addresses 10.0.0.1 → 10.0.0.2). */
export interface PayloadPacket {
  proto: 6 | 17;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

/**
 * tshark's fields for payloads wrapped by the project's packet builder into a
 * pcap (one frame each, TCP segments in sequence), one row per frame with the
 * fields tab-separated; `extra` adds tshark options (a decode-as, a filter).
 */
export function tsharkOnPayloads(packets: PayloadPacket[], fields: string[], extra: string[] = []): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'nps-tshark-'));
  const file = join(dir, 'p.pcap');
  let seq = 1;
  const frames = packets.map((p, i) => {
    const common = { src: '10.0.0.1', dst: '10.0.0.2', sport: p.sport, dport: p.dport, payload: p.payload };
    const data = p.proto === 6 ? tcpPacket({ ...common, flags: 'PA', seq }) : udpPacket(common);
    if (p.proto === 6) seq += p.payload.length;
    return { tsUs: 1_700_000_000_000_000 + i * 1_000_000, data };
  });
  writeFileSync(file, pcapBytes(frames));
  try {
    const args = ['-r', file, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
    for (const f of fields) args.push('-e', f);
    const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The TCP payload of each direction on `port` of a capture, put back in
 * sequence: one buffer per run of contiguous bytes (a gap starts another);
 * retransmitted bytes are dropped.
 */
export async function tcpDirectionStreams(file: string, port: number): Promise<Buffer[]> {
  const dirs = new Map<string, { next: number; parts: Buffer[]; pieces: Buffer[] }>();
  await decodedFrames(file, (_i, v) => {
    if (v.proto !== 6 || (v.srcPort !== port && v.dstPort !== port)) return;
    const key = `${v.src4}:${v.srcPort}>${v.dst4}:${v.dstPort}`;
    let d = dirs.get(key);
    if (d === undefined) {
      d = { next: v.tcpSeq, parts: [], pieces: [] };
      dirs.set(key, d);
    }
    if ((v.tcpFlags & 0x02) !== 0) d.next = (v.tcpSeq + 1) >>> 0;
    if (v.payloadLen === 0) return;
    // A retransmission of bytes already had.
    if (d.parts.length && ((v.tcpSeq - d.next) | 0) < 0) return;
    if (v.tcpSeq !== d.next && d.parts.length) {
      d.pieces.push(Buffer.concat(d.parts));
      d.parts = [];
    }
    d.parts.push(Buffer.from(v.buf.subarray(v.payloadOff, v.payloadOff + v.payloadLen)));
    d.next = (v.tcpSeq + v.payloadLen) >>> 0;
  });
  const out: Buffer[] = [];
  for (const d of dirs.values()) {
    if (d.parts.length) d.pieces.push(Buffer.concat(d.parts));
    out.push(...d.pieces);
  }
  return out;
}
