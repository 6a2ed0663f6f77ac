/**
 * The runs table in the main area: every run, virtualised; filter with completion, sort,
 * column chooser (persisted in the settings registry), selection and compare.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import { IRun, IRunPage, listRunsIfChanged } from './api';
import { FilterBox, FilterError } from './filterbox';
import { GettingStarted } from './gettingstarted';
import { usePolledRuns, useStoreExists, useVisible, VisibilitySignal } from './poll';
import { baseColumns, keyColumns } from './table';
import { VirtualTable } from './vtable';

export const BLOCK = 100;

/** The chosen columns; null: the defaults (the params that vary, the metrics). */
export interface IColumnChoice {
  params: string[] | null;
  metrics: string[] | null;
}

/** Where the column choice is kept (the settings registry, in the plugin). */
export interface IColumnStore {
  get(): IColumnChoice;
  set(choice: IColumnChoice): void;
}

export interface IWorkspaceActions {
  openRun: (runId: string) => void;
  compare: (runIds: string[]) => void;
}

export function defaultColumns(page: IRunPage): { params: string[]; metrics: string[] } {
  return {
    params: page.varying_param_keys ?? page.param_keys,
    // usage series sampled by the tracker are not results
    metrics: page.metric_keys.filter(key => !key.startsWith('sys/'))
  };
}

/** Block 0 polled while visible; later blocks fetched when scrolled into view. */
function useRunBlocks(where: string, sort: string, visible: boolean) {
  const { page, error } = usePolledRuns({ where, sort, limit: BLOCK, offset: 0 }, visible);
  const [blocks, setBlocks] = React.useState<Map<number, IRun[]>>(new Map());
  const pending = React.useRef(new Set<number>());
  React.useEffect(() => {
    pending.current.clear();
    setBlocks(new Map(page ? [[0, page.runs]] : []));
  }, [page]);
  const onRange = React.useCallback(
    (first: number, last: number) => {
      for (let b = Math.floor(first / BLOCK); b * BLOCK < last; b++) {
        if (blocks.has(b) || pending.current.has(b)) {
          continue;
        }
        pending.current.add(b);
        void listRunsIfChanged({ where, sort, limit: BLOCK, offset: b * BLOCK }, null).then(answer => {
          pending.current.delete(b);
          if (answer && !answer.page.error) {
            setBlocks(current => new Map(current).set(b, answer.page.runs));
          }
        });
      }
    },
    [blocks, where, sort]
  );
  const runAt = (index: number) => blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK];
  return { page, error, onRange, runAt };
}

function ColumnChooser(props: { page: IRunPage; choice: IColumnChoice; onChange: (c: IColumnChoice) => void }) {
  const defaults = defaultColumns(props.page);
  const chosen = { params: props.choice.params ?? defaults.params, metrics: props.choice.metrics ?? defaults.metrics };
  const toggle = (kind: 'params' | 'metrics', key: string) => {
    const list = chosen[kind];
    const next = list.includes(key) ? list.filter(k => k !== key) : [...list, key];
    props.onChange({ ...chosen, [kind]: next });
  };
  const group = (kind: 'params' | 'metrics', keys: string[]) => (
    <fieldset>
      <legend>{kind}</legend>
      {keys.map(key => (
        <label key={key}>
          <input type="checkbox" data-key={`${kind}.${key}`} checked={chosen[kind].includes(key)} onChange={() => toggle(kind, key)} />
          {key}
        </label>
      ))}
    </fieldset>
  );
  return (
    <details className="jp-dlops-columns">
      <summary>Columns</summary>
      <div className="jp-dlops-columns-menu">
        {group('params', props.page.param_keys)}
        {group('metrics', props.page.metric_keys)}
        <button className="jp-mod-styled" onClick={() => props.onChange({ params: null, metrics: null })}>
          Reset to defaults
        </button>
      </div>
    </details>
  );
}

function EmptyState(props: { where: string; total: number }) {
  if (props.total) {
    return null;
  }
  return (
    <p className="jp-dlops-empty jp-dlops-muted" role="status">
      {props.where
        ? `No run matches “${props.where}”. Every run was checked; loosen the filter or clear it to see all runs.`
        : 'No runs yet: run a notebook with %load_ext jupyter_dlops, or dlops sweep from a terminal.'}
    </p>
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

function useColumnChoice(store: IColumnStore | null) {
  const [choice, setChoice] = React.useState<IColumnChoice>(store?.get() ?? { params: null, metrics: null });
  const change = (next: IColumnChoice) => {
    setChoice(next);
    store?.set(next);
  };
  return [choice, change] as const;
}

function RunsTableView(props: { actions: IWorkspaceActions; visible: boolean; columns: IColumnStore | null }) {
  const [where, setWhere] = React.useState('');
  const [sort, setSort] = React.useState('');
  const { selected, toggle } = useSelection();
  const [choice, setChoice] = useColumnChoice(props.columns);
  const { page, error, onRange, runAt } = useRunBlocks(where, sort, props.visible);
  const defaults = page ? defaultColumns(page) : { params: [], metrics: [] };
  const columns = [
    ...baseColumns(),
    ...keyColumns(choice.params ?? defaults.params, choice.metrics ?? defaults.metrics)
  ];
  const keys = { params: page?.param_keys ?? [], metrics: page?.metric_keys ?? [], tags: [] };
  return (
    <div className="jp-dlops-workspace">
      <div className="jp-dlops-toolbar">
        <FilterBox keys={keys} onApply={setWhere} />
        {page && !page.error && <ColumnChooser page={page} choice={choice} onChange={setChoice} />}
        <button
          className="jp-mod-styled jp-dlops-compare-button"
          disabled={selected.size < 2}
          onClick={() => props.actions.compare(Array.from(selected))}
          title="Compare the selected runs side by side"
        >
          Compare {selected.size}
        </button>
        {page && <span className="jp-dlops-count">{page.error ? '' : `${page.total} runs`}</span>}
        {page?.live && <span className="jp-dlops-live">● live</span>}
      </div>
      {page?.error && <FilterError where={where} error={page.error} />}
      {error && <p className="jp-dlops-warn">{error}</p>}
      {page && !page.error && <EmptyState where={where} total={page.total} />}
      {page && !page.error && page.total > 0 && (
        <VirtualTable
          total={page.total}
          runAt={runAt}
          onRange={onRange}
          columns={columns}
          sort={sort}
          selected={selected}
          onSort={setSort}
          onToggle={toggle}
          onOpen={props.actions.openRun}
        />
      )}
    </div>
  );
}

function Workspace(props: { actions: IWorkspaceActions; signal: VisibilitySignal; columns: IColumnStore | null }) {
  const visible = useVisible(props.signal);
  const [exists, setExists] = useStoreExists(visible);
  if (exists === false) {
    return <GettingStarted onCreated={() => setExists(true)} />;
  }
  return exists ? <RunsTableView actions={props.actions} visible={visible} columns={props.columns} /> : null;
}

export class RunsTableWidget extends ReactWidget {
  private signal = new VisibilitySignal();

  constructor(
    private actions: IWorkspaceActions,
    private columns: IColumnStore | null
  ) {
    super();
    this.id = 'jupyter-dlops-runs-table';
    this.title.label = 'Runs';
    this.title.closable = true;
    this.addClass('jp-dlops-main');
    this.addClass('jp-dlops-runs-main');
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.signal.set(this.isVisible);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.signal.set(true);
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.signal.set(false);
  }

  render(): JSX.Element {
    return <Workspace actions={this.actions} signal={this.signal} columns={this.columns} />;
  }
}
