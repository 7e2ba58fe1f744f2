// The API in a browser (DESIGN.md's contract): a web page from another origin must not be able to
// change anything here, nor read anything through DNS rebinding. Authentication alone cannot be the
// guard: `server local` on loopback has none, and a browser sends "simple" cross-origin requests
// (text/plain, multipart/form-data, form-encoded bodies) without asking the server first.
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from './errors.js';
import { WEBHOOK_ROUTE } from './webhook-routes.js';

export interface BrowserPolicy {
  /** the address the server listens on (--host) */
  host: string;
  /** further names clients reach this server by (server.allowedHosts): a proxy's, a DNS name */
  allowedHosts?: readonly string[];
  /** origins other than the server's own whose pages may call the API (server.cors.allowedOrigins) */
  allowedOrigins?: readonly string[];
}

/** Methods that change nothing, by HTTP's definition and by every route here. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '']);

/** A name or an IP address, then an optional port: nothing a URL parser would read as user info or
 * a path, so that `evil.example@127.0.0.1` is no IP address. */
const HOST_SYNTAX = /^(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** `name` or `[v6]` of a Host header or a configured name, lower-cased; undefined when malformed. */
function hostName(host: string): string | undefined {
  if (!HOST_SYNTAX.test(host)) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

const bare = (name: string) => name.replace(/^\[(.*)\]$/, '$1');

/** Scheme, name and port of an origin (`http://a:80` and `http://a` alike); undefined for `null`. */
function normalOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a Host header names this server. An IP address always does: a browser sends one only
 * when the page's own origin is that address, which DNS cannot rebind. A name does when it is
 * `localhost` (never resolved through DNS), the name the server was bound to, this machine's name
 * when bound to every interface, or a configured one. The port is not compared: rebinding changes
 * the name, never the port, and port mappings (containers, tunnels) change the port legitimately.
 */
export function hostAllowList(policy: BrowserPolicy): (host: string | undefined) => boolean {
  const names = new Set(['localhost']);
  const bound = hostName(policy.host);
  if (WILDCARD_ADDRESSES.has(policy.host)) names.add(hostname().toLowerCase());
  else if (bound !== undefined) names.add(bound);
  for (const extra of policy.allowedHosts ?? []) {
    const name = hostName(extra);
    if (name !== undefined) names.add(name);
  }
  return (host) => {
    // HTTP/1.0 clients may send none; no browser does, so no page can be behind such a request
    if (host === undefined) return true;
    const name = hostName(host);
    return name !== undefined && (isIP(bare(name)) !== 0 || names.has(name));
  };
}

/** Whether the Origin header is the server's own origin as the client addressed it (its Host). The
 * scheme is the origin's: behind a TLS-terminating proxy the request itself arrives as http. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const own = new URL(origin);
    return own.origin !== 'null' && own.host === new URL(`${own.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** Why a state-changing request must be refused as coming from another site's page, or undefined. */
export function crossSiteRefusal(
  req: Pick<FastifyRequest, 'method' | 'headers'>,
  allowedOrigins: ReadonlySet<string>,
): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const { origin, host } = req.headers;
  if (origin !== undefined) {
    if (isOwnOrigin(origin, host)) return undefined;
    const normal = normalOrigin(origin);
    if (normal !== undefined && allowedOrigins.has(normal)) return undefined;
    return `a page from ${origin} may not change anything on this server: only the server's own origin may (add other origins to server.cors.allowedOrigins)`;
  }
  // without Origin (older browsers on some requests), the Fetch metadata says where the page is
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return `a page from another ${site === 'same-site' ? 'origin of this site' : 'site'} may not change anything on this server`;
  }
  return undefined;
}

/** Webhooks are meant for other systems' calls: the key in their path is the credential, and a page
 * that does not know it can start nothing, so another origin is no reason to refuse them. */
const isWebhook = (req: FastifyRequest) => req.routeOptions.url === WEBHOOK_ROUTE;

function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send(apiError(message));
}

/** Runs first on every request: a foreign Host gets 421 and no data, a state-changing request from
 * another origin's page 403. */
export function registerBrowserGuard(app: FastifyInstance, policy: BrowserPolicy): void {
  const hostAllowed = hostAllowList(policy);
  const origins = new Set(
    (policy.allowedOrigins ?? []).map((o) => normalOrigin(o)).filter((o) => o !== undefined),
  );
  app.addHook('onRequest', async (req, reply) => {
    const { host } = req.headers;
    if (!hostAllowed(host)) {
      return refuse(
        reply,
        421,
        `this server does not answer to the name '${host}': add it to server.allowedHosts if clients reach the server by it`,
      );
    }
    if (isWebhook(req)) return;
    const refusal = crossSiteRefusal(req, origins);
    if (refusal !== undefined) return refuse(reply, 403, refusal);
  });
}
