import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import { CONVERTER_MISSING, hasConverter, inRoot, python, trainNotebook } from './helpers';

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

/** Open the Experiments panel, wide enough to show the param and metric columns. */
async function openPanel(page: any) {
  await page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]').click();
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle').first();
  const box = await handle.boundingBox();
  if (box && box.x < 500) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 420, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  }
  const panel = page.locator('#jupyter-dlops-experiments');
  await panel.locator('.jp-dlops-refresh').click();
  return panel;
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
    const panel = await openPanel(page);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(3);
    await expect(panel.locator('.jp-dlops-count')).toHaveText('1–3 of 3');
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

  test('filters with the --where language and shows a bad filter, then recovers', async ({ page }) => {
    const panel = await openPanel(page);
    const filter = panel.locator('.jp-dlops-filter');
    await filter.fill('params.lr < 0.05');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(2);
    await filter.fill('metrics.acc >');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-error')).toBeVisible();
    await filter.fill('');
    await filter.press('Enter');
    await expect(panel.locator('.jp-dlops-error')).toHaveCount(0);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(3);
    // a click on a column header sorts by it, a second click reverses
    const firstLr = panel.locator('.jp-dlops-run-row').first().locator('td[data-field="params.lr"]');
    await panel.locator('th[data-field="params.lr"]').click();
    await expect(firstLr).toHaveText('0.001');
    await panel.locator('th[data-field="params.lr"]').click();
    await expect(firstLr).toHaveText('0.1');
  });

  test("the status bar names the notebook's run", async ({ page, tmpPath }) => {
    const code = [
      'import jupyter_dlops as dlops, sys',
      'run = dlops.start_run(name="status-run", entry_point=sys.argv[1], capture=False)',
      'dlops.end_run()'
    ].join('\n');
    python(['-c', code, `${tmpPath}/train.ipynb`]);
    await openTrainNotebook(page, tmpPath);
    await expect(page.locator('.jp-dlops-statusbar')).toContainText('status-run', { timeout: 15000 });
  });

  test('a run opens in a detail view with its curves', async ({ page }) => {
    const panel = await openPanel(page);
    // sweep runs are named after the notebook and their id (train-3f9a1c): pick the one with lr 0.01
    const row = panel.locator('.jp-dlops-run-row').filter({
      has: page.locator('td[data-field="params.lr"]', { hasText: /^0\.01$/ })
    });
    await row.locator('td[data-field="name"]').click();
    const detail = page.locator('.jp-dlops-detail');
    await expect(detail.locator('h2')).toContainText('train-');
    await expect(detail.locator('tr[data-key="lr"] td')).toHaveText('0.01');
    await expect(detail.locator('.u-title').filter({ hasText: /^(acc|loss)$/ })).toHaveCount(2);
  });
});

test.describe('Ten thousand runs', () => {
  test.describe.configure({ timeout: 120000 }); // seeding 10,000 runs takes ~10 s here

  test.beforeAll(() => {
    python([path.join(__dirname, '..', 'seed_runs.py'), '--bulk', '10000']);
  });

  test('the panel pages through them and stays responsive', async ({ page }) => {
    const panel = await openPanel(page);
    await expect(panel.locator('.jp-dlops-count')).toHaveText(/^1–50 of 100\d\d$/);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(50);
    await panel.getByRole('button', { name: /Next/ }).click();
    await expect(panel.locator('.jp-dlops-count')).toHaveText(/^51–100 of 100\d\d$/);
    await expect(panel.locator('.jp-dlops-run-row')).toHaveCount(50);
    const ms = await page.evaluate(async () => {
      const started = performance.now();
      await (await fetch('/jupyter-dlops/runs?limit=50&sort=-metrics.acc')).json();
      return performance.now() - started;
    });
    expect(ms).toBeLessThan(2000);
  });
});
