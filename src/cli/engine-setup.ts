/**
 * The one place an engine is built from a configuration, so that the main
 * thread and the workers of a parallel analysis build the same one.
 */
import { loadConfig } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import { Engine } from '../engine/engine.js';
import { engineLimits } from '../engine/limits.js';
import { ConfigClassifier } from '../config/classifier.js';
import type { Classifier } from '../config/classify.js';
import { parseRange } from '../config/load.js';
import type { AddressRange, NpsConfig } from '../config/types.js';
import { UsageError } from './errors.js';

/** What a worker needs to rebuild the engine: plain data. */
export interface EngineSpec {
  configPath: string | undefined;
  cwd: string;
  internal: string[] | undefined;
}

export function engineFor(loaded: LoadedConfig, internal: string[] | undefined): Engine {
  return engineWith(loaded, classifierConfig(loaded, internal));
}

/** The engine for a loaded configuration and the configuration its classifier uses. */
function engineWith(loaded: LoadedConfig, config: NpsConfig): Engine {
  return new Engine({ classifier: new ConfigClassifier(config, config.limits.dnsNames), intervalUs: loaded.config.reporting.updateIntervalUs, ...engineLimits(loaded.config.limits) });
}

/** The configuration of a spec, loaded once per thread (a worker builds an engine per file). */
let specCache: { key: string; loaded: LoadedConfig; config: NpsConfig } | null = null;

export function engineFromSpec(spec: EngineSpec): Engine {
  const key = JSON.stringify(spec);
  if (specCache === null || specCache.key !== key) {
    const loaded = loadConfig({ path: spec.configPath, cwd: spec.cwd });
    specCache = { key, loaded, config: classifierConfig(loaded, spec.internal) };
  }
  return engineWith(specCache.loaded, specCache.config);
}

/**
 * The configuration's classifier; `--internal` replaces its internal groups
 * with one inventoried group of the given ranges ("all": every address).
 */
export function classifierFrom(loaded: LoadedConfig, internal: string[] | undefined): Classifier {
  const config = classifierConfig(loaded, internal);
  return new ConfigClassifier(config, config.limits.dnsNames);
}

/** The configuration the classifier uses: the loaded one, or with `--internal` replacing its internal groups. */
function classifierConfig(loaded: LoadedConfig, internal: string[] | undefined): NpsConfig {
  if (!internal || internal.length === 0) return loaded.config;
  const items = internal.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const texts = items.length === 1 && items[0] === 'all' ? ['0.0.0.0/0', '::/0'] : items;
  const ranges: AddressRange[] = [];
  for (const item of texts) {
    const r = parseRange(item);
    if (r === null) throw new UsageError(`--internal: "${item}" is not an address range; give CIDR blocks such as 10.0.0.0/8 or fd00::/8, first-last ranges, or "all"`);
    ranges.push(r);
  }
  return { ...loaded.config, internal: [{ name: 'command-line', ranges, inventory: true, assignment: 'dhcp' }] };
}
