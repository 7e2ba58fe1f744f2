// The one way the UI talks to the server: JSON (or YAML) over fetch, with the login's Authorization
// header, errors as ApiError with the server's {message, details}.
import { authorization, markLoginRequired } from './auth';

export interface ErrorDetail {
  message: string;
  /** the field at fault, e.g. `flow.id` */
  path?: string;
  line?: number;
  column?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/**
 * Every request carries the login itself, in its Authorization header, and no ambient credentials:
 * with those omitted, a 401 with `WWW-Authenticate: Basic` brings the UI's own login page instead
 * of the browser's password prompt (the Fetch standard prompts only when credentials are included).
 */
const CREDENTIALS: RequestCredentials = 'omit';

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const auth = authorization();
  return auth ? { ...extra, authorization: auth } : extra;
}

async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401) markLoginRequired();
  const body = (await response.json().catch(() => null)) as {
    message?: string;
    details?: ErrorDetail[];
  } | null;
  return new ApiError(
    response.status,
    body?.message ?? `${response.status} ${response.statusText}`,
    body?.details ?? [],
  );
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  yaml?: string;
  /** multipart: the browser sets the content type with its boundary */
  form?: FormData;
  /** a plain-text body (a KV value) */
  text?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const contentType =
    options.yaml !== undefined
      ? { 'content-type': 'application/x-yaml' }
      : options.json !== undefined
        ? { 'content-type': 'application/json' }
        : options.text !== undefined
          ? { 'content-type': 'text/plain' }
          : undefined;
  const response = await fetch(path, {
    method: options.method ?? (contentType || options.form ? 'POST' : 'GET'),
    headers: headers({ ...options.headers, ...contentType }),
    body:
      options.form ??
      options.yaml ??
      options.text ??
      (options.json !== undefined ? JSON.stringify(options.json) : undefined),
    signal: options.signal,
    credentials: CREDENTIALS,
  });
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A text the API serves as it is (a namespace file's content). */
export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(path, { headers: headers(), signal, credentials: CREDENTIALS });
  if (!response.ok) throw await failure(response);
  return response.text();
}

/** A query string from the defined, non-empty values (lists repeat the key). */
export function query(params: Record<string, string | string[] | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== '') search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Reads a Server-Sent Events stream. EventSource cannot send an Authorization header, so this reads
 * the stream through fetch. Resolves when the server ends the stream or the signal aborts.
 */
export async function followEvents(
  path: string,
  onEvent: (event: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  try {
    const response = await fetch(path, {
      headers: headers({ accept: 'text/event-stream' }),
      signal,
      credentials: CREDENTIALS,
    });
    if (!response.ok || !response.body) throw await failure(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
      }
    }
  } catch (error) {
    // leaving the page aborts the stream: that is no error
    if (!signal.aborted) throw error;
  }
}

/** Saves a file the API serves; through fetch, so that the Authorization header goes along. */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await fetch(path, { headers: headers(), credentials: CREDENTIALS });
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}
