/** One capture file analysed on its own engine, to a partial state (on a worker or the main thread). */
import { readCapture } from '../capture/reader.js';
import type { Engine } from '../engine/engine.js';
import { adoptAsFirst, exportAndRelease, watchEdges, type PartialState } from '../engine/partial.js';
import type { ReportFile } from '../report/build.js';

export async function analyseFile(
  path: string,
  engine: Engine,
  opts: { maxPackets?: number; onProgress?: (bytes: number, packets: number) => void },
): Promise<PartialState> {
  const { file, watch } = await readFileInto(path, engine, opts);
  return exportAndRelease(engine, file, watch);
}

/** The first file (in time order) read straight into the engine the others fold into (see adoptAsFirst). */
export async function analyseFirstFile(
  path: string,
  engine: Engine,
  opts: { maxPackets?: number; onProgress?: (bytes: number, packets: number) => void },
): Promise<ReportFile> {
  const { file, watch } = await readFileInto(path, engine, opts);
  adoptAsFirst(engine, watch);
  return file;
}

async function readFileInto(
  path: string,
  engine: Engine,
  opts: { maxPackets?: number; onProgress?: (bytes: number, packets: number) => void },
): Promise<{ file: ReportFile; watch: ReturnType<typeof watchEdges> }> {
  let last = 0;
  const watch = watchEdges(engine);
  const info = await readCapture(path, (f) => engine.frame(f), {
    maxPackets: opts.maxPackets,
    onProgress: (bytes) => {
      const now = Date.now();
      if (opts.onProgress !== undefined && now - last >= 100) {
        last = now;
        opts.onProgress(bytes, engine.packets);
      }
    },
  });
  engine.addProblems(path, info.problems);
  return { file: { path, info }, watch };
}

/** The timestamp of a file's first packet (Infinity when it has none), to order one sensor's files. */
export async function firstTimestamp(path: string): Promise<number> {
  let ts = Infinity;
  await readCapture(
    path,
    (f) => {
      ts = f.tsUs;
      return false;
    },
    { maxPackets: 1 },
  );
  return ts;
}
