/**
 * Saved views of the runs table: the filter, the columns, the sort and the grouping under a
 * name, kept in the settings registry; one of them can be the view the table opens with.
 */
import * as React from 'react';

import { IColumnChoice, NO_CHOICE } from './columns';

export interface ITableView {
  name: string;
  where: string;
  sort: string;
  groupBy: string;
  columns: IColumnChoice;
}

/** What the table shows with nothing chosen: every run, default columns, newest first. */
export const DEFAULT_VIEW: ITableView = { name: '', where: '', sort: '', groupBy: '', columns: NO_CHOICE };

export interface IViewsProps {
  views: ITableView[];
  defaultView: string | null;
  current: ITableView;
  onApply: (view: ITableView) => void;
  onChange: (views: ITableView[], defaultView: string | null) => void;
}

function summary(view: ITableView): string {
  const parts = [view.where ? `filter ${view.where}` : 'all runs'];
  view.sort && parts.push(`sorted by ${view.sort}`);
  view.groupBy && parts.push(`grouped by ${view.groupBy}`);
  return parts.join(', ');
}

function ViewItem(props: IViewsProps & { view: ITableView }) {
  const { view, views, defaultView } = props;
  const isDefault = view.name === defaultView;
  return (
    <li data-view={view.name} title={summary(view)}>
      <button className="jp-dlops-view-apply" onClick={() => props.onApply(view)}>
        {view.name}
      </button>
      <button
        className="jp-dlops-view-default"
        aria-pressed={isDefault}
        aria-label={isDefault ? `${view.name} is the default view` : `Open the table with ${view.name}`}
        title={isDefault ? 'The table opens with this view' : 'Open the table with this view'}
        onClick={() => props.onChange(views, isDefault ? null : view.name)}
      >
        {isDefault ? '★' : '☆'}
      </button>
      <button
        className="jp-dlops-view-delete"
        aria-label={`Delete view ${view.name}`}
        onClick={() => props.onChange(views.filter(v => v.name !== view.name), isDefault ? null : defaultView)}
      >
        ✕
      </button>
    </li>
  );
}

export function ViewsMenu(props: IViewsProps) {
  const [name, setName] = React.useState('');
  const save = () => {
    const trimmed = name.trim();
    if (!trimmed) {
      return;
    }
    // saving under an existing name replaces that view, in its place
    const view = { ...props.current, name: trimmed };
    const at = props.views.findIndex(v => v.name === trimmed);
    const views = at < 0 ? [...props.views, view] : props.views.map((v, i) => (i === at ? view : v));
    props.onChange(views, props.defaultView);
    setName('');
  };
  return (
    <details className="jp-dlops-views">
      <summary>Views</summary>
      <div className="jp-dlops-views-menu">
        <ul>
          <li data-view="">
            <button className="jp-dlops-view-apply" onClick={() => props.onApply(DEFAULT_VIEW)} title="Every run, the default columns, newest first">
              All runs (defaults)
            </button>
          </li>
          {props.views.map(view => (
            <ViewItem key={view.name} {...props} view={view} />
          ))}
        </ul>
        <div className="jp-dlops-view-save">
          <input
            className="jp-dlops-view-name"
            placeholder="Name this view"
            aria-label="Name of the view to save"
            value={name}
            onChange={e => setName(e.target.value)}
            onKeyDown={e => e.key === 'Enter' && save()}
          />
          <button className="jp-mod-styled jp-dlops-view-save-button" disabled={!name.trim()} onClick={save}>
            Save view
          </button>
        </div>
      </div>
    </details>
  );
}
