/**
 * CI regression over the bundled samples: each is analysed again and must
 * give its committed expected report byte for byte. A difference fails with
 * what `nps diff` says of it; `npm run samples:update` refreshes the expected
 * reports after an intended change.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { diffReports, renderDiff } from '../../src/cli/diff.js';
import type { Report } from '../../src/report/build.js';
import { SAMPLES, analyzeArgs } from '../../scripts/samples.js';
import { fakeIO } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';

for (const sample of SAMPLES) {
  test(`${sample.capture} still gives ${sample.expected}`, async () => {
    assert.ok(existsSync(join(projectRoot, sample.capture)), `${sample.capture} is missing`);
    assert.ok(existsSync(join(projectRoot, sample.expected)), `${sample.expected} is missing: npm run samples:update`);
    const io = fakeIO();
    const cwd = process.cwd();
    process.chdir(projectRoot);
    let code: number;
    try {
      code = await main(analyzeArgs(sample, '-'), io);
    } finally {
      process.chdir(cwd);
    }
    assert.is(code, 0, io.stderr.text);
    const expected = readFileSync(join(projectRoot, sample.expected), 'utf8');
    if (io.stdout.text === expected) return;
    const diff = diffReports(JSON.parse(expected) as Report, JSON.parse(io.stdout.text) as Report, { tolerancePct: 0 });
    let text = renderDiff(diff, 'table', { width: 100, color: false });
    if (diff.equal) {
      // Only fields nps diff leaves out changed (evidence, attributes, counters): show the first line that differs.
      const a = expected.split('\n');
      const b = io.stdout.text.split('\n');
      const i = a.findIndex((line, n) => line !== b[n]);
      text = `fields nps diff does not compare differ; first at line ${i + 1}:\n- ${a[i]?.trim()}\n+ ${b[i]?.trim()}`;
    }
    assert.unreachable(`${sample.capture} no longer gives ${sample.expected}:\n${text}\nIf the change is intended: npm run samples:update, and review git diff samples/expected`);
  });
}

test.run();
