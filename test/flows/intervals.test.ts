/**
 * Reporting interval numbers (timestamp / interval length) outgrow 32 bits
 * with short intervals: 1 s ones from 2038 on, and any interval under about
 * two minutes for the far-future timestamps a bad capture clock writes. Rows
 * of such intervals must keep their own interval, in order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { reportSchemaErrors } from '../helpers/schema.js';

const ETHERNET = 1;
/** 2040-01-01T00:00:00Z: 2,208,988,800 s, past 2^31 one-second intervals. */
const Y2040_US = 2_208_988_800e6;
/** 9000-01-01T00:00:00Z: a bad clock's timestamp, 2^31 intervals of 60 s ended in year 6053. */
const Y9000_US = 221_845_392_000e6;

function rows(intervalUs: number, times: number[]): { start: string; end: string; first: string }[] {
  const engine = new Engine({ intervalUs });
  const frame = B.udpPacket({ src: '192.168.1.10', dst: '192.168.1.20', srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', sport: 40000, dport: 5000, payload: 'x' });
  for (const ts of times) engine.packet(frame, 0, frame.length, frame.length, ts, ETHERNET);
  engine.finish();
  const r = buildReport(engine, [], { generator: { name: 'nps', version: '0' }, deterministic: true });
  assert.equal(reportSchemaErrors(r), [], 'the report validates');
  return r.flows.map((f) => ({ start: f.interval_start as string, end: f.interval_end as string, first: f.first_seen as string }));
}

test('1 s intervals after 2038 stay apart and in order', () => {
  // Far enough apart that the flow table ends each connection first (its UDP idle timeout).
  const got = rows(1e6, [Y2040_US, Y2040_US + 600e6 + 500_000]);
  assert.equal(got, [
    { start: '2040-01-01T00:00:00.000000Z', end: '2040-01-01T00:00:01.000000Z', first: '2040-01-01T00:00:00.000000Z' },
    { start: '2040-01-01T00:10:00.000000Z', end: '2040-01-01T00:10:01.000000Z', first: '2040-01-01T00:10:00.500000Z' },
  ]);
});

test('a far-future timestamp gets its own interval with 60 s intervals', () => {
  const got = rows(60e6, [1_700_000_000e6, Y9000_US]);
  assert.equal(got.map((r) => r.start), ['2023-11-14T22:13:00.000000Z', '9000-01-01T00:00:00.000000Z']);
});

test.run();
