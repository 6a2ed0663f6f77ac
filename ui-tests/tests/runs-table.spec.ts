/**
 * The runs table of the Experiments workspace (issue 17): columns resized and moved, runs
 * grouped, saved views. Its runs are in their own experiment ("rt") and every test filters
 * on it, so the runs other spec files leave in the shared store change nothing here. It creates
 * the store: it runs after jupyter-dlops.spec.ts (files run in name order on one worker), whose
 * first test needs a server without one.
 */
import { expect, test } from '@jupyterlab/galata';

import { python, reloadWithoutLauncher } from './helpers';

const SEED = `
import time, uuid
import jupyter_dlops as dlops
from jupyter_dlops.models import Run

store = dlops.open_store()
if not store.count_runs('experiment = "rt"'):
    base = time.time() - 1000
    rows = [(0.1, "adam", 0.7), (0.01, "adam", 0.9), (0.001, "adam", 0.8),
            (0.1, "sgd", 0.6), (0.01, "sgd", 0.65), (0.001, "sgd", 0.75)]
    for i, (lr, opt, acc) in enumerate(rows):
        run_id = uuid.uuid4().hex
        store.create_run(Run(run_id=run_id, name=f"rt-{opt}-{lr}", experiment="rt", kind="script",
                             status="finished", start_time=base + i, end_time=base + i + 1))
        store.log_params(run_id, {"lr": lr, "opt": opt})
        store.insert_metrics([(run_id, "acc", acc, 0, base + i)])
`;
const FILTER = 'experiment = "rt"';

test.beforeAll(() => {
  python(['-c', SEED]);
});

/** Reload the page; Galata's own reload waits for a Launcher, which a restored layout lacks. */
/** Open the runs table and show only this file's runs. */
async function openFiltered(page: any) {
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('jupyter-dlops:open-runs-table'));
  const table = page.locator('#jupyter-dlops-runs-table');
  await expect(table.locator('.jp-dlops-count')).toBeVisible();
  await table.locator('.jp-dlops-filter').fill(FILTER);
  await table.locator('.jp-dlops-filter').press('Enter');
  await expect(table.locator('.jp-dlops-count')).toHaveText('6 runs');
  return table;
}

/** Make sure the table shows the columns lr, opt and acc (the defaults depend on the store). */
async function showColumns(table: any) {
  await table.locator('.jp-dlops-columns summary').click();
  for (const key of ['params.lr', 'params.opt', 'metrics.acc']) {
    await table.locator(`.jp-dlops-columns input[data-key="${key}"]`).check();
  }
  await table.locator('.jp-dlops-columns summary').click();
}

async function headerTitles(table: any): Promise<string[]> {
  return (await table.locator('[role="columnheader"]').allInnerTexts()).map((t: string) => t.replace(/ [▲▼]$/, '').trim());
}

async function headerWidth(table: any, field: string): Promise<number> {
  return (await table.locator(`[role="columnheader"][data-field="${field}"]`).boundingBox())!.width;
}

test('columns resize by their edge or the keyboard, move by drag or the chooser, and persist', async ({ page }) => {
  let table = await openFiltered(page);
  await showColumns(table);
  // drag Start's right edge 80 px to the right (Start is always in view, whatever other columns the store has)
  const startWidth = await headerWidth(table, 'start_time');
  const edge = (await table.locator('[role="columnheader"][data-field="start_time"] .jp-dlops-resize').boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + 40, edge.y + edge.height / 2, { steps: 4 });
  await page.mouse.move(edge.x + edge.width / 2 + 80, edge.y + edge.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => headerWidth(table, 'start_time')).toBeCloseTo(startWidth + 80, 0);
  // the cells follow their header
  const cell = table.locator('.jp-dlops-run-row').first().locator('[data-field="start_time"]');
  expect((await cell.boundingBox())!.width).toBeCloseTo(startWidth + 80, 0);
  // a drag that ends on the header did not sort by it
  await expect(table.locator('[role="columnheader"][data-field="start_time"]')).toHaveAttribute('aria-sort', 'none');
  // the keyboard: the edge is focusable, arrows resize by 10 px
  await table.locator('[role="columnheader"][data-field="params.opt"] .jp-dlops-resize').focus();
  const optWidth = await headerWidth(table, 'params.opt');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => headerWidth(table, 'params.opt')).toBeCloseTo(optWidth - 10, 0);

  // focusing opt's edge may have scrolled the table sideways (Status then under the sticky name)
  await table.locator('.jp-dlops-grid-scroll').evaluate((node: HTMLElement) => (node.scrollLeft = 0));
  // drag the Status header onto Duration: Status lands where Duration was
  const status = (await table.locator('[role="columnheader"][data-field="status"]').boundingBox())!;
  const acc = (await table.locator('[role="columnheader"][data-field="duration"]').boundingBox())!;
  await page.mouse.move(status.x + 20, status.y + status.height / 2);
  await page.mouse.down();
  await page.mouse.move(status.x + 60, status.y + status.height / 2, { steps: 5 });
  await page.mouse.move(acc.x + acc.width / 2, acc.y + acc.height / 2, { steps: 10 });
  await page.mouse.up();
  await expect.poll(async () => (await headerTitles(table)).slice(2, 5)).toEqual(['Start', 'Duration', 'Status']);
  let titles = await headerTitles(table);
  expect(titles.slice(0, 2)).toEqual(['', 'Name']); // selection and name stay first
  await expect(table.locator('[role="columnheader"][data-field="status"]')).toHaveAttribute('aria-sort', 'none');

  // the chooser moves a column with buttons the keyboard reaches
  await table.locator('.jp-dlops-columns summary').click();
  const before = (await headerTitles(table)).indexOf('opt');
  await table.getByRole('button', { name: 'Move opt left' }).click();
  titles = await headerTitles(table);
  expect(titles.indexOf('opt')).toBe(before - 1);
  await table.locator('.jp-dlops-columns summary').click();

  await page.waitForTimeout(1000); // the settings registry saves asynchronously
  await reloadWithoutLauncher(page);
  table = page.locator('#jupyter-dlops-runs-table'); // restored by the layout restorer
  await expect(table.locator('.jp-dlops-count')).toBeVisible({ timeout: 60000 });
  await expect.poll(() => headerTitles(table)).toEqual(titles);
  expect(await headerWidth(table, 'start_time')).toBeCloseTo(startWidth + 80, 0);
  expect(await headerWidth(table, 'params.opt')).toBeCloseTo(optWidth - 10, 0);

  // scrolled sideways, the checkbox and the name columns stay in view
  await page.setViewportSize({ width: 700, height: 800 });
  const grid = table.locator('.jp-dlops-grid-scroll');
  await grid.evaluate((node: HTMLElement) => (node.scrollLeft = node.scrollWidth));
  const gridBox = (await grid.boundingBox())!;
  const row = table.locator('.jp-dlops-run-row').first();
  const box = (await row.locator('.jp-dlops-select-cell').boundingBox())!;
  const name = (await row.locator('[data-field="name"]').boundingBox())!;
  expect(box.x).toBeCloseTo(gridBox.x, 0);
  expect(name.x).toBeCloseTo(gridBox.x + box.width, 0);
  await table.screenshot({ path: test.info().outputPath('columns-moved.png') });
});

test('runs grouped by a param: collapsible headers with the count and the best of the sort metric, persisted', async ({ page }) => {
  let table = await openFiltered(page);
  await showColumns(table);
  await table.getByLabel('Group by').selectOption('params.opt');
  const groups = table.locator('.jp-dlops-group-row');
  await expect(groups).toHaveCount(2);
  await expect(groups.nth(0)).toHaveText('▾ opt: adam — 3 runs');
  await expect(groups.nth(1)).toHaveText('▾ opt: sgd — 3 runs');
  await expect(table.locator('.jp-dlops-run-row')).toHaveCount(6);
  // sorted by acc, highest first (two clicks): each group's best acc, and its runs in that order
  const accHeader = table.locator('[role="columnheader"][data-field="metrics.acc"]');
  await accHeader.click();
  await accHeader.click();
  await expect(accHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(groups.nth(0)).toHaveText('▾ opt: adam — 3 runs · best acc 0.9');
  await expect(groups.nth(1)).toHaveText('▾ opt: sgd — 3 runs · best acc 0.75');
  const names = table.locator('.jp-dlops-run-row [data-field="name"]');
  await expect(names).toHaveText(['rt-adam-0.01', 'rt-adam-0.001', 'rt-adam-0.1', 'rt-sgd-0.001', 'rt-sgd-0.01', 'rt-sgd-0.1']);
  // collapse the adam group: its runs go, the sgd group's stay
  const adam = groups.nth(0).getByRole('button');
  await adam.click();
  await expect(adam).toHaveAttribute('aria-expanded', 'false');
  await expect(names).toHaveText(['rt-sgd-0.001', 'rt-sgd-0.01', 'rt-sgd-0.1']);
  await adam.press('Enter'); // a button: the keyboard opens it again
  await expect(names).toHaveCount(6);
  await table.screenshot({ path: test.info().outputPath('grouped.png') });
  // grouped by lr: numbers in numeric order
  await table.getByLabel('Group by').selectOption('params.lr');
  await expect(groups).toHaveText([/^▾ lr: 0\.001 — 2 runs/, /^▾ lr: 0\.01 — 2 runs/, /^▾ lr: 0\.1 — 2 runs/]);
  await page.waitForTimeout(1000); // the settings registry saves asynchronously
  await reloadWithoutLauncher(page);
  table = page.locator('#jupyter-dlops-runs-table');
  await expect(table.getByLabel('Group by')).toHaveValue('params.lr', { timeout: 60000 });
  await expect(table.locator('.jp-dlops-group-row[data-group="0.01"]')).toBeVisible();
  await table.getByLabel('Group by').selectOption('');
  await expect(table.locator('.jp-dlops-group-row')).toHaveCount(0);
});

test('saved views: save filter, columns, sort and grouping; apply, make default, delete', async ({ page }) => {
  let table = await openFiltered(page);
  await showColumns(table);
  await table.getByLabel('Group by').selectOption('params.opt');
  const accHeader = table.locator('[role="columnheader"][data-field="metrics.acc"]');
  await accHeader.click(); // ascending
  await expect(accHeader).toHaveAttribute('aria-sort', 'ascending');
  await table.locator('.jp-dlops-columns summary').click();
  await table.locator('.jp-dlops-columns input[data-key="params.lr"]').uncheck();
  await table.locator('.jp-dlops-columns summary').click();
  const views = table.locator('.jp-dlops-views');
  await views.locator('summary').click();
  await views.getByLabel('Name of the view to save').fill('rt by optimiser');
  await views.getByRole('button', { name: 'Save view' }).click();
  await expect(views.locator('li[data-view="rt by optimiser"]')).toHaveAttribute(
    'title', `filter ${FILTER}, sorted by metrics.acc, grouped by params.opt`
  );
  // the defaults: every run, no grouping, no filter
  await views.getByRole('button', { name: 'All runs (defaults)' }).click();
  await expect(table.locator('.jp-dlops-filter')).toHaveValue('');
  await expect(table.locator('.jp-dlops-group-row')).toHaveCount(0);
  await expect(table.getByLabel('Group by')).toHaveValue('');
  // the saved view back: its filter in the box, its grouping, sort and columns
  await views.locator('li[data-view="rt by optimiser"] .jp-dlops-view-apply').click();
  await expect(table.locator('.jp-dlops-filter')).toHaveValue(FILTER);
  await expect(table.locator('.jp-dlops-count')).toHaveText('6 runs');
  await expect(table.locator('.jp-dlops-group-row')).toHaveText(['▾ opt: adam — 3 runs · best acc 0.7', '▾ opt: sgd — 3 runs · best acc 0.6']);
  await expect(table.locator('[role="columnheader"][data-field="params.lr"]')).toHaveCount(0);
  await expect(table.locator('[role="columnheader"][data-field="metrics.acc"]')).toHaveAttribute('aria-sort', 'ascending');
  await table.screenshot({ path: test.info().outputPath('saved-view.png') });
  // the default view: the table opens with it
  await views.getByRole('button', { name: 'Open the table with rt by optimiser' }).click();
  await expect(views.getByRole('button', { name: 'rt by optimiser is the default view' })).toHaveAttribute('aria-pressed', 'true');
  await views.getByRole('button', { name: 'All runs (defaults)' }).click();
  await page.waitForTimeout(1000); // the settings registry saves asynchronously
  await reloadWithoutLauncher(page);
  table = page.locator('#jupyter-dlops-runs-table');
  await expect(table.locator('.jp-dlops-filter')).toHaveValue(FILTER, { timeout: 60000 });
  await expect(table.locator('.jp-dlops-group-row')).toHaveCount(2);
  const savedViews = () => page.evaluate(async () => {
    const body = await (await fetch('/lab/api/settings/jupyter-dlops:experiments')).json();
    return { views: (body.settings.views ?? []).map((v: any) => v.name), defaultView: body.settings.defaultView ?? null };
  });
  expect(await savedViews()).toEqual({ views: ['rt by optimiser'], defaultView: 'rt by optimiser' });
  // delete it: gone from the menu and from the settings, the default with it
  await table.locator('.jp-dlops-views summary').click();
  await table.getByRole('button', { name: 'Delete view rt by optimiser' }).click();
  await expect(table.locator('.jp-dlops-views li[data-view="rt by optimiser"]')).toHaveCount(0);
  await expect.poll(savedViews).toEqual({ views: [], defaultView: null });
});
