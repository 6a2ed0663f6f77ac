/**
 * Metric curves drawn with uPlot (this module and uPlot load lazily, with the views that chart):
 * log scale, smoothing, x by step or time, drag-zoom, one series per run, live data.
 */
import * as React from 'react';
import uPlot from 'uplot';

import { MetricSeries } from './api';
import { chartOptions, IChartOptions, onChartOptions, setChartOptions, XAxis } from './chartprefs';
import { ChartControls } from './chartcontrols';
import { formatValue } from './format';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

export interface ICurve {
  label: string;
  /** [step, value, timestamp (s)] */
  points: [number, number | null, number][];
}

/**
 * The exponential moving average TensorBoard draws, debiased so the first values are not
 * pulled towards 0; gaps (null, NaN) stay gaps and do not reset the average.
 */
export function ema(values: (number | null)[], weight: number): (number | null)[] {
  let last = 0;
  let count = 0;
  return values.map(value => {
    if (value === null || !Number.isFinite(value)) {
      return null;
    }
    last = last * weight + (1 - weight) * value;
    count += 1;
    return weight > 0 ? last / (1 - Math.pow(weight, count)) : value;
  });
}

function xValues(curve: ICurve, axis: XAxis): number[] {
  if (axis === 'step') {
    return curve.points.map(p => p[0]);
  }
  // a loop, not Math.min(...): a long series would overflow the call stack's argument limit
  const start = curve.points.reduce((low, p) => Math.min(low, p[2]), Infinity);
  return curve.points.map(p => (axis === 'wall' ? p[2] : p[2] - start));
}

/** What uPlot draws: shared x values, then per curve the raw series (and its smoothed one). */
export interface IChartData {
  data: uPlot.AlignedData;
  /** values not drawn because a log scale cannot show them (≤ 0) */
  hidden: number;
}

/** Align the curves on one x axis (uPlot wants shared x values), smoothed and log-filtered. */
export function chartData(curves: ICurve[], options: IChartOptions): IChartData {
  const xs = curves.map(curve => xValues(curve, options.xAxis));
  const all = Array.from(new Set(xs.flat())).sort((a, b) => a - b);
  const index = new Map(all.map((x, i) => [x, i]));
  let hidden = 0;
  const columns: (number | null)[][] = [];
  curves.forEach((curve, c) => {
    const order = curve.points.map((_, i) => i).sort((a, b) => xs[c][a] - xs[c][b]);
    let raw: (number | null)[] = order.map(i => curve.points[i][1]);
    if (options.logY) {
      hidden += raw.filter(v => v !== null && v <= 0).length;
      raw = raw.map(v => (v !== null && v > 0 ? v : null));
    }
    const drawn = options.smoothing > 0 ? [raw, ema(raw, options.smoothing)] : [raw];
    for (const values of drawn) {
      const column: (number | null)[] = new Array(all.length).fill(null);
      order.forEach((i, k) => (column[index.get(xs[c][i])!] = values[k]));
      columns.push(column);
    }
  });
  return { data: [all, ...columns] as uPlot.AlignedData, hidden };
}

/** Kept for callers of the first version: curves aligned by step, unsmoothed. */
export function alignCurves(curves: ICurve[]): uPlot.AlignedData {
  return chartData(curves, { logY: false, smoothing: 0, xAxis: 'step' }).data;
}

/** The theme's colours, read from JupyterLab's CSS variables at drawing time. */
function themeColors(node: HTMLElement) {
  const style = getComputedStyle(node);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--jp-ui-font-color1', '#333'),
    grid: read('--jp-border-color2', '#ccc'),
    series: ['--jp-brand-color1', '--jp-warn-color1', '--jp-success-color1', '--jp-error-color1',
      '--jp-info-color1', '--jp-accent-color1', '--jp-brand-color3'].map((name, i) => read(name, COLORS[i]))
  };
}

/** A counter bumped when the theme changes (JupyterLab marks it on the body). */
export function useThemeTick(): number {
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setTick(t => t + 1));
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'] });
    return () => observer.disconnect();
  }, []);
  return tick;
}

/** The chart options of the settings registry, followed live. */
export function useChartOptions(): [IChartOptions, (change: Partial<IChartOptions>) => void] {
  const [options, setOptions] = React.useState(chartOptions());
  React.useEffect(() => onChartOptions(setOptions), []);
  return [options, setChartOptions];
}

const CHART_HEIGHT = 220;
const X_LABELS: { [axis in XAxis]: string } = { step: 'step', wall: 'time', relative: 'seconds since start' };

function seriesOptions(curves: ICurve[], options: IChartOptions, colors: ReturnType<typeof themeColors>): uPlot.Series[] {
  const value = (_: uPlot, v: number | null) => (v === null || v === undefined ? '–' : formatValue(v));
  return curves.flatMap((curve, i) => {
    const stroke = colors.series[i % colors.series.length];
    const line = { label: curve.label, stroke, spanGaps: true, value, width: 1.5 };
    // smoothing keeps the raw series, faint and out of the legend (its class hides the row)
    return options.smoothing > 0
      ? [{ ...line, label: `${curve.label} (raw)`, alpha: 0.25, width: 1, class: 'jp-dlops-raw' }, line]
      : [line];
  });
}

function plotOptions(title: string, curves: ICurve[], options: IChartOptions, node: HTMLElement, width: number): uPlot.Options {
  const colors = themeColors(node);
  const axis = { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
  return {
    title,
    width,
    height: CHART_HEIGHT,
    scales: { x: { time: options.xAxis === 'wall' }, y: { distr: options.logY ? 3 : 1 } },
    axes: [{ ...axis, label: X_LABELS[options.xAxis] }, axis],
    // drag along x zooms; a double-click resets (uPlot's own gestures)
    cursor: { drag: { x: true, y: false, setScale: true } },
    series: [{ label: X_LABELS[options.xAxis] }, ...seriesOptions(curves, options, colors)]
  };
}

/** Mark the container when the x scale is zoomed in, with the range shown (DOM text for readers). */
function trackZoom(plot: uPlot, node: HTMLElement, onZoom: (range: [number, number] | null) => void) {
  const xs = plot.data[0];
  const zoomed = plot.scales.x.min! > xs[0] || plot.scales.x.max! < xs[xs.length - 1];
  node.dataset.zoomed = String(!!xs.length && zoomed);
  onZoom(xs.length && zoomed ? [plot.scales.x.min!, plot.scales.x.max!] : null);
}

/** One chart of one metric, one line per curve: theme colours, as wide as its container. */
export function MetricChart(props: { title: string; curves: ICurve[]; width?: number; options?: IChartOptions }) {
  const ref = React.useRef<HTMLDivElement>(null);
  const plotRef = React.useRef<uPlot | null>(null);
  const theme = useThemeTick();
  const [zoom, setZoom] = React.useState<[number, number] | null>(null);
  const options = props.options ?? chartOptions();
  const { data, hidden } = React.useMemo(() => chartData(props.curves, options), [props.curves, options]);
  const shape = `${props.title}|${props.curves.map(c => c.label).join('|')}|${JSON.stringify(options)}`;
  const points = props.curves.reduce((n, c) => n + c.points.length, 0);
  React.useEffect(() => {
    const node = ref.current;
    if (!node || !props.curves.length) {
      return;
    }
    const width = props.width ?? Math.max(200, node.clientWidth || 420);
    const opts = plotOptions(props.title, props.curves, options, node, width);
    opts.hooks = { setScale: [(u: uPlot, key: string) => void (key === 'x' && trackZoom(u, node, setZoom))] };
    const plot = new uPlot(opts, data, node);
    plotRef.current = plot;
    // follow the panel's width (a fixed 420 px was too wide or too narrow)
    const observer = new ResizeObserver(() => {
      const next = Math.max(200, node.clientWidth);
      if (!props.width && Math.abs(next - plot.width) > 2) {
        plot.setSize({ width: next, height: CHART_HEIGHT });
      }
    });
    observer.observe(node);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [shape, props.width, theme]);
  // live data (a running run): new points redrawn in place, keeping a zoom the reader chose
  React.useEffect(() => {
    const plot = plotRef.current;
    if (plot && plot.data !== data) {
      plot.setData(data, !zoom);
    }
  }, [data]);
  return (
    <div className="jp-dlops-chart-cell">
      <div className="jp-dlops-chart" ref={ref} data-metric={props.title} data-points={points} />
      {zoom && (
        <p className="jp-dlops-muted jp-dlops-zoom-note">
          x from {formatValue(zoom[0])} to {formatValue(zoom[1])} (double-click the chart to reset)
        </p>
      )}
      {hidden > 0 && (
        <p className="jp-dlops-muted jp-dlops-log-note">{hidden} values ≤ 0 are not drawn on the log scale</p>
      )}
    </div>
  );
}

/** Charts under one set of controls (log, smoothing, x axis), one chart per metric. */
export function ChartGroup(props: { charts: { title: string; curves: ICurve[] }[] }) {
  const [options, change] = useChartOptions();
  return (
    <div className="jp-dlops-chart-group">
      <ChartControls options={options} onChange={change} />
      <div className="jp-dlops-charts">
        {props.charts.map(chart => (
          <MetricChart key={chart.title} title={chart.title} curves={chart.curves} options={options} />
        ))}
      </div>
    </div>
  );
}

/** One chart per metric key of one run. */
export function RunCharts(props: { series: MetricSeries }) {
  const keys = Object.keys(props.series).sort();
  const charts = React.useMemo(
    () => keys.map(key => ({ title: key, curves: [{ label: key, points: props.series[key] }] })),
    [props.series]
  );
  if (!keys.length) {
    return <p className="jp-dlops-muted">No metric series logged.</p>;
  }
  return <ChartGroup charts={charts} />;
}
