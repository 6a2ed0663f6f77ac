import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import {
  CONVERTER_MISSING, hasConverter, inRoot, layoutSaved, python, reloadWithoutLauncher, trainNotebook, watchQuiet
} from './helpers';

const CONVERTER = hasConverter();

async function openTrainNotebook(page: any, tmpPath: string): Promise<void> {
  await page.contents.uploadContent(trainNotebook(), 'text', `${tmpPath}/train.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/train.ipynb`);
  await page.notebook.activate('train.ipynb');
}

async function clickExport(page: any, screenshot?: string): Promise<void> {
  await page.locator('.jp-NotebookPanel-toolbar .jp-dlops-export-button').click();
  await expect(page.locator('.jp-Dialog .jp-dlops-report')).toBeVisible({ timeout: 30000 });
  if (screenshot) {
    await page.locator('.jp-Dialog-content').screenshot({ path: screenshot });
  }
  await page.locator('.jp-Dialog .jp-mod-accept').click();
}

// First in the file: no test before it has created the store.
test('quiet while nothing of it is visible, and a getting-started view without a store', async ({ page, tmpPath }) => {
  const seen = watchQuiet(page);
  await page.reload();
  await openTrainNotebook(page, tmpPath);
  await page.waitForTimeout(12000); // idle: the status bar and the closed sidebar must not poll
  expect(seen.requests).toEqual([]);
  await expect(page.locator('.jp-dlops-statusbar')).toHaveCount(0);
  await page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]').click();
  const panel = page.locator('#jupyter-dlops-experiments');
  await expect(panel.locator('.jp-dlops-getting-started')).toContainText('%load_ext jupyter_dlops');
  await expect(panel.locator('.jp-dlops-getting-started')).toContainText('dlops sweep');
  await expect(panel.locator('.jp-dlops-error')).toHaveCount(0);
  expect(seen.requests).toEqual(['GET /jupyter-dlops/store']);
  await panel.screenshot({ path: test.info().outputPath('getting-started.png') });
  await panel.locator('.jp-dlops-create-store').click();
  await expect(panel.locator('.jp-dlops-empty')).toContainText('No runs yet');
  expect(seen.requests.slice(0, 3)).toEqual(['GET /jupyter-dlops/store', 'POST /jupyter-dlops/store', 'GET /jupyter-dlops/runs']);
  // closing the sidebar stops the requests again
  await page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]').click();
  await expect(panel).toBeHidden();
  const count = seen.requests.length;
  await page.waitForTimeout(11000);
  expect(seen.requests.length).toBe(count);
  expect(seen.errors).toEqual([]);
});

test('the extension activates', async ({ page }) => {
  const state = await page.evaluate(() => {
    const app = (window as any).jupyterapp;
    return {
      plugins: ['jupyter-dlops:export', 'jupyter-dlops:tags', 'jupyter-dlops:experiments', 'jupyter-dlops:status']
        .map(id => app.isPluginActivated(id)),
      command: app.commands.hasCommand('jupyter-dlops:export')
    };
  });
  expect(state.plugins).toEqual([true, true, true, true]);
  expect(state.command).toBe(true);
  await expect(page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]')).toBeVisible();
});

test('typing "dlops" in the palette finds its commands; the File menu names the export', async ({ page }) => {
  await page.evaluate(() => void (window as any).jupyterapp.commands.execute('apputils:activate-command-palette'));
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('dlops');
  // the best matches come first: the extension's own category
  await expect(palette.locator('.lm-CommandPalette-header').first()).toHaveText('dlops');
  const labels = await palette.locator('.lm-CommandPalette-itemLabel').allTextContents();
  expect(labels).toEqual(expect.arrayContaining([
    'Export to script (dlops)', 'Mark Cell as Parameters', 'Mark Cell as Skip (not exported)', 'Open Runs Table'
  ]));
  await page.keyboard.press('Escape');
  await page.menu.open('File');
  await expect(page.getByRole('menuitem', { name: /^Export to script \(dlops\)/ })).toHaveCount(1);
});

test('tagged cells carry a visible marker and skip is saved in the notebook', async ({ page, tmpPath }) => {
  await openTrainNotebook(page, tmpPath);
  await expect(page.locator('.jp-Cell.jp-dlops-tag-parameters')).toHaveCount(1);
  await page.notebook.selectCells(1);
  await page.locator('.jp-Notebook .jp-Cell').nth(1).click({ button: 'right' });
  await page.getByRole('menuitem', { name: /Mark Cell as Skip/ }).click();
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(1);
  await expect(cell).toHaveClass(/jp-dlops-tag-skip/);
  await cell.screenshot({ path: test.info().outputPath('skip-cell.png') });
  // the cell toolbar's button toggles it off and on again
  const button = cell.locator('.jp-cell-toolbar [data-command="jupyter-dlops:tag-skip"]');
  await button.click();
  await expect(cell).not.toHaveClass(/jp-dlops-tag-skip/);
  await button.click();
  await expect(cell).toHaveClass(/jp-dlops-tag-skip/);
  await page.notebook.save();
  const saved = JSON.parse(fs.readFileSync(inRoot(tmpPath, 'train.ipynb'), 'utf-8'));
  expect(saved.cells[1].metadata.tags).toEqual(['skip']);
});

test('a cell tagged both parameters and skip carries a warning marker', async ({ page, tmpPath }) => {
  await openTrainNotebook(page, tmpPath);
  await page.notebook.selectCells(0);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('jupyter-dlops:tag-skip'));
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await expect(cell).toHaveClass(/jp-dlops-tag-conflict/);
  await expect(cell).toHaveAttribute('title', /both 'parameters' and 'skip'/);
  const label = await cell.evaluate((node: Element) => getComputedStyle(node, '::after').content);
  expect(label).toContain('parameters + skip');
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('jupyter-dlops:tag-skip'));
  await expect(cell).not.toHaveClass(/jp-dlops-tag-conflict/);
});

test('the export button writes a script whose --help lists the parameters', async ({ page, tmpPath }) => {
  test.skip(!CONVERTER, CONVERTER_MISSING);
  await openTrainNotebook(page, tmpPath);
  await clickExport(page, test.info().outputPath('export-report.png'));
  const script = inRoot(tmpPath, 'train.py');
  expect(fs.existsSync(script)).toBe(true);
  const help = python([script, '--help']);
  expect(help).toContain('--lr');
  expect(help).toContain('--epochs');
  await expect(page.getByRole('tab', { name: 'train.py' })).toBeVisible();
});

test('marking a cell skip removes it from the next export', async ({ page, tmpPath }) => {
  test.skip(!CONVERTER, CONVERTER_MISSING);
  await openTrainNotebook(page, tmpPath);
  await clickExport(page);
  expect(fs.readFileSync(inRoot(tmpPath, 'train.py'), 'utf-8')).toContain('exploring');
  await page.notebook.activate('train.ipynb');
  await page.notebook.selectCells(1);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('jupyter-dlops:tag-skip'));
  await clickExport(page);
  expect(fs.readFileSync(inRoot(tmpPath, 'train.py'), 'utf-8')).not.toContain('exploring');
});

test('the export route refuses a path outside the server root', async ({ page }) => {
  const answer = await page.evaluate(async () => {
    const response = await fetch('/jupyter-dlops/export', {
      method: 'POST',
      body: JSON.stringify({ path: '../outside.ipynb' })
    });
    return { status: response.status, body: await response.json() };
  });
  expect(answer.status).toBe(400);
  expect(answer.body.message).toContain('..');
});

/** Reload the page; Galata's own reload waits for a Launcher, which a restored layout lacks. */
/** Open the runs table in the main area from the sidebar's button. */
async function openTable(page: any) {
  const side = page.locator('#jupyter-dlops-experiments');
  if (!(await side.isVisible())) {
    await page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]').click();
  }
  await side.locator('.jp-dlops-open-table').click();
  const table = page.locator('#jupyter-dlops-runs-table');
  await expect(table.locator('.jp-dlops-count')).toBeVisible();
  return table;
}

test('an export failure is shown in a dialog, not swallowed', async ({ page, tmpPath }) => {
  const hidden = JSON.parse(trainNotebook());
  hidden.cells[1].metadata = { tags: ['skip'] };
  hidden.cells[1].source = 'factor = 3';
  hidden.cells[2].source = 'print(lr * factor)';
  await page.contents.uploadContent(JSON.stringify(hidden), 'text', `${tmpPath}/hidden.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/hidden.ipynb`);
  await page.notebook.activate('hidden.ipynb');
  // not awaited: the command resolves only once its error dialog is closed
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('jupyter-dlops:export-strict');
  });
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible();
  // with the converter: hidden state refused (422); without it: the route says so (501)
  await expect(dialog).toContainText(CONVERTER ? /Strict export refused[\s\S]*factor/ : /converter/);
  await dialog.locator('.jp-mod-accept, .jp-mod-reject').first().click();
});

test.describe('Experiments panel', () => {
  test.beforeAll(() => {
    python([path.join(__dirname, '..', 'seed_runs.py')]);
  });

  test('lists the three runs of a CLI sweep and compares their parameters side by side', async ({ page }, testInfo) => {
    const panel = await openTable(page);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(3);
    await expect(panel.locator('.jp-dlops-count')).toHaveText('3 runs');
    const shot = testInfo.outputPath('experiments-panel.png');
    await panel.screenshot({ path: shot });
    await testInfo.attach('experiments-panel', { path: shot, contentType: 'image/png' });
    if (process.env.DLOPS_UPDATE_DOCS_IMAGES) {
      fs.mkdirSync(path.join(__dirname, '..', '..', 'docs', 'images'), { recursive: true });
      fs.copyFileSync(shot, path.join(__dirname, '..', '..', 'docs', 'images', 'experiments-panel.png'));
    }
    for (const box of await panel.locator('.jp-dlops-select').all()) {
      await box.check();
    }
    await panel.locator('.jp-dlops-compare-button').click();
    const row = page.locator('.jp-dlops-compare-table tr[data-key="params.lr"] td');
    await expect(row).toHaveText(['0.001', '0.01', '0.1']);
    // one chart per metric (acc, loss); the runs' sys/* usage series are drawn beside them
    await expect(page.locator('.jp-dlops-compare .u-title').filter({ hasText: /^(acc|loss)$/ })).toHaveCount(2);
    const compareShot = testInfo.outputPath('compare.png');
    await page.locator('.jp-dlops-compare').screenshot({ path: compareShot });
    if (process.env.DLOPS_UPDATE_DOCS_IMAGES) {
      fs.copyFileSync(compareShot, path.join(__dirname, '..', '..', 'docs', 'images', 'compare-runs.png'));
    }
  });

  test('filters with the --where language: completion, errors in place, an empty state', async ({ page }) => {
    const seen = watchQuiet(page);
    const panel = await openTable(page);
    const filter = panel.locator('.jp-dlops-filter');
    // completion of keys, then of operators
    await filter.pressSequentially('params.l');
    await expect(panel.locator('.jp-dlops-completions [role="option"]')).toHaveText(['params.lr']);
    await filter.press('Tab');
    await expect(filter).toHaveValue('params.lr ');
    await expect(panel.locator('.jp-dlops-completions [role="option"]').first()).toHaveText('=');
    await filter.pressSequentially('< 0.05');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(2);
    // a bad filter: the error in place with its position, the previous results cleared
    await filter.fill('metrics.acc >');
    await filter.press('Enter');
    const error = panel.locator('.jp-dlops-filter-error');
    await expect(error).toContainText('position 14');
    await expect(error.locator('.jp-dlops-caret')).toHaveText('metrics.acc >\n             ^');
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(0);
    // no match: says why
    await filter.fill('params.lr > 5');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-empty')).toContainText('No run matches “params.lr > 5”');
    await filter.fill('');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-filter-error')).toHaveCount(0);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(3);
    // a click on a column header sorts by it, a second click reverses
    const firstLr = panel.locator('.jp-dlops-run-row').first().locator('[data-field="params.lr"]');
    await panel.locator('[role="columnheader"][data-field="params.lr"]').click();
    await expect(firstLr).toHaveText('0.001');
    await panel.locator('[role="columnheader"][data-field="params.lr"]').click();
    await expect(firstLr).toHaveText('0.1');
    expect(seen.errors).toEqual([]);
  });

  test('default columns are the params that vary and the metrics; choices persist', async ({ page }) => {
    let panel = await openTable(page);
    const headers = panel.locator('[role="columnheader"]');
    // epochs is the same in every run of the sweep: not a default column
    await expect(headers).toHaveText(['', 'Name', 'Status', 'Start', 'Duration', 'lr', 'acc', 'loss']);
    await panel.locator('.jp-dlops-columns summary').click();
    await panel.locator('.jp-dlops-columns input[data-key="metrics.loss"]').uncheck();
    await panel.locator('.jp-dlops-columns input[data-key="params.epochs"]').check();
    await expect(headers).toHaveText(['', 'Name', 'Status', 'Start', 'Duration', 'lr', 'epochs', 'acc']);
    await page.waitForTimeout(500); // the settings registry saves asynchronously
    await reloadWithoutLauncher(page);
    panel = page.locator('#jupyter-dlops-runs-table'); // restored by the layout restorer
    await expect(panel.locator('[role="columnheader"]')).toHaveText(
      ['', 'Name', 'Status', 'Start', 'Duration', 'lr', 'epochs', 'acc'], { timeout: 30000 }
    );
    await panel.locator('.jp-dlops-columns summary').click();
    await panel.locator('.jp-dlops-columns button', { hasText: 'Reset to defaults' }).click();
    await expect(panel.locator('[role="columnheader"]')).toHaveText(['', 'Name', 'Status', 'Start', 'Duration', 'lr', 'acc', 'loss']);
  });

  test("the status bar names the notebook's run of this session, not an older one", async ({ page, tmpPath }) => {
    const older = [
      'import jupyter_dlops as dlops, sys',
      'run = dlops.start_run(name="older-run", entry_point=sys.argv[1], capture=False)',
      'dlops.end_run()'
    ].join('\n');
    python(['-c', older, `${tmpPath}/train.ipynb`]);
    await openTrainNotebook(page, tmpPath);
    await page.waitForTimeout(2000);
    await expect(page.locator('.jp-dlops-statusbar')).toHaveCount(0);
    await page.notebook.setCell(0, 'code', [
      'import jupyter_dlops as dlops',
      `run = dlops.start_run(name="status-run", entry_point="${tmpPath}/train.ipynb", capture=False)`,
      'dlops.end_run()'
    ].join('\n'));
    await page.notebook.runCell(0);
    await expect(page.locator('.jp-dlops-statusbar')).toContainText('status-run', { timeout: 15000 });
    // nothing on the Launcher
    await page.evaluate(() => void (window as any).jupyterapp.commands.execute('launcher:create'));
    await expect(page.locator('.jp-dlops-statusbar')).toBeHidden();
  });

  test('a run opens in a detail view with its curves', async ({ page }) => {
    const panel = await openTable(page);
    // sweep runs are named after the notebook and their id (train-3f9a1c): pick the one with lr 0.01
    const row = panel.locator('.jp-dlops-run-row').filter({
      has: page.locator('[data-field="params.lr"]', { hasText: /^0\.01$/ })
    });
    const name = (await row.locator('[data-field="name"]').innerText()).trim();
    expect(name).toMatch(/^train-/);
    const runId = await row.getAttribute('data-run-id');
    const saved = layoutSaved(page, runId ? `jupyter-dlops-run:run:${runId}` : 'jupyter-dlops-run:run:');
    await row.locator('[data-field="name"]').click();
    const detail = page.locator('.jp-dlops-detail');
    await expect(detail.locator('h2')).toContainText(name);
    // the tab is titled by the run's name, and comes back after a reload
    await expect(page.getByRole('tab', { name })).toBeVisible();
    await saved; // the layout naming the detail is stored: a reload now must restore it
    await reloadWithoutLauncher(page);
    await expect(page.locator('.jp-dlops-detail h2')).toContainText(name, { timeout: 30000 });
    await expect(detail.locator('tr[data-key="lr"] td')).toHaveText('0.01');
    await expect(detail.locator('.u-title').filter({ hasText: /^(acc|loss)$/ })).toHaveCount(2);
  });

  test("a failed run's detail shows where it failed and its traceback, titled by name", async ({ page }) => {
    const code = [
      'import jupyter_dlops as dlops',
      'run = dlops.start_run(name="broken-run", capture=False)',
      'tb = "Traceback (most recent call last):\\n  File \\"<cell>\\", line 2, in <module>\\nZeroDivisionError: division by zero"',
      'run.end("failed", error=tb, error_cell="cell 5 (In [4])")',
      'print(run.run_id)'
    ].join('\n');
    const runId = python(['-c', code]).trim();
    await page.evaluate((id: string) => (window as any).jupyterapp.commands.execute('jupyter-dlops:open-run', { runId: id }), runId);
    const error = page.locator('.jp-dlops-detail .jp-dlops-run-error');
    await expect(error.locator('h3')).toHaveText('Failed in cell 5 (In [4])');
    const traceback = await error.locator('.jp-dlops-traceback').innerText();
    expect(traceback.split('\n')).toEqual([
      'Traceback (most recent call last):', '  File "<cell>", line 2, in <module>', 'ZeroDivisionError: division by zero'
    ]);
    await expect(page.getByRole('tab', { name: 'broken-run' })).toBeVisible();
  });

  test('charts follow the panel width and the theme colours', async ({ page }) => {
    const panel = await openTable(page);
    await panel.locator('.jp-dlops-run-row').filter({
      has: page.locator('[data-field="params.lr"]', { hasText: /^0\.001$/ })
    }).locator('[data-field="name"]').click();
    const chart = page.locator('.jp-dlops-detail .uplot').first();
    await expect(chart).toBeVisible();
    // as wide as its cell of the charts grid, before and after the window changes width
    const gap = () => page.evaluate(() => {
      const cell = document.querySelector('.jp-dlops-detail .jp-dlops-chart') as HTMLElement;
      const plot = cell.querySelector('.uplot') as HTMLElement;
      return { cell: cell.clientWidth, gap: Math.abs(cell.clientWidth - plot.getBoundingClientRect().width) };
    });
    await expect.poll(async () => (await gap()).gap).toBeLessThan(4);
    const before = (await gap()).cell;
    expect(before).toBeGreaterThan(360);
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(async () => (await gap()).cell).not.toBe(before);
    await expect.poll(async () => (await gap()).gap).toBeLessThan(4);
    await page.theme.setDarkTheme();
    const colours = await page.evaluate(() => {
      const title = document.querySelector('.jp-dlops-detail .uplot .u-title') as HTMLElement;
      const probe = document.createElement('span');
      probe.style.color = 'var(--jp-ui-font-color1)';
      document.body.appendChild(probe);
      const expected = getComputedStyle(probe).color;
      probe.remove();
      return { title: getComputedStyle(title).color, expected };
    });
    expect(colours.title).toBe(colours.expected);
    expect(colours.title).not.toBe('rgb(0, 0, 0)');
  });
});

test.describe('Ten thousand runs', () => {
  test.describe.configure({ timeout: 120000 }); // seeding 10,000 runs takes ~10 s here

  test.beforeAll(() => {
    python([path.join(__dirname, '..', 'seed_runs.py'), '--bulk', '10000']);
  });

  test('the table scrolls through every run, down to the oldest', async ({ page }) => {
    const panel = await openTable(page);
    await expect(panel.locator('.jp-dlops-count')).toHaveText(/^100\d\d runs$/);
    // virtualised: only the rows in view are in the DOM
    const rendered = await panel.locator('.jp-dlops-run-row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(120);
    const grid = panel.locator('.jp-dlops-grid-scroll');
    await grid.evaluate((node: HTMLElement) => (node.scrollTop = node.scrollHeight));
    await expect(panel.locator('.jp-dlops-run-row [data-field="name"]', { hasText: /^bulk-0$/ })).toBeVisible();
    // the name column stays in view when the table scrolls sideways
    await grid.evaluate((node: HTMLElement) => (node.scrollLeft = node.scrollWidth));
    const name = panel.locator('.jp-dlops-run-row [data-field="name"]', { hasText: /^bulk-0$/ });
    const [nameBox, gridBox] = [await name.boundingBox(), await grid.boundingBox()];
    expect(nameBox!.x).toBeGreaterThanOrEqual(gridBox!.x);
    expect(nameBox!.x).toBeLessThan(gridBox!.x + 60);
    const ms = await page.evaluate(async () => {
      const started = performance.now();
      await (await fetch('/jupyter-dlops/runs?limit=100&offset=9900&sort=-metrics.acc')).json();
      return performance.now() - started;
    });
    expect(ms).toBeLessThan(5000);
  });
});
