import { echoTask } from './core/echo.js';
import { failTask } from './core/fail.js';
import { forEachItemRunnables } from './core/for-each-item.js';
import { kvDeleteTask, kvGetKeysTask, kvGetTask, kvSetTask } from './core/kv.js';
import { labelsTask } from './core/labels.js';
import { logTask } from './core/log.js';
import { deleteFilesTask, downloadFilesTask, uploadFilesTask } from './core/namespace-files.js';
import { outputValuesTask } from './core/output-values.js';
import { returnTask } from './core/return.js';
import { sleepTask } from './core/sleep.js';
import { stateDeleteTask, stateGetTask, stateSetTask } from './core/state.js';
import { httpRunnables } from './http/index.js';
import { scriptRunnables } from './script/index.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { storageRunnables } from './storage/index.js';
import type { ConnectorResolver, SchemaWatch, SyncStateStore } from './sync/state-store.js';
import { createSyncTask } from './sync/sync-task.js';
import type { TaskPlatform } from './platform.js';
import { systemRunnables } from './system/index.js';
import { createTemplatedTask, TEMPLATED_TASK_TYPE } from './templating/templated-task.js';
import type { RunnableTask } from './types.js';

/** What some task types need from the platform, given where the worker is built. */
export interface TaskRuntimeDeps {
  syncStates: SyncStateStore;
  /** the platform's own history, for the tasks that read or purge it */
  platform: TaskPlatform;
  resolver?: ConnectorResolver;
  syncInProcess?: boolean;
  syncProgressIntervalMs?: number;
  /** encrypts the secret fields of configurations that connectors replace */
  cipher?: SecretCipher;
  /** compares the source's schema at the start of a connection's sync with the connection's */
  schemaWatch?: SchemaWatch;
}

/** Runnable task implementations by canonical type name (the flow loader has already turned aliases
 * and short names into these). */
export function createTaskRuntime(deps: TaskRuntimeDeps): (type: string) => RunnableTask | undefined {
  const runnable: Readonly<Record<string, RunnableTask>> = {
    'io.kestra.plugin.core.log.Log': logTask,
    'io.kestra.plugin.core.debug.Echo': echoTask,
    'io.kestra.plugin.core.debug.Return': returnTask,
    'io.kestra.plugin.core.output.OutputValues': outputValuesTask,
    'io.kestra.plugin.core.execution.Fail': failTask,
    'io.kestra.plugin.core.execution.Labels': labelsTask,
    'io.kestra.plugin.core.flow.Sleep': sleepTask,
    'io.sluice.sync.Sync': createSyncTask({
      states: deps.syncStates,
      resolver: deps.resolver,
      inProcess: deps.syncInProcess,
      progressIntervalMs: deps.syncProgressIntervalMs,
      cipher: deps.cipher,
      schemaWatch: deps.schemaWatch,
    }),
    'io.kestra.plugin.core.kv.Set': kvSetTask,
    'io.kestra.plugin.core.kv.Get': kvGetTask,
    'io.kestra.plugin.core.kv.Delete': kvDeleteTask,
    'io.kestra.plugin.core.kv.GetKeys': kvGetKeysTask,
    'io.kestra.plugin.core.state.Get': stateGetTask,
    'io.kestra.plugin.core.state.Set': stateSetTask,
    'io.kestra.plugin.core.state.Delete': stateDeleteTask,
    'io.kestra.plugin.core.namespace.UploadFiles': uploadFilesTask,
    'io.kestra.plugin.core.namespace.DownloadFiles': downloadFilesTask,
    'io.kestra.plugin.core.namespace.DeleteFiles': deleteFilesTask,
    ...scriptRunnables,
    ...storageRunnables,
    ...forEachItemRunnables,
    ...systemRunnables(deps.platform),
    [TEMPLATED_TASK_TYPE]: createTemplatedTask((type) => lookup(type)),
    ...httpRunnables,
  };
  const lookup = (type: string) => (Object.hasOwn(runnable, type) ? runnable[type] : undefined);
  return lookup;
}
