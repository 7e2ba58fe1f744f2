import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pino from 'pino';
import { ensureDemoConnection } from '../app/demo-connection.js';
import { flowFilesIn, loadFlowFiles } from '../app/flow-files.js';
import { decideAuth } from '../auth/policy.js';
import { anyCredentials } from '../auth/users.js';
import { Instance } from '../app/instance.js';
import { loadConfig } from '../config/config.js';
import { saveFlow } from '../db/flow-repository.js';
import { freeBytes, mebibytes, MIN_FREE_BYTES } from '../db/disk-space.js';
import { openDatabase } from '../db/open.js';
import { DEFAULT_RETENTION } from '../engine/retention.js';
import { formatFlowError } from '../flow/errors.js';
import { checkCipher, SecretCipher } from '../secrets/cipher.js';
import { createSecretStore } from '../secrets/secret-store.js';
import { buildServer } from '../server/app.js';
import { openStorage } from '../storage/backends.js';
import type { Mode, ServerFlags } from './server-command.js';
import { chooseLogFormat, createProcessLogger } from './log-output.js';
import { startWatchdog } from './watchdog.js';

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
  const logger = createProcessLogger(`sluice-${mode}`, chooseLogFormat(flags.logFormat));
  const auth = decideAuth(mode === 'local', config.host, config.authEnabled);
  if (mode !== 'local' && !config.databaseUrl) {
    throw new Error(`'server ${mode}' needs PostgreSQL: set SLUICE_DATABASE_URL (or use 'server local')`);
  }
  const embedded = mode === 'local';
  // on PostgreSQL the data directory only holds internal storage: too little space there is told,
  // not refused (the embedded database refuses to open, see openDatabase)
  const storageFree = freeBytes(config.dataDir);
  if (!embedded && storageFree < MIN_FREE_BYTES) {
    logger.warn(
      `only ${mebibytes(storageFree)} free in ${config.dataDir} (internal storage): tasks that write files will fail`,
    );
  }
  const db = await openDatabase({
    url: embedded ? undefined : config.databaseUrl,
    dataDir: path.join(config.dataDir, 'db'),
    minFreeBytes: MIN_FREE_BYTES,
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
        browser: {
          host: config.host,
          allowedHosts: config.allowedHosts,
          allowedOrigins: config.corsAllowedOrigins,
        },
        auth: { enabled: auth.enabled, failureLimits: config.authFailureLimits },
        syncRetry: config.syncRetry,
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

  // Stopping is bounded: the worker's grace period, then a margin for the rest. A request that
  // waits for an execution (wait=true, a follow) or a database that no longer answers must not keep
  // the process alive; a second signal ends it at once.
  const boundMs = (config.workerShutdownGraceMs ?? 30_000) + SHUTDOWN_MARGIN_MS;
  const stopWatchdog = embedded
    ? startWatchdog(
        Math.max(WATCHDOG_MIN_MS, 2 * (config.livenessTimeoutMs ?? 30_000)),
        path.join(config.dataDir, 'db'),
      )
    : undefined;
  let stopping = false;
  const shutdown = async (why: string, code: number) => {
    if (stopping) {
      logger.warn(`${why} while stopping: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${why}: stopping`);
    setTimeout(() => {
      logger.error(`stopping took longer than ${boundMs / 1000} s: exiting`);
      process.exit(1);
    }, boundMs).unref();
    try {
      // requests that wait for an execution to end (wait=true, follows) would hold the close up
      const cut = setTimeout(() => http?.server.closeAllConnections(), HTTP_DRAIN_MS);
      await http?.close();
      clearTimeout(cut);
      await instance.stop();
      await db.close();
    } catch (error) {
      logger.error({ err: error }, 'stopping failed');
      code = 1;
    }
    stopWatchdog?.();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  // the embedded database stopped for good (a fatal error on a full disk): nothing can go on
  db.onStopped((error) => void shutdown(`the database stopped (${error.message})`, 1));
}

/** How long requests still open when stopping may go on before their connections are closed. */
const HTTP_DRAIN_MS = 5_000;
/** What stopping may take beyond the worker's grace period (closing HTTP, the database). */
const SHUTDOWN_MARGIN_MS = 15_000;
/** The least silence of the event loop after which the watchdog ends the process. */
const WATCHDOG_MIN_MS = 60_000;

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
