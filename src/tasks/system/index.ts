import type { TaskPlatform } from '../platform.js';
import type { RunnableTask } from '../types.js';
import { createCountTask } from './count.js';
import { createFetchTask } from './fetch.js';
import { createPurgeExecutionsTask } from './purge-executions.js';
import { createPurgeLogsTask } from './purge-logs.js';
import { createResumeTask } from './resume.js';
import { createToggleTask } from './toggle.js';

/** The tasks that read or act on the platform's own executions and logs, by Kestra type name. */
export function systemRunnables(platform: TaskPlatform): Readonly<Record<string, RunnableTask>> {
  return {
    'io.kestra.plugin.core.log.Fetch': createFetchTask(platform),
    'io.kestra.plugin.core.log.PurgeLogs': createPurgeLogsTask(platform),
    'io.kestra.plugin.core.execution.Count': createCountTask(platform),
    'io.kestra.plugin.core.execution.PurgeExecutions': createPurgeExecutionsTask(platform),
    'io.kestra.plugin.core.execution.Resume': createResumeTask(platform),
    'io.kestra.plugin.core.trigger.Toggle': createToggleTask(platform),
  };
}
