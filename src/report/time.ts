/**
 * ISO 8601 UTC with microseconds, from whole microseconds since the epoch.
 * Computed with integer arithmetic (no Date object): reports format several
 * timestamps per row.
 */

// Timestamps outside years 0001..9999 (damaged or crafted files) are clamped to that range.
const MIN_US = -62135596800e6;
const MAX_US = 253402300799e6;

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Year, month, day of a day count since 1970-01-01 (Hinnant's civil_from_days). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

let cachedDay = NaN;
let cachedDate = '';

export function isoUs(value: number): string {
  const us = Number.isFinite(value) ? Math.min(MAX_US, Math.max(MIN_US, Math.floor(value))) : 0;
  const secs = Math.floor(us / 1e6);
  const frac = us - secs * 1e6;
  const day = Math.floor(secs / 86400);
  const sod = secs - day * 86400;
  if (day !== cachedDay) {
    const [y, m, d] = civil(day);
    cachedDay = day;
    cachedDate = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  }
  const hh = Math.floor(sod / 3600);
  const mm = Math.floor((sod % 3600) / 60);
  const ss = sod % 60;
  return `${cachedDate}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(Math.round(frac), 6)}Z`;
}

// Interval boundaries repeat on every row: each is formatted once.
const repeated = new Map<number, string>();

/** isoUs for values that recur many times (interval boundaries), memoised. */
export function isoUsRepeated(us: number): string {
  let t = repeated.get(us);
  if (t === undefined) {
    if (repeated.size > 4096) repeated.clear();
    repeated.set(us, (t = isoUs(us)));
  }
  return t;
}

// Days recur across a report's timestamps: each date is checked and converted once.
const dayMs = new Map<string, number | null>();

/**
 * The inverse of isoUs for the times reports carry ("2026-01-14T06:00:00.001300Z";
 * fraction optional, 1 to 9 digits, sub-microsecond digits dropped). null for anything else.
 */
export function parseIsoUs(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (m === null) return null;
  const date = m[1]!;
  let day = dayMs.get(date);
  if (day === undefined) {
    const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    day = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : null;
    if (dayMs.size > 4096) dayMs.clear();
    dayMs.set(date, day);
  }
  if (day === null) return null;
  const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  const frac = m[5] === undefined ? 0 : Number((m[5] + '00000').slice(0, 6));
  return (day + secs * 1000) * 1000 + frac;
}
