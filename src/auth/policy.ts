import { isIPv4 } from 'node:net';

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (isIPv4(h) && h.startsWith('127.'));
}

export interface AuthDecision {
  enabled: boolean;
  /** said in the log at start: authentication was turned off on purpose */
  warning?: string;
}

/** Whether a server asks for credentials. `server local` (one person's machine) runs without them on
 * a loopback address unless told otherwise, and never without them on any other address; the other
 * modes serve a network and ask for them unless `auth.enabled: false` says not to. */
export function decideAuth(local: boolean, host: string, configured: boolean | undefined): AuthDecision {
  if (local && isLoopback(host)) return { enabled: configured ?? false };
  if (local && configured === false) {
    throw new Error(
      `'server local' runs without authentication only on a loopback address (127.0.0.1, ::1, localhost), not on ${host}: remove auth.enabled: false (SLUICE_AUTH_ENABLED=false) or bind to 127.0.0.1`,
    );
  }
  if (configured === false) {
    return {
      enabled: false,
      warning: `authentication is off (auth.enabled: false or SLUICE_AUTH_ENABLED=false): anyone who can reach ${host} controls this installation`,
    };
  }
  return { enabled: true };
}
