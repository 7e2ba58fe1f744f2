// A small router over the History API: the app has a handful of pages, not worth a routing library.
import { useEffect, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

/** What each page with unsaved work would lose: leaving asks first while one is set. */
const guards = new Set<() => string>();

/** Asks before leaving a page with unsaved work; true when there is none or the user agrees. */
function mayLeave(): boolean {
  const [first] = guards;
  return first === undefined || confirm(first());
}

let shown = location.pathname + location.search;

window.addEventListener('popstate', () => {
  // Back and Forward cannot be cancelled: when the user stays, the page they left comes back
  if (!mayLeave()) {
    history.pushState(null, '', shown);
    return;
  }
  shown = currentUrl();
  listeners.forEach((l) => l());
});

/** While `message` is set (the page holds unsaved work), leaving the page, closing the tab or
 * reloading it asks first. */
export function useLeaveGuard(message: string | undefined): void {
  useEffect(() => {
    if (!message) return;
    const guard = () => message;
    const beforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    guards.add(guard);
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      guards.delete(guard);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, [message]);
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentUrl = () => location.pathname + location.search;

/** `replace`: the same page with other parameters (no history entry, nothing left behind).
 * `saved`: the page's work was just saved, so leaving loses nothing. */
export function navigate(url: string, options: { replace?: boolean; saved?: boolean } = {}): void {
  if (url === currentUrl()) return;
  if (!options.replace && !options.saved && !mayLeave()) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  shown = currentUrl();
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
