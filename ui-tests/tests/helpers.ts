import { execFileSync } from 'child_process';
import * as path from 'path';

export const ROOT = process.env.JUPYTERLAB_GALATA_ROOT_DIR as string;
export const STORE = process.env.DLOPS_STORE as string;
export const PYTHON = process.env.DLOPS_PYTHON || 'python';

/** Run python with the test store; returns stdout. */
export function python(args: string[], cwd?: string): string {
  return execFileSync(PYTHON, args, {
    cwd,
    env: { ...process.env, DLOPS_STORE: STORE },
    encoding: 'utf-8'
  });
}

export function hasConverter(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import jupyter_dlops.convert'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const CONVERTER_MISSING =
  'jupyter_dlops.convert (the converter issue) is not merged into this build yet';

/** A small Python notebook: a parameters cell, an exploration cell, a training cell. */
export function trainNotebook(): string {
  const code = (source: string, tags: string[] = []) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: tags.length ? { tags } : {},
    outputs: [],
    source
  });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' },
      language_info: { name: 'python' }
    },
    cells: [
      code('lr = 0.1\nepochs = 2', ['parameters']),
      code("print('exploring', lr)"),
      code('print(lr * epochs)')
    ]
  });
}

export function inRoot(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}

// The machines these tests run on are shared and often loaded (load average > 10 on 2 cores):
// Galata's fixed 15 s waits (the app to start, the Launcher to show) fail there although the
// app is only slow. Give every Galata wait at least 90 s; the assertions stay event-based.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const galataUtils = require('@jupyterlab/galata/lib/utils');
const galataWait = galataUtils.waitForCondition;
galataUtils.waitForCondition = (condition: unknown, timeout?: number) =>
  galataWait(condition, Math.max(timeout ?? 0, 90000));

/** Requests to the extension's routes (/jupyter-dlops/...) and console errors, from now on. */
export function watchQuiet(page: any): { requests: string[]; errors: string[] } {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request: any) => {
    const route = new URL(request.url()).pathname;
    if (route.startsWith('/jupyter-dlops/')) {
      requests.push(`${request.method()} ${route}`);
    }
  });
  page.on('console', (message: any) => message.type() === 'error' && errors.push(message.text()));
  return { requests, errors };
}

/** The p-th percentile (0-100) of some numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

/** Reload the page and wait until JupyterLab has restored its layout (no Launcher opened). */
export async function reloadWithoutLauncher(page: any): Promise<void> {
  await page.evaluate(() => window.location.reload());
  await page.waitForFunction(() => (window as any).jupyterapp?.started !== undefined, null, { timeout: 120000 });
  await page.evaluate(() => (window as any).jupyterapp.restored);
}

/** The next save of the workspace whose layout names ``key`` (a restorer's
 * ``namespace:name``): wait for it before a reload that must restore that view. */
export function layoutSaved(page: any, key: string): Promise<unknown> {
  return page.waitForRequest(
    (request: any) => request.url().includes('/lab/api/workspaces') && request.method() === 'PUT' &&
      (request.postData() ?? '').includes(key),
    { timeout: 90000 }
  );
}
