/** A status-bar item naming the current notebook's run. */
import { ReactWidget } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import * as React from 'react';

import { IRun, notebookRun } from './api';
import { shortId } from './format';

const REFRESH_MS = 5000;

function useNotebookRun(tracker: INotebookTracker): IRun | null {
  const [path, setPath] = React.useState(tracker.currentWidget?.context.localPath ?? '');
  const [run, setRun] = React.useState<IRun | null>(null);
  React.useEffect(() => {
    const changed = () => setPath(tracker.currentWidget?.context.localPath ?? '');
    tracker.currentChanged.connect(changed);
    return () => void tracker.currentChanged.disconnect(changed);
  }, [tracker]);
  React.useEffect(() => {
    let cancelled = false;
    const load = () =>
      (path ? notebookRun(path) : Promise.resolve(null))
        .then(found => !cancelled && setRun(found))
        .catch(() => !cancelled && setRun(null));
    void load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [path]);
  return run;
}

function RunStatus(props: { tracker: INotebookTracker; onOpen: (runId: string) => void }) {
  const run = useNotebookRun(props.tracker);
  if (!run) {
    return <span className="jp-dlops-statusbar jp-dlops-muted">dlops: no run</span>;
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
    private onOpen: (runId: string) => void
  ) {
    super();
    this.addClass('jp-dlops-status-item');
  }

  render(): JSX.Element {
    return <RunStatus tracker={this.tracker} onOpen={this.onOpen} />;
  }
}
