/** Time until a reset, short: '2d 3h', '3h 12m', '4m 10s', '0s' when due. */
export function formatUntil(resetsAt: string | Date, now: Date = new Date()): string {
  const ms = new Date(resetsAt).getTime() - now.getTime();
  if (!(ms > 0)) return '0s';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
