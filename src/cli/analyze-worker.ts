/**
 * A worker thread of a parallel analysis: analyses the files it is sent, one
 * at a time, each on a fresh engine built from the same configuration as the
 * main thread's, and answers with the file's partial state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureOpenError } from '../capture/reader.js';
import { engineFromSpec, type EngineSpec } from './engine-setup.js';
import { analyseFile } from './file-partial.js';

export type ToWorker = { type: 'file'; index: number; path: string };
export type FromWorker =
  | { type: 'progress'; index: number; bytes: number; packets: number }
  | { type: 'done'; index: number; partial: import('../engine/partial.js').PartialState }
  | { type: 'fail'; index: number; message: string; open: boolean };

const spec = workerData as EngineSpec;
const port = parentPort!;
port.on('message', (m: ToWorker) => {
  void (async () => {
    try {
      const engine = engineFromSpec(spec);
      const partial = await analyseFile(m.path, engine, {
        onProgress: (bytes, packets) => port.postMessage({ type: 'progress', index: m.index, bytes, packets } satisfies FromWorker),
      });
      port.postMessage({ type: 'done', index: m.index, partial } satisfies FromWorker);
    } catch (e) {
      const open = e instanceof CaptureOpenError;
      port.postMessage({ type: 'fail', index: m.index, message: open ? e.message : String((e as Error)?.stack ?? e), open } satisfies FromWorker);
    }
  })();
});
