/**
 * Sensor reports (nps.report/v1, as JSON or NDJSON) reduced to what the merge
 * rules use: per asset its MAC, the addresses it was seen on and when, its
 * hostnames, how its addresses are assigned and the DHCP lease seen.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { REPORT_SCHEMA } from '../report/build.js';
import { parseIsoUs } from '../report/time.js';
import { parseRange, rangesOverlap } from '../config/load.js';
import type { AddressRange } from '../config/types.js';
import { rangesFromText } from './lint.js';
import type { PassiveAsset, PassiveIp } from './types.js';

/** An internal group as a report records it (config.internal), for the cross-sensor lint. */
export interface ReportedGroup {
  name: string;
  inventory: boolean;
  assignment: 'dhcp' | 'static';
  ranges: string[];
}

export interface SensorReport {
  path: string;
  sha256: string;
  sensor: string;
  network: string;
  firstUs: number | null;
  lastUs: number | null;
  /** The sensor's internal groups, when the report carries them (reports before 0.2 do not). */
  internal: ReportedGroup[] | null;
  assets: PassiveAsset[];
}

/** A report file that cannot be used at all (the CLI exits 3). */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function loadSensorReport(path: string): SensorReport {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new ReportInputError(`cannot read the report ${path}: ${why}; give a report written by nps analyze -f json (or -f ndjson)`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return parseSensorReport(bytes.toString('utf8'), path, sha256);
}

/** Parses a report given as one JSON document or as NDJSON records (summary + asset lines). */
export function parseSensorReport(text: string, path: string, sha256 = ''): SensorReport {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let summary: Obj;
  let rawAssets: unknown[];
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    // Not one document: NDJSON records (nps analyze -f ndjson), or not a report at all.
    const ndjson = readNdjson(body, path);
    if (ndjson === null) throw new ReportInputError(`${path} is not JSON (${(e as Error).message}); give a report written by nps analyze -f json or -f ndjson`);
    return reportFromDocument(ndjson.summary, ndjson.rawAssets, path, sha256);
  }
  if (!isObj(doc)) throw new ReportInputError(`${path} is not an nps report: expected a JSON object with "schema": "${REPORT_SCHEMA}"`);
  summary = doc;
  rawAssets = Array.isArray(doc.assets) ? doc.assets : [];
  if (doc.schema === REPORT_SCHEMA && !Array.isArray(doc.assets)) throw new ReportInputError(`${path}: the report has no "assets" list; it is damaged`);
  return reportFromDocument(summary, rawAssets, path, sha256);
}

/** A report already in memory: its top-level fields and its asset records. */
export function reportFromDocument(summary: Obj, rawAssets: unknown[], path: string, sha256 = ''): SensorReport {
  if (summary.schema !== REPORT_SCHEMA) {
    throw new ReportInputError(`${path} is not an nps report: its schema is ${JSON.stringify(summary.schema ?? null)}, expected "${REPORT_SCHEMA}"`);
  }
  const sensorObj = isObj(summary.sensor) ? summary.sensor : {};
  const sensor = typeof sensorObj.name === 'string' ? sensorObj.name : 'nps';
  const network = typeof sensorObj.network === 'string' ? sensorObj.network : 'default';
  const capture = isObj(summary.capture) ? summary.capture : {};
  const config = isObj(summary.config) ? summary.config : {};
  const report: SensorReport = {
    path,
    sha256,
    sensor,
    network,
    firstUs: typeof capture.first_ts === 'string' ? parseIsoUs(capture.first_ts) : null,
    lastUs: typeof capture.last_ts === 'string' ? parseIsoUs(capture.last_ts) : null,
    internal: Array.isArray(config.internal) ? config.internal.filter(isObj).map(reportedGroup) : null,
    assets: [],
  };
  const staticRanges = (report.internal ?? [])
    .filter((g) => g.inventory && g.assignment === 'static')
    .flatMap((g) => rangesFromText(g.ranges).map((range) => ({ group: g.name, range })));
  rawAssets.forEach((a, i) => {
    const asset = passiveAsset(a, i, report, path);
    if (asset.assignment === 'static') asset.staticRange = staticRangeOf(asset, staticRanges);
    report.assets.push(asset);
  });
  return report;
}

/** "branch-b-servers (10.20.20.0/28)": the configured static range holding one of the asset's addresses. */
function staticRangeOf(asset: PassiveAsset, ranges: { group: string; range: AddressRange }[]): string | null {
  for (const seen of asset.ips) {
    const r = parseRange(seen.ip);
    if (r === null) continue;
    const hit = ranges.find((x) => rangesOverlap(x.range, r));
    if (hit) return `${hit.group} (${hit.range.text})`;
  }
  return null;
}

function reportedGroup(g: Obj): ReportedGroup {
  return {
    name: typeof g.name === 'string' ? g.name : '?',
    inventory: g.inventory === true,
    ranges: Array.isArray(g.ranges) ? g.ranges.filter((r): r is string => typeof r === 'string') : [],
    assignment: g.assignment === 'static' ? 'static' : 'dhcp',
  };
}

/**
 * NDJSON records: the summary and the assets; flow and traffic lines (keys are
 * sorted, so they end with their type) are skipped unparsed. null when the
 * first line is not a typed record.
 */
function readNdjson(body: string, path: string): { summary: Obj; rawAssets: unknown[] } | null {
  let summary: Obj | null = null;
  const rawAssets: unknown[] = [];
  let line = 0;
  for (const text of body.split('\n')) {
    line++;
    if (text.trim() === '' || text.endsWith('"type":"flow"}') || text.endsWith('"type":"traffic"}')) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      if (line === 1) return null;
      throw new ReportInputError(`${path}:${line}: not a JSON record (${(e as Error).message}); the NDJSON report is damaged`);
    }
    if (!isObj(rec) || typeof rec.type !== 'string') {
      if (line === 1) return null;
      continue;
    }
    if (rec.type === 'summary') summary = rec;
    else if (rec.type === 'asset') rawAssets.push(rec);
  }
  if (summary === null) throw new ReportInputError(`${path}: an NDJSON report needs its "summary" record; give a report written by nps analyze -f ndjson`);
  return { summary, rawAssets };
}

function time(v: unknown, what: string, where: string): number {
  const us = typeof v === 'string' ? parseIsoUs(v) : null;
  if (us === null) throw new ReportInputError(`${where}: ${what} is ${JSON.stringify(v ?? null)}, expected an ISO 8601 UTC time as nps writes it`);
  return us;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

function passiveAsset(raw: unknown, index: number, report: SensorReport, path: string): PassiveAsset {
  const where = `${path}: asset ${index + 1}`;
  if (!isObj(raw) || typeof raw.id !== 'string') throw new ReportInputError(`${where} has no "id"; the report is damaged or not from nps`);
  const at = `${path}: asset ${raw.id}`;
  const firstUs = time(raw.first_seen, 'first_seen', at);
  const lastUs = time(raw.last_seen, 'last_seen', at);
  const ips: PassiveIp[] = [];
  if (Array.isArray(raw.ip_history)) {
    for (const h of raw.ip_history) {
      if (!isObj(h) || typeof h.ip !== 'string') continue;
      ips.push({ ip: h.ip, firstUs: time(h.first_seen, 'ip_history first_seen', at), lastUs: time(h.last_seen, 'ip_history last_seen', at) });
    }
  }
  // Without a history every address spans the asset's whole sighting.
  for (const ip of strings(raw.ips)) if (!ips.some((h) => h.ip === ip)) ips.push({ ip, firstUs, lastUs });
  const dhcp = isObj(raw.dhcp) ? raw.dhcp : null;
  const lease =
    dhcp !== null && typeof dhcp.lease_start === 'string'
      ? {
          ip: typeof dhcp.address === 'string' ? dhcp.address : null,
          startUs: time(dhcp.lease_start, 'dhcp.lease_start', at),
          seconds: typeof dhcp.lease_seconds === 'number' ? dhcp.lease_seconds : null,
        }
      : null;
  const assignment = raw.ip_assignment === 'dhcp' || raw.ip_assignment === 'static' ? raw.ip_assignment : 'unknown';
  return {
    id: raw.id,
    sensor: report.sensor,
    network: report.network,
    report: 0,
    mac: typeof raw.mac === 'string' ? raw.mac.toLowerCase() : null,
    ips,
    hostnames: strings(raw.hostnames),
    assignment,
    staticRange: null,
    lease,
    firstUs,
    lastUs,
  };
}
