/** The Experiments side panel: a compact list of the newest runs that opens the runs table. */
import * as React from 'react';

import { IRun } from './api';
import { formatShortTime } from './format';
import { GettingStarted } from './gettingstarted';
import { usePolledRuns, useStoreExists, useVisible, VisibilitySignal, VisibleWidget } from './poll';

const COMPACT_COUNT = 30;

export interface IPanelActions {
  openRun: (runId: string) => void;
  compare: (runIds: string[]) => void;
  openTable: () => void;
}

function RunItem(props: { run: IRun; onOpen: (runId: string) => void }) {
  const { run } = props;
  return (
    <li
      className={`jp-dlops-run-item jp-dlops-status-${run.status}`}
      data-run-id={run.run_id}
      title={`${run.name} (${run.status}); click for details`}
      onClick={() => props.onOpen(run.run_id)}
    >
      <span className="jp-dlops-dot" aria-label={run.status} />
      <span className="jp-dlops-item-name">{run.name}</span>
      <span className="jp-dlops-item-time">{formatShortTime(run.start_time)}</span>
    </li>
  );
}

function CompactList(props: { actions: IPanelActions; visible: boolean }) {
  const { page, error } = usePolledRuns({ limit: COMPACT_COUNT }, props.visible);
  if (error) {
    return <p className="jp-dlops-warn">{error}</p>;
  }
  if (!page) {
    return <p className="jp-dlops-muted">Loading runs…</p>;
  }
  if (!page.total) {
    return <p className="jp-dlops-muted jp-dlops-empty">No runs yet: run a notebook with %load_ext jupyter_dlops.</p>;
  }
  return (
    <>
      <p className="jp-dlops-count">
        {page.total > page.runs.length ? `newest ${page.runs.length} of ${page.total} runs` : `${page.total} runs`}
        {page.live && <span className="jp-dlops-live"> ● live</span>}
      </p>
      <ul className="jp-dlops-run-list">
        {page.runs.map(run => (
          <RunItem key={run.run_id} run={run} onOpen={props.actions.openRun} />
        ))}
      </ul>
    </>
  );
}

export function ExperimentsView(props: { actions: IPanelActions; signal: VisibilitySignal }) {
  const visible = useVisible(props.signal);
  const [exists, setExists] = useStoreExists(visible);
  return (
    <div className="jp-dlops-experiments">
      <div className="jp-dlops-toolbar">
        <button className="jp-mod-styled jp-dlops-open-table" onClick={props.actions.openTable}>
          Open runs table
        </button>
      </div>
      {exists === false && <GettingStarted onCreated={() => setExists(true)} />}
      {exists && <CompactList actions={props.actions} visible={visible} />}
    </div>
  );
}

/** Rendered and polling only while shown: a closed sidebar makes no request at all. */
export class ExperimentsPanel extends VisibleWidget {
  constructor(private actions: IPanelActions) {
    super();
    this.id = 'jupyter-dlops-experiments';
    this.addClass('jp-dlops-panel');
  }

  render(): JSX.Element {
    return <ExperimentsView actions={this.actions} signal={this.signal} />;
  }
}
