import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { isDuration, parseDuration } from '../flow/duration.js';

const ms = (d: string | undefined) => (d === undefined ? undefined : parseDuration(d));

// One typed configuration object, from (lowest to highest precedence) defaults, a YAML file given
// with --config, the environment, and command-line flags.

const duration = z.string().refine(isDuration, { message: 'expected an ISO-8601 duration such as PT30S' });

const FileConfig = z
  .object({
    database: z.object({ url: z.string().optional() }).strict().optional(),
    dataDir: z.string().optional(),
    server: z.object({ host: z.string().optional(), port: z.number().int().optional() }).strict().optional(),
    worker: z
      .object({ threads: z.number().int().positive().optional(), shutdownGrace: duration.optional() })
      .strict()
      .optional(),
    liveness: z.object({ heartbeat: duration.optional(), timeout: duration.optional() }).strict().optional(),
    retention: z.object({ executions: duration.optional(), logs: duration.optional() }).strict().optional(),
    executor: z.object({ concurrency: z.number().int().positive().optional() }).strict().optional(),
  })
  .strict();

export interface SluiceConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  workerThreads: number;
  workerShutdownGraceMs?: number;
  executorConcurrency?: number;
  heartbeatMs?: number;
  livenessTimeoutMs?: number;
  retentionExecutionsMs?: number;
  retentionLogsMs?: number;
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
    heartbeatMs: ms(file.liveness?.heartbeat),
    livenessTimeoutMs: ms(file.liveness?.timeout),
    retentionExecutionsMs: ms(file.retention?.executions),
    retentionLogsMs: ms(file.retention?.logs),
    executorConcurrency: file.executor?.concurrency,
  };
}
