/**
 * Validation of a pushed document (`nps.push/v1`) against docs/push.schema.json,
 * which refers to the report schema (docs/report.schema.json, `report-v1.json`)
 * for assets and timestamps. Compiled once, on first use.
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PushDocument } from '../push/types.js';

// ajv is CommonJS: under NodeNext the default import is module.exports, whose
// `default` is the class (at run time module.exports is the class itself too).
type Ajv2020Class = typeof Ajv2020Module.default;
const AjvClass = ((Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? Ajv2020Module) as Ajv2020Class;

/** One schema error as a person reads it: where (a JSON pointer, "/" for the document) and what. */
export interface SchemaProblem {
  path: string;
  message: string;
}

export type PushValidation = { ok: true; doc: PushDocument } | { ok: false; errors: SchemaProblem[]; total: number };

/** At most this many errors are reported: the first ones say what is wrong. */
export const MAX_REPORTED_ERRORS = 10;

let compiled: ValidateFunction | null = null;

function schemaFile(name: string): Record<string, unknown> {
  // src/receive/ and dist/receive/ are both two levels below the package root.
  return JSON.parse(readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  ajv.addSchema(schemaFile('report.schema.json'));
  compiled = ajv.compile(schemaFile('push.schema.json'));
  return compiled;
}

/** Compiles the schemas now (at server start) rather than on the first push. */
export function preparePushValidator(): void {
  validator();
}

function describe(e: ErrorObject): SchemaProblem {
  let message = e.message ?? 'is invalid';
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') message += ` ("${p.additionalProperty}")`;
  else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  else if (e.keyword === 'const' && 'allowedValue' in p) message += ` ${JSON.stringify(p.allowedValue)}`;
  return { path: e.instancePath === '' ? '/' : e.instancePath, message };
}

/** Checks a parsed JSON value; on success the document with `removed_assets` defaulted to []. */
export function validatePush(value: unknown): PushValidation {
  const validate = validator();
  if (validate(value)) {
    const doc = value as PushDocument;
    if (doc.removed_assets === undefined) doc.removed_assets = [];
    return { ok: true, doc };
  }
  const all = validate.errors ?? [];
  // allErrors reports the same place more than once (oneOf branches): keep one line per path and message.
  const seen = new Set<string>();
  const errors: SchemaProblem[] = [];
  for (const e of all) {
    const d = describe(e);
    const k = `${d.path}\u0000${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    errors.push(d);
  }
  return { ok: false, errors: errors.slice(0, MAX_REPORTED_ERRORS), total: errors.length };
}
