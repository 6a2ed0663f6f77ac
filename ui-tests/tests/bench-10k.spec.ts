/**
 * The Experiments workspace on 10,000 runs (issue 17), on a server of its own (see
 * playwright.config.js): 20 s idle in a folder with no store, then a store of 10,000 runs
 * (5 params, 5 metrics, 100 of them with 100-step curves): click to first rows, every row
 * scrolled with the frame times, the oldest run reached. The machine is shared and loaded, so
 * timings are recorded (benchmarks/results/bench-10k.json, docs/benchmarks.md), never
 * asserted; the facts are: 0 requests and 0 errors idle, the oldest run reachable.
 */
import { expect, test } from '@jupyterlab/galata';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { percentile, PYTHON, watchQuiet } from './helpers';

const BENCH_STORE = process.env.DLOPS_BENCH_STORE as string;
const RUNS = 10000;
const RESULT = path.join(__dirname, '..', '..', 'benchmarks', 'results', 'bench-10k.json');
const figures: { [name: string]: unknown } = {};
let seeded: Promise<number> | null = null;

/** Write the 10,000 runs into a store beside the server's, while the idle test runs; moved in place after it. */
function seed(): Promise<number> {
  const started = Date.now();
  const child = spawn(PYTHON, [path.join(__dirname, '..', 'seed_runs.py'), '--bench', String(RUNS)], {
    env: { ...process.env, DLOPS_STORE: `${BENCH_STORE}.seeding` },
    stdio: 'inherit'
  });
  return new Promise((resolve, reject) =>
    child.on('exit', code => (code === 0 ? resolve((Date.now() - started) / 1000) : reject(new Error(`seed_runs.py exited ${code}`))))
  );
}

test.describe.configure({ mode: 'serial' });

test.afterAll(() => {
  const record = { when: new Date().toISOString(), cpus: os.cpus().length, load: os.loadavg(), runs: RUNS, ...figures };
  fs.mkdirSync(path.dirname(RESULT), { recursive: true });
  fs.writeFileSync(RESULT, JSON.stringify(record, null, 2) + '\n');
  console.log(`workspace benchmark: ${JSON.stringify(record)}`);
});

test('20 s idle in a folder with no store: no request to its routes, no console error', async ({ page }) => {
  fs.rmSync(`${BENCH_STORE}.seeding`, { recursive: true, force: true });
  seeded = seed();
  const seen = watchQuiet(page);
  await page.reload();
  await page.waitForTimeout(20000);
  figures.idle = { seconds: 20, requests: seen.requests.length, console_errors: seen.errors.length };
  expect(seen.requests).toEqual([]);
  expect(seen.errors).toEqual([]);
  expect(fs.existsSync(BENCH_STORE)).toBe(false);
});

/** Click a button and count the milliseconds until a run row is drawn (a frame with one). */
function clickToFirstRow(page: any, button: string): Promise<number> {
  return page.evaluate(
    (selector: string) =>
      new Promise<number>(resolve => {
        const started = performance.now();
        const check = () =>
          document.querySelector('#jupyter-dlops-runs-table .jp-dlops-run-row')
            ? resolve(performance.now() - started)
            : requestAnimationFrame(check);
        (document.querySelector(selector) as HTMLElement).click();
        requestAnimationFrame(check);
      }),
    button
  );
}

/** Scroll the table to its end, a screenful a frame; the time between frames. */
function scrollEveryRow(page: any): Promise<{ deltas: number[]; ms: number }> {
  return page.evaluate(
    () =>
      new Promise<{ deltas: number[]; ms: number }>(resolve => {
        const grid = document.querySelector('#jupyter-dlops-runs-table .jp-dlops-grid-scroll') as HTMLElement;
        const deltas: number[] = [];
        const started = performance.now();
        let last = started;
        const frame = (now: number) => {
          deltas.push(now - last);
          last = now;
          if (grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1) {
            resolve({ deltas: deltas.slice(1), ms: now - started });
            return;
          }
          grid.scrollTop += grid.clientHeight;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      })
  );
}

function closeTable(page: any): Promise<void> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    for (const widget of Array.from(app.shell.widgets('main')) as any[]) {
      widget.id === 'jupyter-dlops-runs-table-main' && widget.close();
    }
  });
}

test('10,000 runs: first rows, every row scrolled, the oldest reachable', async ({ page }) => {
  figures.seed_seconds = await (seeded ?? seed());
  if (!fs.existsSync(BENCH_STORE)) {
    fs.renameSync(`${BENCH_STORE}.seeding`, BENCH_STORE);
  }
  const seen = watchQuiet(page);
  await page.locator('.jp-SideBar [data-id="jupyter-dlops-experiments"]').click();
  const open = '#jupyter-dlops-experiments .jp-dlops-open-table';
  await expect(page.locator(open)).toBeVisible();
  // first open loads the workspace's chunk; the second has it
  const cold = await clickToFirstRow(page, open);
  const table = page.locator('#jupyter-dlops-runs-table');
  await expect(table.locator('.jp-dlops-count')).toHaveText(`${RUNS} runs`);
  await closeTable(page);
  await expect(table).toHaveCount(0);
  const warm = await clickToFirstRow(page, open);
  figures.click_to_first_rows_ms = { cold: Math.round(cold), warm: Math.round(warm) };
  const rendered = await table.locator('.jp-dlops-run-row').count();
  expect(rendered).toBeLessThan(120); // virtualised

  const scroll = await scrollEveryRow(page);
  figures.scroll_every_row = {
    frames: scroll.deltas.length,
    seconds: Math.round(scroll.ms) / 1000,
    frame_ms_p50: Math.round(percentile(scroll.deltas, 50) * 10) / 10,
    frame_ms_p95: Math.round(percentile(scroll.deltas, 95) * 10) / 10,
    frame_ms_max: Math.round(Math.max(...scroll.deltas) * 10) / 10
  };
  const started = Date.now();
  await expect(table.locator('.jp-dlops-run-row [data-field="name"]', { hasText: /^bench-0$/ })).toBeVisible();
  figures.oldest_run_visible_after_scroll_ms = Date.now() - started;

  // grouped (by a param with two values), every row still reachable by scrolling
  await table.getByLabel('Group by').selectOption('params.optimizer');
  const grid = table.locator('.jp-dlops-grid-scroll');
  await grid.evaluate((node: HTMLElement) => (node.scrollTop = 0));
  const groups = table.locator('.jp-dlops-group-row');
  await expect(groups.first()).toHaveText(`▾ optimizer: adam — ${RUNS / 2} runs`);
  await groups.first().getByRole('button').click(); // collapsed: the next group's header follows it
  await expect(groups).toHaveText([`▸ optimizer: adam — ${RUNS / 2} runs`, `▾ optimizer: sgd — ${RUNS / 2} runs`]);
  await groups.first().getByRole('button').click();
  await grid.evaluate((node: HTMLElement) => (node.scrollTop = node.scrollHeight));
  await expect(table.locator('.jp-dlops-run-row [data-field="name"]', { hasText: /^bench-1$/ })).toBeVisible();
  // the server's share of the first rows: block 0 of the table, keys included
  figures.runs_block0_fetch_ms = await page.evaluate(async () => {
    const started = performance.now();
    await (await fetch('/jupyter-dlops/runs?limit=100&offset=0&errors=inline', { cache: 'no-store' })).json();
    return Math.round(performance.now() - started);
  });
  figures.console_errors = seen.errors.length;
  expect(seen.errors).toEqual([]);
});
