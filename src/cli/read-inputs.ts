/** Reads capture files (or stdin) into the engine, in order, with a progress bar: the loop of analyze and replay. */
import { CaptureOpenError, captureSize, readCapture } from '../capture/reader.js';
import type { Frame } from '../capture/frame.js';
import type { Engine } from '../engine/engine.js';
import type { ReportFile } from '../report/build.js';
import { InputError } from './errors.js';
import type { CliIO } from './io.js';
import { createProgress } from './progress.js';

export interface ReadInputsOptions {
  maxPackets?: number;
  /** Draw a progress bar on stderr (only on a terminal). */
  progress: boolean;
  /** Called before each frame is counted; false stops reading. Default: count it. */
  beforeFrame?: (f: Frame) => boolean | void;
  /** Checked between files: true stops reading. */
  stopped?: () => boolean;
  /** Bytes read of the current file so far (as for the progress bar), at most every 100 ms. */
  onBytes?: (bytes: number) => void;
}

export async function readInputs(inputs: string[], engine: Engine, io: CliIO, opts: ReadInputsOptions): Promise<ReportFile[]> {
  const files: ReportFile[] = [];
  const before = opts.beforeFrame;
  const onFrame =
    before === undefined
      ? (f: Frame) => engine.frame(f)
      : (f: Frame) => {
          if (before(f) === false) return false;
          engine.frame(f);
        };
  for (const path of inputs) {
    if (opts.stopped?.()) break;
    const remaining = opts.maxPackets === undefined ? undefined : opts.maxPackets - engine.packets;
    if (remaining !== undefined && remaining <= 0) break;
    const progress = createProgress(io.stderr, opts.progress, captureSize(path), path === '-' ? 'stdin' : path);
    let lastUpdate = 0;
    try {
      const info = await readCapture(path, onFrame, {
        maxPackets: remaining,
        onProgress: (bytes) => {
          const now = Date.now();
          if (now - lastUpdate >= 100) {
            lastUpdate = now;
            progress.update(bytes, engine.packets);
            opts.onBytes?.(bytes);
          }
        },
      });
      files.push({ path, info });
      engine.addProblems(path, info.problems);
    } catch (e) {
      if (e instanceof CaptureOpenError) throw new InputError(e.message);
      throw e;
    } finally {
      progress.stop();
    }
  }
  return files;
}
