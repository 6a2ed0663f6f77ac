/** Metric curves drawn with uPlot. */
import * as React from 'react';
import uPlot from 'uplot';

import { MetricSeries } from './api';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

export interface ICurve {
  label: string;
  points: [number, number | null, number][];
}

/** Align curves with different steps on one x axis (uPlot wants shared x values). */
export function alignCurves(curves: ICurve[]): uPlot.AlignedData {
  const steps = Array.from(new Set(curves.flatMap(c => c.points.map(p => p[0])))).sort(
    (a, b) => a - b
  );
  const index = new Map(steps.map((step, i) => [step, i]));
  const columns = curves.map(curve => {
    const column: (number | null)[] = new Array(steps.length).fill(null);
    curve.points.forEach(([step, value]) => (column[index.get(step)!] = value));
    return column;
  });
  return [steps, ...columns] as uPlot.AlignedData;
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
function useThemeTick(): number {
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setTick(t => t + 1));
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'] });
    return () => observer.disconnect();
  }, []);
  return tick;
}

const CHART_HEIGHT = 220;

/** One chart of one metric, one line per curve: theme colours, as wide as its container. */
export function MetricChart(props: { title: string; curves: ICurve[]; width?: number }) {
  const ref = React.useRef<HTMLDivElement>(null);
  const theme = useThemeTick();
  React.useEffect(() => {
    const node = ref.current;
    if (!node || !props.curves.length) {
      return;
    }
    const colors = themeColors(node);
    const axis = { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    const options: uPlot.Options = {
      title: props.title,
      width: props.width ?? Math.max(200, node.clientWidth || 420),
      height: CHART_HEIGHT,
      scales: { x: { time: false } },
      axes: [axis, axis],
      series: [
        { label: 'step' },
        ...props.curves.map((curve, i) => ({
          label: curve.label,
          stroke: colors.series[i % colors.series.length],
          spanGaps: true
        }))
      ]
    };
    const plot = new uPlot(options, alignCurves(props.curves), node);
    // follow the panel's width (a fixed 420 px was too wide or too narrow)
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, node.clientWidth);
      if (!props.width && Math.abs(width - plot.width) > 2) {
        plot.setSize({ width, height: CHART_HEIGHT });
      }
    });
    observer.observe(node);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.title, props.curves, props.width, theme]);
  return <div className="jp-dlops-chart" ref={ref} />;
}

/** One chart per metric key of one run. */
export function RunCharts(props: { series: MetricSeries }) {
  const keys = Object.keys(props.series).sort();
  if (!keys.length) {
    return <p className="jp-dlops-muted">No metric series logged.</p>;
  }
  return (
    <div className="jp-dlops-charts">
      {keys.map(key => (
        <MetricChart key={key} title={key} curves={[{ label: key, points: props.series[key] }]} />
      ))}
    </div>
  );
}
