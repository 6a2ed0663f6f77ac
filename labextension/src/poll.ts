/**
 * Quiet polling (issue 17): a view asks the server only while it is visible, and then with one
 * cheap conditional request (ETag) per tick; a store that does not exist is asked about once.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import { IRunPage, IRunQuery, listRunsIfChanged, storeState } from './api';

export const LIVE_REFRESH_MS = 2000;
export const IDLE_REFRESH_MS = 10000;

/** Visibility of a Lumino widget, as React state (set by the widget's show/hide hooks). */
export class VisibilitySignal {
  private listeners = new Set<(visible: boolean) => void>();
  visible = false;

  set(visible: boolean): void {
    this.visible = visible;
    this.listeners.forEach(listener => listener(visible));
  }

  subscribe(listener: (visible: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

export function useVisible(signal: VisibilitySignal): boolean {
  const [visible, setVisible] = React.useState(signal.visible);
  React.useEffect(() => signal.subscribe(setVisible), [signal]);
  return visible;
}

/** null while unknown, then whether the store exists; asked once, when first visible. */
export function useStoreExists(visible: boolean): [boolean | null, (exists: boolean) => void] {
  const [exists, setExists] = React.useState<boolean | null>(null);
  React.useEffect(() => {
    if (!visible || exists) {
      return;
    }
    let cancelled = false;
    storeState()
      .then(state => !cancelled && setExists(state.exists))
      .catch(() => !cancelled && setExists(false));
    return () => {
      cancelled = true;
    };
  }, [visible]);
  return [exists, setExists];
}

export interface IPolledPage {
  page: IRunPage | null;
  error: string | null;
  /** bump to reload now */
  reload: () => void;
}

/**
 * A page of runs for ``query``, refreshed while ``active``: every 2 s while a run is live,
 * every 10 s otherwise, each refresh one conditional request answered 304 when nothing changed.
 */
export function usePolledRuns(query: IRunQuery, active: boolean): IPolledPage {
  const [page, setPage] = React.useState<IRunPage | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [tick, setTick] = React.useState(0);
  const etag = React.useRef<string | null>(null);
  const key = JSON.stringify(query);
  React.useEffect(() => {
    etag.current = null; // a new query: the first answer must be a full page
  }, [key]);
  React.useEffect(() => {
    if (!active) {
      return;
    }
    let cancelled = false;
    let timer: number | undefined;
    let delay = IDLE_REFRESH_MS;
    const load = async () => {
      try {
        const answer = await listRunsIfChanged(query, etag.current);
        if (cancelled) {
          return;
        }
        if (answer) {
          etag.current = answer.etag;
          setPage(answer.page);
          setError(null);
          delay = answer.page.live ? LIVE_REFRESH_MS : IDLE_REFRESH_MS;
        }
      } catch (e) {
        if (!cancelled) {
          setError((e as Error).message);
        }
      }
      if (!cancelled) {
        timer = window.setTimeout(load, delay);
      }
    };
    void load();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [key, active, tick]);
  return { page, error, reload: () => ((etag.current = null), setTick(t => t + 1)) };
}

/** A React widget that tells its view when it is shown or hidden (read with ``useVisible``):
 * the views poll only while the user can see them. */
export abstract class VisibleWidget extends ReactWidget {
  protected signal = new VisibilitySignal();

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.signal.set(this.isVisible);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.signal.set(true);
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.signal.set(false);
  }
}
