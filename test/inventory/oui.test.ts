/**
 * MAC vendors from the IEEE registry (oui-data), looked up through the line
 * index, equal what the registry parsed as JSON says for the longest
 * registered prefix (MA-S 36 bits, MA-M 28, MA-L 24).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { indexRegistry, macVendor } from '../../src/inventory/oui.js';

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

test.run();
