/**
 * The runs table's header: a click sorts, a drag of the right edge resizes (arrow keys on the
 * edge too), a drag of the header moves the column. Pointer events, not HTML drag and drop:
 * the same code follows a mouse, a pen and a touch, and a drag never turns into a sort.
 */
import * as React from 'react';

import { clampWidth } from './columns';
import { IColumn, parseSort } from './table';

const DRAG_THRESHOLD = 6;
export const SELECT_WIDTH = 32;

/** Left offsets of the sticky columns: the checkbox, then the name. */
export function stickyStyle(column: IColumn | null): React.CSSProperties | undefined {
  if (column === null) {
    return { position: 'sticky', left: 0, zIndex: 1 };
  }
  return column.field === 'name' ? { position: 'sticky', left: SELECT_WIDTH, zIndex: 1 } : undefined;
}
const KEY_STEP = 10;

export interface IHeaderProps {
  columns: IColumn[];
  sort: string;
  onSort: (sort: string) => void;
  /** a width while dragging (done false) and when the drag ends (done true) */
  onResize: (field: string, width: number, done: boolean) => void;
  /** move ``field`` to where ``target`` is */
  onMove: (field: string, target: string) => void;
  grid: string;
  width: number;
  widthOf: (column: IColumn) => number;
}

/** Follow the pointer until it is released; ``move`` gets the distance from the start. */
function track(start: React.PointerEvent, move: (dx: number, x: number) => void, end: (dx: number, x: number) => void) {
  const x0 = start.clientX;
  const onMove = (e: PointerEvent) => move(e.clientX - x0, e.clientX);
  const onUp = (e: PointerEvent) => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    end(e.clientX - x0, e.clientX);
  };
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
}

/** Ignore the click the browser sends when a drag ends (on whatever element it ends over). */
function suppressClick(flag: React.MutableRefObject<boolean>): void {
  flag.current = true;
  window.setTimeout(() => (flag.current = false), 0);
}

/** The movable header under ``x`` (the nearest at either end). */
function fieldAt(head: HTMLElement | null, x: number): string | null {
  const cells = Array.from(head?.querySelectorAll<HTMLElement>('[role="columnheader"][data-movable]') ?? []);
  for (const cell of cells) {
    const box = cell.getBoundingClientRect();
    if (x < box.right) {
      return cell.dataset.field ?? null;
    }
  }
  return cells.length ? cells[cells.length - 1].dataset.field ?? null : null;
}

function ResizeHandle(props: { column: IColumn; width: number; header: IHeaderProps; dragged: React.MutableRefObject<boolean> }) {
  const { column, width, header } = props;
  const onPointerDown = (e: React.PointerEvent) => {
    e.preventDefault();
    e.stopPropagation();
    track(
      e,
      dx => header.onResize(column.field, clampWidth(width + dx), false),
      dx => {
        suppressClick(props.dragged); // the click that ends the drag must not sort
        header.onResize(column.field, clampWidth(width + dx), true);
      }
    );
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      header.onResize(column.field, clampWidth(width + (e.key === 'ArrowLeft' ? -KEY_STEP : KEY_STEP)), true);
    }
  };
  return (
    <span
      className="jp-dlops-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${column.title}`}
      aria-valuenow={width}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
      onClick={e => e.stopPropagation()}
    />
  );
}

function HeaderCell(props: { column: IColumn; header: IHeaderProps; drag: IDragState }) {
  const { column, header, drag } = props;
  const { field, descending } = parseSort(header.sort);
  const active = field === column.field;
  const movable = column.field !== 'name';
  const next = active && !descending ? `-${column.field}` : column.field;
  const classes = ['jp-dlops-cell', 'jp-dlops-head'];
  active && classes.push('jp-dlops-sorted');
  drag.moving === column.field && classes.push('jp-dlops-dragging');
  drag.target === column.field && drag.moving !== column.field && classes.push('jp-dlops-drop-target');
  return (
    <div
      role="columnheader"
      className={classes.join(' ')}
      data-field={column.field}
      data-movable={movable ? '' : undefined}
      style={stickyStyle(column) ?? { position: 'relative' }}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
      onPointerDown={movable ? e => drag.start(e, column.field) : undefined}
      onClick={() => drag.dragged.current || header.onSort(next)}
      title={`Sort by ${column.field}${movable ? '; drag to move' : ''}`}
    >
      {column.title}
      {active ? (descending ? ' ▼' : ' ▲') : ''}
      <ResizeHandle column={column} width={header.widthOf(column)} header={header} dragged={drag.dragged} />
    </div>
  );
}

interface IDragState {
  moving: string | null;
  target: string | null;
  dragged: React.MutableRefObject<boolean>;
  start: (e: React.PointerEvent, field: string) => void;
}

function useColumnDrag(head: React.RefObject<HTMLDivElement>, onMove: (field: string, target: string) => void): IDragState {
  const [moving, setMoving] = React.useState<string | null>(null);
  const [target, setTarget] = React.useState<string | null>(null);
  const dragged = React.useRef(false);
  const start = (e: React.PointerEvent, field: string) => {
    if (e.button !== 0) {
      return;
    }
    let started = false;
    track(
      e,
      (dx, x) => {
        started = started || Math.abs(dx) > DRAG_THRESHOLD;
        if (started) {
          setMoving(field);
          setTarget(fieldAt(head.current, x));
        }
      },
      (_, x) => {
        setMoving(null);
        setTarget(null);
        if (started) {
          suppressClick(dragged);
          const to = fieldAt(head.current, x);
          to && onMove(field, to);
        }
      }
    );
  };
  return { moving, target, dragged, start };
}

export function HeaderRow(props: IHeaderProps) {
  const head = React.useRef<HTMLDivElement>(null);
  const drag = useColumnDrag(head, props.onMove);
  return (
    <div role="row" aria-rowindex={1} ref={head} className="jp-dlops-vhead" style={{ gridTemplateColumns: props.grid, width: props.width }}>
      <div role="columnheader" className="jp-dlops-cell jp-dlops-head" style={stickyStyle(null)} aria-label="selection" />
      {props.columns.map(column => (
        <HeaderCell key={column.field} column={column} header={props} drag={drag} />
      ))}
    </div>
  );
}
