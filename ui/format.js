// Times, durations and sizes as an operator reads them.

/** "350 ms", "2.4 s", "3 m 12 s", "2 h 5 m", "3 d 4 h" */
export function duration(ms) {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1_000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  const s = Math.floor(abs / 1_000);
  if (abs < 3_600_000) return `${Math.floor(s / 60)} m ${s % 60} s`;
  if (abs < 86_400_000) return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/** "just now", "12 s ago", "4 m ago", "in 30 s" */
export function ago(at, now = Date.now()) {
  if (!Number.isFinite(at)) return '–';
  const delta = now - at;
  if (Math.abs(delta) < 2_000) return 'just now';
  const text = duration(Math.abs(delta)).replace(/ \d+ (s|m|h)$/, '').replace(/\.\d /, ' ');
  return delta > 0 ? `${text} ago` : `in ${text}`;
}

/** Local date and time with seconds, for tooltips. */
export function timestamp(at) {
  return Number.isFinite(at) ? new Date(at).toLocaleString(undefined, { hour12: false }) : '';
}

/** "48.2 MB" */
export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1_024 && unit < units.length - 1) {
    value /= 1_024;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/** A short number for sparkline labels: 0.42, 12.5, 1.2k, 3.4M. */
export function compact(n) {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 1) return n.toFixed(1);
  return n.toFixed(2);
}

/** JSON in one line, cut at `max` characters. */
export function oneLine(value, max = 120) {
  const text = (typeof value === 'string' ? value : JSON.stringify(value) ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
