/** Command ids: every command the extension registers, ``jupyter-dlops:...``. */
export namespace CommandIDs {
  export const exportScript = 'jupyter-dlops:export';
  export const exportStrict = 'jupyter-dlops:export-strict';
  export const tagParameters = 'jupyter-dlops:tag-parameters';
  export const tagSkip = 'jupyter-dlops:tag-skip';
  export const openPanel = 'jupyter-dlops:open-experiments';
  export const openRun = 'jupyter-dlops:open-run';
  export const compare = 'jupyter-dlops:compare';
  export const openTable = 'jupyter-dlops:open-runs-table';
  export const openSweep = 'jupyter-dlops:open-sweep';
}
