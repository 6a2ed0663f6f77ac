/**
 * A virtualised runs table: rows are DOM elements with text (screen readers and Galata read
 * them), only those in view are rendered, over every run (no paging). The selection and name
 * columns stay put while the others scroll sideways. Columns are resized by dragging a
 * header's right edge (or its arrow keys) and moved by dragging a header.
 */
import * as React from 'react';

import { clampWidth } from './columns';
import { TableRow } from './rows';
import { IColumn } from './table';
import { HeaderRow, IHeaderProps, SELECT_WIDTH, stickyStyle } from './vheader';

export const ROW_HEIGHT = 26;
const OVERSCAN = 10;

export interface IVirtualTableProps extends Omit<IHeaderProps, 'grid' | 'width' | 'widthOf'> {
  total: number;
  /** the row at an index (a run or a group's header), or undefined while its block loads */
  rowAt: (index: number) => TableRow;
  /** called with the visible index range, so missing blocks are fetched */
  onRange: (first: number, last: number) => void;
  widths: { [field: string]: number };
  selected: Set<string>;
  onToggle: (runId: string) => void;
  onOpen: (runId: string) => void;
  onToggleGroup: (where: string) => void;
}

export function defaultWidth(column: IColumn): number {
  return column.field === 'name' ? 200 : column.field === 'start_time' ? 130 : 110;
}

function GroupRow(props: { row: Extract<TableRow, { kind: 'group' }>; index: number; style: React.CSSProperties; onToggle: (where: string) => void }) {
  const { group, open, text } = props.row;
  return (
    <div role="row" aria-rowindex={props.index + 2} className="jp-dlops-vrow jp-dlops-group-row" data-group={group.label} style={props.style}>
      <div role="gridcell" className="jp-dlops-cell jp-dlops-group-cell">
        <button className="jp-dlops-group-toggle" aria-expanded={open} onClick={() => props.onToggle(group.where)} title={group.where}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {text}
        </button>
      </div>
    </div>
  );
}

interface IRowProps {
  row: TableRow;
  index: number;
  table: IVirtualTableProps;
  grid: string;
}

/** Unchanged rows are not rendered again while the table scrolls (the row object is new each time). */
function sameRow(a: IRowProps, b: IRowProps): boolean {
  const [x, y] = [a.row, b.row];
  const same =
    x === y ||
    (x?.kind === 'run' && y?.kind === 'run' && x.run === y.run && a.table.selected === b.table.selected) ||
    (x?.kind === 'group' && y?.kind === 'group' && x.group === y.group && x.open === y.open && x.text === y.text);
  return same && a.index === b.index && a.grid === b.grid && a.table.columns === b.table.columns;
}

const Row = React.memo(function Row(props: IRowProps) {
  const { row, table } = props;
  const style: React.CSSProperties = {
    gridTemplateColumns: props.grid,
    transform: `translateY(${props.index * ROW_HEIGHT}px)`,
    height: ROW_HEIGHT
  };
  if (row?.kind === 'group') {
    return <GroupRow row={row} index={props.index} style={style} onToggle={table.onToggleGroup} />;
  }
  if (!row) {
    return <div role="row" className="jp-dlops-vrow jp-dlops-loading-row" style={style} aria-rowindex={props.index + 2} />;
  }
  const run = row.run;
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
}, sameRow);

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
  // a width being dragged, shown live and saved when the drag ends
  const [live, setLive] = React.useState<{ field: string; width: number } | null>(null);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(props.total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  React.useEffect(() => props.onRange(first, last), [first, last, props.total, props.onRange]);
  const widthOf = (column: IColumn) =>
    live?.field === column.field ? live.width : clampWidth(props.widths[column.field] ?? defaultWidth(column));
  const sizes = [SELECT_WIDTH, ...props.columns.map(widthOf)];
  const grid = sizes.map(w => `${w}px`).join(' ');
  const width = sizes.reduce((a, b) => a + b, 0);
  const rows = [];
  for (let index = first; index < last; index++) {
    rows.push(<Row key={index} index={index} row={props.rowAt(index)} table={props} grid={grid} />);
  }
  const onResize = (field: string, w: number, done: boolean) => {
    setLive(done ? null : { field, width: w });
    done && props.onResize(field, w, true);
  };
  return (
    <div className="jp-dlops-grid-scroll" ref={ref} role="grid" aria-rowcount={props.total + 1}>
      <HeaderRow {...props} grid={grid} width={width} widthOf={widthOf} onResize={onResize} />
      <div className="jp-dlops-vbody" style={{ height: props.total * ROW_HEIGHT, width }}>
        {rows}
      </div>
    </div>
  );
}
