/** Small formatting helpers shared by the views. */

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    // six significant digits, without trailing zeros: 0.1, 0.001, 0.693147
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

export function formatTime(seconds: number | null | undefined): string {
  if (!seconds) {
    return '';
  }
  const date = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time}`;
}

/** Today's times as HH:MM:SS, older ones as YYYY-MM-DD HH:MM (the table is narrow). */
export function formatShortTime(seconds: number | null | undefined): string {
  const full = formatTime(seconds);
  if (!full) {
    return '';
  }
  const today = formatTime(Date.now() / 1000).slice(0, 10);
  return full.startsWith(today) ? full.slice(11) : full.slice(0, 16);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${Math.round(seconds % 60)} s`;
  }
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function shortId(runId: string): string {
  return runId.slice(0, 8);
}
