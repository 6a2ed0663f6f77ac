/** A run's detail view: params, metrics with curves, and every recorded section. */
import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { getRun, IRun, IRunOutput, metricSeries, MetricSeries, runOutputs } from './api';
import { RunCharts } from './chart';
import { formatDuration, formatTime, formatValue, shortId } from './format';

/** The sections the record holds, in the order a reader wants them. */
const SECTION_ORDER = ['data', 'code', 'environment', 'hardware', 'usage', 'cost', 'logs'];

export function KeyValueTable(props: { rows: [string, unknown][]; className?: string }) {
  return (
    <table className={`jp-dlops-kv ${props.className ?? ''}`}>
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key} data-key={key}>
            <th>{key}</th>
            <td>
              {value !== null && typeof value === 'object' ? (
                <pre>{JSON.stringify(value, null, 2)}</pre>
              ) : (
                formatValue(value)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Section(props: { title: string; open?: boolean; children: React.ReactNode }) {
  return (
    <details className="jp-dlops-section" open={props.open} data-section={props.title}>
      <summary>{props.title}</summary>
      {props.children}
    </details>
  );
}

function summaryRows(run: IRun): [string, unknown][] {
  return [
    ['run id', run.run_id],
    ['status', run.status],
    ['experiment', run.experiment],
    ['kind', run.kind],
    ['entry point', run.entry_point],
    ['start', formatTime(run.start_time)],
    ['duration', formatDuration(run.duration)],
    ['sweep', run.sweep_id]
  ].filter(([, value]) => value !== null && value !== '') as [string, unknown][];
}

function dataRows(run: IRun): [string, unknown][] {
  return (run.data ?? []).map(d => [
    `${d.direction} ${d.relative_path ?? d.name ?? ''}`.trim(),
    `${shortId(d.id)} · ${d.files} files · ${d.bytes} bytes`
  ]);
}

function orderedSections(run: IRun): [string, unknown][] {
  const sections = run.sections ?? {};
  const names = Object.keys(sections).sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b)
  );
  return names.map(name => [name, sections[name]]);
}

function rank(name: string): number {
  const index = SECTION_ORDER.indexOf(name);
  return index < 0 ? SECTION_ORDER.length : index;
}

/** What the run's cells showed, loaded when the section is first opened (figures are large). */
function OutputsSection(props: { run: IRun }) {
  const [outputs, setOutputs] = React.useState<IRunOutput[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const load = (event: React.SyntheticEvent<HTMLDetailsElement>) => {
    if (event.currentTarget.open && outputs === null) {
      runOutputs(props.run.run_id).then(setOutputs).catch(e => setError((e as Error).message));
    }
  };
  return (
    <details className="jp-dlops-section" data-section="outputs" onToggle={load}>
      <summary>outputs ({props.run.outputs?.length ?? 0})</summary>
      {error && <div className="jp-dlops-error" role="alert">{error}</div>}
      {outputs?.map(o => (
        <div key={o.path} className="jp-dlops-output" data-path={o.path}>
          <div className="jp-dlops-muted">cell {o.cell}</div>
          {o.kind === 'figure'
            ? (o.png ? <img src={`data:image/png;base64,${o.png}`} alt={o.path} /> : <span>{o.path}, {o.size} bytes</span>)
            : <pre>{o.text}{o.truncated ? '\n…' : ''}</pre>}
        </div>
      ))}
    </details>
  );
}

/** A failed run's error: where it happened, then the whole message and traceback, readable. */
function RunError(props: { run: IRun }) {
  const { run } = props;
  return (
    <div className="jp-dlops-run-error" role="alert">
      <h3>{run.status === 'killed' ? 'Stopped' : 'Failed'}{run.error_cell ? ` in ${run.error_cell}` : ''}</h3>
      <pre className="jp-dlops-traceback">{run.error}</pre>
    </div>
  );
}

export function RunDetail(props: { run: IRun; series: MetricSeries; openSweep?: (sweep: string) => void }) {
  const { run } = props;
  const metricRows = Object.entries(run.metrics).map(
    ([key, m]) => [key, `last ${formatValue(m.last)} · min ${formatValue(m.min)} · max ${formatValue(m.max)} · ${m.count} values`] as [string, unknown]
  );
  return (
    <div className="jp-dlops-detail" data-run-id={run.run_id}>
      <h2>
        {run.name} <span className={`jp-dlops-badge jp-dlops-status-${run.status}`}>{run.status}</span>
        {run.sweep_id && props.openSweep && (
          <button className="jp-mod-styled jp-dlops-open-sweep" onClick={() => props.openSweep!(run.sweep_id!)}>
            Sweep views
          </button>
        )}
      </h2>
      <KeyValueTable rows={summaryRows(run)} />
      {run.error && <RunError run={run} />}
      <Section title="params" open><KeyValueTable rows={Object.entries(run.params)} /></Section>
      <Section title="metrics" open>
        <KeyValueTable rows={metricRows} />
        <RunCharts series={props.series} />
      </Section>
      <Section title="data versions" open={!!run.data?.length}>
        <KeyValueTable rows={dataRows(run)} />
      </Section>
      <Section title="tags"><KeyValueTable rows={Object.entries(run.tags)} /></Section>
      {orderedSections(run).map(([name, body]) => (
        <Section key={name} title={name}>
          {body !== null && typeof body === 'object' && !Array.isArray(body)
            ? <KeyValueTable rows={Object.entries(body as object)} />
            : <pre>{JSON.stringify(body, null, 2)}</pre>}
        </Section>
      ))}
      {!!run.outputs?.length && <OutputsSection run={run} />}
      {!!run.artifacts?.length && (
        <Section title="artifacts">
          <KeyValueTable rows={run.artifacts.map(a => [a.path, `${a.kind}, ${a.size} bytes`])} />
        </Section>
      )}
    </div>
  );
}

const LIVE_DETAIL_MS = 3000;

/** Load the run and its curves; while the run is running, load them again every few seconds. */
function RunDetailLoader(props: { runId: string; onName: (name: string) => void; openSweep?: (sweep: string) => void }) {
  const [state, setState] = React.useState<{ run?: IRun; series?: MetricSeries; error?: string }>({});
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    Promise.all([getRun(props.runId), metricSeries(props.runId)])
      .then(([run, series]) => {
        if (cancelled) {
          return;
        }
        setState({ run, series });
        props.onName(run.name || shortId(run.run_id));
        if (run.status === 'running') {
          timer = window.setTimeout(() => setTick(t => t + 1), LIVE_DETAIL_MS);
        }
      })
      .catch(e => !cancelled && setState({ error: (e as Error).message }));
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [props.runId, tick]);
  if (state.error) {
    return <div className="jp-dlops-error" role="alert">{state.error}</div>;
  }
  if (!state.run || !state.series) {
    return <p className="jp-dlops-muted">Loading run {shortId(props.runId)}…</p>;
  }
  return <RunDetail run={state.run} series={state.series} openSweep={props.openSweep} />;
}

export class RunDetailWidget extends ReactWidget {
  constructor(
    readonly runId: string,
    private openSweep?: (sweep: string) => void
  ) {
    super();
    this.id = `jupyter-dlops-run-${runId}`;
    this.title.label = `Run ${shortId(runId)}`;
    this.title.closable = true;
    this.addClass('jp-dlops-main');
  }

  /** the tab is titled by the run's name once it is known (the main-area wrapper follows) */
  private onName = (name: string) => {
    this.title.label = name;
    this.parent && (this.parent.title.label = name);
  };

  render(): JSX.Element {
    return <RunDetailLoader runId={this.runId} onName={this.onName} openSweep={this.openSweep} />;
  }
}
