import { formatDuration, parseDuration } from '../../flow/duration.js';
import type { TaskDef } from '../../flow/model.js';
import {
  booleanProp,
  objectProp,
  optionalString,
  type Props,
  renderProps,
  requiredString,
  stringMap,
} from '../script/props.js';
import type { RunContext, RunnableTask, TaskResult } from '../types.js';
import { RequestDeadline } from './deadline.js';
import { requestBody } from './request-body.js';
import { readTextBody, responseHeaders, UnusableResponse } from './response.js';

export const HTTP_REQUEST_TYPE = 'io.kestra.plugin.core.http.Request';

/** The largest response body kept in the outputs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Kestra's default `options.timeout.readIdleTimeout`. */
const DEFAULT_READ_IDLE_TIMEOUT = 'PT5M';

export const PROPS = [
  'uri',
  'method',
  'headers',
  'body',
  'contentType',
  'formData',
  'options',
  'allowFailed',
  'auth',
  'encryptBody',
];

export interface HttpRequestOptions {
  maxBodyBytes?: number;
}

/** Kestra's HTTP Request task over the global fetch. Outputs `{ uri, code, headers, body }`; the body
 * stays the response text even when it is JSON, as in Kestra (a flow reads it with `fromJson`/`jq`).
 * `encryptBody` and `sslOptions` are not supported: the flow loader accepts them, and `encryptBody:
 * true` fails the task rather than store in clear a body the flow wanted hidden. */
export class HttpRequest implements RunnableTask {
  constructor(private readonly settings: HttpRequestOptions = {}) {}

  async run(task: TaskDef, ctx: RunContext): Promise<TaskResult> {
    const exchange = await openExchange(task, ctx, PROPS);
    try {
      const { response, target } = exchange;
      exchange.watchIdle();
      const text = await readTextBody(
        response,
        this.settings.maxBodyBytes ?? MAX_BODY_BYTES,
        () => exchange.watchIdle(),
        target,
      ).catch((error: unknown) => {
        throw error instanceof UnusableResponse ? error : exchange.deadline.explain(error, target);
      });
      return {
        outputs: {
          uri: exchange.uri,
          code: response.status,
          headers: responseHeaders(response.headers),
          body: text,
        },
      };
    } finally {
      exchange.deadline.dispose();
    }
  }
}

/** A request sent and its response headers received, the body still to read. */
export interface Exchange {
  uri: string;
  response: Response;
  /** the URL without its query string, for messages (queries often carry API keys) */
  target: string;
  deadline: RequestDeadline;
  /** (re)starts the wait for the next piece of the body */
  watchIdle(): void;
  /** the status was refused but `allowFailed` keeps the task going */
  failedButAllowed: boolean;
}

/** Renders the request properties of an HTTP task, sends the request and waits for the response
 * headers. A refused status fails (the body is dropped) unless `allowFailed`. The caller disposes of
 * the deadline once it has read the body. */
export async function openExchange(
  task: TaskDef,
  ctx: RunContext,
  names: readonly string[],
): Promise<Exchange> {
  const props = await renderProps(task, names, (value) => ctx.render(value));
  if (booleanProp(props, 'encryptBody', false)) {
    throw new Error('encryptBody is not supported yet; the response body would be stored in clear');
  }
  // Kestra encodes spaces, the one character people commonly leave in a rendered URI.
  const uri = requiredString(props, 'uri').replaceAll(' ', '%20');
  const url = parseHttpUrl(uri);
  const method = (optionalString(props, 'method') ?? 'GET').toUpperCase();
  const options = objectProp(props, 'options');
  const timeouts = objectProp(options, 'timeout');
  const connectMs = durationMs(timeouts.connectTimeout ?? options.connectTimeout, 'connectTimeout');
  const idleText = String(
    timeouts.readIdleTimeout ?? options.readTimeout ?? options.readIdleTimeout ?? DEFAULT_READ_IDLE_TIMEOUT,
  );
  const idleMs = durationMs(idleText, 'readIdleTimeout') ?? 0;
  const allowFailed = booleanProp(options, 'allowFailed', booleanProp(props, 'allowFailed', false));
  const allowedCodes = codeList(options.allowedResponseCodes);

  const { body, contentType } = await requestBody(props, ctx);
  const headers = new Headers();
  if (contentType) headers.set('content-type', contentType);
  const authorization = authorizationHeader(objectProp(props, 'auth'), options);
  if (authorization) headers.set('authorization', authorization);
  // The flow's own headers come last so that they win over anything derived above.
  for (const [name, value] of Object.entries(stringMap(props, 'headers'))) headers.set(name, value);

  const target = url.origin + url.pathname;
  const deadline = new RequestDeadline(ctx.signal);
  try {
    // fetch cannot tell connecting from waiting for the first byte, so the wait for the response
    // headers gets both allowances.
    const firstByteMs = (connectMs ?? 0) + idleMs;
    deadline.arm(firstByteMs, `no response within ${formatDuration(firstByteMs)}`);
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect: booleanProp(options, 'followRedirects', true) ? 'follow' : 'manual',
      signal: deadline.signal,
    }).catch((error: unknown) => {
      throw deadline.explain(error, target);
    });
    ctx.logger.debug(`${method} ${target} → ${response.status}`);

    const code = response.status;
    const accepted = allowedCodes ? allowedCodes.includes(code) : code < 400;
    if (!accepted && !allowFailed) {
      await response.body?.cancel();
      throw new Error(`Failed http request with response code '${code}'`);
    }
    const idleWhy = `no data received for ${idleText}`;
    return {
      uri,
      response,
      target,
      deadline,
      watchIdle: () => deadline.arm(idleMs, idleWhy),
      failedButAllowed: !accepted,
    };
  } catch (error) {
    deadline.dispose();
    throw error;
  }
}

export const httpRequest = new HttpRequest();

function parseHttpUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`property 'uri' is not a valid URL: ${JSON.stringify(uri)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`property 'uri' must be an http:// or https:// URL, got ${url.protocol}`);
  }
  return url;
}

function durationMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return parseDuration(String(value));
  } catch (error) {
    throw new Error(`options ${name}: ${(error as Error).message}`);
  }
}

function codeList(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Error(`options allowedResponseCodes must be a list of status codes`);
  return value.map(Number);
}

/** `auth: {type: BASIC, username, password}` or `{type: BEARER, token}`, and the older
 * `options.basicAuthUser` / `basicAuthPassword`. */
function authorizationHeader(auth: Props, options: Props): string | undefined {
  const type = String(auth.type ?? (options.basicAuthUser !== undefined ? 'BASIC' : '')).toUpperCase();
  if (type === '') return undefined;
  if (type === 'BASIC') {
    const user = String(auth.username ?? options.basicAuthUser ?? '');
    const password = String(auth.password ?? options.basicAuthPassword ?? '');
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  if (type === 'BEARER') return `Bearer ${requiredString(auth, 'token')}`;
  throw new Error(`auth type ${JSON.stringify(auth.type)} is not supported; use BASIC or BEARER`);
}
