/**
 * Charts, compare sections and sweep views (issues 17 and 20), against a real JupyterLab.
 * Runs after jupyter-dlops.spec.ts (playwright.config.js: that file's first test needs a folder
 * without a store); alone: `npx playwright test tests/charts.spec.ts --no-deps`.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { python } from './helpers';

interface ISeeded {
  'code-a': string;
  'code-b': string;
}

let seeded: ISeeded;
let sweepRuns: { run_id: string; lr: number }[];

const SEED = path.join(__dirname, '..', 'seed_charts.py');

test.beforeAll(() => {
  python([path.join(__dirname, '..', 'seed_runs.py')]); // the ui-sweep of three runs
  seeded = JSON.parse(python([SEED]));
  const list = [
    'import json, jupyter_dlops as dlops',
    'store = dlops.open_store()',
    'runs = store.search_runs(\'experiment = "ui-tests"\', "params.lr", 10)',
    'print(json.dumps([{"run_id": r.run_id, "lr": r.params["lr"]} for r in runs]))'
  ].join('\n');
  sweepRuns = JSON.parse(python(['-c', list]));
});

/** Start a command (not awaited in the page: a command may wait on a dialog). */
async function command(page: any, id: string, args: object): Promise<void> {
  await page.evaluate(
    ({ id, args }: { id: string; args: object }) => void (window as any).jupyterapp.commands.execute(id, args),
    { id, args }
  );
}

async function compare(page: any, runIds: string[]) {
  await command(page, 'jupyter-dlops:compare', { runIds });
  const view = page.locator('.jp-dlops-compare');
  await expect(view.locator('h2')).toContainText(`Compare ${runIds.length} runs`);
  return view;
}

/** The legend's readout with the cursor at a fraction of the chart's width. */
async function readout(page: any, chart: any, fraction: number): Promise<string[]> {
  const over = chart.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
  return chart.locator('.u-legend .u-series:not(.jp-dlops-raw) .u-value').allInnerTexts();
}

async function resetCharts(page: any): Promise<void> {
  await page.evaluate(() =>
    (window as any).jupyterapp.serviceManager.settings.save(
      'jupyter-dlops:experiments', JSON.stringify({ charts: { logY: false, smoothing: 0, xAxis: 'step' } })
    )
  );
}

test.describe('Chart controls', () => {
  test.afterEach(async ({ page }) => resetCharts(page));

  test('overlay of the selected runs: one chart per metric, one series per run, named in the legend', async ({ page }) => {
    const view = await compare(page, sweepRuns.map(r => r.run_id));
    const loss = view.locator('.jp-dlops-chart[data-metric="loss"]');
    await expect(view.locator('.jp-dlops-chart[data-metric="acc"]')).toHaveCount(1);
    await expect(loss).toHaveCount(1);
    const names = python(['-c', [
      'import jupyter_dlops as dlops',
      `print("\\n".join(dlops.open_store().get_run(r).name for r in ${JSON.stringify(sweepRuns.map(r => r.run_id))}))`
    ].join('\n')]).trim().split('\n');
    // the first legend row is the x axis, then one per run
    await expect(loss.locator('.u-legend .u-series .u-label')).toHaveText(['step', ...names]);
    // the hover readout at the last step: loss = 1/3 + lr for each run (lr 0.001, 0.01, 0.1)
    await expect.poll(() => readout(page, loss, 0.995)).toEqual(['2', '0.334333', '0.343333', '0.433333']);
  });

  test('smoothing draws the moving average and keeps the raw series faint, out of the legend', async ({ page }) => {
    const view = await compare(page, [seeded['code-a'], seeded['code-b']]);
    const acc = view.locator('.jp-dlops-chart[data-metric="acc"]');
    await expect.poll(() => readout(page, acc, 0.995)).toEqual(['3', '0.8', '0.85']);
    await view.locator('.jp-dlops-smoothing').first().fill('0.5');
    await expect(view.locator('.jp-dlops-smoothing-value').first()).toHaveText('0.50');
    // debiased EMA at step 3 of 0.5, 0.6, 0.7, 0.8 with weight 0.5: 0.726667; of 0.4, 0.55, 0.7, 0.85: 0.74
    await expect.poll(() => readout(page, acc, 0.995)).toEqual(['3', '0.726667', '0.74']);
    // the raw series are drawn (hidden legend rows carry their class) but not listed
    await expect(acc.locator('.u-legend .u-series.jp-dlops-raw')).toHaveCount(2);
    await expect(acc.locator('.u-legend .u-series.jp-dlops-raw').first()).toBeHidden();
  });

  test('log scale leaves out values <= 0 and says so; the x axis by relative and wall time', async ({ page }) => {
    const view = await compare(page, [seeded['code-a'], seeded['code-b']]);
    const loss = view.locator('.jp-dlops-chart-cell').filter({ has: page.locator('.jp-dlops-chart[data-metric="loss"]') });
    await expect(loss.locator('.jp-dlops-log-note')).toHaveCount(0);
    await view.locator('.jp-dlops-log-y').first().check();
    // code-a logged -0.5 and 0 (steps 1 and 2): a log axis cannot place them
    await expect(loss.locator('.jp-dlops-log-note')).toHaveText('2 values ≤ 0 are not drawn on the log scale');
    await expect.poll(() => readout(page, loss.locator('.jp-dlops-chart'), 0.36)).toEqual(['1', '–', '1']);
    await view.locator('.jp-dlops-x-axis').first().selectOption('relative');
    const chart = loss.locator('.jp-dlops-chart');
    await expect(chart.locator('.u-legend .u-series .u-label').first()).toHaveText('seconds since start');
    // ten seconds between steps: the last value is 30 s after the first
    await expect.poll(async () => (await readout(page, chart, 0.995))[0]).toBe('30');
    await view.locator('.jp-dlops-x-axis').first().selectOption('wall');
    await expect(chart.locator('.u-legend .u-series .u-label').first()).toHaveText('time');
  });

  test('drag zooms along x, a double-click resets; the controls persist across a reload', async ({ page }) => {
    const view = await compare(page, [seeded['code-a'], seeded['code-b']]);
    const cell = view.locator('.jp-dlops-chart-cell').filter({ has: page.locator('.jp-dlops-chart[data-metric="acc"]') });
    const over = cell.locator('.u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect(cell.locator('.jp-dlops-chart')).toHaveAttribute('data-zoomed', 'true');
    await expect(cell.locator('.jp-dlops-zoom-note')).toContainText('double-click the chart to reset');
    await over.dblclick();
    await expect(cell.locator('.jp-dlops-chart')).toHaveAttribute('data-zoomed', 'false');
    await expect(cell.locator('.jp-dlops-zoom-note')).toHaveCount(0);
    // the choices are kept in the settings registry
    await view.locator('.jp-dlops-log-y').first().check();
    await view.locator('.jp-dlops-smoothing').first().fill('0.3');
    await view.locator('.jp-dlops-x-axis').first().selectOption('relative');
    await page.waitForTimeout(1000); // saved 300 ms after the last change
    await page.evaluate(() => window.location.reload());
    await page.waitForFunction(() => (window as any).jupyterapp?.started !== undefined, null, { timeout: 120000 });
    await page.evaluate(() => (window as any).jupyterapp.restored);
    const restored = page.locator('.jp-dlops-compare');
    await expect(restored.locator('.jp-dlops-log-y').first()).toBeChecked({ timeout: 30000 });
    await expect(restored.locator('.jp-dlops-smoothing-value').first()).toHaveText('0.30');
    await expect(restored.locator('.jp-dlops-x-axis').first()).toHaveValue('relative');
  });

  test("a running run's curve grows while its detail is open", async ({ page }) => {
    const runId = python([SEED, '--running']).trim();
    await command(page, 'jupyter-dlops:open-run', { runId });
    const chart = page.locator('.jp-dlops-detail .jp-dlops-chart[data-metric="loss"]');
    await expect(chart).toHaveAttribute('data-points', '2');
    python([SEED, '--log', runId, '2', '0.5']);
    await expect(chart).toHaveAttribute('data-points', '3', { timeout: 30000 });
    await expect.poll(() => readout(page, chart, 0.995)).toEqual(['2', '0.5']);
  });
});

test.describe('Compare sections', () => {
  test('packages that differ, a code diff, hardware and cost as tables', async ({ page }) => {
    const view = await compare(page, [seeded['code-a'], seeded['code-b']]);
    const packages = view.locator('[data-table="packages"] tbody tr');
    await expect(packages.locator('th')).toHaveText(['pandas', 'scipy', 'torch']);
    await expect(packages.nth(0).locator('td')).toHaveText(['2.2.0', '2.2.1']);
    await expect(packages.nth(1).locator('td')).toHaveText(['absent', '1.13.0']);
    await expect(packages.nth(2).locator('td')).toHaveText(['2.3.0', 'absent']);
    await expect(view.locator('[data-section="packages"] summary')).toHaveText('packages (3 differ)');
    const diff = view.locator('.jp-dlops-code-diff');
    await expect(diff.locator('h4')).toHaveText('code-a → code-b');
    await expect(diff.locator('.jp-dlops-diff-del')).toHaveText(['-model = train(lr, epochs)']);
    await expect(diff.locator('.jp-dlops-diff-add')).toHaveText(['+model = train(lr, epochs, momentum=0.9)']);
    await expect(view.locator('[data-table="hardware"] tr[data-key="cpu_model"] td')).toHaveText(
      ['Example CPU 8-core', 'Example CPU 16-core']
    );
    await expect(view.locator('[data-table="hardware"] tr[data-key="cpu_model"]')).toHaveClass(/jp-dlops-differs/);
    await expect(view.locator('[data-table="cost"] tr[data-key="hourly_rate"] td')).toHaveText(['0.5', '0.5']);
    // object ids are not rows of the main table: the sections above show what they hold
    await expect(view.locator('[data-table="main"] tr[data-key$="_object"]')).toHaveCount(0);
  });
});

test.describe('Sweep views', () => {
  test('scatter of a param against a metric, and parallel coordinates, opened from compare', async ({ page }) => {
    const view = await compare(page, sweepRuns.map(r => r.run_id));
    await view.locator('.jp-dlops-open-sweep').click();
    const sweep = page.locator('.jp-dlops-sweep');
    await expect(sweep.locator('h2')).toHaveText('Sweep ui-sweep');
    await expect(page.getByRole('tab', { name: 'Sweep ui-sweep' })).toBeVisible();
    const scatter = sweep.locator('[data-view="scatter"]');
    await expect(scatter.locator('circle.jp-dlops-point')).toHaveCount(3);
    // lr spans 0.001 to 0.1: a log axis, its labels as DOM text
    await expect(scatter.locator('.jp-dlops-x-label')).toHaveText('lr (log)');
    await expect(scatter.locator('.jp-dlops-y-label')).toHaveText('acc');
    await expect(scatter.locator('.jp-dlops-tick')).toHaveText(['0.001', '0.1', '0.6', '0.699']);
    // the point of lr 0.001 is left of the point of lr 0.1, and higher (acc = 0.7 - lr at the last step)
    const at = async (lr: number) => {
      const id = sweepRuns.find(r => r.lr === lr)!.run_id;
      return (await scatter.locator(`circle[data-run-id="${id}"]`).boundingBox())!;
    };
    const [low, mid, high] = [await at(0.001), await at(0.01), await at(0.1)];
    expect(low.x).toBeLessThan(mid.x);
    expect(mid.x - low.x).toBeCloseTo(high.x - mid.x, 0); // evenly spaced decades
    expect(low.y).toBeLessThan(high.y);
    await scatter.locator('.jp-dlops-pick-metric').selectOption('loss');
    await expect(scatter.locator('.jp-dlops-y-label')).toHaveText('loss');
    const parallel = sweep.locator('[data-view="parallel"]');
    await expect(parallel.locator('.jp-dlops-pc-axis .jp-dlops-axis-label')).toHaveText(['lr (log)', 'acc']);
    await expect(parallel.locator('polyline.jp-dlops-pc-line')).toHaveCount(3);
    // the best run (highest acc: lr 0.001) has the strongest line
    const best = sweepRuns.find(r => r.lr === 0.001)!.run_id;
    await expect(parallel.locator(`polyline[data-run-id="${best}"]`)).toHaveAttribute('stroke-opacity', '1');
    // a click on the line (its stroke; dispatched, as the centre of its box may miss it)
    await parallel.locator(`polyline[data-run-id="${best}"]`).dispatchEvent('click');
    const detail = page.locator(`.jp-dlops-detail[data-run-id="${best}"]`);
    await expect(detail).toBeVisible();
    await expect(sweep).toBeHidden();
    // a sweep run's detail leads back to its sweep's views
    await detail.locator('.jp-dlops-open-sweep').click();
    await expect(sweep).toBeVisible();
  });

  test('the palette command lists the sweeps to choose from', async ({ page }) => {
    await command(page, 'jupyter-dlops:open-sweep', {});
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('select')).toContainText('ui-sweep');
    await dialog.locator('.jp-mod-accept').click();
    await expect(page.locator('.jp-dlops-sweep h2')).toHaveText('Sweep ui-sweep');
  });
});

test.describe('Screenshots, light and dark', () => {
  test.beforeEach(async ({ page }) => resetCharts(page));

  test('compare, detail and a chart look the same as their committed snapshots', async ({ page }) => {
    // tall enough for the whole compare view; the width fixes the charts' width
    await page.setViewportSize({ width: 1280, height: 2000 });
    const shot = { maxDiffPixelRatio: 0.02, animations: 'disabled' as const };
    for (const theme of ['light', 'dark']) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      const view = await compare(page, [seeded['code-a'], seeded['code-b']]);
      await expect(view.locator('.jp-dlops-code-diff .jp-dlops-diff-add')).toHaveCount(1);
      await expect(view.locator('.uplot')).toHaveCount(2);
      await page.mouse.move(0, 0); // no hover readout in the legends
      // run ids and start times differ from one seeding to the next (and with the time zone)
      const mask = [view.locator('th[data-run-id]'), view.locator('tr[data-key="start"] td')];
      expect(await view.screenshot({ mask, ...shot })).toMatchSnapshot(`compare-${theme}.png`, shot);
      const chart = view.locator('.jp-dlops-chart[data-metric="acc"]');
      expect(await chart.screenshot(shot)).toMatchSnapshot(`chart-${theme}.png`, shot);
      await command(page, 'jupyter-dlops:open-run', { runId: seeded['code-a'] });
      const detail = page.locator(`.jp-dlops-detail[data-run-id="${seeded['code-a']}"]`);
      await expect(detail.locator('.uplot')).toHaveCount(2);
      await page.mouse.move(0, 0);
      const detailMask = [detail.locator('tr[data-key="run id"] td'), detail.locator('tr[data-key="start"] td')];
      expect(await detail.screenshot({ mask: detailMask, ...shot })).toMatchSnapshot(`detail-${theme}.png`, shot);
      await page.evaluate(() => (window as any).jupyterapp.commands.execute('application:close-all'));
    }
    await page.theme.setLightTheme();
  });
});
