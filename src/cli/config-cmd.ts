/** `nps config init | validate | explain`: write, check and query the configuration (SPEC §2). */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigClassifier } from '../config/classifier.js';
import { AddrClass } from '../config/classify.js';
import { loadConfig, parseMac, parseRange } from '../config/load.js';
import { STARTER_CONFIG } from '../config/starter.js';
import type { AddressRange, LoadedConfig, NpsConfig } from '../config/types.js';
import { macToString } from '../inventory/addr-format.js';
import { crossSensorOverlaps } from '../merge/lint.js';
import { CliError, UsageError } from './errors.js';
import type { CliIO } from './io.js';

export function runConfigInit(file: string | undefined, opts: { force?: boolean }, io: CliIO): number {
  const path = file ?? 'nps.yaml';
  if (path !== '-' && existsSync(path) && !opts.force) {
    throw new UsageError(`${path} already exists: choose another name, or add --force to overwrite it`);
  }
  if (path === '-') {
    io.stdout.write(STARTER_CONFIG);
    return 0;
  }
  try {
    writeFileSync(path, STARTER_CONFIG);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`, 3);
  }
  io.stderr.write(`nps: wrote ${path}; edit it, then check it with: nps config validate ${path}\n`);
  return 0;
}

function describe(loaded: LoadedConfig): string {
  const c = loaded.config;
  const ranges = (list: { ranges: AddressRange[] }[]) => list.reduce((n, g) => n + g.ranges.length, 0);
  return (
    `sensor ${c.sensor.name} on network ${c.sensor.network}; ` +
    `${c.internal.length} internal group(s) with ${ranges(c.internal)} range(s), ` +
    `${c.excluded.length} excluded group(s), ${c.external.length} monitored external group(s)`
  );
}

export function runConfigValidate(files: string[], io: CliIO): number {
  const list: (string | undefined)[] = files.length === 0 ? [undefined] : files;
  const loadedAll: LoadedConfig[] = [];
  for (const file of list) {
    const loaded = loadConfig({ path: file, cwd: process.cwd() });
    const name = loaded.path ?? 'built-in defaults (no nps.yaml here)';
    for (const w of loaded.warnings) {
      io.stderr.write(`nps: warning: ${w.file ?? name}:${w.line ?? 1}:${w.column ?? 1}: ${w.message}\n`);
    }
    io.stdout.write(`${file ?? name}: valid: ${describe(loaded)}\n`);
    loadedAll.push(loaded);
  }
  // Several sensors' configurations: their inventoried ranges should not overlap on one network.
  if (loadedAll.length > 1) {
    const overlaps = crossSensorOverlaps(
      loadedAll.map((l, i) => ({ sensor: l.config.sensor.name, network: l.config.sensor.network, source: list[i] ?? 'nps.yaml', groups: l.config.internal })),
    );
    for (const w of overlaps) io.stderr.write(`nps: warning: ${w.message}\n`);
    const names = loadedAll.map((l) => l.config.sensor.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) io.stderr.write(`nps: warning: sensor name "${dup}" is used by more than one configuration; give each sensor its own sensor.name so merges can tell them apart\n`);
  }
  return 0;
}

function containing(ranges: AddressRange[], version: 4 | 6, words: number[]): AddressRange[] {
  const cmp = (a: readonly number[], b: readonly number[]) => {
    for (let i = 0; i < 4; i++) if ((a[i]! >>> 0) !== (b[i]! >>> 0)) return (a[i]! >>> 0) < (b[i]! >>> 0) ? -1 : 1;
    return 0;
  };
  return ranges.filter((r) => r.version === version && cmp(r.first, words) <= 0 && cmp(words, r.last) <= 0);
}

function where(r: AddressRange, file: string | null): string {
  return r.line !== undefined && file ? ` (${file}:${r.line}:${r.column ?? 1})` : '';
}

/** Says which rule of SPEC §2.1 classifies `target` (an IP address or a MAC), and why. */
export function explain(target: string, loaded: LoadedConfig): string {
  const c: NpsConfig = loaded.config;
  const file = loaded.path;
  const mac = parseMac(target);
  if (mac !== null) {
    const g = c.excluded.find((x) => x.macs.includes(mac));
    if (g) return `${macToString(mac)} is excluded: listed under excluded group "${g.name}". Every address it owns (bound by ARP/ND, or the only MAC it sends from) is Excluded: nothing is inventoried and its traffic shows as "Excluded".`;
    return `${macToString(mac)} is not excluded: no excluded group lists it, so the addresses it uses are classified by their IP (run nps config explain <ip>).`;
  }
  const range = parseRange(target);
  if (range === null || range.text.includes('/') || range.text.includes('-')) {
    throw new UsageError(`"${target}" is neither an IP address nor a MAC address (like 10.1.2.3, fd00::1 or 00:11:22:33:44:55)`);
  }
  const words = range.first;
  const v = range.version;
  const ip = target.trim();
  const classifier = new ConfigClassifier(c);
  const cls = v === 4 ? classifier.classify4(words[0]!) : classifier.classify6(words);
  const lines: string[] = [];
  const excl = c.excluded.flatMap((g) => containing(g.ranges, v, words).map((r) => ({ g, r })));
  const internal = c.internal.flatMap((g) => containing(g.ranges, v, words).map((r) => ({ g, r })));
  const external = c.external.flatMap((g) => containing(g.ranges, v, words).map((r) => ({ g, r })));
  switch (cls) {
    case AddrClass.Special:
      lines.push(`${ip} is a special address (multicast, broadcast, unspecified or loopback): shown as it is in flows, never an asset.`);
      break;
    case AddrClass.Excluded: {
      const e = excl[0]!;
      lines.push(`${ip} is excluded (rule 1): in ${e.r.text} of excluded group "${e.g.name}"${where(e.r, file)}. Nothing about it is inventoried; in traffic it shows as "Excluded", without its address.`);
      break;
    }
    case AddrClass.Inventoried:
    case AddrClass.Tracked: {
      if (internal.length === 0) {
        lines.push(`${ip} is link-local: it cannot be routed, so it belongs to the local segment and is inventoried unless a configured range says otherwise.`);
        break;
      }
      const big = (w: readonly number[]) => w.reduce((n, x) => (n << 32n) | BigInt(x >>> 0), 0n);
      const size = (r: AddressRange) => big(r.last) - big(r.first);
      const best = [...internal].sort((a, b) => (size(a.r) < size(b.r) ? -1 : size(a.r) > size(b.r) ? 1 : 0))[0]!;
      const rule = best.g.inventory ? 'internal, inventoried (rule 2)' : 'internal, not inventoried (rule 3)';
      lines.push(`${ip} is ${rule}: in ${best.r.text} of internal group "${best.g.name}"${where(best.r, file)}, assignment ${best.g.assignment}.`);
      if (internal.length > 1) {
        lines.push(`It is in ${internal.length} internal ranges; the most specific wins: ${internal.map((x) => `${x.r.text} ("${x.g.name}")`).join(', ')}.`);
      }
      lines.push(best.g.inventory ? 'An asset is created and every attribute is collected.' : 'Its traffic is tracked by IP; no attributes are collected and it is not in the inventory.');
      break;
    }
    case AddrClass.Monitored: {
      const e = external[0]!;
      lines.push(`${ip} is monitored external (rule 4): in ${e.r.text} of external group "${e.g.name}"${where(e.r, file)}. Its traffic shows as "${e.g.name}" with the address.`);
      break;
    }
    default: {
      const named = c.external.filter((g) => g.fqdns.length > 0);
      lines.push(`${ip} is External (rule 5): in no excluded, internal or monitored range. All such addresses collapse into the one asset "External".`);
      if (named.length > 0) {
        lines.push(`It would join a monitored group if a DNS answer seen in the traffic gave it for one of: ${named.flatMap((g) => g.fqdns.map((f) => `${f} ("${g.name}")`)).join(', ')}.`);
      }
    }
  }
  if (excl.length > 0 && cls !== AddrClass.Excluded) lines.push(`(It is also listed as excluded, which wins.)`);
  return lines.join('\n') + '\n';
}

export function runConfigExplain(target: string, opts: { config?: string }, io: CliIO): number {
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  io.stdout.write(`${explain(target, loaded)}Configuration: ${loaded.path ? resolve(loaded.path) : 'built-in defaults'}\n`);
  return 0;
}
