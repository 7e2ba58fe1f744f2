// The authenticators: what each adds to every request. One authenticator per definition and run
// (session.ts), so a token is fetched once for all the streams that share it.
import { interpolateText } from '../interpolation/interpolate.js';
import { oauthAuthenticator } from './auth-oauth.js';
import { type Component, ComponentError, type Ctx, ctxFor } from './component.js';
import { type RequestParts, emptyParts, inject } from './request-options.js';
import { Requester } from './requester.js';
import { sessionOf } from './session.js';
import { nowUtc, parseDuration } from '../interpolation/py-time.js';

export interface Authenticator {
  apply(parts: RequestParts): Promise<void> | void;
  /** values that must never be logged */
  secrets(): string[];
}

type Row = Record<string, unknown>;

export function authenticator(def: Component | undefined, config: Row, signal?: AbortSignal): Authenticator {
  if (!def || def.type === 'NoAuth') return { apply: () => undefined, secrets: () => [] };
  const cache = sessionOf(config).authenticators;
  const key = JSON.stringify(def);
  let found = cache.get(key);
  if (!found) {
    found = build(def, config, signal);
    cache.set(key, found);
  }
  return found;
}

function build(def: Component, config: Row, signal: AbortSignal | undefined): Authenticator {
  const ctx = ctxFor(config, def);
  const text = (v: unknown) => (v === undefined || v === null ? '' : interpolateText(String(v), ctx.vars()));
  switch (def.type) {
    case 'BearerAuthenticator':
      return { ...bearer(() => text(def.api_token)), secrets: () => [text(def.api_token)] };
    case 'ApiKeyAuthenticator': {
      const option: Component | undefined =
        (def.inject_into as Component | undefined) ??
        (def.header ? { type: 'RequestOption', inject_into: 'header', field_name: def.header } : undefined);
      if (!option) throw new ComponentError(def, 'needs inject_into (or header)');
      return { ...apiKey(option, () => text(def.api_token), ctx), secrets: () => [text(def.api_token)] };
    }
    case 'BasicHttpAuthenticator': {
      const user = () => text(def.username);
      const password = () => text(def.password);
      return {
        apply: (parts) => {
          parts.headers.Authorization = `Basic ${Buffer.from(`${user()}:${password()}`).toString('base64')}`;
        },
        secrets: () => [password(), Buffer.from(`${user()}:${password()}`).toString('base64')],
      };
    }
    case 'OAuthAuthenticator':
      return oauthAuthenticator(def, config, signal);
    case 'SessionTokenAuthenticator':
      return sessionToken(def, config, signal);
    case 'SelectiveAuthenticator': {
      // SelectiveAuthenticator.__new__: the config value at the path names the authenticator
      let node: unknown = config;
      for (const k of (def.authenticator_selection_path as string[]) ?? []) {
        if (!node || typeof node !== 'object' || !(k in node))
          throw new ComponentError(
            def,
            'The path from `authenticator_selection_path` is not found in the config.',
          );
        node = (node as Row)[k];
      }
      const selected = String(node);
      const choices = (def.authenticators as Record<string, Component> | undefined) ?? {};
      if (!Object.prototype.hasOwnProperty.call(choices, selected))
        throw new ComponentError(def, `The authenticator \`${selected}\` is not found.`);
      return authenticator(choices[selected], config, signal);
    }
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}

function bearer(token: () => string | Promise<string>): Authenticator {
  let last = '';
  return {
    apply: async (parts) => {
      last = await token();
      parts.headers.Authorization = `Bearer ${last}`;
    },
    secrets: () => [last],
  };
}

function apiKey(option: Component, token: () => string | Promise<string>, ctx: Ctx): Authenticator {
  let last = '';
  return {
    apply: async (parts) => {
      last = await token();
      inject(option, last, ctx, parts);
    },
    secrets: () => [last],
  };
}

/** SessionTokenAuthenticator (token_provider.py SessionTokenProvider): the login request's answer
 * holds the token at `session_token_path`; it is fetched again after `expiration_duration`. */
function sessionToken(def: Component, config: Row, signal: AbortSignal | undefined): Authenticator {
  const login = def.login_requester as Component;
  const path = ((def.session_token_path as string[]) ?? []).map(String);
  const lifetime = def.expiration_duration ? parseDuration(String(def.expiration_duration)) : undefined;
  let token: string | undefined;
  let expires: number | undefined;
  let fetching: Promise<void> | undefined;
  const fetchToken = async () => {
    const result = await new Requester(login, config, signal).send(
      { stream_slice: {}, next_page_token: undefined },
      emptyParts(),
    );
    if (!result)
      throw new ComponentError(def, 'Failed to get session token, response got ignored by requester');
    let node: unknown = result.body;
    for (const k of path) {
      if (!node || typeof node !== 'object' || !(k in node))
        throw new ComponentError(def, `the login answer has no ${path.join('/')}`);
      node = (node as Row)[k];
    }
    if (node === null || node === undefined)
      throw new ComponentError(def, 'Failed to get session token, token is None');
    token = String(node);
    if (lifetime) expires = nowUtc().plus(lifetime).micros / 1000;
  };
  const current = async (): Promise<string> => {
    if (token === undefined || (expires !== undefined && expires < Date.now())) {
      fetching ??= fetchToken().finally(() => (fetching = undefined));
      await fetching;
    }
    return token!;
  };
  const how = def.request_authentication as Component;
  if (how.type === 'Bearer') return bearer(current);
  const ctx = ctxFor(config, def);
  const template = String(how.api_token ?? '{{ session_token }}');
  return apiKey(
    how.inject_into as Component,
    async () => interpolateText(template, ctx.vars({ session_token: await current() })),
    ctx,
  );
}
