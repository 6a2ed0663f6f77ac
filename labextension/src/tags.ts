/** The ``parameters`` and ``skip`` cell tags: toggling commands and a visible marker. */
import { Cell } from '@jupyterlab/cells';
import { INotebookTracker, Notebook, NotebookPanel } from '@jupyterlab/notebook';

export const MARKED_TAGS = ['parameters', 'skip'];

export function cellTags(cell: Cell): string[] {
  const tags = cell.model.getMetadata('tags');
  return Array.isArray(tags) ? (tags as string[]) : [];
}

/** Put a ``jp-dlops-tag-TAG`` class on every cell carrying one of the marked tags. */
export function refreshMarkers(notebook: Notebook): void {
  for (const cell of notebook.widgets) {
    const tags = cellTags(cell);
    for (const tag of MARKED_TAGS) {
      cell.toggleClass(`jp-dlops-tag-${tag}`, tags.includes(tag));
    }
    // both tags contradict each other: the export leaves the cell out, so its parameters
    // are not parameters; say so on the cell rather than show only "skip"
    const conflict = tags.includes('parameters') && tags.includes('skip');
    cell.toggleClass('jp-dlops-tag-conflict', conflict);
    if (conflict) {
      cell.node.title = "Tagged both 'parameters' and 'skip': the export leaves this cell out, so its parameters are ignored";
    } else if (cell.node.title.startsWith('Tagged both')) {
      cell.node.title = '';
    }
  }
}

function selectedCells(notebook: Notebook): Cell[] {
  return notebook.widgets.filter(cell => notebook.isSelectedOrActive(cell));
}

/** Add ``tag`` to the selected cells, or remove it when they all have it already. */
export function toggleTag(notebook: Notebook, tag: string): void {
  const cells = selectedCells(notebook);
  const remove = cells.length > 0 && cells.every(cell => cellTags(cell).includes(tag));
  for (const cell of cells) {
    const others = cellTags(cell).filter(t => t !== tag);
    const tags = remove ? others : [...others, tag];
    if (tags.length) {
      cell.model.setMetadata('tags', tags);
    } else {
      cell.model.deleteMetadata('tags');
    }
  }
  refreshMarkers(notebook);
}

/** Whether every selected cell of the current notebook has ``tag`` (for toggled menus). */
export function allTagged(tracker: INotebookTracker, tag: string): boolean {
  const notebook = tracker.currentWidget?.content;
  if (!notebook) {
    return false;
  }
  const cells = selectedCells(notebook);
  return cells.length > 0 && cells.every(cell => cellTags(cell).includes(tag));
}

/** Keep the markers in step with the notebook: on load, cell changes and metadata edits. */
export function watchMarkers(panel: NotebookPanel): void {
  const watched = new WeakSet<object>();
  const update = () => {
    for (const cell of panel.content.widgets) {
      if (!watched.has(cell.model)) {
        watched.add(cell.model);
        cell.model.metadataChanged.connect(update);
      }
    }
    refreshMarkers(panel.content);
  };
  void panel.context.ready.then(() => {
    panel.content.model?.cells.changed.connect(update);
    panel.content.modelContentChanged.connect(update);
    update();
  });
}
