import type { Database } from '../db/database.js';
import {
  countExecutionsPerFlow,
  deleteEndedExecutions,
  deleteLogs,
  selectExecutionLogs,
} from '../db/task-queries.js';
import { executionStoragePrefix, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { TaskPlatform } from '../tasks/platform.js';
import { resumeExecution } from './executions.js';

/** The platform as the worker's tasks see it, over the database and storage of this instance. */
export function createTaskPlatform(db: Database, storage: Storage): TaskPlatform {
  return {
    executionLogs: (query) => selectExecutionLogs(db, query),
    countExecutions: (query) => countExecutionsPerFlow(db, query),
    async resumeExecution(executionId, inputs) {
      const found = await resumeExecution(db, executionId, inputs);
      if (!found) throw new Error(`No execution found for execution id ${executionId}`);
    },
    async purgeExecutions(filter) {
      const { executions, logsCount } = await deleteEndedExecutions(db, filter, {
        executions: filter.purgeExecution,
        logs: filter.purgeLog,
      });
      let storagesCount = 0;
      if (filter.purgeStorage) {
        for (const e of executions) {
          storagesCount += await storage.deletePrefix(
            uriOfPath(executionStoragePrefix(e.namespace, e.flowId, e.id)),
          );
        }
      }
      return { executionsCount: filter.purgeExecution ? executions.length : 0, logsCount, storagesCount };
    },
    purgeLogs: (filter) => deleteLogs(db, filter),
  };
}
