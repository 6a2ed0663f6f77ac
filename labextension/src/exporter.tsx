/** "Export to script": save, export through the server, open the script, show the report. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, ReactWidget, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import * as React from 'react';

import { DlopsApiError, exportNotebook, IExportResult } from './api';

/** The notebook's kernel language, or '' when the notebook does not say. */
export function kernelLanguage(panel: NotebookPanel): string {
  const spec = panel.model?.getMetadata('kernelspec') as { language?: string } | undefined;
  const info = panel.model?.getMetadata('language_info') as { name?: string } | undefined;
  return (spec?.language || info?.name || '').toLowerCase();
}

type Item = { [key: string]: unknown };

/** The flag as the script's CLI spells it (``--learning-rate``), as the converter reports it. */
export function cliFlag(f: Item): string {
  if (Array.isArray(f.flags) && f.flags.length) {
    return String(f.flags[0]);
  }
  const name = String(f.name);
  return `--${name.startsWith('_') ? name : name.replace(/_/g, '-')}`;
}

/** One finding of the report on one line: where it is, then what it says. */
export function formatFinding(item: unknown): string {
  if (item === null || typeof item !== 'object') {
    return String(item);
  }
  const f = item as Item;
  const where = [f.cell !== undefined ? `cell ${f.cell}` : '', f.line ? `line ${f.line}` : '']
    .filter(Boolean)
    .join(', ');
  const prefix = where ? `${where}: ` : '';
  if (f.type !== undefined && f.name !== undefined) {
    return `${cliFlag(f)} (${f.type}, default ${JSON.stringify(f.default)})`;
  }
  if (f.reason !== undefined) {
    return `${prefix}${f.reason}`; // a cell left out: "cell 6: tagged skip"
  }
  if (f.magic !== undefined) {
    return `${prefix}${f.magic} → ${f.action}`;
  }
  if (f.message !== undefined) {
    return `${prefix}${f.message}`;
  }
  return prefix + JSON.stringify(item);
}

const REPORT_LISTS: [string, string][] = [
  ['parameters', 'Parameters'],
  ['skipped', 'Cells left out'],
  ['magics', 'Magics translated'],
  ['requirements', 'Requirements (%pip)'],
  ['hidden_state', 'Hidden state'],
  ['warnings', 'Warnings']
];

function summary(report: Item): string {
  const count = (key: string) => (Array.isArray(report[key]) ? (report[key] as unknown[]).length : 0);
  return (
    `${report.cells_exported ?? '?'} cells exported, ${report.cells_skipped ?? count('skipped')} left out, ` +
    `${count('parameters')} parameters, ${count('magics')} magics translated`
  );
}

export function ExportReport(props: { result: IExportResult }) {
  const report = props.result.report as Item;
  const lists = REPORT_LISTS.filter(([key]) => Array.isArray(report[key]) && (report[key] as unknown[]).length);
  return (
    <div className="jp-dlops-report">
      <p>
        <code>{props.result.notebook}</code> → <code>{props.result.script_path}</code>
      </p>
      <p className="jp-dlops-report-summary">{summary(report)}</p>
      {lists.map(([key, title]) => (
        <div key={key} data-key={key} className={key === 'hidden_state' ? 'jp-dlops-report-warn' : ''}>
          <h4>{title}</h4>
          <ul>
            {(report[key] as unknown[]).map((item, i) => <li key={i}>{formatFinding(item)}</li>)}
          </ul>
        </div>
      ))}
    </div>
  );
}

async function saveFirst(panel: NotebookPanel): Promise<boolean> {
  await panel.context.ready;
  try {
    await panel.context.save();
    return true;
  } catch (error) {
    await showErrorMessage('Export to script', `The notebook could not be saved: ${error}`);
    return false;
  }
}

/** Export ``panel``'s notebook; every failure is shown, never swallowed. */
/** The user chose to keep the existing script. */
class OverwriteDeclined extends Error {}

/**
 * Export; where the server answers 409 (the script exists and jupyter-dlops did not write it),
 * ask before replacing it, then export again with force.
 */
async function exportOrAskToOverwrite(path: string, strict: boolean): Promise<IExportResult> {
  try {
    return await exportNotebook(path, strict);
  } catch (error) {
    if (!(error instanceof DlopsApiError) || error.status !== 409) {
      throw error;
    }
    const answer = await showDialog({
      title: 'Overwrite the script?',
      body: error.message,
      buttons: [Dialog.cancelButton({ label: 'Keep it' }), Dialog.warnButton({ label: 'Overwrite' })]
    });
    if (!answer.button.accept) {
      throw new OverwriteDeclined();
    }
    return exportNotebook(path, strict, true);
  }
}

export async function exportPanel(
  app: JupyterFrontEnd,
  panel: NotebookPanel,
  strict: boolean
): Promise<IExportResult | null> {
  const language = kernelLanguage(panel);
  if (language && language !== 'python') {
    await showErrorMessage(
      'Export to script',
      `Export to script needs a Python notebook; this notebook's kernel language is ${language}.`
    );
    return null;
  }
  if (!(await saveFirst(panel))) {
    return null;
  }
  let result: IExportResult;
  try {
    result = await exportOrAskToOverwrite(panel.context.localPath, strict);
  } catch (error) {
    if (error instanceof OverwriteDeclined) {
      return null;
    }
    const title = strict ? 'Strict export refused' : 'Export failed';
    await showErrorMessage(title, (error as Error).message);
    return null;
  }
  await app.commands.execute('docmanager:open', {
    path: result.script_path,
    options: { mode: 'split-right', ref: panel.id }
  });
  void showDialog({
    title: `Exported to ${result.script_path}`,
    body: ReactWidget.create(<ExportReport result={result} />),
    buttons: [Dialog.okButton({ label: 'OK' })]
  });
  return result;
}
