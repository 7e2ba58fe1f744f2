// What the CDK's error handlers decide about a response (requesters/error_handlers/): the default
// mapping by status, the manifest's HttpResponseFilters first, and the backoff before a retry.
import { ConnectorError } from '../../../cdk/errors.js';
import type { FailureType } from '../../../protocol/messages.js';
import { interpolateBoolean, interpolateText } from '../interpolation/interpolate.js';
import type { Component } from './component.js';
import { ComponentError, type Ctx } from './component.js';

export type Action = 'SUCCESS' | 'FAIL' | 'RETRY' | 'IGNORE' | 'RATE_LIMITED';

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** the decoded JSON body, or {} when there is none or it is not JSON */
  body: unknown;
  text: string;
}

export interface Resolution {
  action: Action;
  failureType?: FailureType;
  message?: string;
}

const DEFAULT_MAPPING: Record<number, Resolution> = {
  400: { action: 'FAIL', failureType: 'system_error' },
  401: { action: 'FAIL', failureType: 'config_error' },
  403: { action: 'FAIL', failureType: 'config_error' },
  404: { action: 'FAIL', failureType: 'system_error' },
  405: { action: 'FAIL', failureType: 'system_error' },
  408: { action: 'RETRY', failureType: 'transient_error' },
  429: { action: 'RATE_LIMITED', failureType: 'transient_error' },
  500: { action: 'RETRY', failureType: 'transient_error' },
  502: { action: 'RETRY', failureType: 'transient_error' },
  503: { action: 'RETRY', failureType: 'transient_error' },
  504: { action: 'RETRY', failureType: 'transient_error' },
};

export function defaultResolution(status: number): Resolution {
  if (status < 400) return { action: 'SUCCESS' };
  return DEFAULT_MAPPING[status] ?? { action: 'RETRY', failureType: 'system_error' };
}

export interface ErrorHandler {
  readonly maxRetries: number;
  resolve(result: HttpResult): Resolution;
  /** Seconds to wait before retry `attempt` (1-based), or undefined for the default backoff. */
  backoff(result: HttpResult | undefined, attempt: number): number | undefined;
}

export function errorHandler(def: Component | undefined, ctx: Ctx): ErrorHandler {
  if (!def) return defaultHandler(undefined, ctx);
  if (def.type === 'CompositeErrorHandler') {
    const handlers = ((def.error_handlers as Component[]) ?? []).map((h) => defaultHandler(h, ctx));
    return {
      maxRetries: Math.max(0, ...handlers.map((h) => h.maxRetries)),
      resolve(result) {
        // CompositeErrorHandler: the first handler that lets the response through or retries it wins;
        // otherwise the last one's failure stands
        let last: Resolution = defaultResolution(result.status);
        for (const h of handlers) {
          last = h.resolve(result);
          if (last.action !== 'FAIL') return last;
        }
        return last;
      },
      backoff(result, attempt) {
        for (const h of handlers) {
          const s = h.backoff(result, attempt);
          if (s !== undefined) return s;
        }
        return undefined;
      },
    };
  }
  return defaultHandler(def, ctx);
}

function defaultHandler(def: Component | undefined, ctx: Ctx): ErrorHandler {
  if (def && def.type !== 'DefaultErrorHandler')
    throw new ComponentError(def, `${def.type} is not supported`);
  const filters = ((def?.response_filters as Component[] | undefined) ?? []).map((f) =>
    responseFilter(f, ctx),
  );
  const strategies = ((def?.backoff_strategies as Component[] | undefined) ?? []).map((b) =>
    backoffStrategy(b, ctx),
  );
  const maxRetries = def?.max_retries === undefined ? 5 : Number(def.max_retries);
  return {
    maxRetries,
    resolve(result) {
      for (const f of filters) {
        const r = f(result);
        if (r) return r;
      }
      return defaultResolution(result.status);
    },
    backoff(result, attempt) {
      for (const s of strategies) {
        const seconds = s(result, attempt);
        if (seconds !== undefined) return seconds;
      }
      return undefined;
    },
  };
}

function responseFilter(def: Component, ctx: Ctx): (result: HttpResult) => Resolution | undefined {
  const codes = new Set(((def.http_codes as number[]) ?? []).map(Number));
  const contains = def.error_message_contains as string | undefined;
  const predicate = def.predicate as string | undefined;
  const action = (def.action as Action | undefined) ?? 'FAIL';
  return (result) => {
    const vars = { ...ctx.vars(), response: result.body, headers: result.headers };
    const matches =
      codes.has(result.status) ||
      (contains !== undefined && result.text.includes(contains)) ||
      (predicate !== undefined && interpolateBoolean(predicate, vars));
    if (!matches) return undefined;
    const message =
      typeof def.error_message === 'string' ? interpolateText(def.error_message, vars) : undefined;
    const failureType =
      (def.failure_type as FailureType | undefined) ?? defaultResolution(result.status).failureType;
    return { action, failureType: failureType ?? 'system_error', message };
  };
}

type Strategy = (result: HttpResult | undefined, attempt: number) => number | undefined;

function backoffStrategy(def: Component, ctx: Ctx): Strategy {
  const number = (v: unknown, fallback: number) => {
    if (v === undefined || v === null) return fallback;
    const n = Number(typeof v === 'string' ? interpolateText(v, ctx.vars()) : v);
    return Number.isFinite(n) ? n : fallback;
  };
  switch (def.type) {
    case 'ConstantBackoffStrategy':
      return () => number(def.backoff_time_in_seconds, 5);
    case 'ExponentialBackoffStrategy':
      return (_r, attempt) => number(def.factor, 5) * 2 ** attempt;
    case 'WaitTimeFromHeader':
    case 'WaitUntilTimeFromHeader':
      return (result) => {
        const header = interpolateText(String(def.header), ctx.vars()).toLowerCase();
        const raw = result?.headers[header];
        if (raw === undefined) return undefined;
        let value = raw;
        if (typeof def.regex === 'string') {
          const m = new RegExp(def.regex).exec(raw);
          if (!m) return undefined;
          value = m[1] ?? m[0];
        }
        let seconds = Number(value);
        if (!Number.isFinite(seconds)) return undefined;
        if (def.type === 'WaitUntilTimeFromHeader')
          seconds = Math.max(number(def.min_wait, 0), seconds - Date.now() / 1000);
        const max = def.max_waiting_time_in_seconds;
        if (max !== undefined && seconds > Number(max))
          throw new ConnectorError(
            'transient_error',
            `the API asks to wait ${seconds} s, more than the ${max} s allowed`,
          );
        return seconds;
      };
    default:
      throw new ComponentError(def, `${def.type} is not supported`);
  }
}
