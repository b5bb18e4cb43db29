/**
 * Live snapshots (nps live --snapshot-interval) count open connections into
 * the flow rows without ending them: the final report must be exactly the one
 * an analysis without snapshots gives, and each snapshot a valid report.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type ReportFile } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { projectRoot } from '../helpers/skip.js';

const GEN = { name: 'nps', version: 'test' };
const SAMPLES = ['small-office.pcapng', 'ot-cell.pcapng', 'merge/branch-a.pcapng', 'merge/branch-b.pcapng'].map((s) => join(projectRoot, 'samples', s));

for (const path of SAMPLES) {
  test(`snapshots every 7 packets leave the final report unchanged: ${path.split('/samples/')[1]}`, async () => {
    const plain = (await analyzeFiles([path])).report;
    const engine = new Engine();
    const snapshots: { packets: number; flowPackets: number }[] = [];
    let n = 0;
    const info = await readCapture(path, (f) => {
      engine.frame(f);
      if (++n % 7 === 0) {
        const snap = buildReport(engine, [], { generator: GEN, deterministic: true, snapshot: true });
        assert.equal(reportSchemaErrors(snap), []);
        const flowPackets = snap.flows.reduce((a, r) => a + (r.client_packets as number) + (r.server_packets as number), 0);
        snapshots.push({ packets: engine.packets, flowPackets });
      }
    });
    const files: ReportFile[] = [{ path, info }];
    const final = buildReport(engine, files, { generator: GEN, deterministic: true });
    assert.is(stableStringify(final), stableStringify(plain));
    assert.ok(snapshots.length > 2);
    for (let i = 1; i < snapshots.length; i++) assert.ok(snapshots[i]!.flowPackets >= snapshots[i - 1]!.flowPackets, 'flow totals only grow');
    // A snapshot counts the packets of open connections too.
    assert.ok(snapshots[snapshots.length - 1]!.flowPackets > 0);
  });
}

test.run();
