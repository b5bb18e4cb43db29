/** The `limits:` section of the configuration (SPEC §10): bounds of the tables that traffic can grow. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultConfig, LIMITS, parseConfig } from '../../src/config/load.js';
import { STARTER_CONFIG } from '../../src/config/starter.js';
import { ConfigError, type ConfigIssue } from '../../src/config/types.js';

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, 'nps.yaml');
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).issues.map((i: ConfigIssue) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
  }
  assert.unreachable('expected a ConfigError');
  return [];
}

const DEFAULTS = {
  flows: 262144,
  assets: 32768,
  macs: 32768,
  flowRows: 200_000,
  fragments: 8192,
  fragmentBytes: 32 * 1024 * 1024,
  tcpStreams: 4096,
  observations: 65536,
  dnsNames: 65536,
  duplicateSlots: 16384,
};

test('defaults: the engine\'s own defaults', () => {
  assert.equal(defaultConfig().limits, DEFAULTS);
  assert.equal(parseConfig('', 'nps.yaml').config.limits, DEFAULTS);
  assert.equal(parseConfig('limits:\n', 'nps.yaml').config.limits, DEFAULTS, 'an empty section');
  assert.equal(parseConfig('limits: {}\n', 'nps.yaml').config.limits, DEFAULTS);
  assert.equal(LIMITS.map((l) => l.key), ['flows', 'assets', 'macs', 'flow_rows', 'fragments', 'fragment_bytes', 'tcp_streams', 'observations', 'dns_names', 'duplicate_slots']);
});

test('valid values replace only the keys given', () => {
  const c = parseConfig('sensor:\n  name: s1\nlimits:\n  flows: 1000\n  dns_names: 10\n  duplicate_slots: 1024\n  fragment_bytes: 1048576\n', 'nps.yaml').config;
  assert.equal(c.limits, { ...DEFAULTS, flows: 1000, dnsNames: 10, duplicateSlots: 1024, fragmentBytes: 1048576 });
  assert.is(c.sensor.name, 's1');
  const all = parseConfig(
    'limits:\n  flows: 16\n  assets: 1\n  macs: 2\n  flow_rows: 3\n  fragments: 4\n  fragment_bytes: 65536\n  tcp_streams: 5\n  observations: 6\n  dns_names: 7\n  duplicate_slots: 1\n',
    'nps.yaml',
  ).config.limits;
  assert.equal(all, { flows: 16, assets: 1, macs: 2, flowRows: 3, fragments: 4, fragmentBytes: 65536, tcpStreams: 5, observations: 6, dnsNames: 7, duplicateSlots: 1 });
});

test('bad values are reported at their line and column', () => {
  assert.equal(issuesOf('limits:\n  flows: 0\n  assets: -5\n  macs: 1.5\n  observations: lots\n  tcp_streams: "4096"\n  flow_rows: 999999999999\n'), [
    'nps.yaml:2:10: limits.flows: expected a whole number from 16 to 16777216, got 0',
    'nps.yaml:3:11: limits.assets: expected a whole number from 1 to 16777216, got -5',
    'nps.yaml:4:9: limits.macs: expected a whole number from 1 to 16777216, got 1.5',
    'nps.yaml:5:17: limits.observations: expected a whole number from 1 to 16777216, got "lots"',
    'nps.yaml:6:16: limits.tcp_streams: expected a whole number from 1 to 1048576, got "4096" (write the digits without quotes or "_")',
    'nps.yaml:7:14: limits.flow_rows: expected a whole number from 1 to 100000000, got 999999999999',
  ]);
});

test('duplicate_slots must be a power of two', () => {
  assert.equal(issuesOf('limits:\n  duplicate_slots: 10000\n'), [
    'nps.yaml:2:20: limits.duplicate_slots: must be a power of two (such as 8192 or 16384), got 10000',
  ]);
  assert.equal(issuesOf('limits:\n  duplicate_slots: 3\n'), ['nps.yaml:2:20: limits.duplicate_slots: must be a power of two (such as 2 or 4), got 3']);
  assert.is(parseConfig('limits:\n  duplicate_slots: 65536\n', 'nps.yaml').config.limits.duplicateSlots, 65536);
});

test('unknown keys in limits are errors with a suggestion; limits must be a mapping', () => {
  assert.equal(issuesOf('limits:\n  flow: 100\n  dns_name: 5\n  bogus_table_name: 1\n'), [
    'nps.yaml:2:3: limits: unknown key `flow` (did you mean `flows`?)',
    'nps.yaml:3:3: limits: unknown key `dns_name` (did you mean `dns_names`?)',
    'nps.yaml:4:3: limits: unknown key `bogus_table_name` (expected one of: flows, assets, macs, flow_rows, fragments, fragment_bytes, tcp_streams, observations, dns_names, duplicate_slots)',
  ]);
  assert.equal(issuesOf('limit:\n  flows: 100\n'), ['nps.yaml:1:1: unknown key `limit` (did you mean `limits`?)']);
  assert.equal(issuesOf('limits: [1, 2]\n'), ['nps.yaml:1:9: limits: expected a mapping, got a list']);
  assert.equal(issuesOf('sensor:\n  name: s\nlimits:\n  flows: 8\nreporting:\n  update_interval: 0s\n'), [
    'nps.yaml:4:10: limits.flows: expected a whole number from 16 to 16777216, got 8',
    'nps.yaml:6:20: reporting.update_interval: bad duration "0s": must be at least 1s',
  ]);
});

test('the starter configuration documents every key, with the defaults, in a block that loads when uncommented', () => {
  for (const l of LIMITS) assert.ok(STARTER_CONFIG.includes(`#   ${l.key}: ${l.def} `), l.key);
  const lines = STARTER_CONFIG.split('\n');
  const start = lines.indexOf('# limits:');
  assert.ok(start > 0);
  for (let i = start; i < lines.length && lines[i]!.startsWith('#'); i++) lines[i] = lines[i]!.replace(/^# /, '');
  assert.equal(parseConfig(lines.join('\n'), 'nps.yaml').config.limits, DEFAULTS);
});

test.run();
