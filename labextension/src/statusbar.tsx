/**
 * A status-bar item naming the current notebook's run. Quiet (issue 17): it asks the server
 * only once the notebook has run a cell in this session, and polls only while that run is live;
 * on the Launcher or any other non-notebook tab it shows nothing.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import * as React from 'react';

import { IRun, notebookRun } from './api';
import { shortId } from './format';

const LIVE_REFRESH_MS = 5000;
/** a run starts a moment after the cell that starts it: look again once */
const SETTLE_MS = 1500;

/** When each notebook first executed a cell in this page (ms, the browser's clock). */
export class ExecutionLog {
  private firstRun = new Map<string, number>();
  private listeners = new Set<(path: string) => void>();

  constructor(tracker: INotebookTracker) {
    NotebookActions.executionScheduled.connect((_, args) => {
      const panel = tracker.find(p => p.content === args.notebook);
      if (panel) {
        const path = panel.context.localPath;
        if (!this.firstRun.has(path)) {
          this.firstRun.set(path, Date.now());
        }
        this.listeners.forEach(listener => listener(path));
      }
    });
  }

  /** call ``listener`` with the path of each notebook that runs a cell; returns the unsubscriber */
  subscribe(listener: (path: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** seconds since the notebook first ran here, or null if it has not */
  age(path: string): number | null {
    const first = this.firstRun.get(path);
    return first === undefined ? null : (Date.now() - first) / 1000 + 1;
  }
}

function useCurrentPath(tracker: INotebookTracker): string {
  const [path, setPath] = React.useState(tracker.currentWidget?.context.localPath ?? '');
  React.useEffect(() => {
    const changed = () => setPath(tracker.currentWidget?.context.localPath ?? '');
    tracker.currentChanged.connect(changed);
    return () => void tracker.currentChanged.disconnect(changed);
  }, [tracker]);
  return path;
}

function useNotebookRun(tracker: INotebookTracker, log: ExecutionLog): IRun | null {
  const path = useCurrentPath(tracker);
  const [run, setRun] = React.useState<IRun | null>(null);
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    return log.subscribe(executed => executed === path && setTick(t => t + 1));
  }, [log, path]);
  React.useEffect(() => {
    const within = path ? log.age(path) : null;
    setRun(null);
    if (within === null) {
      return; // not run in this session: nothing to ask
    }
    let cancelled = false;
    let timer: number | undefined;
    const load = (settle: boolean) =>
      notebookRun(path, log.age(path) ?? within)
        .then(found => {
          if (cancelled) {
            return;
          }
          setRun(found);
          if (settle || found?.status === 'running') {
            timer = window.setTimeout(() => void load(false), settle ? SETTLE_MS : LIVE_REFRESH_MS);
          }
        })
        .catch(() => !cancelled && setRun(null));
    void load(true);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [path, tick]);
  return run;
}

function RunStatus(props: { tracker: INotebookTracker; log: ExecutionLog; onOpen: (runId: string) => void }) {
  const run = useNotebookRun(props.tracker, props.log);
  if (!run) {
    return null;
  }
  return (
    <span
      className={`jp-dlops-statusbar jp-dlops-status-${run.status}`}
      title={`Run ${run.run_id} (${run.status}); click for details`}
      onClick={() => props.onOpen(run.run_id)}
    >
      dlops: {run.name || shortId(run.run_id)} · {run.status}
    </span>
  );
}

export class RunStatusItem extends ReactWidget {
  constructor(
    private tracker: INotebookTracker,
    private log: ExecutionLog,
    private onOpen: (runId: string) => void
  ) {
    super();
    this.addClass('jp-dlops-status-item');
  }

  render(): JSX.Element {
    return <RunStatus tracker={this.tracker} log={this.log} onOpen={this.onOpen} />;
  }
}
