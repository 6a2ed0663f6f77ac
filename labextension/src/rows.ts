/**
 * The rows of the runs table, flat or grouped: block 0 polled while visible (one cheap ETag
 * request), the other blocks fetched when scrolled into view. Grouped, each group is a
 * header row followed (when open) by its runs, fetched with the group's own filter, so a
 * group of 10,000 runs is as virtualised as the flat table.
 */
import * as React from 'react';

import { IRun, IRunQuery, listRunsIfChanged, requestAPI } from './api';
import { formatValue } from './format';
import { usePolledRuns } from './poll';
import { parseSort } from './table';

export const BLOCK = 100;
const SETTLE_MS = 80;

export interface IRunGroup {
  value: unknown;
  label: string;
  count: number;
  /** the filter that selects exactly this group's runs */
  where: string;
  /** the best value of the sort metric in the group, if the sort is a metric */
  best: number | null;
}

export type TableRow =
  | { kind: 'run'; run: IRun }
  | { kind: 'group'; group: IRunGroup; open: boolean; text: string }
  | undefined;

interface ISegment {
  group: IRunGroup | null;
  /** the filter its runs are fetched with */
  where: string;
  start: number;
  size: number;
  open: boolean;
}

/** The group-by choices: experiment, sweep, or a param. */
export function groupLabel(by: string): string {
  return by === 'sweep' ? 'sweep' : by.replace(/^params\./, '');
}

export async function runGroups(where: string, sort: string, group: string): Promise<IRunGroup[]> {
  const query = new URLSearchParams({ group });
  where && query.set('where', where);
  sort && query.set('sort', sort);
  return (await requestAPI<{ groups: IRunGroup[] }>(`run-groups?${query}`)).groups;
}

function both(where: string, group: string): string {
  return where ? `(${where}) and (${group})` : group;
}

function groupText(by: string, sort: string, group: IRunGroup): string {
  const metric = parseSort(sort).field.replace(/^metrics\./, '');
  const best = group.best !== null && sort.includes('metrics.') ? ` · best ${metric} ${formatValue(group.best)}` : '';
  return `${groupLabel(by)}: ${group.label} — ${group.count} run${group.count === 1 ? '' : 's'}${best}`;
}

function buildSegments(where: string, total: number, groups: IRunGroup[] | null, closed: Set<string>): ISegment[] {
  if (!groups) {
    return [{ group: null, where, start: 0, size: total, open: true }];
  }
  let start = 0;
  return groups.map(group => {
    const open = !closed.has(group.where);
    const segment = { group, where: both(where, group.where), start, size: 1 + (open ? group.count : 0), open };
    start += segment.size;
    return segment;
  });
}

/** The segment holding row ``index`` (binary search: a thousand groups scroll as fast as one). */
function segmentAt(segments: ISegment[], index: number): ISegment | undefined {
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const s = segments[mid];
    if (index < s.start) {
      high = mid - 1;
    } else if (index >= s.start + s.size) {
      low = mid + 1;
    } else {
      return s;
    }
  }
  return undefined;
}

/** Which group's runs (or the whole list's) and which block a row is in; null for a header. */
function locate(segments: ISegment[], index: number): { segment: ISegment; local: number } | null {
  const segment = segmentAt(segments, index);
  if (!segment) {
    return null;
  }
  const local = index - segment.start - (segment.group ? 1 : 0);
  return local < 0 ? null : { segment, local };
}

function useGroups(where: string, sort: string, by: string, page: unknown) {
  const [groups, setGroups] = React.useState<IRunGroup[] | null>(null);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    let live = true;
    if (!by || !page) {
      setGroups(null);
      return;
    }
    runGroups(where, sort, by)
      .then(found => live && (setGroups(found), setError('')))
      .catch(e => live && (setGroups(null), setError(String(e.message ?? e))));
    return () => {
      live = false;
    };
  }, [page, by]);
  return { groups: by ? groups : null, groupError: error };
}

export function useRunRows(where: string, sort: string, by: string, visible: boolean) {
  const { page, error } = usePolledRuns({ where, sort, limit: BLOCK, offset: 0 }, visible);
  const { groups, groupError } = useGroups(where, sort, by, page && !page.error ? page : null);
  const [closed, setClosed] = React.useState<Set<string>>(new Set());
  const [blocks, setBlocks] = React.useState<Map<string, IRun[]>>(new Map());
  const pending = React.useRef(new Set<string>());
  const generation = React.useRef(0);
  const segments = React.useMemo(
    () => buildSegments(where, page?.total ?? 0, by ? groups : null, closed),
    [page, groups, closed, by]
  );
  React.useEffect(() => {
    generation.current += 1;
    pending.current.clear();
    setBlocks(new Map(page && !by ? [[`${where}#0`, page.runs]] : []));
  }, [page, groups]);
  const total = segments.length ? segments[segments.length - 1].start + segments[segments.length - 1].size : 0;
  const fetchBlock = (key: string, where: string, b: number) => {
    pending.current.add(key);
    const asked = generation.current;
    // later blocks leave out the store's keys (block 0 has them): a tenth of the cost
    const q = { where, sort, limit: BLOCK, offset: b * BLOCK, keys: 0 } as IRunQuery;
    void listRunsIfChanged(q, null).then(answer => {
      pending.current.delete(key);
      if (answer && !answer.page.error && asked === generation.current) {
        setBlocks(current => new Map(current).set(key, answer.page.runs));
      }
    });
  };
  const range = React.useRef<[number, number]>([0, 0]);
  const timer = React.useRef(0);
  // Blocks are fetched where the scroll rests (SETTLE_MS without a change), so a fling through
  // 10,000 runs asks for the blocks it lands on, not for the hundred it passed.
  const onRange = React.useCallback(
    (first: number, last: number) => {
      range.current = [first, last];
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => {
        const [from, to] = range.current;
        for (let index = from; index < to; index++) {
          const at = locate(segments, index);
          const b = at ? Math.floor(at.local / BLOCK) : 0;
          const key = at ? `${at.segment.where}#${b}` : '';
          if (at && !blocks.has(key) && !pending.current.has(key)) {
            fetchBlock(key, at.segment.where, b);
          }
        }
      }, SETTLE_MS);
    },
    [blocks, segments, sort]
  );
  React.useEffect(() => () => window.clearTimeout(timer.current), []);
  const rowAt = (index: number): TableRow => {
    const segment = segmentAt(segments, index);
    if (segment?.group && index === segment.start) {
      return { kind: 'group', group: segment.group, open: segment.open, text: groupText(by, sort, segment.group) };
    }
    const at = locate(segments, index);
    const run = at && blocks.get(`${at.segment.where}#${Math.floor(at.local / BLOCK)}`)?.[at.local % BLOCK];
    return run ? { kind: 'run', run } : undefined;
  };
  // functional updates: a memoised row may hold an older copy of this function
  const toggleGroup = React.useCallback((where: string) => {
    setClosed(current => {
      const next = new Set(current);
      next.has(where) ? next.delete(where) : next.add(where);
      return next;
    });
  }, []);
  const waiting = !!by && !groups && !groupError;
  return { page, error: error || groupError, onRange, rowAt, total, toggleGroup, waiting };
}
