// Platform services a template may call (internal storage files, namespace files, the KV store). They
// answer asynchronously while a render is synchronous and bounded, so a render that needs one stops with
// a Pending signal; renderAsync asks the service, keeps the answer and renders again, until every
// answer is known. Only the answers ever enter the template: never the service itself.
import { Fault } from './errors.js';

export type ServiceRequest =
  | { kind: 'read'; uri: string }
  | { kind: 'size'; uri: string }
  | { kind: 'namespaceFile'; namespace: string; path: string }
  | { kind: 'kv'; namespace: string; key: string };

export interface RenderServices {
  /** Files of internal storage; rejects for a file the render may not read (another execution's). */
  storage?: {
    /** The file's text (UTF-8); rejects when the file is larger than maxBytes. */
    read(uri: string, maxBytes: number): Promise<string>;
    size(uri: string): Promise<number>;
  };
  /** Files of a namespace (Kestra's namespace files), by path inside the namespace. */
  namespaceFiles?: { read(namespace: string, path: string, maxBytes: number): Promise<string> };
  /** The KV store: undefined for a key that does not exist. */
  kv?: { get(namespace: string, key: string): Promise<{ value: unknown } | undefined> };
}

/** Thrown (not an Error: no stack) by a function whose service has not answered yet. */
export class Pending {
  constructor(readonly request: ServiceRequest) {}
}

type Answer = { value: unknown } | { error: string };

/** The answers known to one renderAsync call, shared by the renders it repeats. */
export class Answers {
  private readonly known = new Map<string, Answer>();

  constructor(readonly services: RenderServices) {}

  get size(): number {
    return this.known.size;
  }

  lookup(request: ServiceRequest): unknown {
    const answer = this.known.get(JSON.stringify(request));
    if (answer === undefined) throw new Pending(request);
    if ('error' in answer) throw new Fault(answer.error);
    return answer.value;
  }

  async fetch(request: ServiceRequest, maxBytes: number): Promise<void> {
    let answer: Answer;
    try {
      answer = { value: await ask(this.services, request, maxBytes) };
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    this.known.set(JSON.stringify(request), answer);
  }
}

async function ask(services: RenderServices, request: ServiceRequest, maxBytes: number): Promise<unknown> {
  switch (request.kind) {
    case 'read':
      return need(services.storage, request).read(request.uri, maxBytes);
    case 'size':
      return need(services.storage, request).size(request.uri);
    case 'namespaceFile':
      return need(services.namespaceFiles, request).read(request.namespace, request.path, maxBytes);
    case 'kv':
      return need(services.kv, request).get(request.namespace, request.key);
  }
}

const WHAT: Record<ServiceRequest['kind'], [fn: string, service: string]> = {
  read: ['read', 'internal storage'],
  size: ['fileSize', 'internal storage'],
  namespaceFile: ['read', 'namespace files'],
  kv: ['kv', 'a KV store'],
};

function need<T>(service: T | undefined, request: ServiceRequest): T {
  if (service === undefined) throw new Error(unavailable(request));
  return service;
}

/** `function `kv` is not available here: this render has no KV store` */
export function unavailable(request: ServiceRequest): string {
  const [fn, service] = WHAT[request.kind];
  return `function \`${fn}\` is not available here: this render has no access to ${service}`;
}
