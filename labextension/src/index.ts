/**
 * jupyter-dlops for JupyterLab: small plugins, each with one job.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, showDialog, ToolbarButton, WidgetTracker } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { listSweeps } from './api';
import { bindChartSettings } from './chartprefs';
import { CommandIDs } from './commands';
import { exportPanel } from './exporter';
import { experimentsIcon, exportIcon, parametersIcon, skipIcon } from './icons';
import { ExperimentsPanel } from './panel';
import { ExecutionLog, RunStatusItem } from './statusbar';
import { allTagged, toggleTag, watchMarkers } from './tags';
import type { IWorkspaceSettings } from './workspace';

// typing "dlops" in the palette finds every command of the extension
const CATEGORY = 'dlops';

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
      label: 'Export to script (dlops)', caption: 'Save, then export the notebook to a parameterised script',
      icon: exportIcon, isEnabled: enabled, execute: () => run(false)
    });
    app.commands.addCommand(CommandIDs.exportStrict, {
      label: 'Export to script, strict (dlops)', caption: 'Export, refusing hidden state',
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

/** Add a view to the main area (or show it if its tab is open); restorable by ``tracker``. */
function openInMain(app: JupyterFrontEnd, content: Widget, tracker: WidgetTracker<MainAreaWidget>): void {
  const existing = tracker.find(w => w.id === `${content.id}-main`);
  if (existing) {
    content.dispose();
    app.shell.activateById(existing.id);
    return;
  }
  const widget = new MainAreaWidget({ content });
  widget.id = `${content.id}-main`;
  widget.title.label = content.title.label;
  widget.title.icon = experimentsIcon;
  app.shell.add(widget, 'main');
  void tracker.add(widget);
}

/** The runs table's choices, kept in the settings registry; one save at a time, so a view
 * applied (columns, grouping) does not lose a write to a concurrent one. */
function tableSettings(settings: ISettingRegistry.ISettings | null): IWorkspaceSettings | null {
  if (!settings) {
    return null;
  }
  let saving: Promise<unknown> = Promise.resolve();
  return {
    get: key => settings.get(key).composite,
    set: (key, value) => {
      saving = saving.then(() => settings.set(key, value as any)).catch(() => undefined);
    }
  };
}

/** A sweep's scatter and parallel coordinates; without a sweep named, a choice of the sweeps. */
function addSweepCommand(app: JupyterFrontEnd, tracker: WidgetTracker<MainAreaWidget>, openRun: (id: string) => void) {
  app.commands.addCommand(CommandIDs.openSweep, {
    label: 'Show Sweep (scatter, parallel coordinates)',
    execute: async args => {
      let sweep = args.sweep ? String(args.sweep) : null;
      if (!sweep) {
        const names = ((await listSweeps()) as { name: string }[]).map(s => s.name);
        if (!names.length) {
          await showDialog({ title: 'No sweeps yet', body: 'dlops sweep NOTEBOOK -p NAME V1 V2 records one.' });
          return;
        }
        sweep = (await InputDialog.getItem({ title: 'Show sweep', items: names })).value;
      }
      if (sweep) {
        const { SweepWidget } = await import('./sweep');
        openInMain(app, new SweepWidget(sweep, openRun), tracker);
      }
    }
  });
}

const PANEL_PLUGIN_ID = 'jupyter-dlops:experiments';

function addViewCommands(app: JupyterFrontEnd, restorer: ILayoutRestorer | null, settings: () => ISettingRegistry.ISettings | null) {
  const trackers = {
    run: new WidgetTracker<MainAreaWidget>({ namespace: 'jupyter-dlops-run' }),
    compare: new WidgetTracker<MainAreaWidget>({ namespace: 'jupyter-dlops-compare' }),
    table: new WidgetTracker<MainAreaWidget>({ namespace: 'jupyter-dlops-runs' }),
    sweep: new WidgetTracker<MainAreaWidget>({ namespace: 'jupyter-dlops-sweep' })
  };
  const actions = {
    openRun: (runId: string) => void app.commands.execute(CommandIDs.openRun, { runId }),
    compare: (runIds: string[]) => void app.commands.execute(CommandIDs.compare, { runIds })
  };
  const openSweep = (sweep: string) => void app.commands.execute(CommandIDs.openSweep, { sweep });
  // the views load on first use: they are not in the bundle loaded at startup
  app.commands.addCommand(CommandIDs.openRun, {
    label: 'Show Run',
    execute: async args => {
      const { RunDetailWidget } = await import('./detail');
      openInMain(app, new RunDetailWidget(String(args.runId), openSweep), trackers.run);
    }
  });
  app.commands.addCommand(CommandIDs.compare, {
    label: 'Compare Runs',
    execute: async args => {
      const { CompareWidget } = await import('./compare');
      openInMain(app, new CompareWidget(args.runIds as string[], openSweep), trackers.compare);
    }
  });
  app.commands.addCommand(CommandIDs.openTable, {
    label: 'Open Runs Table', caption: 'Every tracked run in a table: filter, sort, compare',
    icon: experimentsIcon,
    execute: async () => {
      const { RunsTableWidget } = await import('./workspace');
      openInMain(app, new RunsTableWidget(actions, tableSettings(settings())), trackers.table);
    }
  });
  addSweepCommand(app, trackers.sweep, actions.openRun);
  if (restorer) {
    void restorer.restore(trackers.sweep, {
      command: CommandIDs.openSweep, name: w => `sweep:${(w.content as any).sweepRef}`,
      args: w => ({ sweep: (w.content as any).sweepRef })
    });
    void restorer.restore(trackers.run, {
      command: CommandIDs.openRun, name: w => `run:${(w.content as any).runId}`,
      args: w => ({ runId: (w.content as any).runId })
    });
    void restorer.restore(trackers.compare, {
      command: CommandIDs.compare, name: w => `compare:${(w.content as any).runIds.join(',')}`,
      args: w => ({ runIds: (w.content as any).runIds })
    });
    void restorer.restore(trackers.table, { command: CommandIDs.openTable, name: () => 'runs' });
  }
  return actions;
}

const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PANEL_PLUGIN_ID,
  description: 'The Experiments side panel, the runs table, run details and comparisons.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null, palette: ICommandPalette | null,
    registry: ISettingRegistry | null) => {
    let settings: ISettingRegistry.ISettings | null = null;
    registry?.load(PANEL_PLUGIN_ID).then(loaded => {
      settings = loaded;
      bindChartSettings(loaded);
    }).catch(() => undefined);
    const actions = addViewCommands(app, restorer, () => settings);
    const panel = new ExperimentsPanel({
      ...actions, openTable: () => void app.commands.execute(CommandIDs.openTable)
    });
    panel.title.icon = experimentsIcon;
    panel.title.caption = 'Experiments';
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);
    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show Experiments Sidebar', execute: () => app.shell.activateById(panel.id)
    });
    for (const command of [CommandIDs.openPanel, CommandIDs.openTable, CommandIDs.openSweep]) {
      palette?.addItem({ command, category: CATEGORY });
    }
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
    const log = new ExecutionLog(tracker);
    const item = new RunStatusItem(tracker, log, runId => void app.commands.execute(CommandIDs.openRun, { runId }));
    // shown only while a notebook is the current tab (nothing on the Launcher)
    const labShell = app.shell as any;
    statusBar.registerStatusItem('jupyter-dlops:run', {
      item, align: 'left', rank: 5,
      isActive: () => !!tracker.currentWidget && labShell.currentWidget === tracker.currentWidget,
      activeStateChanged: labShell.currentChanged
    });
  }
};

export default [exportPlugin, tagsPlugin, panelPlugin, statusPlugin];
