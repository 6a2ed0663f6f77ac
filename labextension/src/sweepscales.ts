/** Map a sweep's parameter or metric values onto an axis: linear, logarithmic, or categories. */
import { formatValue } from './format';

export interface IAxisScale {
  /** 0 (bottom or left) to 1, or null for a value the axis cannot place */
  at(value: unknown): number | null;
  ticks: { label: string; at: number }[];
  kind: 'linear' | 'log' | 'category';
}

function numeric(values: unknown[]): number[] | null {
  const present = values.filter(v => v !== null && v !== undefined);
  return present.length && present.every(v => typeof v === 'number' && Number.isFinite(v)) ? (present as number[]) : null;
}

/** Values spanning two decades or more, all positive (a learning rate), get a log axis. */
export function axisScale(values: unknown[]): IAxisScale {
  const numbers = numeric(values);
  if (!numbers) {
    const categories = Array.from(new Set(values.filter(v => v !== null && v !== undefined).map(v => formatValue(v)))).sort();
    const step = categories.length > 1 ? 1 / (categories.length - 1) : 0;
    const place = (v: unknown) => (categories.length === 1 ? 0.5 : categories.indexOf(formatValue(v)) * step);
    return {
      kind: 'category',
      at: v => (v === null || v === undefined || !categories.includes(formatValue(v)) ? null : place(v)),
      ticks: categories.map(c => ({ label: c, at: place(c) }))
    };
  }
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const log = low > 0 && high / low >= 100;
  const f = log ? Math.log10 : (x: number) => x;
  const span = f(high) - f(low);
  const at = (v: unknown) =>
    typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0) ? null : span ? (f(v) - f(low)) / span : 0.5;
  const ticks = span ? [low, high] : [low];
  return { kind: log ? 'log' : 'linear', at, ticks: ticks.map(t => ({ label: formatValue(t), at: at(t)! })) };
}
