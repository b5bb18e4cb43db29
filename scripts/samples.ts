/**
 * The bundled samples and their expected reports: what `npm run
 * samples:update` rebuilds and what `npm test` re-analyses and compares
 * (test/samples/regression.test.ts). Paths are relative to the project root,
 * as the expected reports name them.
 */
export interface Sample {
  capture: string;
  config?: string;
  expected: string;
}

export const SAMPLES: Sample[] = [
  { capture: 'samples/office.pcapng', config: 'samples/office.yaml', expected: 'samples/expected/office.json' },
  { capture: 'samples/branch-erspan.pcap', expected: 'samples/expected/branch-erspan.json' },
  { capture: 'samples/messy.pcap', expected: 'samples/expected/messy.json' },
  { capture: 'samples/ot-cell.pcapng', expected: 'samples/expected/ot-cell.json' },
  { capture: 'samples/small-office.pcapng', expected: 'samples/expected/small-office.json' },
  { capture: 'samples/merge/branch-a.pcapng', config: 'samples/merge/branch-a.yaml', expected: 'samples/expected/merge-branch-a.json' },
  { capture: 'samples/merge/branch-b.pcapng', config: 'samples/merge/branch-b.yaml', expected: 'samples/expected/merge-branch-b.json' },
];

/** The `nps analyze` arguments that make a sample's expected report (run from the project root). */
export function analyzeArgs(s: Sample, output: string): string[] {
  return ['analyze', '-q', '--deterministic', '-f', 'json', ...(s.config ? ['--config', s.config] : []), '-o', output, s.capture];
}
