import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig, parseConfig, parseDuration, parseMac, parseRange } from '../../src/config/load.js';
import { STARTER_CONFIG } from '../../src/config/starter.js';
import { ConfigError, type AddressRange, type ConfigIssue, type NpsConfig } from '../../src/config/types.js';

/** SPEC §2, verbatim. */
const SPEC_EXAMPLE = `sensor:
  name: branch-a          # identifies this sensor in reports and merges
  network: corp           # the "network" (overlapping address space) it sees
internal:                 # ranges worth knowing about
  - name: Subnet-A
    ranges: [10.10.10.0/24, "10.10.11.5-10.10.11.99", fd00::/8]
    inventory: true       # true: inventoried assets; false: tracked by IP only
    assignment: dhcp      # dhcp | static: how addresses in this range are assigned
  - name: Subnet-B
    ranges: [10.20.20.0/24]
    inventory: false
excluded:                 # never inventoried; shown as "Excluded" in traffic
  - name: nat-gateways
    ips: [10.10.10.1]
    macs: ["00:11:22:33:44:55"]
external:                 # monitored external groups
  - name: social-media
    fqdns: [facebook.com, "*.fbcdn.net"]
    ips: [31.13.64.0/18]
merge:
  hostname_exclusions: [localhost, android, iphone]   # case-insensitive
  ip_inactivity: 24h      # how long an IP-only match stays valid without a DHCP lease
reporting:
  new_asset_interval: 5m
  update_interval: 30m
`;

const S = 1_000_000;

/** The issues of a config that must not load. */
function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, 'nps.yaml');
  } catch (e) {
    assert.instance(e, ConfigError);
    const err = e as ConfigError;
    assert.is(err.message, err.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'));
    return err.issues;
  }
  assert.unreachable('expected a ConfigError');
  return [];
}

function lines(issues: ConfigIssue[]): string[] {
  return issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
}

/** Strips the positions (present only for ranges read from a file). */
function withoutPositions(c: NpsConfig): NpsConfig {
  const strip = (rs: AddressRange[]) => rs.map(({ line: _l, column: _c, ...r }) => r);
  return {
    ...c,
    internal: c.internal.map((g) => ({ ...g, ranges: strip(g.ranges) })),
    excluded: c.excluded.map((g) => ({ ...g, ranges: strip(g.ranges) })),
    external: c.external.map((g) => ({ ...g, ranges: strip(g.ranges) })),
  };
}

// ---------------------------------------------------------------------------
// The SPEC example and defaults

test('the SPEC §2 example loads with the expected values', () => {
  const { config: c, warnings, path, sha256 } = parseConfig(SPEC_EXAMPLE, 'nps.yaml');
  assert.equal(warnings, []);
  assert.is(path, null);
  assert.is(sha256, null);
  assert.equal(c.sensor, { name: 'branch-a', network: 'corp' });
  assert.is(c.internal.length, 2);
  const [a, b] = c.internal;
  assert.is(a!.name, 'Subnet-A');
  assert.is(a!.inventory, true);
  assert.is(a!.assignment, 'dhcp');
  assert.equal(a!.ranges[0], {
    version: 4,
    first: [0x0a0a0a00, 0, 0, 0],
    last: [0x0a0a0aff, 0, 0, 0],
    text: '10.10.10.0/24',
    line: 6,
    column: 14,
  });
  assert.equal(a!.ranges[1], {
    version: 4,
    first: [0x0a0a0b05, 0, 0, 0],
    last: [0x0a0a0b63, 0, 0, 0],
    text: '10.10.11.5-10.10.11.99',
    line: 6,
    column: 29,
  });
  assert.equal(a!.ranges[2], {
    version: 6,
    first: [0xfd000000, 0, 0, 0],
    last: [0xfdffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    text: 'fd00::/8',
    line: 6,
    column: 55,
  });
  assert.is(b!.name, 'Subnet-B');
  assert.is(b!.inventory, false);
  assert.is(b!.assignment, 'dhcp');
  assert.equal(b!.ranges.map((r) => [r.first[0], r.last[0]]), [[0x0a141400, 0x0a1414ff]]);

  assert.is(c.excluded.length, 1);
  const ex = c.excluded[0]!;
  assert.is(ex.name, 'nat-gateways');
  assert.equal(ex.ranges.map((r) => [r.first, r.last]), [[[0x0a0a0a01, 0, 0, 0], [0x0a0a0a01, 0, 0, 0]]]);
  assert.equal(ex.macs, [0x001122334455]);
  assert.is(ex.macs[0], 73588229205);
  assert.equal(ex.macTexts, ['00:11:22:33:44:55']);

  assert.is(c.external.length, 1);
  const ext = c.external[0]!;
  assert.is(ext.name, 'social-media');
  assert.equal(ext.fqdns, ['facebook.com', '*.fbcdn.net']);
  assert.equal(ext.ranges.map((r) => [r.first[0], r.last[0]]), [[0x1f0d4000, 0x1f0d7fff]]);

  assert.equal(c.merge, { hostnameExclusions: ['localhost', 'android', 'iphone'], ipInactivityUs: 24 * 3600 * S });
  assert.equal(c.reporting, { newAssetIntervalUs: 300 * S, updateIntervalUs: 1800 * S });
});

test('defaultConfig matches SPEC §2', () => {
  const d = defaultConfig();
  assert.equal(d.sensor, { name: 'nps', network: 'default' });
  assert.is(d.internal.length, 1);
  const g = d.internal[0]!;
  assert.is(g.name, 'default');
  assert.is(g.inventory, true);
  assert.is(g.assignment, 'dhcp');
  assert.equal(
    g.ranges.map((r) => [r.text, r.version, r.first, r.last]),
    [
      ['10.0.0.0/8', 4, [0x0a000000, 0, 0, 0], [0x0affffff, 0, 0, 0]],
      ['172.16.0.0/12', 4, [0xac100000, 0, 0, 0], [0xac1fffff, 0, 0, 0]],
      ['192.168.0.0/16', 4, [0xc0a80000, 0, 0, 0], [0xc0a8ffff, 0, 0, 0]],
      ['100.64.0.0/10', 4, [0x64400000, 0, 0, 0], [0x647fffff, 0, 0, 0]],
      ['fc00::/7', 6, [0xfc000000, 0, 0, 0], [0xfdffffff, 0xffffffff, 0xffffffff, 0xffffffff]],
    ],
  );
  assert.equal(d.excluded, []);
  assert.equal(d.external, []);
  assert.equal(d.merge, { hostnameExclusions: [], ipInactivityUs: 86_400 * S });
  assert.equal(d.reporting, { newAssetIntervalUs: 300 * S, updateIntervalUs: 1800 * S });
  // A fresh object every time: callers may mutate theirs.
  d.internal.length = 0;
  assert.is(defaultConfig().internal.length, 1);
});

test('an empty file (or only comments) gives the defaults', () => {
  for (const text of ['', '\n', '# nothing here\n', '---\n']) {
    const l = parseConfig(text, 'nps.yaml');
    assert.equal(l.config, defaultConfig(), JSON.stringify(text));
    assert.equal(l.warnings, []);
  }
});

test('missing sections and keys take their defaults; null sections count as absent', () => {
  const c = parseConfig('sensor:\n  name: s1\nmerge:\nreporting:\n  update_interval: 1h\n', 'nps.yaml').config;
  const d = defaultConfig();
  assert.equal(c.sensor, { name: 's1', network: 'default' });
  assert.equal(c.internal, d.internal);
  assert.equal(c.merge, d.merge);
  assert.equal(c.reporting, { newAssetIntervalUs: 300 * S, updateIntervalUs: 3600 * S });
  // An explicit empty list means nothing is internal.
  assert.equal(parseConfig('internal: []\n', 'nps.yaml').config.internal, []);
  // A bare number is seconds; hostname exclusions are lower-cased.
  const m = parseConfig('merge:\n  ip_inactivity: 90\n  hostname_exclusions: [LocalHost, "iPhone"]\n', 'x.yaml').config.merge;
  assert.equal(m, { hostnameExclusions: ['localhost', 'iphone'], ipInactivityUs: 90 * S });
});

// ---------------------------------------------------------------------------
// Errors

test('an unknown key (typo) is an error at the key, with a suggestion', () => {
  const text = 'internal:\n  - name: lan\n    ranges: [10.0.0.0/8]\n    inventroy: false\n';
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:4:5: internal[0]: unknown key `inventroy` (did you mean `inventory`?)',
  ]);
  assert.equal(lines(issuesOf('sensor:\n  name: a\nreportng:\n  update_interval: 5m\n')), [
    'nps.yaml:3:1: unknown key `reportng` (did you mean `reporting`?)',
  ]);
  assert.equal(lines(issuesOf('merge:\n  hostnameExclusions: [a]\n')), [
    'nps.yaml:2:3: merge: unknown key `hostnameExclusions` (did you mean `hostname_exclusions`?)',
  ]);
  // A key in the wrong kind of group.
  assert.equal(lines(issuesOf('excluded:\n  - name: gw\n    ranges: [10.0.0.1]\n')), [
    'nps.yaml:3:5: excluded[0]: unknown key `ranges` (did you mean `ips`?)',
  ]);
  // Nothing close: the known keys are listed instead.
  assert.equal(lines(issuesOf('sensor:\n  location: basement\n')), [
    'nps.yaml:2:3: sensor: unknown key `location` (expected one of: name, network)',
  ]);
});

test('bad CIDR blocks, ranges and addresses are reported at the list item', () => {
  const text = [
    'internal:',
    '  - name: lan',
    '    ranges:',
    '      - 10.0.0.0/8',
    '      - 192.168.0.0/16',
    '      - 10.0.0.0/33',
    '      - "10.0.0.9-10.0.0.1"',
    '      - 10.0.0.1-fd00::1',
    '      - fd00::/129',
    '      - 10.0.0.256',
    '      - 10.0.0.0/8/8',
    '      - 10',
    '',
  ].join('\n');
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:6:9: internal[0].ranges[2]: bad CIDR "10.0.0.0/33": prefix length must be 0-32',
    'nps.yaml:7:9: internal[0].ranges[3]: bad range "10.0.0.9-10.0.0.1": first address is after the last',
    'nps.yaml:8:9: internal[0].ranges[4]: bad range "10.0.0.1-fd00::1": mixes IPv4 and IPv6',
    'nps.yaml:9:9: internal[0].ranges[5]: bad CIDR "fd00::/129": prefix length must be 0-128',
    'nps.yaml:10:9: internal[0].ranges[6]: bad address "10.0.0.256": not an IPv4 or IPv6 address, CIDR block (10.0.0.0/8) or range (10.0.0.5-10.0.0.99)',
    'nps.yaml:11:9: internal[0].ranges[7]: bad CIDR "10.0.0.0/8/8": more than one "/"',
    'nps.yaml:12:9: internal[0].ranges[8]: expected an address, CIDR block or range as a string, got 10',
  ]);
  // In a flow sequence: the column of the item itself.
  assert.equal(lines(issuesOf('external:\n  - name: x\n    ips: [1.2.3.4, 10.0.0.0/33]\n')), [
    'nps.yaml:3:20: external[0].ips[1]: bad CIDR "10.0.0.0/33": prefix length must be 0-32',
  ]);
});

test('a bad MAC is reported at the item', () => {
  const text = 'excluded:\n  - name: gw\n    macs: ["00:11:22:33:44:55", "00:11:22:33:44", 0011.2233.445g]\n';
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:3:33: excluded[0].macs[1]: bad MAC "00:11:22:33:44": expected six hex bytes like 00:11:22:33:44:55, 00-11-22-33-44-55 or 0011.2233.4455',
    'nps.yaml:3:51: excluded[0].macs[2]: bad MAC "0011.2233.445g": expected six hex bytes like 00:11:22:33:44:55, 00-11-22-33-44-55 or 0011.2233.4455',
  ]);
});

test('a bad duration is reported at the value', () => {
  assert.equal(lines(issuesOf('reporting:\n  new_asset_interval: 5x\n  update_interval: 0s\nmerge:\n  ip_inactivity: -1\n')), [
    'nps.yaml:2:23: reporting.new_asset_interval: bad duration "5x": use a number with a unit (ms, s, m, h, d), e.g. 30s, 5m, 24h, 1h30m',
    'nps.yaml:3:20: reporting.update_interval: bad duration "0s": must be at least 1s',
    'nps.yaml:5:18: merge.ip_inactivity: bad duration -1: use a number with a unit (ms, s, m, h, d), e.g. 30s, 5m, 24h, 1h30m',
  ]);
});

test('FQDNs: bad ones are errors at the item; good ones are lower-cased without trailing dot', () => {
  const text = 'external:\n  - name: x\n    fqdns: [Example.COM., "*.CDN.example.net", "bad name.com", "a..b", "x.*.y", -a.com]\n';
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:3:48: external[0].fqdns[2]: bad FQDN "bad name.com": label "bad name" may only hold letters, digits, "-" and "_"',
    'nps.yaml:3:64: external[0].fqdns[3]: bad FQDN "a..b": empty label (two dots in a row?)',
    'nps.yaml:3:72: external[0].fqdns[4]: bad FQDN "x.*.y": "*" is only allowed as the whole first label ("*.example.com")',
    'nps.yaml:3:81: external[0].fqdns[5]: bad FQDN "-a.com": label "-a" starts or ends with "-"',
  ]);
  const ok = parseConfig('external:\n  - name: x\n    fqdns: [Example.COM., "*.CDN.example.net"]\n', 'nps.yaml');
  assert.equal(ok.config.external[0]!.fqdns, ['example.com', '*.cdn.example.net']);
  assert.equal(ok.config.external[0]!.ranges, []);
});

test('wrong types, missing names and bad enum values are errors', () => {
  const text = [
    'sensor:',
    '  name: 42',
    'internal:',
    '  - ranges: [10.0.0.0/8]',
    '    inventory: yes',
    '    assignment: dchp',
    '  - name: b',
    '  - name: c',
    '    ranges: 10.0.0.0/8',
    'excluded: nope',
    '',
  ].join('\n');
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:2:9: sensor.name: expected a string, got 42 (put it in quotes)',
    'nps.yaml:4:5: internal[0]: missing `name`',
    'nps.yaml:5:16: internal[0].inventory: expected true or false, got "yes"',
    'nps.yaml:6:17: internal[0].assignment: expected dhcp or static, got "dchp" (did you mean `dhcp`?)',
    'nps.yaml:7:5: internal[1]: missing `ranges`',
    'nps.yaml:9:13: internal[2].ranges: expected a list, got "10.0.0.0/8"',
    'nps.yaml:10:11: excluded: expected a list, got "nope"',
  ]);
  assert.equal(lines(issuesOf('- a\n- b\n')), ['nps.yaml:1:1: expected a mapping, got a list']);
  assert.equal(lines(issuesOf('internal:\n  - name: x\n    ranges: []\n')), [
    'nps.yaml:3:13: internal[0].ranges: must list at least one item',
  ]);
});

test('a YAML syntax error carries the parser position', () => {
  assert.equal(lines(issuesOf('sensor:\n  name: [a, b\nreporting: {}\n')), [
    'nps.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  assert.equal(lines(issuesOf('sensor:\n  name: a\n  name: b\n')), [
    'nps.yaml:3:3: YAML: this key appears twice in the same mapping; keep one',
  ]);
  const multi = issuesOf('sensor: {}\n---\nsensor: {}\n');
  assert.is(multi.length, 1);
  assert.match(multi[0]!.message, /more than one document/);
});

test('group names are unique within their list (ignoring case)', () => {
  const text = [
    'internal:',
    '  - name: lan',
    '    ranges: [10.0.0.0/8]',
    '  - name: LAN',
    '    ranges: [192.168.0.0/16]',
    'external:',
    '  - name: lan', // another list: allowed
    '    fqdns: [example.com]',
    '  - name: cdn',
    '  - name: cdn',
    '',
  ].join('\n');
  assert.equal(lines(issuesOf(text)), [
    'nps.yaml:4:11: internal[1].name: duplicate group name "LAN" (already used by internal[0] at line 2); give each group its own name',
    'nps.yaml:10:11: external[2].name: duplicate group name "cdn" (already used by external[1] at line 9); give each group its own name',
  ]);
});

test('several errors at once are all reported, in file order', () => {
  const text = [
    'sensr:',
    '  name: a',
    'internal:',
    '  - name: lan',
    '    ranges: [10.0.0.0/33]',
    '    inventroy: true',
    '  - name: lan',
    '    ranges: [fd00::/8]',
    'excluded:',
    '  - name: gw',
    '    macs: ["zz:11:22:33:44:55"]',
    'reporting:',
    '  update_interval: 5x',
    '',
  ].join('\n');
  const issues = issuesOf(text);
  assert.equal(
    issues.map((i) => [i.line, i.column]),
    [
      [1, 1],
      [5, 14],
      [6, 5],
      [7, 11],
      [11, 12],
      [13, 20],
    ],
  );
  assert.match(issues[0]!.message, 'unknown key `sensr` (did you mean `sensor`?)');
  assert.match(issues[1]!.message, 'bad CIDR');
  assert.match(issues[2]!.message, '`inventroy`');
  assert.match(issues[3]!.message, 'duplicate group name');
  assert.match(issues[4]!.message, 'bad MAC');
  assert.match(issues[5]!.message, 'bad duration "5x"');
  assert.ok(issues.every((i) => i.file === 'nps.yaml'));
});

// ---------------------------------------------------------------------------
// Warnings

test('overlapping inventoried ranges warn at the second range', () => {
  const text = [
    'internal:',
    '  - name: A',
    '    ranges: [10.0.0.0/8, "10.1.0.0-10.1.0.255"]',
    '  - name: B',
    '    ranges: [192.168.0.0/16, 10.200.0.0/16]',
    '  - name: C',
    '    ranges: [fd00::/8, "fd00::1-fd00::9"]',
    '',
  ].join('\n');
  const { warnings } = parseConfig(text, 'nps.yaml');
  assert.equal(
    warnings.map((w) => [w.code, w.file, w.line, w.column]),
    [
      ['overlapping-inventory-ranges', 'nps.yaml', 3, 26],
      ['overlapping-inventory-ranges', 'nps.yaml', 5, 30],
      ['overlapping-inventory-ranges', 'nps.yaml', 7, 24],
    ],
  );
  assert.match(warnings[1]!.message, '10.200.0.0/16 of group "B" overlaps 10.0.0.0/8 of group "A"');
  assert.match(warnings[0]!.message, '10.1.0.0-10.1.0.255 of group "A" overlaps 10.0.0.0/8 of group "A"');
});

test('no warning for a non-inventoried range overlapping an inventoried one, or for adjacent ranges', () => {
  const text = [
    'internal:',
    '  - name: A',
    '    ranges: [10.0.0.0/8, 11.0.0.0/8]',
    '  - name: guests',
    '    ranges: [10.20.0.0/16]',
    '    inventory: false',
    '  - name: more-guests',
    '    ranges: [10.20.1.0/24]',
    '    inventory: false',
    '  - name: v6',
    '    ranges: ["::ffff:10.0.0.0/104"]', // IPv4-mapped IPv6 is IPv6: no overlap with 10/8
    '',
  ].join('\n');
  const l = parseConfig(text, 'nps.yaml');
  assert.equal(l.warnings, []);
  assert.is(l.config.internal[3]!.ranges[0]!.version, 6);
});

// ---------------------------------------------------------------------------
// Files

test('loadConfig: a missing --config file is a ConfigError saying what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nps-config-'));
  try {
    let err: unknown;
    try {
      loadConfig({ path: 'missing.yaml', cwd: dir });
    } catch (e) {
      err = e;
    }
    assert.instance(err, ConfigError);
    const issues = (err as ConfigError).issues;
    assert.is(issues.length, 1);
    assert.equal([issues[0]!.file, issues[0]!.line, issues[0]!.column], ['missing.yaml', 1, 1]);
    assert.match(issues[0]!.message, 'no such file');
    assert.match(issues[0]!.message, '`nps config init`');
    // A directory is not a config file either.
    mkdirSync(join(dir, 'sub'));
    assert.throws(() => loadConfig({ path: 'sub', cwd: dir }), (e: unknown) => e instanceof ConfigError && /directory/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadConfig: ./nps.yaml from cwd when present, else the defaults; sha256 of the bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nps-config-'));
  try {
    const none = loadConfig({ cwd: dir });
    assert.equal(none, { config: defaultConfig(), path: null, sha256: null, warnings: [] });

    const text = 'sensor:\n  name: from-cwd\n';
    writeFileSync(join(dir, 'nps.yaml'), text);
    const found = loadConfig({ cwd: dir });
    assert.is(found.config.sensor.name, 'from-cwd');
    assert.is(found.path, join(dir, 'nps.yaml'));
    assert.is(found.sha256, createHash('sha256').update(text).digest('hex'));
    assert.match(found.sha256!, /^[0-9a-f]{64}$/);

    // An explicit path (relative to cwd) wins; errors name the file as given.
    writeFileSync(join(dir, 'other.yaml'), 'sensor:\n  nme: x\n');
    assert.throws(
      () => loadConfig({ path: 'other.yaml', cwd: dir }),
      (e: unknown) => e instanceof ConfigError && e.message === 'other.yaml:2:3: sensor: unknown key `nme` (did you mean `name`?)',
    );
    writeFileSync(join(dir, 'other.yaml'), SPEC_EXAMPLE);
    const other = loadConfig({ path: join(dir, 'other.yaml') });
    assert.is(other.config.sensor.name, 'branch-a');
    assert.is(other.sha256, createHash('sha256').update(SPEC_EXAMPLE).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------
// The starter configuration

/** Uncomments the example block that follows the line `marker` (up to the next blank line). */
function uncomment(text: string, marker: string): string {
  const ls = text.split('\n');
  const start = ls.findIndex((l) => l === marker);
  assert.ok(start >= 0, `marker ${marker}`);
  for (let i = start + 1; i < ls.length && ls[i] !== ''; i++) {
    assert.ok(ls[i]!.startsWith('# '), ls[i]);
    ls[i] = ls[i]!.slice(2);
  }
  return ls.join('\n');
}

test('STARTER_CONFIG loads cleanly and behaves like the defaults', () => {
  const l = parseConfig(STARTER_CONFIG, 'nps.yaml');
  assert.equal(l.warnings, []);
  assert.equal(withoutPositions(l.config), defaultConfig());
  // Every key of SPEC §2 is at least mentioned.
  for (const key of [
    'sensor:', 'name:', 'network:', 'internal:', 'ranges:', 'inventory:', 'assignment:', 'excluded:', 'ips:',
    'macs:', 'external:', 'fqdns:', 'merge:', 'hostname_exclusions:', 'ip_inactivity:', 'reporting:',
    'new_asset_interval:', 'update_interval:',
  ]) {
    assert.ok(STARTER_CONFIG.includes(key), key);
  }
});

test('STARTER_CONFIG: its commented-out examples load cleanly too', () => {
  let text = uncomment(STARTER_CONFIG, '# A group tracked by IP only, e.g. a guest network:');
  text = uncomment(text, '# For example (replace the line "excluded: []" with):').replace('\nexcluded: []\n', '\n');
  text = uncomment(text, '# For example (replace the line "external: []" with):').replace('\nexternal: []\n', '\n');
  const l = parseConfig(text, 'nps.yaml');
  assert.equal(l.warnings, []);
  assert.equal(l.config.internal.map((g) => [g.name, g.inventory]), [['default', true], ['guest-wifi', false]]);
  assert.equal(l.config.excluded.map((g) => [g.name, g.macTexts]), [['nat-gateways', ['00:11:22:33:44:55']]]);
  assert.equal(l.config.external.map((g) => [g.name, g.fqdns.length, g.ranges.length]), [['social-media', 3, 1]]);
});

// ---------------------------------------------------------------------------
// The leaf parsers

test('parseRange', () => {
  assert.equal(parseRange('10.0.0.0/8'), { version: 4, first: [0x0a000000, 0, 0, 0], last: [0x0affffff, 0, 0, 0], text: '10.0.0.0/8' });
  // Host bits are masked off.
  assert.equal(parseRange('10.1.2.3/16')!.first, [0x0a010000, 0, 0, 0]);
  assert.equal(parseRange('0.0.0.0/0')!.last, [0xffffffff, 0, 0, 0]);
  assert.equal(parseRange('1.2.3.4'), { version: 4, first: [0x01020304, 0, 0, 0], last: [0x01020304, 0, 0, 0], text: '1.2.3.4' });
  assert.equal(parseRange('fd00::1')!.first, [0xfd000000, 0, 0, 1]);
  assert.equal(parseRange('2001:db8::/33')!.last, [0x20010db8, 0x7fffffff, 0xffffffff, 0xffffffff]);
  assert.equal(parseRange('::/0')!.last, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
  assert.equal(parseRange('::ffff:10.0.0.1'), {
    version: 6,
    first: [0, 0, 0xffff, 0x0a000001],
    last: [0, 0, 0xffff, 0x0a000001],
    text: '::ffff:10.0.0.1',
  });
  assert.equal(parseRange('fd00::5-fd00::9')!.last, [0xfd000000, 0, 0, 9]);
  assert.equal(parseRange('10.0.0.5 - 10.0.0.5')!.first, [0x0a000005, 0, 0, 0]);
  for (const bad of ['', '10.0.0.0/33', '10.0.0.0/', '/8', '10.0.0.9-10.0.0.1', '10.0.0.1-::1', '10.1', '010.0.0.1',
    '0x0a.0.0.1', '1.2.3.4.5', 'fe80::1%eth0', 'fd00::/129', 'gggg::', '10.0.0.0/8/8', 'a-b-c', 'example.com']) {
    assert.is(parseRange(bad), null, bad);
  }
});

test('parseMac', () => {
  assert.is(parseMac('00:11:22:33:44:55'), 0x001122334455);
  assert.is(parseMac('00-11-22-33-44-55'), 0x001122334455);
  assert.is(parseMac('0011.2233.4455'), 0x001122334455);
  assert.is(parseMac('AA:bb:CC:dd:EE:ff'), 0xaabbccddeeff);
  assert.is(parseMac('ff:ff:ff:ff:ff:ff'), 2 ** 48 - 1);
  for (const bad of ['', '00:11:22:33:44', '00:11:22:33:44:55:66', '00:11-22:33:44:55', 'gg:11:22:33:44:55', '0011.2233.445', '001122334455', '0:1:2:3:4:5']) {
    assert.is(parseMac(bad), null, bad);
  }
});

test('parseDuration', () => {
  assert.is(parseDuration('30s'), 30 * S);
  assert.is(parseDuration('5m'), 300 * S);
  assert.is(parseDuration('24h'), 86_400 * S);
  assert.is(parseDuration('7d'), 7 * 86_400 * S);
  assert.is(parseDuration('1h30m'), 5400 * S);
  assert.is(parseDuration('1m30s500ms'), 90_500_000);
  assert.is(parseDuration('500ms'), 500_000);
  assert.is(parseDuration('250us'), 250);
  assert.is(parseDuration('1.5h'), 5400 * S);
  assert.is(parseDuration('2w'), 14 * 86_400 * S);
  assert.is(parseDuration(90), 90 * S);
  assert.is(parseDuration('90'), 90 * S);
  assert.is(parseDuration(0), 0);
  for (const bad of ['5x', '', 'h', '-5s', '5 minutes', '1h30', 'm5', '5M']) {
    assert.is(parseDuration(bad), null, bad);
  }
  assert.is(parseDuration(-1), null);
  assert.is(parseDuration(Number.NaN), null);
});

test('update_interval is at least 1 s (shorter ones would overflow the flow rows\' interval numbers)', () => {
  assert.equal(lines(issuesOf('reporting:\n  update_interval: 500ms\n')), ['nps.yaml:2:20: reporting.update_interval: bad duration "500ms": must be at least 1s']);
  assert.is(parseConfig('reporting:\n  update_interval: 1s\n', 'nps.yaml').config.reporting.updateIntervalUs, 1e6);
});

test.run();
