/**
 * MAC vendor from the IEEE registry (the `oui-data` package). Loaded once, on
 * first use, at report time: the engine never looks vendors up per packet.
 */
import { createRequire } from 'node:module';

let table: Record<string, string> | null = null;

function load(): Record<string, string> {
  if (table === null) {
    const require = createRequire(import.meta.url);
    try {
      table = require('oui-data') as Record<string, string>;
    } catch {
      table = {};
    }
  }
  return table;
}

/** Organisation name for a MAC ("aa:bb:cc:..."), or null (unknown, or locally administered). */
export function macVendor(mac: string): string | null {
  const first = parseInt(mac.slice(0, 2), 16);
  if (first & 0x02) return null; // locally administered: randomised or virtual, no registry entry
  const key = mac.slice(0, 8).replace(/:/g, '').toUpperCase();
  const entry = load()[key];
  if (!entry) return null;
  const nl = entry.indexOf('\n');
  return (nl < 0 ? entry : entry.slice(0, nl)).trim();
}
