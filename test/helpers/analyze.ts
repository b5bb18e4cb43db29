/** Runs the engine in-process over capture files, as `nps analyze` does. */
import { readCapture, CaptureOpenError } from '../../src/capture/reader.js';
import type { Classifier } from '../../src/config/classify.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { buildReport, type Report, type ReportFile } from '../../src/report/build.js';

export interface Analysis {
  engine: Engine;
  report: Report;
  files: ReportFile[];
}

export async function analyzeFiles(paths: string[], opts: EngineOptions & { classifier?: Classifier } = {}): Promise<Analysis> {
  const engine = new Engine(opts);
  const files: ReportFile[] = [];
  for (const path of paths) {
    const info = await readCapture(path, (f) => engine.frame(f));
    engine.addProblems(path, info.problems);
    files.push({ path, info });
  }
  const report = buildReport(engine, files, { generator: { name: 'nps', version: 'test' }, deterministic: true });
  return { engine, report, files };
}

/** Like analyzeFiles, but null when the file is not a capture at all. */
export async function analyzeIfCapture(path: string, opts: EngineOptions = {}): Promise<Analysis | null> {
  try {
    return await analyzeFiles([path], opts);
  } catch (e) {
    if (e instanceof CaptureOpenError) return null;
    throw e;
  }
}
