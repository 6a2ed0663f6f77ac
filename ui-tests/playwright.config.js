/**
 * Playwright configuration: Galata's defaults, a real `jupyter lab` started for the run,
 * and Debian's Chromium (never a downloaded browser; see CONVENTIONS.md, "Known traps").
 */
const fs = require('fs');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// One server root and one store for the whole run, known to the tests and the seed script.
const root = path.join(__dirname, '.galata-root');
const store = path.join(__dirname, '.galata-store');
// The workspace benchmark (tests/bench-10k.spec.ts) has a server of its own: it starts in a
// folder with no store (the idle test), then fills one with 10,000 runs, whatever the other
// spec files do with theirs.
const benchRoot = path.join(__dirname, '.galata-bench-root');
const benchStore = path.join(__dirname, '.galata-bench-store');
if (!process.env.TEST_WORKER_INDEX) {
  // the main process starts clean; workers load this file again and must not wipe the root
  for (const folder of [root, store, benchRoot, benchStore]) {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(benchRoot, { recursive: true });
}
process.env.JUPYTERLAB_GALATA_ROOT_DIR = root;
process.env.DLOPS_STORE = store;

const jupyter = process.env.DLOPS_JUPYTER || 'jupyter';
// another port lets two checkouts run their UI tests side by side
const port = process.env.DLOPS_UI_PORT || '8888';
const benchPort = process.env.DLOPS_UI_BENCH_PORT || String(Number(port) + 1000);
process.env.DLOPS_BENCH_STORE = benchStore;
// the benchmark's server only when its spec file runs (all files, or it named)
const files = process.argv.filter(arg => /\.spec\.ts$|^tests\//.test(arg));
const bench = !files.length || files.some(arg => arg.includes('bench-10k'));

/** A `jupyter lab` for the tests: its log in a file, not in the test report. */
function labServer(serverPort, serverRoot, serverStore, log) {
  return {
    command: `${jupyter} lab --config jupyter_server_test_config.py --ServerApp.port=${serverPort} > ${log} 2>&1`,
    url: `http://localhost:${serverPort}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    env: { ...process.env, JUPYTERLAB_GALATA_ROOT_DIR: serverRoot, DLOPS_STORE: serverStore }
  };
}

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  workers: 1,
  retries: 0,
  // shared, loaded machines: generous bounds, never timing assertions
  timeout: 240 * 1000,
  expect: { timeout: 30 * 1000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1280, height: 800 },
    // Galata's default 'retain-on-failure' video needs a downloaded ffmpeg
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  // jupyter-dlops.spec.ts first: its first test needs a folder without a store, and the files
  // that seed more runs (charts.spec.ts...) would otherwise run before it, alphabetically; the
  // workspace benchmark has a server of its own. One file alone: `npx playwright test FILE --no-deps`.
  projects: [
    { name: 'workspace', testMatch: 'jupyter-dlops.spec.ts' },
    { name: 'views', testIgnore: ['jupyter-dlops.spec.ts', /bench-10k\.spec\.ts/], dependencies: ['workspace'] },
    { name: 'bench', testMatch: /bench-10k\.spec\.ts/, use: { baseURL: `http://localhost:${benchPort}` } }
  ],
  webServer: [
    labServer(port, root, store, 'jupyter-server.log'),
    ...(bench ? [labServer(benchPort, benchRoot, benchStore, 'jupyter-server-bench.log')] : [])
  ]
};
