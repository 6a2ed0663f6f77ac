/** The compare view's sections that are tables of their own: hardware, cost, packages, code. */
import * as React from 'react';

import { ICompareDetails, ICompareRow, IRun } from './api';
import { formatValue, shortId } from './format';

/** Every leaf of an object as a dotted key (``hardware.cpu_model``): rows, not raw JSON. */
export function flatten(value: unknown, prefix: string, out: Map<string, string>, depth = 0): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
    for (const [key, item] of Object.entries(value as object)) {
      flatten(item, prefix ? `${prefix}.${key}` : key, out, depth + 1);
    }
  } else if (Array.isArray(value) && value.every(v => v === null || typeof v !== 'object')) {
    out.set(prefix, value.map(v => formatValue(v)).join(', '));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out, depth + 1));
  } else {
    out.set(prefix, formatValue(value));
  }
}

/** One row per leaf of ``section`` in any run (``''`` where a run lacks it). */
export function sectionTableRows(runs: IRun[], section: string): ICompareRow[] {
  const flat = runs.map(run => {
    const out = new Map<string, string>();
    flatten(run.sections?.[section] ?? {}, '', out);
    return out;
  });
  const keys = Array.from(new Set(flat.flatMap(f => Array.from(f.keys())))).sort();
  return keys.map(key => ({ key, values: flat.map(f => f.get(key) ?? '') }));
}

/** A table with a sticky key column and one column per run; differing rows marked. */
export function RunsTable(props: { runs: { run_id: string; name: string }[]; rows: ICompareRow[]; name: string }) {
  return (
    <div className="jp-dlops-compare-scroll">
      <table className="jp-dlops-compare-table" data-table={props.name}>
        <thead>
          <tr>
            <th />
            {props.runs.map(r => <th key={r.run_id} data-run-id={r.run_id}>{r.name} ({shortId(r.run_id)})</th>)}
          </tr>
        </thead>
        <tbody>
          {props.rows.map(row => (
            <tr key={row.key} data-key={row.key} className={new Set(row.values).size > 1 ? 'jp-dlops-differs' : ''}>
              <th>{row.key}</th>
              {row.values.map((value, i) =>
                value === null ? <td key={i} className="jp-dlops-absent">absent</td> : <td key={i}>{value}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CompareSection(props: { name: string; title: string; children: React.ReactNode; open?: boolean }) {
  return (
    <details className="jp-dlops-section jp-dlops-compare-section" data-section={props.name} open={props.open ?? true}>
      <summary>{props.title}</summary>
      {props.children}
    </details>
  );
}

/** Hardware and cost: one leaf a row, as a table, never one line of JSON. */
export function SectionTables(props: { runs: IRun[] }) {
  return (
    <>
      {['hardware', 'cost'].map(name => {
        const rows = sectionTableRows(props.runs, name);
        return (
          <CompareSection key={name} name={name} title={name}>
            {rows.length
              ? <RunsTable runs={props.runs} rows={rows} name={name} />
              : <p className="jp-dlops-muted">No run recorded its {name}.</p>}
          </CompareSection>
        );
      })}
    </>
  );
}

export function PackagesSection(props: { details: ICompareDetails }) {
  const rows = props.details.packages;
  return (
    <CompareSection name="packages" title={`packages (${rows.length} differ)`}>
      {rows.length
        ? <RunsTable runs={props.details.runs} rows={rows} name="packages" />
        : <p className="jp-dlops-muted">The recorded packages are the same in every run (or none were recorded).</p>}
    </CompareSection>
  );
}

/** A unified diff, one DOM line per diff line, added and removed lines marked. */
export function DiffView(props: { text: string }) {
  const kind = (line: string) =>
    line.startsWith('+++') || line.startsWith('---') ? 'file'
      : line.startsWith('@@') ? 'hunk'
        : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'same';
  return (
    <pre className="jp-dlops-diff">
      {props.text.replace(/\n$/, '').split('\n').map((line, i) => (
        <div key={i} className={`jp-dlops-diff-${kind(line)}`}>{line || ' '}</div>
      ))}
    </pre>
  );
}

export function CodeSection(props: { details: ICompareDetails }) {
  const { runs, code } = props.details;
  const first = runs[0];
  const others = runs.slice(1);
  return (
    <CompareSection name="code" title="code">
      {code.entries.every(text => text === null) && <p className="jp-dlops-muted">No run recorded its code.</p>}
      {others.map((run, i) => (
        <div key={run.run_id} className="jp-dlops-code-diff" data-run-id={run.run_id}>
          <h4>{first.name} → {run.name}</h4>
          {code.diffs[i + 1]
            ? <DiffView text={code.diffs[i + 1]} />
            : <p className="jp-dlops-muted">{code.entries[i + 1] === null ? 'No code recorded.' : 'Same code.'}</p>}
        </div>
      ))}
      {code.git_diffs.map((diff, i) => diff && (
        <details key={runs[i].run_id} className="jp-dlops-git-diff">
          <summary>uncommitted changes of {runs[i].name}</summary>
          <DiffView text={diff} />
        </details>
      ))}
    </CompareSection>
  );
}
