import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, taskRunStoragePath } from '../../src/storage/local-storage.js';
import type { LogLevel, RunContext, TaskLogger } from '../../src/tasks/types.js';

export interface LogLine {
  level: LogLevel;
  message: string;
}

export interface TestRunContextOptions {
  variables?: Record<string, unknown>;
  namespace?: string;
  flowId?: string;
  taskId?: string;
}

export interface TestRunContext {
  ctx: RunContext;
  storage: LocalStorage;
  /** every line logged through ctx.logger, in order */
  logs: LogLine[];
  /** aborts ctx.signal, as a kill or a timeout would */
  abort(reason?: string): void;
  /** the temp directory holding the storage root and the working directories */
  baseDir: string;
  cleanup(): Promise<void>;
}

/** A real RunContext over a real LocalStorage in a temp dir. Templates are not rendered: the task code
 * under test only needs render() to hand plain data back. */
export async function createTestRunContext(options: TestRunContextOptions = {}): Promise<TestRunContext> {
  const baseDir = await mkdtemp(join(tmpdir(), 'sluice-test-'));
  const storage = new LocalStorage(join(baseDir, 'storage'));
  const logs: LogLine[] = [];
  const controller = new AbortController();
  const execution = {
    id: randomUUID(),
    namespace: options.namespace ?? 'company.team',
    flowId: options.flowId ?? 'test-flow',
  };
  const taskRun = { id: randomUUID(), taskId: options.taskId ?? 'task', attempt: 0 };

  const log = (level: LogLevel, message: string): void => {
    logs.push({ level, message });
  };
  const logger: TaskLogger = {
    log,
    trace: (m) => log('TRACE', m),
    debug: (m) => log('DEBUG', m),
    info: (m) => log('INFO', m),
    warn: (m) => log('WARN', m),
    error: (m) => log('ERROR', m),
  };

  const ctx: RunContext = {
    render: async (value) => value,
    renderString: async (template) => template,
    variables: options.variables ?? {},
    logger,
    signal: controller.signal,
    storage,
    // the execution scope is the engine's rule (tested in test/integration/engine); here any stored file
    readFile: (uri) => storage.get(uri),
    putFile: (name, content) =>
      storage.put(
        taskRunStoragePath(
          execution.namespace,
          execution.flowId,
          execution.id,
          taskRun.taskId,
          taskRun.id,
          name,
        ),
        content,
      ),
    workingDirectory: () => mkdtemp(join(baseDir, 'work-')),
    taskRun,
    execution,
  };

  return {
    ctx,
    storage,
    logs,
    abort: (reason = 'aborted by the test') => controller.abort(new Error(reason)),
    baseDir,
    cleanup: () => rm(baseDir, { recursive: true, force: true }),
  };
}
