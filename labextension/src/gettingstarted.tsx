/** Shown where there is no store yet: what to do first, and a button that creates the store. */
import * as React from 'react';

import { createStore } from './api';

export function GettingStarted(props: { onCreated: () => void }) {
  const [message, setMessage] = React.useState<string | null>(null);
  const create = () =>
    createStore()
      .then(state => (state.exists ? props.onCreated() : setMessage('The store was not created.')))
      .catch(e => setMessage((e as Error).message));
  return (
    <div className="jp-dlops-getting-started">
      <h3>No experiments tracked here yet</h3>
      <p>
        In a notebook, run <code>%load_ext jupyter_dlops</code>: every run of the notebook is then
        recorded with its parameters, metrics, code and environment.
      </p>
      <p>
        From a terminal, <code>dlops sweep train.ipynb -p lr 0.1 0.01</code> runs the notebook once per
        value and records each run.
      </p>
      <p>Runs appear here as soon as the first one starts.</p>
      <button className="jp-mod-styled jp-mod-accept jp-dlops-create-store" onClick={() => void create()}>
        Create the store now
      </button>
      {message && <p className="jp-dlops-warn">{message}</p>}
    </div>
  );
}
