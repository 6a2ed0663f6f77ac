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

/** One chart of one metric, one line per curve. */
export function MetricChart(props: { title: string; curves: ICurve[]; width?: number }) {
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    if (!ref.current || !props.curves.length) {
      return;
    }
    const options: uPlot.Options = {
      title: props.title,
      width: props.width ?? 420,
      height: 220,
      scales: { x: { time: false } },
      series: [
        { label: 'step' },
        ...props.curves.map((curve, i) => ({
          label: curve.label,
          stroke: COLORS[i % COLORS.length],
          spanGaps: true
        }))
      ]
    };
    const plot = new uPlot(options, alignCurves(props.curves), ref.current);
    return () => plot.destroy();
  }, [props.title, props.curves, props.width]);
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
