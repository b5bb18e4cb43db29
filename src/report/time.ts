/** ISO 8601 UTC with microseconds, from whole microseconds since the epoch. */
// Timestamps outside years 0001..9999 (damaged or crafted files) are clamped to that range.
const MIN_US = -62135596800e6;
const MAX_US = 253402300799e6;

export function isoUs(value: number): string {
  const us = Number.isFinite(value) ? Math.min(MAX_US, Math.max(MIN_US, value)) : 0;
  const ms = Math.floor(us / 1000);
  const frac = ((us % 1e6) + 1e6) % 1e6;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 19)}.${String(Math.floor(frac)).padStart(6, '0')}Z`;
}
