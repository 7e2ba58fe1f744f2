import type { Database } from '../db/database.js';
import { getFlow } from '../db/flow-repository.js';
import { putTriggerDisabled } from '../db/trigger-repository.js';
import { isScheduled } from '../engine/schedule.js';
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
    async toggleTrigger(key, enabled) {
      const flow = await getFlow(db, key.namespace, key.flowId);
      if (!flow) throw new Error(`Unable to find flow ${key.namespace}.${key.flowId}`);
      const trigger = flow.triggers.find((t) => t.id === key.triggerId);
      if (!trigger) {
        throw new Error(
          `Unable to find trigger ${key.triggerId} for the flow ${key.namespace}.${key.flowId}`,
        );
      }
      // Flow and Webhook triggers have no state of their own here: their flow's `disabled` decides
      if (!isScheduled(trigger)) {
        throw new Error(
          `trigger ${key.triggerId} is a ${trigger.type}: only Schedule and ScheduleOnDates triggers can be toggled; set 'disabled' in the flow instead`,
        );
      }
      await putTriggerDisabled(db, key, !enabled);
    },
  };
}
