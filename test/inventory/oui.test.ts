/**
 * MAC vendors from the IEEE registry (oui-data), looked up by binary search
 * over its lines (or through a line index), equal what the registry parsed as JSON says for the longest
 * registered prefix (MA-S 36 bits, MA-M 28, MA-L 24).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexRegistry, macVendor, openRegistry } from '../../src/inventory/oui.js';

const registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;

function expected(hex: string): string | null {
  for (const n of [9, 7, 6]) {
    const e = registry[hex.slice(0, n)];
    if (e !== undefined) return e.split('\n')[0]!.trim() || null;
  }
  return null;
}

const asMac = (hex: string): string => hex.match(/../g)!.join(':').toLowerCase();

test('every registered prefix: the vendor equals the registry\'s first line for the longest prefix', () => {
  let checked = 0;
  let longer = 0;
  for (const key of Object.keys(registry)) {
    // Fill the rest of the 12 digits from the key itself, so MACs differ.
    const hex = (key + key + key).slice(0, 12);
    if (parseInt(hex.slice(0, 2), 16) & 0x02) continue; // locally administered: never looked up
    assert.is(macVendor(asMac(hex)), expected(hex), `${key} (${asMac(hex)})`);
    checked++;
    if (key.length > 6) longer++;
  }
  assert.ok(checked > 40_000, `only ${checked} prefixes checked`);
  assert.ok(longer > 10_000, 'MA-M and MA-S prefixes were checked too');
});

test('a MAC in a block split into MA-M entries gets the MA-M organisation, not the registration authority', () => {
  const key = Object.keys(registry).find((k) => k.length === 7 && registry[k.slice(0, 6)] !== undefined)!;
  assert.ok(key, 'the registry has an MA-M block whose MA-L entry exists');
  const hex = (key + '00000').slice(0, 12);
  assert.is(macVendor(asMac(hex)), registry[key]!.split('\n')[0]!.trim());
});

test('locally administered and unknown MACs have no vendor', () => {
  assert.is(macVendor('02:00:00:00:00:01'), null);
  assert.is(macVendor('da:a1:19:00:00:01'), null);
});

test('a registry that is not one entry per line is not indexed (it is parsed as JSON instead)', () => {
  assert.is(indexRegistry(Buffer.from('{"000000": "A\\nB", "000001": "C"}')), null);
  assert.is(indexRegistry(Buffer.from('{\n "00000": "short key"\n}\n')), null);
  const ok = indexRegistry(Buffer.from('{\n "00000A": "Maker \\"X\\"\\nStreet",\n "00000B": "Other"\n}\n'));
  assert.ok(ok !== null);
  assert.is(ok!.at[2]!.size, 2);
});

/** A registry file of the package's shape: one entry per line. */
const registryFile = (keys: string[]): Buffer => Buffer.from(`{\n${keys.map((k) => ` "${k}": "Org ${k}\\nStreet"`).join(',\n')}\n}\n`);

test('the installed registry is in (length, value) order throughout: binary search finds every entry', () => {
  const text = readFileSync(createRequire(import.meta.url).resolve('oui-data'));
  // In file order (Object.keys would list index-like keys such as "100000" first).
  const keys = [...text.toString('latin1').matchAll(/^ "([0-9A-F]+)": /gm)].map((m) => m[1]!);
  assert.is(keys.length, Object.keys(registry).length);
  const find = openRegistry(text)!;
  for (const k of keys) assert.ok(find(k.length, parseInt(k, 16)) >= 0, k);
  assert.is(find(6, 0xfffffe) >= 0, registry['FFFFFE'] !== undefined);
  const sorted = [...keys].sort((a, b) => a.length - b.length || parseInt(a, 16) - parseInt(b, 16));
  assert.equal(keys, sorted, 'oui-data changed its order: the sampled check protects lookups, but check openRegistry');
});

test('a registry out of order is indexed instead; either way every entry and no other is found', () => {
  const inOrder = ['00000A', '00000B', '0000FF', 'ABCDEF', 'FFFFFF', '0055DA0', '70B3D5001', '8C1F64FFC'];
  const shuffled = ['ABCDEF', '00000A', '8C1F64FFC', '0000FF', '0055DA0', 'FFFFFF', '00000B', '70B3D5001'];
  for (const keys of [inOrder, shuffled]) {
    const text = registryFile(keys);
    const find = openRegistry(text)!;
    assert.ok(find !== null);
    for (const k of keys) {
      const at = find(k.length, parseInt(k, 16));
      assert.is(text.toString('utf8', at, at + 4 + k.length), `Org ${k}`, k);
    }
    for (const [n, v] of [[6, 0x00000c], [6, 0], [7, 0x0055da1], [9, 0x70b3d5000], [6, 0xfffffe], [9, 0xfffffffff]] as const) assert.is(find(n, v), -1, `${n}:${v}`);
  }
  assert.is(openRegistry(Buffer.from('{"000000": "A\\nB", "000001": "C"}')), null);
});

test.run();
