import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import type { AuthOptions } from '../../src/server/auth.js';
import type { TestDialect } from './databases.js';
import { startTestEngine, TEST_CIPHER, type TestEngine } from './engine.js';

export interface TestServer {
  engine: TestEngine;
  app: FastifyInstance;
  /** http://127.0.0.1:port when listening (streaming routes need a real socket), else '' */
  base: string;
  stop(): Promise<void>;
}

/** The HTTP API over a running test engine; `listen` opens a real port for clients like fetch. */
export async function startTestServer(
  dialect: TestDialect,
  options: { listen?: boolean; auth?: AuthOptions } = {},
): Promise<TestServer> {
  const engine = await startTestEngine(dialect);
  const app = buildServer({
    db: engine.db,
    storage: engine.storage,
    auth: options.auth,
    cipher: TEST_CIPHER,
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
    async stop() {
      await app.close();
      await engine.stop();
    },
  };
}
