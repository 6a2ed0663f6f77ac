/**
 * The runs table's columns as the user arranged them: which params and metrics are shown,
 * in which order, how wide; kept in the settings registry. The name stays first (sticky).
 */
import * as React from 'react';

import { IRunPage } from './api';
import { baseColumns, IColumn, keyColumns } from './table';

/** The chosen columns; null: the defaults (the params that vary, the metrics). */
export interface IColumnChoice {
  params: string[] | null;
  metrics: string[] | null;
  /** the order of the columns after the name, by --sort field; null: the default order */
  order?: string[] | null;
  /** widths in pixels by --sort field; a column not named has its default width */
  widths?: { [field: string]: number };
}

export const NO_CHOICE: IColumnChoice = { params: null, metrics: null, order: null, widths: {} };
export const MIN_WIDTH = 40;
export const MAX_WIDTH = 800;

export function defaultColumns(page: IRunPage): { params: string[]; metrics: string[] } {
  return {
    params: page.varying_param_keys ?? page.param_keys,
    // usage series sampled by the tracker are not results
    metrics: page.metric_keys.filter(key => !key.startsWith('sys/'))
  };
}

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

/** The shown columns: the name, then the others in the chosen order (new ones at the end). */
export function layoutColumns(page: IRunPage | null, choice: IColumnChoice): IColumn[] {
  const defaults = page ? defaultColumns(page) : { params: [], metrics: [] };
  const [name, ...rest] = [
    ...baseColumns(),
    ...keyColumns(choice.params ?? defaults.params, choice.metrics ?? defaults.metrics)
  ];
  const order = choice.order ?? [];
  const rank = (column: IColumn) => {
    const at = order.indexOf(column.field);
    return at < 0 ? order.length : at;
  };
  // a stable sort: the columns the order does not name keep their default places after it
  const sorted = rest.map((column, i) => ({ column, i })).sort((a, b) => rank(a.column) - rank(b.column) || a.i - b.i);
  return [name, ...sorted.map(entry => entry.column)];
}

/** The order after moving ``field`` to where ``target`` is (before it leftwards, after it rightwards). */
export function moveField(fields: string[], field: string, target: string): string[] {
  const to = fields.indexOf(target);
  if (field === target || to < 0 || !fields.includes(field)) {
    return fields;
  }
  const rest = fields.filter(f => f !== field);
  rest.splice(to, 0, field);
  return rest;
}

function KeyGroup(props: { kind: 'params' | 'metrics'; keys: string[]; chosen: string[]; toggle: (key: string) => void }) {
  return (
    <fieldset>
      <legend>{props.kind}</legend>
      {props.keys.map(key => (
        <label key={key}>
          <input
            type="checkbox"
            data-key={`${props.kind}.${key}`}
            checked={props.chosen.includes(key)}
            onChange={() => props.toggle(key)}
          />
          {key}
        </label>
      ))}
    </fieldset>
  );
}

/** The shown columns in order, each movable left or right with the keyboard. */
function OrderGroup(props: { columns: IColumn[]; onMove: (field: string, target: string) => void }) {
  const fields = props.columns.slice(1).map(c => c.field);
  return (
    <fieldset className="jp-dlops-column-order">
      <legend>order</legend>
      <ol>
        {props.columns.slice(1).map((column, i) => (
          <li key={column.field} data-field={column.field}>
            <span>{column.title}</span>
            <button
              className="jp-dlops-move-left"
              aria-label={`Move ${column.title} left`}
              disabled={i === 0}
              onClick={() => props.onMove(column.field, fields[i - 1])}
            >
              ◀
            </button>
            <button
              className="jp-dlops-move-right"
              aria-label={`Move ${column.title} right`}
              disabled={i === fields.length - 1}
              onClick={() => props.onMove(column.field, fields[i + 1])}
            >
              ▶
            </button>
          </li>
        ))}
      </ol>
    </fieldset>
  );
}

export function ColumnChooser(props: {
  page: IRunPage;
  choice: IColumnChoice;
  columns: IColumn[];
  onChange: (c: IColumnChoice) => void;
  onMove: (field: string, target: string) => void;
}) {
  const defaults = defaultColumns(props.page);
  const chosen = { params: props.choice.params ?? defaults.params, metrics: props.choice.metrics ?? defaults.metrics };
  const toggle = (kind: 'params' | 'metrics') => (key: string) => {
    const list = chosen[kind];
    const next = list.includes(key) ? list.filter(k => k !== key) : [...list, key];
    props.onChange({ ...props.choice, ...chosen, [kind]: next });
  };
  return (
    <details className="jp-dlops-columns">
      <summary>Columns</summary>
      <div className="jp-dlops-columns-menu">
        <KeyGroup kind="params" keys={props.page.param_keys} chosen={chosen.params} toggle={toggle('params')} />
        <KeyGroup kind="metrics" keys={props.page.metric_keys} chosen={chosen.metrics} toggle={toggle('metrics')} />
        <OrderGroup columns={props.columns} onMove={props.onMove} />
        <button className="jp-mod-styled" onClick={() => props.onChange(NO_CHOICE)}>
          Reset to defaults
        </button>
      </div>
    </details>
  );
}
