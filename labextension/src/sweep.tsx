/** A sweep's views: a scatter of any param against any metric, and parallel coordinates. */
import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IRun, listRuns, listSweeps } from './api';
import { ParallelCoordinates, SweepScatter } from './sweepplots';

export interface ISweepRecord {
  sweep_id: string;
  name: string;
  notebook: string;
  spec: { objective?: string; direction?: string; space?: { [name: string]: unknown } };
  runs: number;
}

/** The params a sweep varies: its search space, else the params whose values differ. */
export function sweepParams(sweep: ISweepRecord, runs: IRun[]): string[] {
  if (sweep.spec.space && Object.keys(sweep.spec.space).length) {
    return Object.keys(sweep.spec.space).sort();
  }
  const keys = Array.from(new Set(runs.flatMap(r => Object.keys(r.params)))).sort();
  return keys.filter(k => new Set(runs.map(r => JSON.stringify(r.params[k] ?? null))).size > 1);
}

export function sweepMetrics(runs: IRun[]): string[] {
  return Array.from(new Set(runs.flatMap(r => Object.keys(r.metrics)))).filter(k => !k.startsWith('sys/')).sort();
}

async function loadSweep(ref: string): Promise<{ sweep: ISweepRecord; runs: IRun[] }> {
  const sweeps = (await listSweeps()) as ISweepRecord[];
  const sweep = sweeps.find(s => s.sweep_id === ref || s.name === ref);
  if (!sweep) {
    throw new Error(`no sweep named ${ref}; dlops sweeps lists them`);
  }
  const page = await listRuns({ where: `sweep_id = "${sweep.sweep_id}"`, sort: 'start_time', limit: 1000 });
  return { sweep, runs: page.runs };
}

function Picker(props: { label: string; value: string; options: string[]; onChange: (v: string) => void; name: string }) {
  return (
    <label>
      {props.label}
      <select className={`jp-mod-styled jp-dlops-pick-${props.name}`} value={props.value}
        onChange={event => props.onChange(event.currentTarget.value)}>
        {props.options.map(o => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
}

function SweepViews(props: { sweep: ISweepRecord; runs: IRun[]; openRun: (id: string) => void }) {
  const params = sweepParams(props.sweep, props.runs);
  const metrics = sweepMetrics(props.runs);
  const objective = props.sweep.spec.objective && metrics.includes(props.sweep.spec.objective)
    ? props.sweep.spec.objective : metrics[0];
  const [param, setParam] = React.useState(params[0] ?? '');
  const [metric, setMetric] = React.useState(objective ?? '');
  const [axisMetric, setAxisMetric] = React.useState(objective ?? '');
  const minimize = props.sweep.spec.direction === 'minimize' || (!props.sweep.spec.direction && /loss|err/i.test(axisMetric));
  if (!params.length || !metrics.length) {
    return <p className="jp-dlops-muted jp-dlops-empty">This sweep has {params.length ? 'no metrics' : 'no params that vary'} yet.</p>;
  }
  return (
    <>
      <section className="jp-dlops-sweep-view" data-view="scatter">
        <h3>Scatter</h3>
        <div className="jp-dlops-chart-controls">
          <Picker label="param" name="param" value={param} options={params} onChange={setParam} />
          <Picker label="metric" name="metric" value={metric} options={metrics} onChange={setMetric} />
        </div>
        <SweepScatter runs={props.runs} param={param} metric={metric} openRun={props.openRun} />
      </section>
      <section className="jp-dlops-sweep-view" data-view="parallel">
        <h3>Parallel coordinates</h3>
        <div className="jp-dlops-chart-controls">
          <Picker label="objective" name="objective" value={axisMetric} options={metrics} onChange={setAxisMetric} />
          <span className="jp-dlops-muted">{minimize ? 'lower is better' : 'higher is better'}: the better a run, the stronger its line</span>
        </div>
        <ParallelCoordinates runs={props.runs} params={params} metric={axisMetric} minimize={minimize} openRun={props.openRun} />
      </section>
    </>
  );
}

function SweepLoader(props: { sweepRef: string; openRun: (id: string) => void; onName: (name: string) => void }) {
  const [state, setState] = React.useState<{ sweep?: ISweepRecord; runs?: IRun[]; error?: string }>({});
  React.useEffect(() => {
    loadSweep(props.sweepRef)
      .then(found => {
        setState(found);
        props.onName(found.sweep.name);
      })
      .catch(e => setState({ error: (e as Error).message }));
  }, [props.sweepRef]);
  if (state.error) {
    return <div className="jp-dlops-error" role="alert">{state.error}</div>;
  }
  if (!state.sweep || !state.runs) {
    return <p className="jp-dlops-muted">Loading sweep…</p>;
  }
  const { sweep, runs } = state;
  return (
    <div className="jp-dlops-sweep" data-sweep-id={sweep.sweep_id}>
      <h2>Sweep {sweep.name}</h2>
      <p className="jp-dlops-muted">
        {runs.length} runs of {sweep.notebook}
        {sweep.spec.objective ? ` · objective ${sweep.spec.objective} (${sweep.spec.direction ?? 'minimize'})` : ''}
      </p>
      <SweepViews sweep={sweep} runs={runs} openRun={props.openRun} />
    </div>
  );
}

export class SweepWidget extends ReactWidget {
  constructor(
    readonly sweepRef: string,
    private openRun: (runId: string) => void
  ) {
    super();
    this.id = `jupyter-dlops-sweep-${sweepRef.replace(/[^\w-]/g, '_')}`;
    this.title.label = `Sweep ${sweepRef}`;
    this.title.closable = true;
    this.addClass('jp-dlops-main');
  }

  private onName = (name: string) => {
    this.title.label = `Sweep ${name}`;
    this.parent && (this.parent.title.label = this.title.label);
  };

  render(): JSX.Element {
    return <SweepLoader sweepRef={this.sweepRef} openRun={this.openRun} onName={this.onName} />;
  }
}
