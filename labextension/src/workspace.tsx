/**
 * The runs table in the main area: every run, virtualised; filter with completion, sort,
 * columns chosen, moved and resized, grouping, saved views (all kept in the settings
 * registry), selection and compare.
 */
import * as React from 'react';

import { ColumnChooser, IColumnChoice, layoutColumns, moveField, NO_CHOICE } from './columns';
import { FilterBox, FilterError } from './filterbox';
import { GettingStarted } from './gettingstarted';
import { useStoreExists, useVisible, VisibilitySignal, VisibleWidget } from './poll';
import { groupLabel, useRunRows } from './rows';
import { ITableView, ViewsMenu } from './views';
import { VirtualTable } from './vtable';

export type { IColumnChoice } from './columns';

/** Where the table's choices are kept (the settings registry, in the plugin). */
export interface IWorkspaceSettings {
  get(key: 'columns' | 'groupBy' | 'views' | 'defaultView'): unknown;
  set(key: 'columns' | 'groupBy' | 'views' | 'defaultView', value: unknown): void;
}

export interface IWorkspaceActions {
  openRun: (runId: string) => void;
  compare: (runIds: string[]) => void;
}

function GroupByChooser(props: { paramKeys: string[]; value: string; onChange: (by: string) => void }) {
  const choices = ['experiment', 'sweep', ...props.paramKeys.map(key => `params.${key}`)];
  return (
    <label className="jp-dlops-group-by">
      Group by{' '}
      <select value={props.value} onChange={e => props.onChange(e.target.value)} aria-label="Group by">
        <option value="">nothing</option>
        {choices.map(by => (
          <option key={by} value={by}>
            {groupLabel(by)}
          </option>
        ))}
      </select>
    </label>
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
  // a functional update: a memoised row may hold an older copy of this function
  const toggle = React.useCallback((runId: string) => {
    setSelected(current => {
      const next = new Set(current);
      next.has(runId) ? next.delete(runId) : next.add(runId);
      return next;
    });
  }, []);
  return { selected, toggle };
}

/** The table's state: what is persisted in the settings registry, and the saved views. */
function useTableState(settings: IWorkspaceSettings | null) {
  const views = (settings?.get('views') as ITableView[] | undefined) ?? [];
  const defaultView = (settings?.get('defaultView') as string | null | undefined) ?? null;
  const opening = views.find(v => v.name === defaultView);
  const [where, setWhere] = React.useState(opening?.where ?? '');
  const [sort, setSort] = React.useState(opening?.sort ?? '');
  const [choice, setChoiceState] = React.useState<IColumnChoice>(
    opening?.columns ?? (settings?.get('columns') as IColumnChoice | undefined) ?? NO_CHOICE
  );
  const [groupBy, setGroupByState] = React.useState<string>(
    opening?.groupBy ?? (settings?.get('groupBy') as string | undefined) ?? ''
  );
  const [saved, setSaved] = React.useState({ views, defaultView });
  // the filter box is remounted with a view's filter when a view is applied
  const [generation, setGeneration] = React.useState(0);
  const setChoice = (next: IColumnChoice) => {
    setChoiceState(next);
    settings?.set('columns', next);
  };
  const setGroupBy = (by: string) => {
    setGroupByState(by);
    settings?.set('groupBy', by || null);
  };
  const apply = (view: ITableView) => {
    setWhere(view.where);
    setSort(view.sort);
    setChoice(view.columns);
    setGroupBy(view.groupBy);
    setGeneration(generation + 1);
  };
  const changeViews = (next: ITableView[], nextDefault: string | null) => {
    setSaved({ views: next, defaultView: nextDefault });
    settings?.set('views', next);
    settings?.set('defaultView', nextDefault);
  };
  const current: ITableView = { name: '', where, sort, groupBy, columns: choice };
  return { where, setWhere, sort, setSort, choice, setChoice, groupBy, setGroupBy, saved, apply, changeViews, current, generation };
}

function RunsTableView(props: { actions: IWorkspaceActions; visible: boolean; settings: IWorkspaceSettings | null }) {
  const state = useTableState(props.settings);
  const { where, sort, choice, groupBy } = state;
  const { selected, toggle } = useSelection();
  const rows = useRunRows(where, sort, groupBy, props.visible);
  const page = rows.page;
  const columns = layoutColumns(page, choice);
  const keys = { params: page?.param_keys ?? [], metrics: page?.metric_keys ?? [], tags: [] };
  const onMove = (field: string, target: string) =>
    state.setChoice({ ...choice, order: moveField(columns.slice(1).map(c => c.field), field, target) });
  const onResize = (field: string, width: number) =>
    state.setChoice({ ...choice, widths: { ...(choice.widths ?? {}), [field]: width } });
  const ready = page && !page.error;
  return (
    <div className="jp-dlops-workspace">
      <div className="jp-dlops-toolbar">
        <FilterBox key={state.generation} initial={where} keys={keys} onApply={state.setWhere} />
        {ready && <ColumnChooser page={page} choice={choice} columns={columns} onChange={state.setChoice} onMove={onMove} />}
        {ready && <GroupByChooser paramKeys={page.param_keys} value={groupBy} onChange={state.setGroupBy} />}
        <ViewsMenu
          views={state.saved.views}
          defaultView={state.saved.defaultView}
          current={state.current}
          onApply={state.apply}
          onChange={state.changeViews}
        />
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
      {rows.error && <p className="jp-dlops-warn">{rows.error}</p>}
      {ready && <EmptyState where={where} total={page.total} />}
      {ready && page.total > 0 && !rows.waiting && (
        <VirtualTable
          // another filter or grouping starts at the top (a new sort keeps the sideways scroll)
          key={`${where}\n${groupBy}`}
          total={rows.total}
          rowAt={rows.rowAt}
          onRange={rows.onRange}
          columns={columns}
          widths={choice.widths ?? {}}
          sort={sort}
          selected={selected}
          onSort={state.setSort}
          onResize={onResize}
          onMove={onMove}
          onToggle={toggle}
          onOpen={props.actions.openRun}
          onToggleGroup={rows.toggleGroup}
        />
      )}
    </div>
  );
}

function Workspace(props: { actions: IWorkspaceActions; signal: VisibilitySignal; settings: IWorkspaceSettings | null }) {
  const visible = useVisible(props.signal);
  const [exists, setExists] = useStoreExists(visible);
  if (exists === false) {
    return <GettingStarted onCreated={() => setExists(true)} />;
  }
  return exists ? <RunsTableView actions={props.actions} visible={visible} settings={props.settings} /> : null;
}

export class RunsTableWidget extends VisibleWidget {
  constructor(
    private actions: IWorkspaceActions,
    private settings: IWorkspaceSettings | null
  ) {
    super();
    this.id = 'jupyter-dlops-runs-table';
    this.title.label = 'Runs';
    this.title.closable = true;
    this.addClass('jp-dlops-main');
    this.addClass('jp-dlops-runs-main');
  }

  render(): JSX.Element {
    return <Workspace actions={this.actions} signal={this.signal} settings={this.settings} />;
  }
}
