/** The Experiments side panel: filter, sort, page through and select runs. */
import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IRunPage, listRuns } from './api';
import { baseColumns, keyColumns, RunsTable } from './table';

export const PAGE_SIZE = 50;
const LIVE_REFRESH_MS = 2000;
const IDLE_REFRESH_MS = 10000;
const ERROR_REFRESH_MS = 5000;
const DEFAULT_KEY_COLUMNS = 3;

export interface IPanelActions {
  openRun: (runId: string) => void;
  compare: (runIds: string[]) => void;
}

interface IQueryState {
  where: string;
  sort: string;
  offset: number;
}

/** Fetch a page now and again: quickly while runs are live, slowly otherwise. */
function useRunPage(query: IQueryState, tick: number) {
  const [page, setPage] = React.useState<IRunPage | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  React.useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const load = async () => {
      let delay = IDLE_REFRESH_MS;
      try {
        const data = await listRuns({ ...query, limit: PAGE_SIZE });
        if (!cancelled) {
          setPage(data);
          setError(null);
          delay = data.live ? LIVE_REFRESH_MS : IDLE_REFRESH_MS;
        }
      } catch (e) {
        if (!cancelled) {
          setError((e as Error).message);
          delay = ERROR_REFRESH_MS;
        }
      }
      if (!cancelled) {
        timer = window.setTimeout(() => setReload(r => r + 1), delay);
      }
    };
    void load();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [query.where, query.sort, query.offset, tick, reload]);
  return { page, error };
}

function ColumnChooser(props: {
  keys: string[];
  chosen: string[];
  label: string;
  onChange: (keys: string[]) => void;
}) {
  const toggle = (key: string) =>
    props.onChange(
      props.chosen.includes(key) ? props.chosen.filter(k => k !== key) : [...props.chosen, key]
    );
  return (
    <details className="jp-dlops-columns">
      <summary>{props.label}</summary>
      {props.keys.map(key => (
        <label key={key}>
          <input type="checkbox" checked={props.chosen.includes(key)} onChange={() => toggle(key)} />
          {key}
        </label>
      ))}
    </details>
  );
}

function Pager(props: { page: IRunPage; onOffset: (offset: number) => void }) {
  const { offset, total } = props.page;
  const last = Math.min(offset + PAGE_SIZE, total);
  return (
    <div className="jp-dlops-pager">
      <button disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - PAGE_SIZE))}>
        ‹ Prev
      </button>
      <span className="jp-dlops-count">
        {total ? `${offset + 1}–${last} of ${total}` : '0 runs'}
      </span>
      <button disabled={last >= total} onClick={() => props.onOffset(offset + PAGE_SIZE)}>
        Next ›
      </button>
    </div>
  );
}

function useChosenKeys(available: string[] | undefined) {
  const [chosen, setChosen] = React.useState<string[] | null>(null);
  const keys = available ?? [];
  return [chosen ?? keys.slice(0, DEFAULT_KEY_COLUMNS), setChosen] as const;
}

interface IToolbarProps {
  selected: number;
  onFilter: (where: string) => void;
  onRefresh: () => void;
  onCompare: () => void;
}

function PanelToolbar(props: IToolbarProps) {
  const [draft, setDraft] = React.useState('');
  const apply = () => props.onFilter(draft.trim());
  return (
    <div className="jp-dlops-toolbar">
      <input
        className="jp-dlops-filter"
        placeholder="metrics.acc > 0.9 and params.lr < 0.1"
        value={draft}
        onChange={e => setDraft(e.target.value)}
        onKeyDown={e => e.key === 'Enter' && apply()}
        title="Filter with the --where language of `dlops runs`"
      />
      <button className="jp-dlops-apply" onClick={apply}>Filter</button>
      <button className="jp-dlops-refresh" onClick={props.onRefresh} title="Refresh">⟳</button>
      <button
        className="jp-dlops-compare-button"
        disabled={props.selected < 2}
        onClick={props.onCompare}
        title="Compare the selected runs side by side"
      >
        Compare {props.selected}
      </button>
    </div>
  );
}

function useSelection() {
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const toggle = (runId: string) => {
    const next = new Set(selected);
    next.has(runId) ? next.delete(runId) : next.add(runId);
    setSelected(next);
  };
  return { selected, toggle };
}

function PageView(props: {
  page: IRunPage;
  query: IQueryState;
  setQuery: (q: IQueryState) => void;
  selected: Set<string>;
  toggle: (runId: string) => void;
  openRun: (runId: string) => void;
}) {
  const { page, query, setQuery } = props;
  const [params, setParams] = useChosenKeys(page.param_keys);
  const [metrics, setMetrics] = useChosenKeys(page.metric_keys);
  return (
    <>
      <div className="jp-dlops-choosers">
        <ColumnChooser label="Params" keys={page.param_keys} chosen={params} onChange={setParams} />
        <ColumnChooser label="Metrics" keys={page.metric_keys} chosen={metrics} onChange={setMetrics} />
        {page.live && <span className="jp-dlops-live">● live</span>}
      </div>
      <div className="jp-dlops-table-scroll">
        <RunsTable
          runs={page.runs}
          columns={[...baseColumns(), ...keyColumns(params, metrics)]}
          sort={query.sort}
          selected={props.selected}
          onSort={sort => setQuery({ ...query, sort, offset: 0 })}
          onToggle={props.toggle}
          onOpen={props.openRun}
        />
      </div>
      <Pager page={page} onOffset={offset => setQuery({ ...query, offset })} />
    </>
  );
}

export function ExperimentsView(props: { actions: IPanelActions }) {
  const [query, setQuery] = React.useState<IQueryState>({ where: '', sort: '', offset: 0 });
  const [tick, setTick] = React.useState(0);
  const { selected, toggle } = useSelection();
  const { page, error } = useRunPage(query, tick);
  return (
    <div className="jp-dlops-experiments">
      <PanelToolbar
        selected={selected.size}
        onFilter={where => setQuery({ ...query, where, offset: 0 })}
        onRefresh={() => setTick(tick + 1)}
        onCompare={() => props.actions.compare(Array.from(selected))}
      />
      {error && <div className="jp-dlops-error" role="alert">{error}</div>}
      {page && (
        <PageView page={page} query={query} setQuery={setQuery} selected={selected}
          toggle={toggle} openRun={props.actions.openRun} />
      )}
    </div>
  );
}

export class ExperimentsPanel extends ReactWidget {
  constructor(private actions: IPanelActions) {
    super();
    this.id = 'jupyter-dlops-experiments';
    this.addClass('jp-dlops-panel');
  }

  render(): JSX.Element {
    return <ExperimentsView actions={this.actions} />;
  }
}
