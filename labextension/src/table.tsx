/** The runs table's columns: what each shows and the --sort field it sorts by. */
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
