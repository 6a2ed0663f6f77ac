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
if (!process.env.TEST_WORKER_INDEX) {
  // the main process starts clean; workers load this file again and must not wipe the root
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(store, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
}
process.env.JUPYTERLAB_GALATA_ROOT_DIR = root;
process.env.DLOPS_STORE = store;

const jupyter = process.env.DLOPS_JUPYTER || 'jupyter';
// another port lets two checkouts run their UI tests side by side
const port = process.env.DLOPS_UI_PORT || '8888';

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
  // that seed more runs (charts.spec.ts...) would otherwise run before it, alphabetically
  projects: [
    { name: 'workspace', testMatch: 'jupyter-dlops.spec.ts' },
    { name: 'views', testIgnore: 'jupyter-dlops.spec.ts', dependencies: ['workspace'] }
  ],
  webServer: {
    // the server's log goes to jupyter-server.log, not into the test report
    command: `${jupyter} lab --config jupyter_server_test_config.py --ServerApp.port=${port} > jupyter-server.log 2>&1`,
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    env: { ...process.env, JUPYTERLAB_GALATA_ROOT_DIR: root, DLOPS_STORE: store }
  }
};
