// What the components of one run share through its config object: the authenticators (an OAuth access
// token or a session token is fetched once per run, not once per stream, as the CDK's shared
// authenticator does) and where a configuration the connector rewrites goes (a rotated refresh token,
// sent as a CONTROL message for the platform to store).
import type { Authenticator } from './auth.js';

type Row = Record<string, unknown>;

export interface Session {
  readonly authenticators: Map<string, Authenticator>;
  /** called with the whole config after a component rewrote part of it in place */
  configChanged(config: Row): Promise<void> | void;
}

const sessions = new WeakMap<Row, Session>();

/** The session of the run whose config this is (one is made on first use). */
export function sessionOf(config: Row): Session {
  let session = sessions.get(config);
  if (!session) {
    session = { authenticators: new Map(), configChanged: () => undefined };
    sessions.set(config, session);
  }
  return session;
}

/** Starts a run: `configChanged` hears of every rewrite of `config`. */
export function startSession(config: Row, configChanged: Session['configChanged']): void {
  sessions.set(config, { authenticators: new Map(), configChanged });
}
