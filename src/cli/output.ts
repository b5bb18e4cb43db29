/** Where results go: stdout in large pieces, or a file written atomically, or CSV files in a directory. */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../report/build.js';
import { writeCsv, type CsvView } from '../report/csv.js';
import { CliError } from './errors.js';
import type { CliIO } from './io.js';

/**
 * Collects output in large pieces and hands each to `sink` as UTF-8 bytes.
 * Text is encoded straight into a fresh 1 MiB buffer per piece, so a report
 * is never joined into one big string (or many middle-sized ones) first.
 */
export class ChunkedOutput {
  private buf: Buffer | null = null;
  private used = 0;
  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly size = 1 << 20,
  ) {}
  write = (text: string): void => {
    // Up to 3 bytes per UTF-16 unit: only encode where the whole text surely fits.
    if (text.length * 3 > this.size - this.used) {
      this.flush();
      if (text.length * 3 > this.size) {
        this.sink(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.buf ??= Buffer.allocUnsafe(this.size);
    this.used += this.buf.write(text, this.used, 'utf8');
  };
  flush(): void {
    if (this.used === 0) return;
    // The sink may keep the bytes (a stream's queue): the next piece gets a new buffer.
    this.sink(this.buf!.subarray(0, this.used));
    this.buf = null;
    this.used = 0;
  }
}

/**
 * CSV: `view` to stdout (or to a file), or, when `output` names a directory
 * (existing, or ending in /), each of `views` as VIEW.csv in it (only `view`
 * when `onlyView`).
 */
export function writeCsvFiles<V extends CsvView>(
  views: readonly V[],
  rowsOf: (view: V) => Iterable<Record<string, Json>>,
  view: V,
  onlyView: boolean,
  output: string | undefined,
  io: CliIO,
): void {
  let isDir = false;
  if (output !== undefined && output !== '-') {
    try {
      isDir = statSync(output).isDirectory();
    } catch {
      isDir = output.endsWith('/');
    }
  }
  if (!isDir) {
    writeOutput(output, io, (emit) => writeCsv(view, rowsOf(view), emit));
    return;
  }
  try {
    mkdirSync(output!, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the directory ${output}: ${(e as Error).message}`, 3);
  }
  for (const v of onlyView ? [view] : views) {
    writeOutput(join(output!, `${v}.csv`), io, (emit) => writeCsv(v, rowsOf(v), emit));
  }
}

/** Sends what `produce` emits to stdout, or atomically to a file (a device or pipe directly). */
export function writeOutput(output: string | undefined, io: CliIO, produce: (emit: (text: string) => void) => void): void {
  if (output === undefined || output === '-') {
    const out = new ChunkedOutput((t) => io.stdout.write(t));
    produce(out.write);
    out.flush();
    return;
  }
  // A regular file (or a new one) is written beside the target and renamed, so a
  // reader never sees half a report; a device or pipe (/dev/null, a FIFO) is written directly.
  let direct = false;
  try {
    direct = !statSync(output).isFile();
  } catch {
    direct = false;
  }
  const target = direct ? output : `${output}.tmp-${process.pid}`;
  let fd = -1;
  try {
    fd = openSync(target, 'w');
    const out = new ChunkedOutput((t) => writeAllSync(fd, t));
    produce(out.write);
    out.flush();
    closeSync(fd);
    fd = -1;
    if (!direct) renameSync(target, output);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    if (!direct) rmSync(target, { force: true });
    throw new CliError(`cannot write the report to ${output}: ${(e as Error).message}; check that the directory exists and is writable`, 3);
  }
}

function writeAllSync(fd: number, buf: Uint8Array): void {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}
