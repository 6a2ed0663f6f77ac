/** Two or more runs side by side: params, metrics, overlaid curves, hardware, cost, packages, code. */
import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { compareDetails, getRun, ICompareDetails, ICompareRow, IRun, metricSeries, MetricSeries } from './api';
import { ChartGroup } from './chart';
import { CodeSection, flatten, PackagesSection, RunsTable, SectionTables } from './comparesections';
import { formatDuration, formatTime, formatValue, shortId } from './format';

/** Sections drawn as tables or charts of their own, not as rows of the main table. */
const OWN_SECTIONS = new Set(['hardware', 'cost', 'usage']);

/** One row per field of the main table. */
export function compareRows(runs: IRun[]): ICompareRow[] {
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

/** The other recorded sections (code, environment...) one leaf a row; object ids left out
 * (the packages and code sections show what they hold). */
function sectionRows(runs: IRun[]): ICompareRow[] {
  const flat = runs.map(run => {
    const out = new Map<string, string>();
    for (const [name, body] of Object.entries(run.sections ?? {})) {
      if (!OWN_SECTIONS.has(name)) {
        flatten(body, name, out);
      }
    }
    return out;
  });
  const keys = Array.from(new Set(flat.flatMap(f => Array.from(f.keys())))).filter(k => !k.endsWith('_object')).sort();
  return keys.map(key => ({ key, values: flat.map(f => f.get(key) ?? '') }));
}

export function CompareTable(props: { runs: IRun[] }) {
  return <RunsTable runs={props.runs} rows={compareRows(props.runs)} name="main" />;
}

/** One chart per metric, one series per run, the legend naming the runs. */
function CompareCharts(props: { runs: IRun[]; series: MetricSeries[] }) {
  const charts = React.useMemo(() => {
    const keys = Array.from(new Set(props.series.flatMap(s => Object.keys(s)))).sort();
    return keys.map(key => ({
      title: key,
      curves: props.runs.map((run, i) => ({ label: run.name, points: props.series[i][key] ?? [] }))
    }));
  }, [props.runs, props.series]);
  return <ChartGroup charts={charts} />;
}

interface ICompareState {
  runs?: IRun[];
  series?: MetricSeries[];
  details?: ICompareDetails;
  error?: string;
}

function CompareLoader(props: { runIds: string[]; openSweep?: (sweep: string) => void }) {
  const [state, setState] = React.useState<ICompareState>({});
  React.useEffect(() => {
    Promise.all([
      Promise.all(props.runIds.map(getRun)),
      Promise.all(props.runIds.map(id => metricSeries(id))),
      compareDetails(props.runIds)
    ])
      .then(([runs, series, details]) => setState({ runs, series, details }))
      .catch(e => setState({ error: (e as Error).message }));
  }, [props.runIds.join(',')]);
  if (state.error) {
    return <div className="jp-dlops-error" role="alert">{state.error}</div>;
  }
  if (!state.runs || !state.series || !state.details) {
    return <p className="jp-dlops-muted">Loading {props.runIds.length} runs…</p>;
  }
  const sweeps = new Set(state.runs.map(r => r.sweep_id));
  const sweep = sweeps.size === 1 ? state.runs[0].sweep_id : null;
  return (
    <div className="jp-dlops-compare">
      <h2>
        Compare {state.runs.length} runs
        {sweep && props.openSweep && (
          <button className="jp-mod-styled jp-dlops-open-sweep" onClick={() => props.openSweep!(sweep)}>
            Sweep views
          </button>
        )}
      </h2>
      <CompareTable runs={state.runs} />
      <CompareCharts runs={state.runs} series={state.series} />
      <SectionTables runs={state.runs} />
      <PackagesSection details={state.details} />
      <CodeSection details={state.details} />
    </div>
  );
}

export class CompareWidget extends ReactWidget {
  constructor(
    readonly runIds: string[],
    private openSweep?: (sweep: string) => void
  ) {
    super();
    this.id = `jupyter-dlops-compare-${runIds.map(shortId).join('-')}`;
    this.title.label = `Compare ${runIds.length} runs`;
    this.title.closable = true;
    this.addClass('jp-dlops-main');
  }

  render(): JSX.Element {
    return <CompareLoader runIds={this.runIds} openSweep={this.openSweep} />;
  }
}
