/**
 * Traffic summary rows of a long capture, made one reporting interval at a
 * time and kept in a scratch file as JSON lines, then read back in report
 * order (asset, then interval, then the order within the interval) by
 * merging the intervals' runs. Each run is already in asset order, so only
 * the run's position, the asset and the byte length of each line are kept in
 * memory (8 bytes a row).
 */
import { closeSync, readSync, writeSync } from 'node:fs';
import { openScratchFile } from '../util/scratch-file.js';
import type { Json } from './build.js';

/** Bytes read from a run at a time. */
const WINDOW = 1 << 16;

interface Run {
  /** First row (index into `assets`/`lengths`) and one past the last. */
  from: number;
  to: number;
  /** File offset of the first row. */
  at: number;
}

export class TrafficSpill {
  private assets = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private count = 0;
  private size = 0;
  private readonly runs: Run[] = [];
  private pending: string[] = [];
  private pendingBytes = 0;

  /** Lines kept in memory instead, when no scratch file could be made. */
  private readonly memory: string[] | null;

  private constructor(private fd: number) {
    this.memory = fd < 0 ? [] : null;
  }

  /** A new spill in the temporary directory (in memory when no scratch file can be made there). */
  static open(dir?: string): TrafficSpill {
    return new TrafficSpill(openScratchFile('nps-traffic-', dir) ?? -1);
  }

  get rows(): number {
    return this.count;
  }

  /** Starts the run of the next interval (rows then come in asset order). */
  beginRun(): void {
    this.flush();
    this.runs.push({ from: this.count, to: this.count, at: this.size + this.pendingBytes });
  }

  /** Adds a row of `asset` to the current run. Throws when the file cannot be written (a full disk). */
  add(asset: number, line: string): void {
    if (this.count === this.assets.length) {
      const grow = <T extends Int32Array>(a: T): T => {
        const b = new Int32Array(a.length * 2) as T;
        b.set(a);
        return b;
      };
      this.assets = grow(this.assets);
      this.lengths = grow(this.lengths);
    }
    this.assets[this.count++] = asset;
    this.runs[this.runs.length - 1]!.to = this.count;
    if (this.memory !== null) {
      this.memory.push(line);
      return;
    }
    const bytes = Buffer.byteLength(line);
    this.lengths[this.count - 1] = bytes;
    this.pending.push(line);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= WINDOW * 4) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.from(this.pending.join(''));
    for (let done = 0; done < buf.length; ) done += writeSync(this.fd, buf, done, buf.length - done, this.size + done);
    this.size += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Every row in report order: by asset, and for one asset by run (interval), each run's own order kept. */
  *records(): IterableIterator<{ [k: string]: Json }> {
    for (const line of this.lines()) yield JSON.parse(line) as { [k: string]: Json };
  }

  /** The rows as the JSON text they were added as, in the order of records(). */
  *lines(): IterableIterator<string> {
    this.flush();
    const memory = this.memory;
    const readers = this.runs.map((r) => (memory !== null ? new MemoryRunReader(memory, r, this.assets) : new RunReader(this.fd, r, this.assets, this.lengths)));
    for (;;) {
      let asset = Infinity;
      for (const r of readers) if (!r.done && r.asset < asset) asset = r.asset;
      if (asset === Infinity) return;
      for (const r of readers) while (!r.done && r.asset === asset) yield r.take();
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A run's rows in order: which asset the next one is for, and its text. */
abstract class RunCursor {
  protected row: number;
  constructor(
    protected readonly run: Run,
    private readonly assets: Int32Array,
  ) {
    this.row = run.from;
  }
  get done(): boolean {
    return this.row >= this.run.to;
  }
  get asset(): number {
    return this.assets[this.row]!;
  }
  abstract take(): string;
}

/** Reads one run's rows kept in memory. */
class MemoryRunReader extends RunCursor {
  constructor(
    private readonly lines: string[],
    run: Run,
    assets: Int32Array,
  ) {
    super(run, assets);
  }
  take(): string {
    return this.lines[this.row++]!;
  }
}

/** Reads one run's rows in order through a window of the file. */
class RunReader extends RunCursor {
  private at: number;
  private buf = Buffer.alloc(0);
  /** File offset of buf[0], and how many bytes of buf hold data. */
  private bufAt = 0;
  private bufLen = 0;

  constructor(
    private readonly fd: number,
    run: Run,
    assets: Int32Array,
    private readonly lengths: Int32Array,
  ) {
    super(run, assets);
    this.at = run.at;
  }

  take(): string {
    const n = this.lengths[this.row]!;
    if (this.at < this.bufAt || this.at + n > this.bufAt + this.bufLen) {
      const want = Math.max(WINDOW, n);
      if (this.buf.length < want) this.buf = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const k = readSync(this.fd, this.buf, got, want - got, this.at + got);
        if (k === 0) break;
        got += k;
      }
      if (got < n) throw new Error('the temporary traffic file ended early');
      this.bufAt = this.at;
      this.bufLen = got;
    }
    const off = this.at - this.bufAt;
    const line = this.buf.toString('utf8', off, off + n);
    this.at += n;
    this.row++;
    return line;
  }
}
