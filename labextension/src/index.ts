/**
 * jupyter-dlops for JupyterLab: small plugins, each with one job.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, ToolbarButton } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from './commands';
import { CompareWidget } from './compare';
import { RunDetailWidget } from './detail';
import { exportPanel } from './exporter';
import { experimentsIcon, exportIcon, parametersIcon, skipIcon } from './icons';
import { ExperimentsPanel } from './panel';
import { RunStatusItem } from './statusbar';
import { allTagged, toggleTag, watchMarkers } from './tags';

const CATEGORY = 'DevOps for Deep Learning';

function addExportButton(app: JupyterFrontEnd, panel: NotebookPanel): void {
  const button = new ToolbarButton({
    icon: exportIcon,
    label: 'Export',
    className: 'jp-dlops-export-button',
    tooltip: 'Export to script (jupyter-dlops)',
    onClick: () => void app.commands.execute(CommandIDs.exportScript)
  });
  // next to Save, so a narrow notebook does not push it into the toolbar's overflow menu
  if (!panel.toolbar.insertAfter('save', 'dlopsExport', button)) {
    panel.toolbar.insertItem(1, 'dlopsExport', button);
  }
}

const exportPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dlops:export',
  description: 'Export the notebook to a parameterised script.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, IMainMenu],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, palette: ICommandPalette | null, menu: IMainMenu | null) => {
    const enabled = () => tracker.currentWidget !== null;
    const run = (strict: boolean) => {
      const panel = tracker.currentWidget;
      return panel ? exportPanel(app, panel, strict) : null;
    };
    app.commands.addCommand(CommandIDs.exportScript, {
      label: 'Export to Script', caption: 'Save, then export the notebook to a parameterised script',
      icon: exportIcon, isEnabled: enabled, execute: () => run(false)
    });
    app.commands.addCommand(CommandIDs.exportStrict, {
      label: 'Export to Script (strict)', caption: 'Export, refusing hidden state',
      isEnabled: enabled, execute: () => run(true)
    });
    for (const command of [CommandIDs.exportScript, CommandIDs.exportStrict]) {
      palette?.addItem({ command, category: CATEGORY });
    }
    menu?.fileMenu.addGroup([{ command: CommandIDs.exportScript }, { command: CommandIDs.exportStrict }], 60);
    tracker.widgetAdded.connect((_, panel) => addExportButton(app, panel));
  }
};

const tagsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dlops:tags',
  description: 'Mark cells as parameters or skip.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, palette: ICommandPalette | null) => {
    const tagCommand = (id: string, tag: string, label: string, icon: typeof skipIcon) =>
      app.commands.addCommand(id, {
        label, caption: `Toggle the '${tag}' tag on the selected cells`, icon,
        isEnabled: () => tracker.activeCell !== null,
        isToggled: () => allTagged(tracker, tag),
        execute: () => tracker.currentWidget && toggleTag(tracker.currentWidget.content, tag)
      });
    tagCommand(CommandIDs.tagParameters, 'parameters', 'Mark Cell as Parameters', parametersIcon);
    tagCommand(CommandIDs.tagSkip, 'skip', 'Mark Cell as Skip (not exported)', skipIcon);
    [CommandIDs.tagParameters, CommandIDs.tagSkip].forEach((command, i) => {
      app.contextMenu.addItem({ command, selector: '.jp-Notebook .jp-Cell', rank: 20 + i });
      palette?.addItem({ command, category: CATEGORY });
    });
    tracker.widgetAdded.connect((_, panel) => watchMarkers(panel));
  }
};

function openInMain(app: JupyterFrontEnd, content: Widget): void {
  const existing = Array.from(app.shell.widgets('main')).find(w => w.id === `${content.id}-main`);
  if (existing) {
    app.shell.activateById(existing.id);
    return;
  }
  const widget = new MainAreaWidget({ content });
  widget.id = `${content.id}-main`;
  widget.title.label = content.title.label;
  widget.title.icon = experimentsIcon;
  app.shell.add(widget, 'main');
}

const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dlops:experiments',
  description: 'The Experiments side panel, run details and comparisons.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null, palette: ICommandPalette | null) => {
    app.commands.addCommand(CommandIDs.openRun, {
      label: 'Show Run', execute: args => openInMain(app, new RunDetailWidget(String(args.runId)))
    });
    app.commands.addCommand(CommandIDs.compare, {
      label: 'Compare Runs', execute: args => openInMain(app, new CompareWidget(args.runIds as string[]))
    });
    const panel = new ExperimentsPanel({
      openRun: runId => void app.commands.execute(CommandIDs.openRun, { runId }),
      compare: runIds => void app.commands.execute(CommandIDs.compare, { runIds })
    });
    panel.title.icon = experimentsIcon;
    panel.title.caption = 'Experiments';
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);
    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show Experiments', execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.openPanel, category: CATEGORY });
  }
};

const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dlops:status',
  description: "The current notebook's run in the status bar.",
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, statusBar: IStatusBar | null) => {
    if (!statusBar) {
      return;
    }
    const item = new RunStatusItem(tracker, runId => void app.commands.execute(CommandIDs.openRun, { runId }));
    statusBar.registerStatusItem('jupyter-dlops:run', {
      item, align: 'left', rank: 5
    });
  }
};

export default [exportPlugin, tagsPlugin, panelPlugin, statusPlugin];
