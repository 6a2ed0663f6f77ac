/**
 * The in-notebook widgets (jupyter_dlops.widgets) in a real JupyterLab: what a user sees when
 * a cell shows widgets.Runs() or widgets.Params(...) (issue 17).
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { inRoot, python } from './helpers';

const SEED = path.join(__dirname, '..', 'seed_runs.py');

/** A sweep of train.ipynb in this test's folder (lr 0.1, 0.01, 0.001; loss and acc over 3
 * steps), then the notebook opened with one more cell showing `source`. */
async function sweptNotebook(page: any, tmpPath: string, source: string): Promise<void> {
  python([SEED, '--at', inRoot(tmpPath)]);
  await page.filebrowser.refresh();
  await page.notebook.openByPath(`${tmpPath}/train.ipynb`);
  await page.notebook.activate('train.ipynb');
  await page.notebook.addCell('code', source);
}

/** The computed colour of var(--jp-ui-font-color1) in the current theme. */
function themeText(page: any): Promise<string> {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--jp-ui-font-color1)';
    document.body.appendChild(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  });
}

test('Runs(): this notebook\'s runs on one line each, a chart with axes, hover and theme colours', async ({ page, tmpPath }) => {
  await sweptNotebook(page, tmpPath, 'from jupyter_dlops import widgets\nwidgets.Runs(metric="loss")');
  await page.notebook.runCell(2);
  const output = page.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output');
  const table = output.locator('table.dlops-runs');
  await expect(table.locator('tbody tr')).toHaveCount(3, { timeout: 60000 });
  await expect(output.locator('.widget-toggle-button.mod-active')).toHaveText('this notebook');
  const header = await table.locator('th').allInnerTexts();
  expect(header.slice(0, 5)).toEqual(['run', 'start_time', 'name', 'status', 'duration']);
  const column = async (name: string) => {
    const index = header.indexOf(name);
    return table.locator(`tbody tr td:nth-child(${index + 1})`).allInnerTexts();
  };
  expect((await column('params.lr')).sort()).toEqual(['0.001', '0.01', '0.1']);
  expect(await column('status')).toEqual(['finished', 'finished', 'finished']);
  for (const name of await column('name')) {
    expect(name).toMatch(/^train-[0-9a-f]{6}$/);
  }
  for (const duration of await column('duration')) {
    expect(duration).toMatch(/^(\d+\.\d s|\d+ min \d+ s)$/); // human, not bare seconds
  }
  // one line a row: no date or name wraps
  const rows = await table.locator('tbody tr').evaluateAll((trs: HTMLElement[]) =>
    trs.map(tr => ({ height: tr.getBoundingClientRect().height, line: parseFloat(getComputedStyle(tr.cells[1]).fontSize) })));
  for (const row of rows) {
    expect(row.height).toBeLessThan(row.line * 2.5);
  }

  // the chart: titled axes, ticks between the data's bounds, one line per run
  const plot = output.locator('.dlops-plot');
  await expect(plot.locator('.dlops-plot-axis-title[data-axis="x"]')).toHaveText('step');
  await expect(plot.locator('.dlops-plot-axis-title[data-axis="y"]')).toHaveText('loss');
  await expect(plot.locator('polyline.dlops-plot-line')).toHaveCount(3);
  const xTicks = (await plot.locator('.dlops-plot-tick[data-axis="x"]').allTextContents()).map(Number);
  expect(xTicks).toEqual([0, 1, 2]); // every whole step from min to max, no step 0.2
  const yTicks = (await plot.locator('.dlops-plot-tick[data-axis="y"]').allTextContents()).map(Number);
  expect(yTicks.length).toBeGreaterThanOrEqual(3);
  // loss runs from 1/3 + 0.001 to 1 + 0.1: every tick inside, with some strictly between
  expect(yTicks.every(v => v > 0.3 && v < 1.15)).toBe(true);
  expect(yTicks.filter(v => v > 0.34 && v < 1.1).length).toBeGreaterThanOrEqual(2);

  // hover the highest point (lr 0.1 at step 0: loss 1.1) and read it out
  const point = await plot.locator('svg.dlops-plot-svg').evaluate((svg: SVGSVGElement) => {
    const box = svg.getBoundingClientRect();
    const firsts = Array.from(svg.querySelectorAll('polyline.dlops-plot-line')).map(line => {
      const [x, y] = line.getAttribute('points')!.split(' ')[0].split(',').map(Number);
      return { x: box.left + x, y: box.top + y };
    });
    return firsts.sort((a, b) => a.y - b.y)[0];
  });
  await page.mouse.move(point.x + 2, point.y + 1); // just inside the frame
  const lrCell = `td:nth-child(${header.indexOf('params.lr') + 1})`;
  const row01 = table.locator('tbody tr').filter({ has: page.locator(lrCell, { hasText: /^0\.1$/ }) });
  const lr01 = (await row01.locator(`td:nth-child(${header.indexOf('name') + 1})`).innerText()).trim();
  await expect(plot.locator('.dlops-plot-readout')).toHaveText(`step 0 · loss 1.1 · run ${lr01}`);
  await plot.screenshot({ path: test.info().outputPath('runs-widget-chart-light.png') });

  // dark theme: the chart's and the table's text take the theme's text colour, never black
  await page.theme.setDarkTheme();
  const text = await themeText(page);
  expect(text).not.toBe('rgb(0, 0, 0)');
  const colours = await output.evaluate((el: HTMLElement) => ({
    tick: getComputedStyle(el.querySelector('.dlops-plot-tick')!).fill,
    title: getComputedStyle(el.querySelector('.dlops-plot-axis-title')!).fill,
    cell: getComputedStyle(el.querySelector('table.dlops-runs td')!).color
  }));
  expect(colours).toEqual({ tick: text, title: text, cell: text });
  await output.screenshot({ path: test.info().outputPath('runs-widget-dark.png') });
});

test('the runs table scrolls sideways inside a narrow output area instead of overflowing it', async ({ page, tmpPath }) => {
  await page.setViewportSize({ width: 760, height: 800 });
  await sweptNotebook(page, tmpPath, 'from jupyter_dlops import widgets\nwidgets.Runs()');
  await page.notebook.runCell(2);
  const output = page.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output');
  await expect(output.locator('table.dlops-runs tbody tr')).toHaveCount(3, { timeout: 60000 });
  const fit = await output.evaluate((el: HTMLElement) => {
    const box = el.querySelector('.dlops-runs-box') as HTMLElement;
    const table = el.querySelector('table.dlops-runs') as HTMLElement;
    return {
      output: el.getBoundingClientRect().right,
      box: box.getBoundingClientRect().right,
      table: table.getBoundingClientRect().width,
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
      scroll: box.scrollWidth,
      client: box.clientWidth
    };
  });
  expect(fit.table).toBeGreaterThan(fit.client); // the table is wider than the room it has...
  expect(fit.scroll).toBeGreaterThan(fit.client); // ...so its box scrolls sideways
  expect(fit.box).toBeLessThanOrEqual(fit.output + 1); // and stays inside the output area
});

test('re-running the Runs cell three times leaves one refresh loop in the kernel', async ({ page, tmpPath }) => {
  await sweptNotebook(page, tmpPath, 'from jupyter_dlops import widgets\nwidgets.Runs(refresh=0.5)');
  for (let i = 0; i < 3; i++) {
    await page.notebook.runCell(2);
    await expect(page.locator('.jp-Cell').nth(2).locator('table.dlops-runs tbody tr')).toHaveCount(3, { timeout: 60000 });
  }
  await page.notebook.addCell('code', 'import threading\nprint(sum(t.name == "dlops-runs-widget" for t in threading.enumerate()))');
  const last = (await page.notebook.getCellCount()) - 1; // running the last cell added an empty one
  await page.notebook.runCell(last);
  await expect.poll(async () => (await page.notebook.getCellTextOutput(last))?.join('').trim()).toBe('1');
  await expect(page.locator('table.dlops-runs')).toHaveCount(1);
});

test('Runs() in a new notebook opens on the store\'s runs, and switches to its own', async ({ page, tmpPath }) => {
  python([SEED, '--at', inRoot(tmpPath, 'swept')]);
  await page.notebook.createNew('fresh.ipynb');
  await page.notebook.setCell(0, 'code', 'from jupyter_dlops import widgets\nwidgets.Runs(refresh=0)');
  await page.notebook.runCell(0);
  const output = page.locator('.jp-Cell').nth(0).locator('.jp-OutputArea-output');
  await expect(output.locator('.widget-toggle-button.mod-active')).toHaveText('all runs', { timeout: 60000 });
  await expect(output.locator('table.dlops-runs tbody tr').filter({ hasText: /train-[0-9a-f]{6}/ }).first()).toBeVisible();
  await output.locator('.widget-toggle-button', { hasText: 'this notebook' }).click();
  await expect(output.locator('table.dlops-runs tbody tr')).toHaveText(['no runs for this notebook yet: run it with %load_ext jupyter_dlops, or dlops sweep']);
  await expect(output.locator('.dlops-plot-empty')).toHaveText('no metrics logged yet');
});

test('Params: labels in one column, every input at the same x, long names cut with a title', async ({ page, tmpPath }) => {
  const long = 'a_much_longer_parameter_name_for_the_learning_rate_schedule';
  await page.notebook.createNew('params.ipynb');
  await page.notebook.setCell(0, 'code', [
    'from jupyter_dlops import widgets',
    `widgets.Params(lr=(0.001, 0.1), epochs=10, optimizer=["adam", "sgd"], augment=True, ${long}=(1, 8), tag="baseline")`
  ].join('\n'));
  await page.notebook.runCell(0);
  const output = page.locator('.jp-Cell').nth(0).locator('.jp-OutputArea-output');
  await expect(output.locator('.dlops-param-label')).toHaveCount(6, { timeout: 60000 });
  const layout = await output.evaluate((el: HTMLElement) => {
    const labels = Array.from(el.querySelectorAll('.dlops-param-label')) as HTMLElement[];
    const controls = Array.from(el.querySelectorAll('.dlops-param-control')) as HTMLElement[];
    // the input itself: a slider's handle (at its low end here), the text box, the select,
    // the checkbox (the slider's track starts half a handle to the right, by design)
    const input = (c: HTMLElement) =>
      (c.querySelector('.noUi-handle, input, select') as HTMLElement) ?? c;
    const name = (l: HTMLElement) => l.querySelector('.dlops-param-name') as HTMLElement;
    return {
      labels: labels.map(l => ({
        text: l.innerText, x: l.getBoundingClientRect().left, width: l.getBoundingClientRect().width,
        title: name(l).title, cut: name(l).scrollWidth > name(l).clientWidth
      })),
      inputs: controls.map(c => Math.round(input(c).getBoundingClientRect().left))
    };
  });
  expect(layout.labels.map(l => l.text)).toEqual(['lr', 'epochs', 'optimizer', 'augment', long, 'tag']);
  expect(new Set(layout.labels.map(l => Math.round(l.x))).size).toBe(1);
  expect(new Set(layout.labels.map(l => Math.round(l.width))).size).toBe(1); // one column
  // every input starts at the same x (a slider's handle overhangs its track by 2 px, by design;
  // labels sized one by one put them tens of px apart)
  expect(Math.max(...layout.inputs) - Math.min(...layout.inputs)).toBeLessThanOrEqual(2);
  const longLabel = layout.labels[4];
  expect(longLabel.cut).toBe(true);
  expect(longLabel.title).toBe(long);
  await output.screenshot({ path: test.info().outputPath('params-widget.png') });
});
