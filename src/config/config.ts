import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_FAILURE_LIMITS, type FailureLimits } from '../auth/failure-limiter.js';
import { isDuration, parseDuration } from '../flow/duration.js';
import type { RetryDef } from '../flow/model.js';
import { StorageSection, type StorageSettings } from '../storage/settings.js';
import { syncRetryFromEnv } from './sync-retry-env.js';

const ms = (d: string | undefined) => (d === undefined ? undefined : parseDuration(d));

// One typed configuration object, from (lowest to highest precedence) defaults, a YAML file given
// with --config, the environment, and command-line flags.

const bytes = z.number().int().positive();
const duration = z.string().refine(isDuration, { message: 'expected an ISO-8601 duration such as PT30S' });
const origin = z
  .string()
  .refine(
    (o) =>
      URL.canParse(o) && /^https?:$/.test(new URL(o).protocol) && new URL(o).origin === o.replace(/\/$/, ''),
    { message: 'expected an origin such as https://dashboard.example.com (scheme, name and port only)' },
  );

const FileConfig = z
  .object({
    database: z.object({ url: z.string().optional() }).strict().optional(),
    dataDir: z.string().optional(),
    server: z
      .object({
        host: z.string().optional(),
        port: z.number().int().optional(),
        bodyLimit: bytes.optional(),
        uploadLimit: bytes.optional(),
        allowedHosts: z.array(z.string().min(1)).optional(),
        cors: z
          .object({ allowedOrigins: z.array(origin).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    auth: z
      .object({
        enabled: z.boolean().optional(),
        maxFailures: z.number().int().positive().optional(),
        failureWindow: duration.optional(),
      })
      .strict()
      .optional(),
    worker: z
      .object({
        threads: z.number().int().positive().optional(),
        shutdownGrace: duration.optional(),
        syncInProcess: z.boolean().optional(),
      })
      .strict()
      .optional(),
    liveness: z.object({ heartbeat: duration.optional(), timeout: duration.optional() }).strict().optional(),
    retention: z.object({ executions: duration.optional(), logs: duration.optional() }).strict().optional(),
    executor: z.object({ concurrency: z.number().int().positive().optional() }).strict().optional(),
    storage: StorageSection.optional(),
  })
  .strict();

export interface SluiceConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  workerThreads: number;
  workerShutdownGraceMs?: number;
  /** a sync of two built-in connectors runs them in the worker's process (default true) */
  syncInProcess?: boolean;
  executorConcurrency?: number;
  heartbeatMs?: number;
  livenessTimeoutMs?: number;
  retentionExecutionsMs?: number;
  retentionLogsMs?: number;
  /** largest JSON or YAML request body, in bytes */
  bodyLimit: number;
  /** largest file upload (multipart), in bytes */
  uploadLimit: number;
  /** names besides the bound address and localhost that clients reach the server by (docs/security.md) */
  allowedHosts: string[];
  /** origins besides the server's own whose pages may call the API (CORS) */
  corsAllowedOrigins: string[];
  /** absent: the server mode decides (see docs/security.md) */
  authEnabled?: boolean;
  authFailureLimits: FailureLimits;
  /** internal storage; see docs/storage.md */
  storage: StorageSettings;
  /** limits on a connection's sync attempts (Airbyte's SYNC_JOB_RETRIES_* settings) */
  syncRetry: Partial<RetryDef>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_UPLOAD_LIMIT = 100 * 1024 * 1024;

/** SLUICE_SYNC_IN_PROCESS=false runs built-in connectors as processes too, as outside ones run. */
export function syncInProcessFromEnv(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  return booleanEnv(env, 'SLUICE_SYNC_IN_PROCESS');
}

function booleanEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${name} must be true or false, not '${value}'`);
}

/** The storage section: each SLUICE_STORAGE_* variable over the file's value. */
function storageSettings(file: StorageSettings = {}, env: NodeJS.ProcessEnv): StorageSettings {
  const type = env.SLUICE_STORAGE_TYPE || file.type;
  const s3 = {
    ...file.s3,
    ...definedOnly({
      bucket: env.SLUICE_STORAGE_S3_BUCKET,
      region: env.SLUICE_STORAGE_S3_REGION,
      endpoint: env.SLUICE_STORAGE_S3_ENDPOINT,
      prefix: env.SLUICE_STORAGE_S3_PREFIX,
      forcePathStyle: booleanEnv(env, 'SLUICE_STORAGE_S3_FORCE_PATH_STYLE'),
    }),
  };
  const merged = StorageSection.safeParse({
    type,
    local: { basePath: env.SLUICE_STORAGE_LOCAL_BASE_PATH || file.local?.basePath },
    s3,
  });
  if (!merged.success) {
    const issues = merged.error.issues.map((i) => `storage.${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid storage configuration: ${issues.join('; ')}`);
  }
  return merged.data;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>;
}

export interface ConfigOverrides {
  configFile?: string;
  host?: string;
  port?: number;
  threads?: number;
}

export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): SluiceConfig {
  let file: z.infer<typeof FileConfig> = {};
  if (overrides.configFile) {
    const parsed = FileConfig.safeParse(parse(readFileSync(overrides.configFile, 'utf8')) ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new Error(`invalid configuration in ${overrides.configFile}: ${issues.join('; ')}`);
    }
    file = parsed.data;
  }
  return {
    databaseUrl: env.SLUICE_DATABASE_URL || file.database?.url,
    dataDir: path.resolve(env.SLUICE_DATA_DIR || file.dataDir || '.sluice'),
    host: overrides.host ?? file.server?.host ?? '127.0.0.1',
    port: overrides.port ?? file.server?.port ?? 8080,
    workerThreads: overrides.threads ?? file.worker?.threads ?? 16,
    workerShutdownGraceMs: ms(file.worker?.shutdownGrace),
    syncInProcess: syncInProcessFromEnv(env) ?? file.worker?.syncInProcess,
    heartbeatMs: ms(file.liveness?.heartbeat),
    livenessTimeoutMs: ms(file.liveness?.timeout),
    retentionExecutionsMs: ms(file.retention?.executions),
    retentionLogsMs: ms(file.retention?.logs),
    executorConcurrency: file.executor?.concurrency,
    bodyLimit: file.server?.bodyLimit ?? DEFAULT_BODY_LIMIT,
    uploadLimit: file.server?.uploadLimit ?? DEFAULT_UPLOAD_LIMIT,
    allowedHosts: file.server?.allowedHosts ?? [],
    corsAllowedOrigins: (file.server?.cors?.allowedOrigins ?? []).map((o) => new URL(o).origin),
    authEnabled: booleanEnv(env, 'SLUICE_AUTH_ENABLED') ?? file.auth?.enabled,
    authFailureLimits: {
      maxFailures: file.auth?.maxFailures ?? DEFAULT_FAILURE_LIMITS.maxFailures,
      windowMs: ms(file.auth?.failureWindow) ?? DEFAULT_FAILURE_LIMITS.windowMs,
    },
    storage: storageSettings(file.storage, env),
    syncRetry: syncRetryFromEnv(env),
  };
}
