/**
 * A sweep's two views for choosing hyperparameters: a scatter of a param against a metric, and
 * parallel coordinates of every param and the objective. SVG, with axis labels as DOM text.
 */
import * as React from 'react';

import { IRun } from './api';
import { formatValue } from './format';
import { axisScale } from './sweepscales';

const W = 520;
const H = 300;
const PAD = { left: 64, right: 16, top: 16, bottom: 48 };

export function metricValue(run: IRun, metric: string): number | null {
  const value = run.metrics[metric]?.last;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** One point per run: ``param`` across, ``metric`` up; a click opens the run. */
export function SweepScatter(props: { runs: IRun[]; param: string; metric: string; openRun: (id: string) => void }) {
  const { runs, param, metric } = props;
  const xScale = axisScale(runs.map(r => r.params[param]));
  const yScale = axisScale(runs.map(r => metricValue(r, metric)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (u: number) => PAD.left + u * plotW;
  const y = (u: number) => PAD.top + (1 - u) * plotH;
  const points = runs
    .map(run => ({ run, u: xScale.at(run.params[param]), v: yScale.at(metricValue(run, metric)) }))
    .filter(p => p.u !== null && p.v !== null);
  return (
    <svg className="jp-dlops-scatter" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${metric} against ${param}`}>
      <line className="jp-dlops-axis-line" x1={PAD.left} y1={y(0)} x2={x(1)} y2={y(0)} />
      <line className="jp-dlops-axis-line" x1={PAD.left} y1={y(0)} x2={PAD.left} y2={y(1)} />
      {xScale.ticks.map(t => (
        <text key={`x${t.label}`} className="jp-dlops-tick" x={x(t.at)} y={y(0) + 16} textAnchor="middle">{t.label}</text>
      ))}
      {yScale.ticks.map(t => (
        <text key={`y${t.label}`} className="jp-dlops-tick" x={PAD.left - 6} y={y(t.at) + 4} textAnchor="end">{t.label}</text>
      ))}
      <text className="jp-dlops-axis-label jp-dlops-x-label" x={x(0.5)} y={H - 8} textAnchor="middle">
        {param}{xScale.kind === 'log' ? ' (log)' : ''}
      </text>
      <text className="jp-dlops-axis-label jp-dlops-y-label" x={12} y={y(0.5)} textAnchor="middle"
        transform={`rotate(-90 12 ${y(0.5)})`}>{metric}</text>
      {points.map(p => (
        <circle key={p.run.run_id} className={`jp-dlops-point jp-dlops-status-${p.run.status}`} data-run-id={p.run.run_id}
          cx={x(p.u!)} cy={y(p.v!)} r={5} onClick={() => props.openRun(p.run.run_id)}>
          <title>{`${p.run.name}: ${param} ${formatValue(p.run.params[param])}, ${metric} ${formatValue(metricValue(p.run, metric))}`}</title>
        </circle>
      ))}
    </svg>
  );
}

/** Lines of the better runs are drawn stronger: the rank of their objective, 0 (worst) to 1. */
function ranks(values: (number | null)[], minimize: boolean): Map<number, number> {
  const order = values.map((v, i) => [v, i] as [number | null, number]).filter(([v]) => v !== null)
    .sort((a, b) => (minimize ? b[0]! - a[0]! : a[0]! - b[0]!));
  return new Map(order.map(([, i], k) => [i, order.length > 1 ? k / (order.length - 1) : 1]));
}

/** One vertical axis per param and one for the objective; one polyline per run. */
export function ParallelCoordinates(props: {
  runs: IRun[]; params: string[]; metric: string; minimize: boolean; openRun: (id: string) => void;
}) {
  const { runs, params, metric } = props;
  const axes = [...params.map(p => ({ name: p, value: (r: IRun) => r.params[p] })),
    { name: metric, value: (r: IRun) => metricValue(r, metric) }];
  const scales = axes.map(axis => axisScale(runs.map(axis.value)));
  const width = Math.max(W, axes.length * 120);
  const x = (i: number) => PAD.left + (axes.length > 1 ? i / (axes.length - 1) : 0.5) * (width - PAD.left - PAD.right - 40);
  const y = (u: number) => PAD.top + 14 + (1 - u) * (H - PAD.top - PAD.bottom - 14);
  const rank = ranks(runs.map(r => metricValue(r, metric)), props.minimize);
  return (
    <svg className="jp-dlops-parallel" viewBox={`0 0 ${width} ${H}`} role="img" aria-label={`parallel coordinates of ${axes.map(a => a.name).join(', ')}`}>
      {runs.map((run, i) => {
        const points = axes.map((axis, a) => [a, scales[a].at(axis.value(run))] as [number, number | null])
          .filter(([, u]) => u !== null).map(([a, u]) => `${x(a)},${y(u!)}`).join(' ');
        const strength = rank.get(i);
        return (
          <polyline key={run.run_id} className="jp-dlops-pc-line" data-run-id={run.run_id} points={points}
            strokeOpacity={strength === undefined ? 0.25 : 0.25 + 0.75 * strength}
            strokeDasharray={strength === undefined ? '4 3' : undefined} onClick={() => props.openRun(run.run_id)}>
            <title>{`${run.name}: ${metric} ${formatValue(metricValue(run, metric))}`}</title>
          </polyline>
        );
      })}
      {axes.map((axis, a) => (
        <g key={axis.name} className="jp-dlops-pc-axis" data-axis={axis.name}>
          <line className="jp-dlops-axis-line" x1={x(a)} y1={y(0)} x2={x(a)} y2={y(1)} />
          <text className="jp-dlops-axis-label" x={x(a)} y={PAD.top} textAnchor="middle">
            {axis.name}{scales[a].kind === 'log' ? ' (log)' : ''}
          </text>
          {scales[a].ticks.map(t => (
            <text key={t.label} className="jp-dlops-tick" x={x(a) + 6} y={y(t.at) + 4}>{t.label}</text>
          ))}
        </g>
      ))}
    </svg>
  );
}
