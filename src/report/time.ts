/** ISO 8601 UTC with microseconds, from whole microseconds since the epoch. */
export function isoUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = ((us % 1e6) + 1e6) % 1e6;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 19)}.${String(Math.floor(frac)).padStart(6, '0')}Z`;
}
