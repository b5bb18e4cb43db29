/**
 * The flow rows as the report reads them: all of the engine's aggregator at
 * once, or, when the engine kept closed intervals in a spill file, one
 * interval at a time, each folded into a fresh aggregator from its spilled
 * blocks (in the order they were written) and then the rows still in memory
 * (the latest). Folding in that order adds the same counts, times, samples
 * and first-recognised application as keeping every row in memory would.
 */
import type { Engine } from '../engine/engine.js';
import type { FlowAggregator } from '../flows/aggregate.js';

/** Rows of one group; valid until the next group is asked for. */
export interface RowGroup {
  agg: FlowAggregator;
  /** Row ids of `agg` in report order. */
  rows: Int32Array;
}

/** The flow rows in report order, in groups: one per interval when rows were spilled, else one. */
export function* rowGroups(engine: Engine): IterableIterator<RowGroup> {
  const main = engine.aggregate;
  const spill = engine.spilledRows;
  if (spill === null || !engine.hasSpilledRows) {
    yield { agg: main, rows: main.sortedRows() };
    return;
  }
  // The rest go out too, so the engine's columns (sized for its busiest stretch) can be freed before the report is made.
  main.sealBefore(Infinity, (interval, rows) => spill.write(interval, rows));
  main.releaseIfEmpty();
  const intervals = [...new Set([...spill.intervals(), ...main.intervals()])].sort((a, b) => a - b);
  // One aggregator for every interval, emptied in between: a group is used up before the next is made.
  const agg = main.emptyLike();
  for (const iv of intervals) {
    agg.clear(spill.rowsOf(iv));
    for (const block of spill.read(iv, main.applications)) agg.absorbRows(block, 0);
    agg.absorbRows(main.exportInterval(iv), 0);
    yield { agg, rows: agg.sortedRows() };
  }
}
