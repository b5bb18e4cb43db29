/** The report JSON Schema compiled once with ajv, for every test that emits reports. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import type { Report } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { projectRoot } from './skip.js';

// ajv is CommonJS: under NodeNext the default import is module.exports, whose
// `default` is the class (at run time module.exports is the class itself too).
type Ajv2020Class = typeof Ajv2020Module.default;
const AjvClass = ((Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? Ajv2020Module) as Ajv2020Class;
export const reportSchema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'report.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
export const validateReportJson = ajv.compile(reportSchema);

/** Schema errors of the report as the CLI would print it (after JSON serialisation), or [] when valid. */
export function reportSchemaErrors(report: Report): string[] {
  const doc = JSON.parse(stableStringify(report));
  if (validateReportJson(doc)) return [];
  return (validateReportJson.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);
}

export const mergeSchema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'merge.schema.json'), 'utf8')) as Record<string, unknown>;
const mergeAjv = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
mergeAjv.addSchema(reportSchema);
export const validateMergeJson = mergeAjv.compile(mergeSchema);

/** Schema errors of an nps.merge/v1 document, or [] when valid. */
export function mergeSchemaErrors(doc: unknown): string[] {
  if (validateMergeJson(doc)) return [];
  return (validateMergeJson.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);
}

const pushSchema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'push.schema.json'), 'utf8')) as Record<string, unknown>;
const pushAjv = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
pushAjv.addSchema(reportSchema);
const validatePushJson = pushAjv.compile(pushSchema);

/** Schema errors of an nps.push/v1 document, or [] when valid. */
export function pushSchemaErrors(doc: unknown): string[] {
  if (validatePushJson(doc)) return [];
  return (validatePushJson.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);
}
