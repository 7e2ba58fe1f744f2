// OAuthAuthenticator as the CDK runs it (auth/oauth.py, requests_native_auth/abstract_oauth.py and
// oauth.py): a token fetched from `token_refresh_endpoint` with a form POST (refresh-token or
// client-credentials grant) when the current one has expired, sent as `Authorization: Bearer`.
// With `refresh_token_updater` the tokens and their expiry live in the config (single-use refresh
// tokens): each refresh rewrites them there and the whole config goes out for the platform to store.
import { ConnectorError } from '../../../cdk/errors.js';
import { interpolateMapping, interpolateText } from '../interpolation/interpolate.js';
import { isoparse } from '../interpolation/py-time.js';
import type { Authenticator } from './auth.js';
import { type Component, ComponentError, ctxFor } from './component.js';
import { asText } from './request-options.js';
import { sessionOf } from './session.js';

type Row = Record<string, unknown>;

const DAY_MS = 86_400_000;
/** the CDK's default lifetime of a token whose response gives none */
const DEFAULT_EXPIRY_MS = 3_600_000;
/** the CDK backs off exponentially on 429/5xx of the token endpoint for up to 300 s */
const REFRESH_RETRIES = 6;

/** ab_datetime_parse, for the forms token expiries come in: epoch seconds or ISO 8601. */
function parseInstant(value: unknown): number {
  const text = asText(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  try {
    return isoparse(text).micros / 1000;
  } catch {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`invalid token expiry date ${JSON.stringify(text)}`);
    return ms;
  }
}

/** str(AirbyteDateTime): ISO 8601 with "+00:00", microseconds only when not zero. */
function instantText(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.000Z
  const fraction = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

/** _find_and_get_value_from_response: the key's value anywhere within five levels. */
function findValue(data: unknown, key: string, depth = 0): unknown {
  if (depth > 5)
    throw new ConnectorError(
      'config_error',
      `The maximum level of recursion is reached. Couldn't find the specified \`${key}\` in the response.`,
    );
  if (Array.isArray(data)) {
    for (const item of data) {
      const found = findValue(item, key, depth + 1);
      if (found !== undefined && found !== null) return found;
    }
  } else if (data && typeof data === 'object') {
    if (key in data) return (data as Row)[key];
    for (const value of Object.values(data)) {
      const found = findValue(value, key, depth + 1);
      if (found !== undefined && found !== null) return found;
    }
  }
  return undefined;
}

function configPath(config: Row, path: string[]): unknown {
  let node: unknown = config;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Row)[key];
  }
  return node;
}

/** dpath.new: sets the value, making the maps on the way. */
function setConfigPath(config: Row, path: string[], value: unknown): void {
  let node = config;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Row;
  }
  node[path[path.length - 1]!] = value;
}

/** Where the token, its expiry and the refresh token are kept: the authenticator, or the config. */
interface TokenStore {
  accessToken(): string | undefined;
  expiry(): number;
  refreshToken(): string | undefined;
  save(access: string, expiry: number, refresh: unknown): Promise<void> | void;
}

export function oauthAuthenticator(
  def: Component,
  config: Row,
  signal: AbortSignal | undefined,
): Authenticator {
  const ctx = ctxFor(config, def);
  const text = (v: unknown, fallback = '') =>
    v === undefined || v === null ? fallback : interpolateText(String(v), ctx.vars());
  const updater = def.refresh_token_updater as Row | undefined;
  if (def.profile_assertion || def.use_profile_assertion)
    throw new ComponentError(def, 'profile_assertion (the JWT profile grant) is not supported');
  const grantType = text(def.grant_type, 'refresh_token');
  const accessTokenName = () => text(def.access_token_name, 'access_token');
  const expiresInName = () => text(def.expires_in_name, 'expires_in');
  const refreshTokenName = updater
    ? String(updater.refresh_token_name ?? 'refresh_token')
    : text(def.refresh_token_name, 'refresh_token');
  const expiryFormat = def.token_expiry_date_format as string | undefined;
  const codes = (updater?.refresh_token_error_status_codes ??
    def.refresh_token_error_status_codes ??
    []) as number[];
  const errorKey = String(updater?.refresh_token_error_key ?? def.refresh_token_error_key ?? '');
  const errorValues = (updater?.refresh_token_error_values ??
    def.refresh_token_error_values ??
    []) as string[];

  let store: TokenStore;
  if (updater) {
    const path = (key: string, fallback: string[]) => (updater[key] as string[] | undefined) ?? fallback;
    const accessPath = path('access_token_config_path', ['credentials', 'access_token']);
    const refreshPath = path('refresh_token_config_path', ['credentials', 'refresh_token']);
    const expiryPath = path('token_expiry_date_config_path', ['credentials', 'token_expiry_date']);
    store = {
      accessToken: () => {
        const v = configPath(config, accessPath);
        return v === undefined || v === null || v === '' ? undefined : asText(v);
      },
      expiry: () => {
        const v = configPath(config, expiryPath);
        return v === undefined || v === null || v === '' ? Date.now() - DAY_MS : parseInstant(v);
      },
      refreshToken: () => asText(configPath(config, refreshPath) ?? ''),
      async save(access, expiry, refresh) {
        setConfigPath(config, accessPath, access);
        if (refresh !== undefined && refresh !== null) setConfigPath(config, refreshPath, refresh);
        setConfigPath(config, expiryPath, instantText(expiry));
        await sessionOf(config).configChanged(config);
      },
    };
  } else {
    let token = def.access_token_value !== undefined ? text(def.access_token_value) || undefined : undefined;
    let expiry = def.token_expiry_date ? parseInstant(text(def.token_expiry_date)) : Date.now() - DAY_MS;
    store = {
      accessToken: () => token,
      // a token not fetched yet has expired (get_token_expiry_date gives datetime.min)
      expiry: () => (token === undefined ? -Infinity : expiry),
      refreshToken: () => (def.refresh_token === undefined ? undefined : text(def.refresh_token)),
      save(access, at) {
        token = access;
        expiry = at;
      },
    };
  }
  if (!updater && grantType === 'refresh_token' && def.refresh_token === undefined)
    throw new ComponentError(def, "a 'refresh_token' is required when the 'grant_type' is 'refresh_token'");

  const endpoint = () =>
    def.token_refresh_endpoint === undefined ? undefined : text(def.token_refresh_endpoint);
  const secrets = new Set<string>();

  function refreshArgs(headers: Record<string, string>): [string, string][] {
    const args: [string, string][] = [[text(def.grant_type_name, 'grant_type'), grantType]];
    // with credentials in an Authorization header, the body must not repeat them (Gong)
    if (!('Authorization' in headers)) {
      // the single-use flavour falls back to the config's credentials
      const fromConfig = (key: string) =>
        updater ? asText(configPath(config, ['credentials', key]) ?? '') : '';
      const clientId = def.client_id !== undefined ? text(def.client_id) : fromConfig('client_id');
      if (!clientId) throw new ComponentError(def, 'unable to evaluate the client_id parameter');
      args.push([text(def.client_id_name, 'client_id'), clientId]);
      const secret = def.client_secret !== undefined ? text(def.client_secret) : fromConfig('client_secret');
      args.push([text(def.client_secret_name, 'client_secret'), secret]);
    }
    const refresh = store.refreshToken();
    // requests leaves a None form value out
    if (refresh !== undefined) args.push([refreshTokenName, refresh]);
    const scopes = (def.scopes as string[] | undefined) ?? [];
    for (const scope of scopes) args.push(['scopes', scope]);
    const extra = def.refresh_request_body
      ? interpolateMapping(def.refresh_request_body as Row, ctx.vars())
      : {};
    const taken = new Set(args.map(([k]) => k));
    for (const [k, v] of Object.entries(extra)) {
      if (taken.has(k) || v === null || v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) args.push([k, asText(item)]);
    }
    return args;
  }

  async function requestToken(url: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (def.refresh_request_headers)
      for (const [k, v] of Object.entries(interpolateMapping(def.refresh_request_headers as Row, ctx.vars())))
        headers[k] = asText(v);
    const args = new URLSearchParams(refreshArgs(headers));
    const target = new URL(url);
    const init: RequestInit = { method: 'POST', headers };
    if (def.send_refresh_request_as_query_params === true)
      for (const [k, v] of args) target.searchParams.append(k, v);
    else {
      init.body = args.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(target, { ...init, signal });
      } catch (error) {
        if (signal?.aborted || attempt >= REFRESH_RETRIES)
          throw new ConnectorError(
            'transient_error',
            `OAuth access token refresh request failed due to a network error: ${(error as Error).message}`,
          );
      }
      if (response) {
        const body = await response.text();
        if (response.ok) {
          try {
            return JSON.parse(body);
          } catch {
            throw new ConnectorError(
              'system_error',
              'OAuth access token refresh request failed: the answer is not JSON',
            );
          }
        }
        const retryable = response.status === 429 || response.status >= 500;
        if (!retryable || attempt >= REFRESH_RETRIES) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          const refreshError =
            codes.includes(response.status) &&
            parsed !== null &&
            typeof parsed === 'object' &&
            errorValues.includes(String((parsed as Row)[errorKey]));
          if (refreshError)
            throw new ConnectorError(
              'config_error',
              'Refresh token is invalid or expired. Please re-authenticate from Sources/<your source>/Settings.',
            );
          throw new ConnectorError(
            retryable ? 'transient_error' : 'system_error',
            `OAuth access token refresh failed: HTTP ${response.status} on POST ${target.origin}${target.pathname}`,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    }
  }

  function expiryFrom(response: unknown): number {
    const value = findValue(response, expiresInName());
    if (value !== undefined && value !== null) {
      if (expiryFormat) return parseInstant(value);
      const seconds = Math.trunc(Number(asText(value)));
      if (!Number.isFinite(seconds))
        throw new ConnectorError('system_error', `Invalid expires_in value: ${asText(value)}`);
      return Date.now() + seconds * 1000;
    }
    const current = store.expiry();
    return current > Date.now() ? current : Date.now() + DEFAULT_EXPIRY_MS;
  }

  let refreshing: Promise<void> | undefined;
  async function refresh(url: string): Promise<void> {
    const response = await requestToken(url);
    const token = findValue(response, accessTokenName());
    if (!token)
      throw new ConnectorError(
        'system_error',
        `Token refresh API response was missing access token ${accessTokenName()}`,
      );
    secrets.add(asText(token));
    const rotated = updater ? findValue(response, refreshTokenName) : undefined;
    if (rotated !== undefined && rotated !== null) secrets.add(asText(rotated));
    await store.save(asText(token), expiryFrom(response), rotated);
  }

  async function accessToken(): Promise<string> {
    const url = endpoint();
    const current = store.accessToken();
    // without an endpoint, the configured access token is used as it is
    if (url === undefined && current !== undefined) return current;
    if (!url) throw new ComponentError(def, 'unable to evaluate token_refresh_endpoint');
    if (current === undefined || Date.now() > store.expiry()) {
      // one refresh at a time: a single-use refresh token must not be spent twice
      refreshing ??= refresh(url).finally(() => (refreshing = undefined));
      await refreshing;
    }
    return store.accessToken()!;
  }

  return {
    async apply(parts) {
      parts.headers.Authorization = `Bearer ${await accessToken()}`;
    },
    secrets: () => [
      ...secrets,
      text(def.client_secret),
      store.refreshToken() ?? '',
      store.accessToken() ?? '',
    ],
  };
}
