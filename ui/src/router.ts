// A small router over the History API: the app has a handful of pages, not worth a routing library.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentUrl = () => location.pathname + location.search;

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === currentUrl()) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export interface Location {
  path: string;
  params: URLSearchParams;
}

export function useLocation(): Location {
  const url = useSyncExternalStore(subscribe, currentUrl);
  const [path, search = ''] = url.split('?');
  return { path, params: new URLSearchParams(search) };
}

/** Replaces the query string, keeping the path: filters live in the URL so that they survive a reload. */
export function setParams(params: Record<string, string | undefined>): void {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  navigate(location.pathname + (text ? `?${text}` : ''), { replace: true });
}

/** Matches `/flows/:namespace/:id` style patterns; the values are URI-decoded. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}
