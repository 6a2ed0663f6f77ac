/**
 * The chart controls' choices (log scale, smoothing, x axis), kept in the settings registry.
 * Loaded at startup, so kept tiny: the charts themselves (and uPlot) load lazily.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

export type XAxis = 'step' | 'wall' | 'relative';

export interface IChartOptions {
  /** a logarithmic y axis */
  logY: boolean;
  /** the weight of the exponential moving average, 0 (none) to 0.99 */
  smoothing: number;
  /** x by step, by wall-clock time, or by seconds since the run's first value */
  xAxis: XAxis;
}

export const DEFAULT_CHART_OPTIONS: IChartOptions = { logY: false, smoothing: 0, xAxis: 'step' };

let current: IChartOptions = { ...DEFAULT_CHART_OPTIONS };
let settings: ISettingRegistry.ISettings | null = null;
let saveTimer: number | undefined;
// a change made here and not yet saved wins over the registry's older value (its `changed`
// signal for an earlier save would otherwise undo a slider moved since)
let changes = 0;
let saved = 0;
const listeners = new Set<(options: IChartOptions) => void>();

function valid(value: unknown): IChartOptions {
  const v = (value ?? {}) as Partial<IChartOptions>;
  const smoothing = Number(v.smoothing);
  return {
    logY: v.logY === true,
    smoothing: Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0,
    xAxis: v.xAxis === 'wall' || v.xAxis === 'relative' ? v.xAxis : 'step'
  };
}

function publish(next: IChartOptions): void {
  current = next;
  listeners.forEach(listener => listener(current));
}

/** Follow the plugin's settings (called once they are loaded). */
export function bindChartSettings(loaded: ISettingRegistry.ISettings): void {
  settings = loaded;
  const read = () => saved >= changes && publish(valid(loaded.get('charts').composite));
  read();
  loaded.changed.connect(read);
}

export function chartOptions(): IChartOptions {
  return current;
}

/** Change some options now; saved a moment later (a dragged slider would save at every step). */
export function setChartOptions(change: Partial<IChartOptions>): void {
  publish(valid({ ...current, ...change }));
  const version = ++changes;
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    const done = () => (saved = Math.max(saved, version));
    settings ? settings.set('charts', current as any).then(done, done) : done();
  }, 300);
}

export function onChartOptions(listener: (options: IChartOptions) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
