/**
 * A virtualised runs table: rows are DOM elements with text (screen readers and Galata read
 * them), only those in view are rendered, over every run (no paging). The selection and name
 * columns stay put while the others scroll sideways.
 */
import * as React from 'react';

import { IRun } from './api';
import { IColumn, parseSort } from './table';

export const ROW_HEIGHT = 26;
const OVERSCAN = 10;
const SELECT_WIDTH = 32;

export interface IVirtualTableProps {
  total: number;
  /** the run at an index, or undefined while its block loads */
  runAt: (index: number) => IRun | undefined;
  /** called with the visible index range, so missing blocks are fetched */
  onRange: (first: number, last: number) => void;
  columns: IColumn[];
  sort: string;
  selected: Set<string>;
  onSort: (sort: string) => void;
  onToggle: (runId: string) => void;
  onOpen: (runId: string) => void;
}

function columnWidth(column: IColumn): number {
  return column.field === 'name' ? 200 : column.field === 'start_time' ? 130 : 110;
}

/** Left offsets of the sticky columns: the checkbox, then the name. */
function stickyStyle(column: IColumn | null): React.CSSProperties | undefined {
  if (column === null) {
    return { position: 'sticky', left: 0, zIndex: 1 };
  }
  return column.field === 'name' ? { position: 'sticky', left: SELECT_WIDTH, zIndex: 1 } : undefined;
}

function HeaderCell(props: { column: IColumn; sort: string; onSort: (s: string) => void }) {
  const { field, descending } = parseSort(props.sort);
  const active = field === props.column.field;
  const next = active && !descending ? `-${props.column.field}` : props.column.field;
  return (
    <div
      role="columnheader"
      className={`jp-dlops-cell jp-dlops-head${active ? ' jp-dlops-sorted' : ''}`}
      data-field={props.column.field}
      style={stickyStyle(props.column)}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
      onClick={() => props.onSort(next)}
      title={`Sort by ${props.column.field}`}
    >
      {props.column.title}
      {active ? (descending ? ' ▼' : ' ▲') : ''}
    </div>
  );
}

function Row(props: { run: IRun | undefined; index: number; table: IVirtualTableProps; grid: string }) {
  const { run, table } = props;
  const style: React.CSSProperties = {
    gridTemplateColumns: props.grid,
    transform: `translateY(${props.index * ROW_HEIGHT}px)`,
    height: ROW_HEIGHT
  };
  if (!run) {
    return <div role="row" className="jp-dlops-vrow jp-dlops-loading-row" style={style} aria-rowindex={props.index + 2} />;
  }
  return (
    <div
      role="row"
      aria-rowindex={props.index + 2}
      className={`jp-dlops-vrow jp-dlops-run-row jp-dlops-status-${run.status}`}
      data-run-id={run.run_id}
      style={style}
    >
      <div role="gridcell" className="jp-dlops-cell jp-dlops-select-cell" style={stickyStyle(null)}>
        <input
          type="checkbox"
          className="jp-dlops-select"
          aria-label={`select ${run.name}`}
          checked={table.selected.has(run.run_id)}
          onChange={() => table.onToggle(run.run_id)}
        />
      </div>
      {table.columns.map(column => {
        const text = column.value(run);
        return (
          <div
            role="gridcell"
            key={column.field}
            className="jp-dlops-cell"
            data-field={column.field}
            style={stickyStyle(column)}
            title={text}
            onClick={() => table.onOpen(run.run_id)}
          >
            {text}
          </div>
        );
      })}
    </div>
  );
}

/** Follow the scroll position and the viewport's height. */
function useViewport(ref: React.RefObject<HTMLDivElement>) {
  const [view, setView] = React.useState({ top: 0, height: 600 });
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const update = () => setView({ top: node.scrollTop, height: node.clientHeight || 600 });
    update();
    node.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(node);
    return () => {
      node.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, [ref]);
  return view;
}

export function VirtualTable(props: IVirtualTableProps) {
  const ref = React.useRef<HTMLDivElement>(null);
  const { top, height } = useViewport(ref);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(props.total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  React.useEffect(() => props.onRange(first, last), [first, last, props.total]);
  const grid = [SELECT_WIDTH, ...props.columns.map(columnWidth)].map(w => `${w}px`).join(' ');
  const width = [SELECT_WIDTH, ...props.columns.map(columnWidth)].reduce((a, b) => a + b, 0);
  const rows = [];
  for (let index = first; index < last; index++) {
    rows.push(<Row key={index} index={index} run={props.runAt(index)} table={props} grid={grid} />);
  }
  return (
    <div className="jp-dlops-grid-scroll" ref={ref} role="grid" aria-rowcount={props.total + 1}>
      <div role="row" aria-rowindex={1} className="jp-dlops-vhead" style={{ gridTemplateColumns: grid, width }}>
        <div role="columnheader" className="jp-dlops-cell jp-dlops-head" style={stickyStyle(null)} aria-label="selection" />
        {props.columns.map(column => (
          <HeaderCell key={column.field} column={column} sort={props.sort} onSort={props.onSort} />
        ))}
      </div>
      <div className="jp-dlops-vbody" style={{ height: props.total * ROW_HEIGHT, width }}>
        {rows}
      </div>
    </div>
  );
}
