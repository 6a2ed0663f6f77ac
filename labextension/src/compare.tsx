/** Two or more runs side by side: params, metrics, sections that differ, and overlaid curves. */
import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { getRun, IRun, metricSeries, MetricSeries } from './api';
import { MetricChart } from './chart';
import { formatDuration, formatTime, formatValue, shortId } from './format';

interface IRow {
  key: string;
  values: string[];
}

/** One row per field; ``differs`` marks rows whose values are not all equal. */
export function compareRows(runs: IRun[]): IRow[] {
  const union = (pick: (r: IRun) => object) =>
    Array.from(new Set(runs.flatMap(r => Object.keys(pick(r))))).sort();
  return [
    { key: 'name', values: runs.map(r => r.name) },
    { key: 'status', values: runs.map(r => r.status) },
    { key: 'start', values: runs.map(r => formatTime(r.start_time)) },
    { key: 'duration', values: runs.map(r => formatDuration(r.duration)) },
    ...union(r => r.params).map(k => ({
      key: `params.${k}`,
      values: runs.map(r => formatValue(r.params[k]))
    })),
    ...union(r => r.metrics).map(k => ({
      key: `metrics.${k}`,
      values: runs.map(r => formatValue(r.metrics[k]?.last))
    })),
    {
      key: 'data',
      values: runs.map(r =>
        (r.data ?? []).map(d => `${d.direction} ${d.relative_path ?? d.name ?? ''}@${shortId(d.id)}`).join(', ')
      )
    },
    ...sectionRows(runs)
  ];
}

/** Every leaf of an object as a dotted key (``hardware.cpu_model``): rows, not raw JSON. */
export function flatten(value: unknown, prefix: string, out: Map<string, string>, depth = 0): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
    for (const [key, item] of Object.entries(value as object)) {
      flatten(item, `${prefix}.${key}`, out, depth + 1);
    }
  } else if (Array.isArray(value) && value.every(v => v === null || typeof v !== 'object')) {
    out.set(prefix, value.map(v => formatValue(v)).join(', '));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out, depth + 1));
  } else {
    out.set(prefix, formatValue(value));
  }
}

/** The recorded sections (code, environment, hardware, cost...) one leaf a row. */
function sectionRows(runs: IRun[]): IRow[] {
  const flat = runs.map(run => {
    const out = new Map<string, string>();
    for (const [name, body] of Object.entries(run.sections ?? {})) {
      flatten(body, name, out);
    }
    return out;
  });
  const keys = Array.from(new Set(flat.flatMap(f => Array.from(f.keys())))).sort();
  return keys.map(key => ({ key, values: flat.map(f => f.get(key) ?? '') }));
}

export function CompareTable(props: { runs: IRun[] }) {
  return (
    <div className="jp-dlops-compare-scroll">
    <table className="jp-dlops-compare-table">
      <thead>
        <tr>
          <th />
          {props.runs.map(r => <th key={r.run_id} data-run-id={r.run_id}>{r.name} ({shortId(r.run_id)})</th>)}
        </tr>
      </thead>
      <tbody>
        {compareRows(props.runs).map(row => (
          <tr key={row.key} data-key={row.key} className={new Set(row.values).size > 1 ? 'jp-dlops-differs' : ''}>
            <th>{row.key}</th>
            {row.values.map((value, i) => <td key={i}>{value}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

function CompareCharts(props: { runs: IRun[]; series: MetricSeries[] }) {
  const keys = Array.from(new Set(props.series.flatMap(s => Object.keys(s)))).sort();
  return (
    <div className="jp-dlops-charts">
      {keys.map(key => (
        <MetricChart
          key={key}
          title={key}
          curves={props.runs.map((run, i) => ({ label: run.name, points: props.series[i][key] ?? [] }))}
        />
      ))}
    </div>
  );
}

function CompareLoader(props: { runIds: string[] }) {
  const [state, setState] = React.useState<{ runs?: IRun[]; series?: MetricSeries[]; error?: string }>({});
  React.useEffect(() => {
    Promise.all([Promise.all(props.runIds.map(getRun)), Promise.all(props.runIds.map(id => metricSeries(id)))])
      .then(([runs, series]) => setState({ runs, series }))
      .catch(e => setState({ error: (e as Error).message }));
  }, [props.runIds.join(',')]);
  if (state.error) {
    return <div className="jp-dlops-error" role="alert">{state.error}</div>;
  }
  if (!state.runs || !state.series) {
    return <p className="jp-dlops-muted">Loading {props.runIds.length} runs…</p>;
  }
  return (
    <div className="jp-dlops-compare">
      <h2>Compare {state.runs.length} runs</h2>
      <CompareTable runs={state.runs} />
      <CompareCharts runs={state.runs} series={state.series} />
    </div>
  );
}

export class CompareWidget extends ReactWidget {
  constructor(readonly runIds: string[]) {
    super();
    this.id = `jupyter-dlops-compare-${runIds.map(shortId).join('-')}`;
    this.title.label = `Compare ${runIds.length} runs`;
    this.title.closable = true;
    this.addClass('jp-dlops-main');
  }

  render(): JSX.Element {
    return <CompareLoader runIds={this.runIds} />;
  }
}
