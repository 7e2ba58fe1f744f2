import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ensureDemoConnection } from '../app/demo-connection.js';
import { flowFilesIn, loadFlowFiles } from '../app/flow-files.js';
import { decideAuth } from '../auth/policy.js';
import { anyCredentials } from '../auth/users.js';
import { Instance } from '../app/instance.js';
import { loadConfig } from '../config/config.js';
import { saveFlow } from '../db/flow-repository.js';
import { openDatabase } from '../db/open.js';
import { DEFAULT_RETENTION } from '../engine/retention.js';
import { formatFlowError } from '../flow/errors.js';
import { checkCipher, SecretCipher } from '../secrets/cipher.js';
import { createSecretStore } from '../secrets/secret-store.js';
import { buildServer } from '../server/app.js';
import { openStorage } from '../storage/backends.js';
import type { Mode, ServerFlags } from './server-command.js';

const NO_CREDENTIALS =
  "authentication is on and no user or token exists yet: create one with 'sluice user add NAME' (password on stdin) or 'sluice token create'";
const NO_CREDENTIALS_LOCAL =
  "'server local' on a non-loopback address needs authentication and no user or token exists yet: create one first with 'sluice user add NAME' (password on stdin) or 'sluice token create'";

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export async function runServer(mode: Mode, flags: ServerFlags): Promise<void> {
  const config = loadConfig({
    configFile: flags.config,
    host: flags.host,
    port: flags.port ? Number.parseInt(flags.port, 10) : undefined,
    threads: flags.threads ? Number.parseInt(flags.threads, 10) : undefined,
  });
  const logger = pino({ name: `sluice-${mode}` });
  const auth = decideAuth(mode === 'local', config.host, config.authEnabled);
  if (mode !== 'local' && !config.databaseUrl) {
    throw new Error(`'server ${mode}' needs PostgreSQL: set SLUICE_DATABASE_URL (or use 'server local')`);
  }
  const db = await openDatabase({
    url: mode === 'local' ? undefined : config.databaseUrl,
    dataDir: path.join(config.dataDir, 'db'),
  });
  const storage = await openStorage(config.storage, { db, dataDir: config.dataDir });
  const cipher = await SecretCipher.load(config.dataDir);
  await checkCipher(db, cipher);
  const all = mode === 'local' || mode === 'standalone';
  const serves = all || mode === 'webserver';
  if (serves && auth.enabled && !(await anyCredentials(db))) {
    // the embedded database is this process's alone: `sluice user add` can run only once it stops
    if (mode === 'local') {
      await db.close();
      throw new Error(NO_CREDENTIALS_LOCAL);
    }
    logger.warn(NO_CREDENTIALS);
  }
  const instance = await new Instance({
    db,
    storage,
    executor: all || mode === 'executor',
    worker: all || mode === 'worker',
    scheduler: all || mode === 'scheduler',
    workerThreads: config.workerThreads,
    syncInProcess: config.syncInProcess,
    executorConcurrency: config.executorConcurrency,
    workerShutdownGraceMs: config.workerShutdownGraceMs,
    workerGroup: flags.workerGroup,
    webserver: all || mode === 'webserver',
    liveness: { heartbeatMs: config.heartbeatMs, timeoutMs: config.livenessTimeoutMs },
    retention: {
      executionsMs: config.retentionExecutionsMs ?? DEFAULT_RETENTION.executionsMs,
      logsMs: config.retentionLogsMs ?? DEFAULT_RETENTION.logsMs,
    },
    // a fenced component's work already belongs to others: stop, and let the supervisor restart us
    onFenced: (reason) => {
      logger.error(`stopping: ${reason}`);
      process.exit(1);
    },
    logger,
    secrets: (q) => createSecretStore(q, cipher),
    cipher,
  }).start();

  if (mode === 'local') await loadDemoFlows(db, logger);

  const http = serves
    ? buildServer({
        db,
        cipher,
        storage,
        bodyLimit: config.bodyLimit,
        uploadLimit: config.uploadLimit,
        auth: { enabled: auth.enabled, failureLimits: config.authFailureLimits },
      })
    : undefined;
  if (http) {
    if (auth.warning) logger.warn(auth.warning);
    await http.listen({ host: config.host, port: config.port });
    logger.info(`Sluice ${mode} listening on http://${config.host}:${config.port}`);
    // after listening: the connectors' spec commands it runs must not hold up the first page
    if (mode === 'local') {
      ensureDemoConnection({ db, cipher }, config.dataDir).then(
        (id) => id && logger.info(`demo connection ${id} created: open Connections and press "Sync now"`),
        (error: unknown) =>
          logger.warn(`the demo connection could not be created: ${(error as Error).message}`),
      );
    }
  } else {
    logger.info(`Sluice ${mode} started`);
  }

  const shutdown = async (signal: string) => {
    logger.info(`${signal}: stopping`);
    await http?.close();
    await instance.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** A new user's first look: the example flows are deployed (a no-op when already there). */
async function loadDemoFlows(
  db: Awaited<ReturnType<typeof openDatabase>>,
  logger: pino.Logger,
): Promise<void> {
  const { flows, errors } = await loadFlowFiles(await flowFilesIn(EXAMPLES_DIR));
  for (const e of errors) logger.warn(`example flow: ${formatFlowError(e)}`);
  for (const f of flows) await saveFlow(db, f);
  logger.info(`${flows.length} example flows loaded`);
}
