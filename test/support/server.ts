import type { AddressInfo } from 'node:net';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { RetryDef } from '../../src/flow/model.js';
import { buildServer } from '../../src/server/app.js';
import type { AuthOptions } from '../../src/server/auth.js';
import type { BrowserPolicy } from '../../src/server/browser-guard.js';
import type { TestDialect } from './databases.js';
import { startTestEngine, TEST_CIPHER, type TestEngine, type TestEngineOptions } from './engine.js';

export interface TestServer {
  engine: TestEngine;
  app: FastifyInstance;
  /** http://127.0.0.1:port when listening (streaming routes need a real socket), else '' */
  base: string;
  /** every route the server registered, one entry per method */
  routes: Array<{ method: HTTPMethods; url: string }>;
  stop(): Promise<void>;
}

/** The HTTP API over a running test engine; `listen` opens a real port for clients like fetch. */
export async function startTestServer(
  dialect: TestDialect,
  options: {
    listen?: boolean;
    auth?: AuthOptions;
    browser?: BrowserPolicy;
    engine?: TestEngineOptions;
    syncRetry?: Partial<RetryDef>;
  } = {},
): Promise<TestServer> {
  const engine = await startTestEngine(dialect, options.engine);
  const app = buildServer({
    db: engine.db,
    storage: engine.storage,
    auth: options.auth,
    browser: options.browser,
    cipher: TEST_CIPHER,
    syncRetry: options.syncRetry,
  });
  const routes: TestServer['routes'] = [];
  // the routes are declared when the server gets ready, after this hook is in place
  app.addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) routes.push({ method: m, url });
  });
  let base = '';
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } else {
    await app.ready();
  }
  return {
    engine,
    app,
    base,
    routes,
    async stop() {
      await app.close();
      await engine.stop();
    },
  };
}

export interface JsonAnswer {
  status: number;
  /** the answer's JSON, {} when it had no body */
  body: Record<string, unknown>;
  text: string;
}

/** One request to the API in process, its JSON body parsed. */
export async function injectJson(
  server: TestServer,
  method: string,
  url: string,
  payload?: unknown,
): Promise<JsonAnswer> {
  const res = await server.app.inject({ method: method as HTTPMethods, url, payload: payload as object });
  return {
    status: res.statusCode,
    text: res.body,
    body: JSON.parse(res.body || '{}') as Record<string, unknown>,
  };
}
