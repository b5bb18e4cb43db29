// Reads every capture under ../shared/captures: the reader must finish on
// each one and never throw anything but CaptureOpenError; packet counts must
// agree with capinfos (Wireshark's reader), and timestamps/lengths with tshark
// on pcapng files with nanosecond and mixed-resolution interfaces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { haveShared, haveTool, skip, sharedCaptures } from '../helpers/skip.js';
import { readCapture, CaptureOpenError } from '../../src/capture/reader.js';
import type { CaptureInfo } from '../../src/capture/frame.js';
import { walkFiles } from '../helpers/real-captures.js';

/** Wireshark counts records it cannot always tell apart from damage the way we do. */
function knownDisagreement(info: CaptureInfo): boolean {
  // Classic pcap records with captured length > original length: libpcap and
  // Wireshark read on, our reader stops there by design ('bad-record').
  return info.format === 'pcap' && info.problems.some((p) => p.code === 'bad-record' && /larger than its original length/.test(p.message));
}

if (!haveShared()) {
  skip('../shared/captures is absent: shared capture tests not run');
} else {
  const files = walkFiles(sharedCaptures, (name) => !name.endsWith('.md'));
  const results = new Map<string, CaptureInfo | CaptureOpenError>();

  test(`reads all ${files.length} shared captures without throwing`, async () => {
    for (const f of files) {
      let frames = 0;
      let lastIndex = 0;
      try {
        const info = await readCapture(f, (fr) => {
          frames++;
          if (fr.index !== lastIndex + 1) throw new Error(`${f}: index ${fr.index} after ${lastIndex}`);
          lastIndex = fr.index;
          if (fr.off < 0 || fr.off + fr.capLen > fr.buf.length) throw new Error(`${f}: frame ${fr.index} outside its buffer`);
        });
        assert.equal(info.packets, frames, f);
        results.set(f, info);
      } catch (e) {
        assert.ok(e instanceof CaptureOpenError, `${f}: threw ${String(e)}`);
        results.set(f, e as CaptureOpenError);
      }
    }
    assert.equal(results.size, files.length);
  });

  if (!haveTool('capinfos')) {
    skip('capinfos not installed: packet counts not cross-checked');
  } else {
    test('packet counts agree with capinfos', () => {
      const counts = new Map<string, number>();
      for (let i = 0; i < files.length; i += 200) {
        const r = spawnSync('capinfos', ['-T', '-r', '-c', '-M', ...files.slice(i, i + 200)], { encoding: 'utf8', maxBuffer: 64 << 20 });
        for (const line of r.stdout.split('\n')) {
          const tab = line.lastIndexOf('\t');
          if (tab > 0) counts.set(line.slice(0, tab), Number(line.slice(tab + 1)));
        }
      }
      assert.ok(counts.size > files.length / 2, `capinfos answered for ${counts.size} files`);
      const wrong: string[] = [];
      let compared = 0;
      for (const [f, n] of counts) {
        const info = results.get(f);
        if (!info) continue;
        compared++;
        if (info instanceof CaptureOpenError) {
          wrong.push(`${relative(sharedCaptures, f)}: capinfos ${n}, ours ${info.reason}: ${info.message}`);
        } else if (info.packets !== n && !(knownDisagreement(info) && info.packets < n)) {
          wrong.push(`${relative(sharedCaptures, f)}: capinfos ${n}, ours ${info.packets} ${JSON.stringify(info.problems[0] ?? '')}`);
        }
      }
      assert.ok(compared > 0);
      assert.equal(wrong, []);
    });
  }

  if (!haveTool('tshark')) {
    skip('tshark not installed: timestamps not cross-checked');
  } else {
    for (const name of ['zeek/pcapng-multi-interface.pcapng', 'zeek/ldap/gap-data-missing.pcapng', 'zeek/contentline/telnet-long-line-no-eol.pcapng.gz']) {
      const f = join(sharedCaptures, name);
      if (!existsSync(f)) continue;
      test(`timestamps, lengths and interfaces agree with tshark: ${name}`, async () => {
        const r = spawnSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'], {
          encoding: 'utf8',
          maxBuffer: 256 << 20,
        });
        const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
        const got: string[] = [];
        await readCapture(f, (fr) => void got.push(`${fr.tsUs} ${fr.origLen} ${fr.capLen} ${fr.ifIndex}`));
        const want = rows.map(([epoch, len, cap, ifid]) => {
          const [sec, frac = ''] = epoch.split('.');
          const us = BigInt(sec) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
          return `${us} ${len} ${cap} ${ifid || 0}`;
        });
        assert.ok(want.length > 0);
        assert.equal(got, want);
      });
    }
  }
}

test.run();
