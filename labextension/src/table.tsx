/** The runs table: sortable columns, one page of runs, selectable rows. */
import * as React from 'react';

import { IRun } from './api';
import { formatDuration, formatShortTime, formatValue } from './format';

export interface IColumn {
  /** the --sort field, e.g. "start_time", "params.lr", "metrics.acc" */
  field: string;
  title: string;
  value: (run: IRun) => string;
}

export function baseColumns(): IColumn[] {
  return [
    // the name first: it stays in view (sticky) while the other columns scroll sideways
    { field: 'name', title: 'Name', value: run => run.name },
    { field: 'status', title: 'Status', value: run => run.status },
    { field: 'start_time', title: 'Start', value: run => formatShortTime(run.start_time) },
    { field: 'duration', title: 'Duration', value: run => formatDuration(run.duration) }
  ];
}

export function keyColumns(params: string[], metrics: string[]): IColumn[] {
  return [
    ...params.map(key => ({
      field: `params.${quoteKey(key)}`,
      title: key,
      value: (run: IRun) => formatValue(run.params[key])
    })),
    ...metrics.map(key => ({
      field: `metrics.${quoteKey(key)}`,
      title: key,
      value: (run: IRun) => formatValue(run.metrics[key]?.last)
    }))
  ];
}

function quoteKey(key: string): string {
  return /^[\w.\-/:]+$/.test(key) ? key : `\`${key}\``;
}

/** "-start_time" -> {field: "start_time", descending: true} */
export function parseSort(sort: string): { field: string; descending: boolean } {
  return sort.startsWith('-')
    ? { field: sort.slice(1), descending: true }
    : { field: sort, descending: false };
}

export interface ITableProps {
  runs: IRun[];
  columns: IColumn[];
  sort: string;
  selected: Set<string>;
  onSort: (sort: string) => void;
  onToggle: (runId: string) => void;
  onOpen: (runId: string) => void;
}

function HeaderCell(props: { column: IColumn; sort: string; onSort: (s: string) => void }) {
  const { field, descending } = parseSort(props.sort);
  const active = field === props.column.field;
  const next = active && !descending ? `-${props.column.field}` : props.column.field;
  const arrow = active ? (descending ? ' ▼' : ' ▲') : '';
  return (
    <th
      className={active ? 'jp-dlops-sorted' : ''}
      data-field={props.column.field}
      onClick={() => props.onSort(next)}
      title={`Sort by ${props.column.field}`}
    >
      {props.column.title}
      {arrow}
    </th>
  );
}

export function RunsTable(props: ITableProps) {
  return (
    <table className="jp-dlops-runs-table">
      <thead>
        <tr>
          <th />
          {props.columns.map(column => (
            <HeaderCell key={column.field} column={column} sort={props.sort} onSort={props.onSort} />
          ))}
        </tr>
      </thead>
      <tbody>
        {props.runs.map(run => (
          <tr
            key={run.run_id}
            className={`jp-dlops-run-row jp-dlops-status-${run.status}`}
            data-run-id={run.run_id}
          >
            <td>
              <input
                type="checkbox"
                className="jp-dlops-select"
                aria-label={`select ${run.name}`}
                checked={props.selected.has(run.run_id)}
                onChange={() => props.onToggle(run.run_id)}
              />
            </td>
            {props.columns.map(column => (
              <td
                key={column.field}
                data-field={column.field}
                onClick={() => props.onOpen(run.run_id)}
              >
                {column.value(run)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
