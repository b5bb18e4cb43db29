/**
 * Libraries that only some runs need (YAML and schema checking for a config
 * file, CSV quoting, the progress bar), loaded on first use: importing them
 * up front cost every `nps` run about a fifth of its start-up, a small
 * capture's whole run being mostly start-up. They are CommonJS builds, so a
 * synchronous require keeps their callers synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/** The module `name`, required on the first call. */
export function lazyModule<T>(name: string): T {
  let m = loaded.get(name);
  if (m === undefined) loaded.set(name, (m = require(name)));
  return m as T;
}
