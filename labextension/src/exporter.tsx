/** "Export to script": save, export through the server, open the script, show the report. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, ReactWidget, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import * as React from 'react';

import { exportNotebook, IExportResult } from './api';

/** The notebook's kernel language, or '' when the notebook does not say. */
export function kernelLanguage(panel: NotebookPanel): string {
  const spec = panel.model?.getMetadata('kernelspec') as { language?: string } | undefined;
  const info = panel.model?.getMetadata('language_info') as { name?: string } | undefined;
  return (spec?.language || info?.name || '').toLowerCase();
}

function ReportValue(props: { value: unknown }) {
  const { value } = props;
  if (Array.isArray(value)) {
    if (!value.length) {
      return <span className="jp-dlops-muted">none</span>;
    }
    return (
      <ul>
        {value.map((item, i) => (
          <li key={i}>{typeof item === 'object' ? JSON.stringify(item) : String(item)}</li>
        ))}
      </ul>
    );
  }
  if (value !== null && typeof value === 'object') {
    return <pre>{JSON.stringify(value, null, 2)}</pre>;
  }
  return <span>{String(value)}</span>;
}

export function ExportReport(props: { result: IExportResult }) {
  return (
    <div className="jp-dlops-report">
      <p>
        <code>{props.result.notebook}</code> → <code>{props.result.script_path}</code>
      </p>
      <dl>
        {Object.entries(props.result.report).map(([key, value]) => (
          <React.Fragment key={key}>
            <dt data-key={key}>{key.replace(/_/g, ' ')}</dt>
            <dd><ReportValue value={value} /></dd>
          </React.Fragment>
        ))}
      </dl>
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
    result = await exportNotebook(panel.context.localPath, strict);
  } catch (error) {
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
