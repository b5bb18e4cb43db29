/**
 * `nps tui` end to end in a real pseudo-terminal (tmux, 80×24 and 120×30):
 * keys are sent with send-keys and the screen read with capture-pane. Also
 * the fallback when stdout is not a terminal. Skips without tmux (CI
 * installs it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { binPath, ensureBuilt, runBin } from '../helpers/cli-run.js';
import { haveTool, projectRoot, skip } from '../helpers/skip.js';

ensureBuilt();
const OT = join(projectRoot, 'samples', 'ot-cell.pcapng');
const SOCKET = `nps-tui-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
let tmp = '';

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-tui-'));
});
test.after(() => {
  tmux('kill-server');
  rmSync(tmp, { recursive: true, force: true });
});

test('without a terminal, nps tui prints the table and says so', () => {
  const r = runBin(['tui', OT]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /not both a terminal: printing the table instead of the interactive view/);
  assert.match(r.stdout, /Assets \(\d+\)/);
  const report = join(tmp, 'ot.json');
  assert.is(runBin(['analyze', '-q', '-f', 'json', '-o', report, OT]).status, 0);
  const fromReport = runBin(['tui', report]);
  assert.is(fromReport.status, 0);
  assert.match(fromReport.stdout, /Assets \(\d+\)/);
  const bad = runBin(['tui', join(projectRoot, 'package.json')]);
  assert.is(bad.status, 3);
  assert.match(bad.stderr, /is not an nps report/);
});

async function screenUntil(pattern: RegExp, timeoutMs = 10000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = tmux('capture-pane', '-p', '-t', 'tui').stdout;
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never showed ${pattern}:\n${text}`);
}

const keys = (...k: string[]) => tmux('send-keys', '-t', 'tui', ...k);
const alive = () => tmux('has-session', '-t', 'tui').status === 0;

for (const [cols, rows] of [
  [80, 24],
  [120, 30],
] as const) {
  test(`in tmux at ${cols}x${rows}: assets, sort, filter, detail, views, help, quit`, async () => {
    if (!haveTool('tmux')) {
      skip('tmux missing: the pseudo-terminal test of nps tui is not run');
      return;
    }
    const cmd = `NO_COLOR=1 ${process.execPath} ${binPath} tui ${OT}; echo NPS-EXITED=$?; sleep 30`;
    const started = tmux('new-session', '-d', '-s', 'tui', '-x', String(cols), '-y', String(rows), cmd);
    assert.is(started.status, 0, started.stderr);
    try {
      let screen = await screenUntil(/Assets/);
      screen = await screenUntil(/10\.20\.0\.10/);
      const lines = screen.split('\n');
      assert.ok(lines.every((l) => l.length <= cols), 'nothing wider than the terminal');
      assert.ok(lines.length <= rows + 1);
      // NO_COLOR: attributes such as inverse, but no colours.
      const styled = tmux('capture-pane', '-e', '-p', '-t', 'tui').stdout;
      assert.not.match(styled, /\x1b\[(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;\d+)*m/);
      // Filter by a vendor, open the asset, see its evidence.
      keys('/');
      keys('-l', 'Schneider');
      keys('Enter');
      screen = await screenUntil(/1 of \d+/);
      assert.match(screen, /10\.20\.0\.10/);
      assert.not.match(screen, /10\.20\.0\.20/);
      keys('Enter');
      screen = await screenUntil(/BMX P34 2020/);
      assert.match(screen, /Schneider Electric/);
      // The open ports are further down the detail on a small screen: scroll to them.
      if (!/502\/tcp|502 /.test(screen)) {
        keys('NPage');
        screen = await screenUntil(/502/);
      }
      keys('Escape');
      await screenUntil(/1 of \d+/);
      keys('Escape'); // clears the filter
      await screenUntil(/10\.20\.0\.20/);
      // Sort: s moves the marker to another column; S reverses.
      keys('s');
      keys('S');
      screen = await screenUntil(/[▲▼^v]/);
      keys('Tab');
      screen = await screenUntil(/CLIENT/);
      assert.match(screen, /SERVER/);
      keys('Tab');
      await screenUntil(/PEER/);
      keys('?');
      await screenUntil(/help|Keys|keys/i);
      keys('x');
      keys('q');
      const after = await screenUntil(/NPS-EXITED=\d+/);
      assert.match(after, /NPS-EXITED=0/);
    } finally {
      if (alive()) tmux('kill-session', '-t', 'tui');
    }
  });
}

test.run();
