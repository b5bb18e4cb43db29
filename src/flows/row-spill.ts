/**
 * Flow rows of closed reporting intervals, kept in a temporary file instead
 * of memory: a long capture makes a row per pair, port and 30-minute
 * interval, so without this its report grows with its length (the file is a
 * scratch file: see util/scratch-file.ts). Rows go out as the
 * aggregator's columns (AggRowsData) and come back the same, to be folded
 * into a fresh aggregator interval by interval (report/interval-rows.ts).
 */
import { closeSync, readSync, writeSync } from 'node:fs';
import { openScratchFile } from '../util/scratch-file.js';
import { MAX_COMMUNITY_IDS, ROW_WIDTHS, type AggRowsData } from './aggregate.js';
import type { Application } from './applications.js';

const { ints: INTS, words: WORDS, nums: NUMS } = ROW_WIDTHS;

interface Block {
  interval: number;
  at: number;
  count: number;
  wide: number;
}

/** Bytes of a block with `count` rows and `wide` wide-sample words, 8-byte aligned parts first. */
function layout(count: number, wide: number): { nums: number; sampleTs: number; ints: number; words: number; samplePort: number; wide: number; nSamples: number; end: number } {
  const nums = 0;
  const sampleTs = nums + count * NUMS * 8;
  const ints = sampleTs + count * MAX_COMMUNITY_IDS * 8;
  const words = ints + count * INTS * 4;
  const samplePort = words + count * WORDS * 4;
  const wideAt = samplePort + count * MAX_COMMUNITY_IDS * 4;
  const nSamples = wideAt + wide * 4;
  return { nums, sampleTs, ints, words, samplePort, wide: wideAt, nSamples, end: nSamples + count };
}

export class RowSpill {
  private readonly blocks: Block[] = [];
  private size = 0;
  private written = 0;

  private constructor(private fd: number) {}

  /** A new spill file in the temporary directory (TMPDIR), or null when none can be made. */
  static open(dir?: string): RowSpill | null {
    const fd = openScratchFile('nps-rows-', dir);
    return fd === null ? null : new RowSpill(fd);
  }

  /** Rows written so far. */
  get rows(): number {
    return this.written;
  }

  /** Appends one interval's rows; false (nothing kept) when the file cannot take them (a full disk). */
  write(interval: number, x: AggRowsData): boolean {
    if (this.fd < 0) return false;
    const l = layout(x.count, x.wide.length);
    const at = this.size;
    const put = (view: ArrayBufferView, offset: number): void => {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, at + offset + done);
    };
    try {
      put(x.nums, l.nums);
      put(x.sampleTs, l.sampleTs);
      put(x.ints, l.ints);
      put(x.words, l.words);
      put(x.samplePort, l.samplePort);
      put(x.wide, l.wide);
      put(x.nSamples, l.nSamples);
    } catch {
      return false;
    }
    // Next block 8-byte aligned, so it reads back into aligned views.
    this.size = at + Math.ceil(l.end / 8) * 8;
    this.blocks.push({ interval, at, count: x.count, wide: x.wide.length });
    this.written += x.count;
    return true;
  }

  /** Rows written for `interval`. */
  rowsOf(interval: number): number {
    let n = 0;
    for (const b of this.blocks) if (b.interval === interval) n += b.count;
    return n;
  }

  /** Intervals with rows in the file, in order. */
  intervals(): number[] {
    return [...new Set(this.blocks.map((b) => b.interval))].sort((a, b) => a - b);
  }

  /** Blocks are read into this, one at a time. */
  private readBuf = new ArrayBuffer(0);

  /**
   * The blocks written for `interval`, in the order they were written; `apps`
   * is what their APP column indexes. A block's arrays are valid until the
   * next one is read.
   */
  *read(interval: number, apps: readonly Application[]): IterableIterator<AggRowsData> {
    for (const b of this.blocks) {
      if (b.interval !== interval) continue;
      const l = layout(b.count, b.wide);
      // One buffer for every block: each is folded in before the next is read.
      if (this.readBuf.byteLength < l.end) this.readBuf = new ArrayBuffer(Math.ceil((l.end * 1.25) / 8) * 8);
      const buf = this.readBuf;
      const bytes = new Uint8Array(buf, 0, l.end);
      for (let done = 0; done < l.end; ) {
        const n = readSync(this.fd, bytes, done, l.end - done, b.at + done);
        if (n === 0) throw new Error('the temporary flow-row file ended early');
        done += n;
      }
      yield {
        count: b.count,
        nums: new Float64Array(buf, l.nums, b.count * NUMS),
        sampleTs: new Float64Array(buf, l.sampleTs, b.count * MAX_COMMUNITY_IDS),
        ints: new Int32Array(buf, l.ints, b.count * INTS),
        words: new Uint32Array(buf, l.words, b.count * WORDS),
        samplePort: new Int32Array(buf, l.samplePort, b.count * MAX_COMMUNITY_IDS),
        wide: new Uint32Array(buf, l.wide, b.wide),
        nSamples: new Uint8Array(buf, l.nSamples, b.count),
        apps: apps.slice(),
      };
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
