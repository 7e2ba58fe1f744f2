// The authenticators: what each adds to every request.
import { interpolateText } from '../interpolation/interpolate.js';
import { type Component, ComponentError, type Ctx, ctxFor } from './component.js';
import { type RequestParts, inject } from './request-options.js';

export interface Authenticator {
  apply(parts: RequestParts): Promise<void> | void;
  /** values that must never be logged */
  secrets(): string[];
}

export function authenticator(def: Component | undefined, config: Record<string, unknown>): Authenticator {
  if (!def || def.type === 'NoAuth') return { apply: () => undefined, secrets: () => [] };
  const ctx = ctxFor(config, def);
  const text = (v: unknown) => (v === undefined || v === null ? '' : interpolateText(String(v), ctx.vars()));
  switch (def.type) {
    case 'BearerAuthenticator': {
      const token = () => text(def.api_token);
      return {
        apply: (parts) => {
          parts.headers.Authorization = `Bearer ${token()}`;
        },
        secrets: () => [token()],
      };
    }
    case 'ApiKeyAuthenticator': {
      const token = () => text(def.api_token);
      const option: Component | undefined =
        (def.inject_into as Component | undefined) ??
        (def.header ? { type: 'RequestOption', inject_into: 'header', field_name: def.header } : undefined);
      if (!option) throw new ComponentError(def, 'needs inject_into (or header)');
      return {
        apply: (parts) => inject(option, token(), ctx as Ctx, parts),
        secrets: () => [token()],
      };
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
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}
