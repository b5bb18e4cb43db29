/**
 * Files larger than the reader's 8 MiB chunk: records split across chunk
 * boundaries, and records bigger than the read-ahead reserve (256 KiB) and
 * than a whole chunk, must arrive intact and in order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readCapture } from '../../src/capture/reader.js';
import { PcapWriter, PcapngWriter, fileSink } from '../../src/capture/writer.js';

function sizes(): number[] {
  const out: number[] = [];
  let x = 7;
  for (let i = 0; i < 1400; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(1 + (x % 40000));
  }
  out.splice(300, 0, 300_000); // over the reserve
  out.splice(700, 0, 9 * 1024 * 1024); // over a whole chunk
  out.splice(701, 0, 60);
  return out;
}

function payload(i: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let j = 0; j < n; j += 997) b[j] = (i + j) & 255;
  b.writeUInt32BE(i >>> 0, 0 < n - 4 ? 0 : 0);
  return b;
}

const digest = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

for (const format of ['pcap', 'pcapng'] as const) {
  test(`${format}: records across 8 MiB chunk boundaries arrive intact`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nps-readahead-'));
    try {
      const file = join(dir, `big.${format}`);
      const lens = sizes();
      const want: string[] = [];
      const snaplen = 16 * 1024 * 1024;
      if (format === 'pcap') {
        const w = new PcapWriter(fileSink(file), { snaplen });
        lens.forEach((n, i) => {
          const p = payload(i, Math.max(4, n));
          want.push(digest(p));
          w.write(1_700_000_000_000_000 + i, p);
        });
        w.close();
      } else {
        const w = new PcapngWriter(fileSink(file));
        const id = w.addInterface({ linkType: 1, snaplen });
        lens.forEach((n, i) => {
          const p = payload(i, Math.max(4, n));
          want.push(digest(p));
          w.writeEnhanced(id, 1_700_000_000_000_000 + i, p);
        });
        w.close();
      }
      const got: string[] = [];
      const times: number[] = [];
      const info = await readCapture(file, (f) => {
        got.push(digest(f.buf.subarray(f.off, f.off + f.capLen)));
        times.push(f.tsUs);
      });
      assert.equal(info.problems, []);
      assert.is(got.length, want.length);
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.unreachable(`record ${i + 1} differs`);
      assert.is(times[times.length - 1], 1_700_000_000_000_000 + want.length - 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
