// HttpRequester: the URL, method, parameters, headers and body of each request, sent with the retries
// its error handler decides (429 and 5xx by default, with backoff and Retry-After).
import { ConnectorError } from '../../../cdk/errors.js';
import type { FailureType } from '../../../protocol/messages.js';
import { interpolateMapping, interpolateNested, interpolateText } from '../interpolation/interpolate.js';
import { type Authenticator, authenticator } from './auth.js';
import { type Component, type Ctx, ctxFor } from './component.js';
import { type ErrorHandler, type HttpResult, errorHandler } from './errors.js';
import { type RequestParts, asText, emptyParts, mergeParts } from './request-options.js';

/** Seconds: the CDK's default backoff is exponential with a factor of 5 (5, 10, 20 s…). */
const DEFAULT_BACKOFF_FACTOR = 5;
const REQUEST_TIMEOUT_MS = 5 * 60_000;

export interface Sleeper {
  (ms: number, signal?: AbortSignal): Promise<void>;
}

const sleep: Sleeper = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** The variables a request's templates see. */
export interface RequestVars {
  stream_slice: Record<string, unknown>;
  next_page_token: Record<string, unknown> | undefined;
}

export class Requester {
  private readonly ctx: Ctx;
  private readonly auth: Authenticator;
  private readonly handler: ErrorHandler;

  constructor(
    private readonly def: Component,
    config: Record<string, unknown>,
    private readonly signal?: AbortSignal,
  ) {
    this.ctx = ctxFor(config, def);
    this.auth = authenticator(def.authenticator as Component | undefined, config, signal);
    this.handler = errorHandler(def.error_handler as Component | undefined, this.ctx);
  }

  secrets(): string[] {
    return this.auth.secrets().filter(Boolean);
  }

  /** The requester's own part of a request: URL, method, its request_* fields and authentication. */
  private async build(vars: RequestVars, extra: RequestParts): Promise<{ url: string; init: RequestInit }> {
    const v = this.ctx.vars({
      ...vars,
      stream_interval: vars.stream_slice,
      stream_partition: vars.stream_slice,
    });
    const parts = emptyParts();
    const params = this.def.request_parameters;
    if (params && typeof params === 'object')
      for (const [k, val] of Object.entries(interpolateMapping(params as Record<string, unknown>, v)))
        if (val !== null && val !== '') parts.params[k] = asText(val);
    const headers = this.def.request_headers;
    if (headers && typeof headers === 'object')
      for (const [k, val] of Object.entries(interpolateMapping(headers as Record<string, unknown>, v)))
        parts.headers[k] = asText(val);
    const bodyJson = this.def.request_body_json;
    if (bodyJson !== undefined) {
      const evaluated =
        typeof bodyJson === 'string' ? interpolateNested(bodyJson, v) : interpolateNested(bodyJson, v);
      if (evaluated && typeof evaluated === 'object') Object.assign(parts.json, evaluated);
    }
    const bodyData = this.def.request_body_data;
    if (bodyData && typeof bodyData === 'object')
      for (const [k, val] of Object.entries(interpolateMapping(bodyData as Record<string, unknown>, v)))
        parts.data[k] = asText(val);
    mergeParts(parts, extra);
    await this.auth.apply(parts);

    let url = parts.url;
    if (url === undefined) {
      const base = this.def.url_base !== undefined ? interpolateText(String(this.def.url_base), v) : '';
      const path = this.def.path !== undefined ? interpolateText(String(this.def.path), v) : '';
      const full = this.def.url !== undefined ? interpolateText(String(this.def.url), v) : '';
      url = base ? joinUrl(base, path) : path ? joinUrl(full, path) : full;
    }
    const target = new URL(url);
    for (const [k, val] of Object.entries(parts.params)) target.searchParams.set(k, val);
    const method = String(this.def.http_method ?? 'GET').toUpperCase();
    const init: RequestInit = { method, headers: { ...parts.headers } };
    if (Object.keys(parts.json).length) {
      init.body = JSON.stringify(parts.json);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    } else if (Object.keys(parts.data).length) {
      init.body = new URLSearchParams(parts.data).toString();
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/x-www-form-urlencoded';
    }
    return { url: target.toString(), init };
  }

  /** Sends one request, retrying as the error handler says. Undefined when the response is ignored. */
  async send(vars: RequestVars, extra: RequestParts): Promise<HttpResult | undefined> {
    const { url, init } = await this.build(vars, extra);
    for (let attempt = 0; ; attempt++) {
      let result: HttpResult | undefined;
      let networkError: Error | undefined;
      try {
        result = await fetchResult(url, init, this.signal);
      } catch (error) {
        if (this.signal?.aborted) throw error;
        networkError = error as Error;
      }
      const resolution = result
        ? this.handler.resolve(result)
        : { action: 'RETRY' as const, failureType: 'transient_error' as FailureType };
      if (resolution.action === 'SUCCESS') return result;
      if (resolution.action === 'IGNORE') return undefined;
      const what = result
        ? describe(result, url, init.method!)
        : `${init.method} ${redactUrl(url)}: ${networkError?.message}`;
      if (resolution.action === 'FAIL')
        throw new ConnectorError(resolution.failureType ?? 'system_error', resolution.message ?? what);
      if (attempt >= this.handler.maxRetries)
        throw new ConnectorError(
          'transient_error',
          `${resolution.message ?? what} (gave up after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})`,
        );
      const seconds =
        this.handler.backoff(result, attempt + 1) ??
        retryAfter(result) ??
        DEFAULT_BACKOFF_FACTOR * 2 ** attempt;
      await sleep(Math.max(0, seconds) * 1000, this.signal);
    }
  }
}

function retryAfter(result: HttpResult | undefined): number | undefined {
  const raw = result?.headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

async function fetchResult(url: string, init: RequestInit, signal?: AbortSignal): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const response = await fetch(url, {
    ...init,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const text = await response.text();
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: response.status, headers, body, text };
}

function describe(result: HttpResult, url: string, method: string): string {
  const excerpt = result.text.length > 300 ? `${result.text.slice(0, 300)}…` : result.text;
  return `HTTP ${result.status}${STATUS_TEXT[result.status] ? ` ${STATUS_TEXT[result.status]}` : ''} on ${method} ${redactUrl(url)}${excerpt ? `: ${excerpt}` : ''}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The URL without its query: parameters may hold keys. */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** HttpRequester._join_url: one slash between the base and the path. */
export function joinUrl(base: string, path: string): string {
  if (!path) return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
