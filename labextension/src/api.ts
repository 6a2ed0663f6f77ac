/**
 * Every call to the jupyter-dlops server extension goes through this module.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface IMetricSummary {
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  last_step: number;
}

/** A data version a run read or wrote. */
export interface IRunData {
  id: string;
  name: string | null;
  direction: string;
  files: number;
  bytes: number;
  /** The file or folder it was made from, absolute, and relative to the run's project. */
  path?: string | null;
  relative_path?: string | null;
}

/** One value a run's cell showed (text repr or figure); content only from `runs/RUN/outputs`. */
export interface IRunOutput {
  cell: number;
  index: number;
  kind: 'text' | 'figure';
  path: string;
  size: number;
  text?: string | null;
  truncated?: boolean;
  png?: string | null;
}

export interface IRun {
  run_id: string;
  name: string;
  experiment: string;
  kind: string;
  status: string;
  start_time: number;
  end_time: number | null;
  duration: number | null;
  entry_point: string | null;
  error: string | null;
  error_cell: string | null;
  sweep_id: string | null;
  params: { [key: string]: unknown };
  metrics: { [key: string]: IMetricSummary };
  tags: { [key: string]: string };
  artifacts?: { path: string; size: number; kind: string }[];
  sections?: { [key: string]: unknown };
  data?: IRunData[];
  outputs?: IRunOutput[];
}

export interface IRunPage {
  runs: IRun[];
  total: number;
  offset: number;
  limit: number;
  live: boolean;
  param_keys: string[];
  varying_param_keys?: string[];
  metric_keys: string[];
  /** set instead of a 400 when the request asked for inline errors (a bad filter) */
  error?: { message: string; position: number | null };
}

export interface IRunQuery {
  where?: string;
  sort?: string;
  limit?: number;
  offset?: number;
}

/** {key: [[step, value, timestamp], ...]} */
export type MetricSeries = { [key: string]: [number, number | null, number][] };

export interface IExportResult {
  notebook: string;
  script_path: string;
  report: { [key: string]: unknown };
}

/** An error answered by the server, with its one-line message. */
export class DlopsApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

/**
 * Call the server extension and return the JSON body; a non-2xx answer throws a
 * DlopsApiError carrying the server's message.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'jupyter-dlops', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new DlopsApiError(0, `the Jupyter server cannot be reached (${error})`);
  }
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!response.ok) {
    const message = (data && data.message) || response.statusText;
    throw new DlopsApiError(response.status, message);
  }
  return data as T;
}

function query(params: { [key: string]: string | number | undefined }): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function listRuns(q: IRunQuery = {}): Promise<IRunPage> {
  return requestAPI<IRunPage>(`runs${query({ ...q })}`);
}

/**
 * A page of runs unless it is unchanged since ``etag`` (then null): the one cheap request a
 * visible view makes. A bad filter comes back inline (200), so the console logs no 400.
 */
export async function listRunsIfChanged(
  q: IRunQuery,
  etag: string | null
): Promise<{ page: IRunPage; etag: string | null } | null> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-dlops', `runs${query({ ...q, errors: 'inline' } as any)}`);
  const headers: { [key: string]: string } = etag ? { 'If-None-Match': etag } : {};
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, { headers, cache: 'no-store' }, settings);
  } catch (error) {
    throw new DlopsApiError(0, `the Jupyter server cannot be reached (${error})`);
  }
  if (response.status === 304) {
    return null;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new DlopsApiError(response.status, data.message || response.statusText);
  }
  return { page: data as IRunPage, etag: response.headers.get('Etag') };
}

export interface IStoreState {
  exists: boolean;
  uri: string;
  location?: string;
}

/** Whether the store exists: always a 200, so a folder without a store logs no error. */
export function storeState(): Promise<IStoreState> {
  return requestAPI<IStoreState>('store');
}

export function createStore(): Promise<IStoreState> {
  return requestAPI<IStoreState>('store', { method: 'POST', body: '{}' });
}

export function getRun(ref: string): Promise<IRun> {
  return requestAPI<IRun>(`runs/${encodeURIComponent(ref)}`);
}

export async function metricSeries(ref: string, key?: string): Promise<MetricSeries> {
  const data = await requestAPI<{ series: MetricSeries }>(
    `runs/${encodeURIComponent(ref)}/metrics${query({ key })}`
  );
  return data.series;
}

export async function runOutputs(ref: string): Promise<IRunOutput[]> {
  const data = await requestAPI<{ outputs: IRunOutput[] }>(`runs/${encodeURIComponent(ref)}/outputs`);
  return data.outputs;
}

/** The notebook's run started at most ``within`` seconds ago. */
export async function notebookRun(path: string, within?: number): Promise<IRun | null> {
  const data = await requestAPI<{ run: IRun | null }>(`notebook-run${query({ path, within })}`);
  return data.run;
}

export async function listSweeps(): Promise<unknown[]> {
  return (await requestAPI<{ sweeps: unknown[] }>('sweeps')).sweeps;
}

export async function listDataVersions(): Promise<unknown[]> {
  return (await requestAPI<{ versions: unknown[] }>('data-versions')).versions;
}

/**
 * Export a notebook to the script beside it. A script jupyter-dlops did not write is answered
 * with a 409 DlopsApiError unless `force` is true.
 */
export function exportNotebook(
  path: string,
  strict = false,
  force = false
): Promise<IExportResult> {
  return requestAPI<IExportResult>('export', {
    method: 'POST',
    body: JSON.stringify({ path, strict, force })
  });
}

/** A row of the compare route: one value per run, null where a run has none. */
export interface ICompareRow {
  key: string;
  values: (string | null)[];
}

/** What the compare view needs stored objects for: packages that differ, and the code. */
export interface ICompareDetails {
  runs: { run_id: string; name: string }[];
  packages: ICompareRow[];
  code: { entries: (string | null)[]; git_diffs: (string | null)[]; diffs: string[] };
}

export function compareDetails(runIds: string[]): Promise<ICompareDetails> {
  return requestAPI<ICompareDetails>(`compare${query({ runs: runIds.join(',') })}`);
}
