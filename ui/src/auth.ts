// Credentials for the API when the server has auth on: kept for this browser tab only (sessionStorage),
// sent as an Authorization header. A 401 from the API asks for them through `onLoginRequired`.

const KEY = 'sluice.auth';

export function authorization(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveBasicLogin(username: string, password: string): void {
  // btoa only takes Latin-1: encode as UTF-8 first, as servers decoding basic auth expect
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  sessionStorage.setItem(KEY, `Basic ${btoa(String.fromCharCode(...bytes))}`);
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
  loginRequired = true;
  notify();
}

let loginRequired = false;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export function markLoginRequired(): void {
  if (loginRequired) return;
  loginRequired = true;
  notify();
}

export function markLoggedIn(): void {
  loginRequired = false;
  notify();
}

export const loginState = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get: () => loginRequired,
};
