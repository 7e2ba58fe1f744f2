import type { RunnableTask } from '../types.js';
import { concatTask } from './concat.js';
import { deduplicateItemsTask } from './deduplicate-items.js';
import { deleteTask } from './delete.js';
import { filterItemsTask } from './filter-items.js';
import { localFilesTask } from './local-files.js';
import { purgeExecutionFilesTask } from './purge-execution-files.js';
import { reverseTask } from './reverse.js';
import { sizeTask } from './size.js';
import { splitTask } from './split.js';

const PACKAGE = 'io.kestra.plugin.core.storage';

/** The storage task types by Kestra type name, for the worker's registry. */
export const storageRunnables: Readonly<Record<string, RunnableTask>> = {
  [`${PACKAGE}.Concat`]: concatTask,
  [`${PACKAGE}.DeduplicateItems`]: deduplicateItemsTask,
  [`${PACKAGE}.Delete`]: deleteTask,
  [`${PACKAGE}.FilterItems`]: filterItemsTask,
  [`${PACKAGE}.LocalFiles`]: localFilesTask,
  [`${PACKAGE}.PurgeCurrentExecutionFiles`]: purgeExecutionFilesTask,
  [`${PACKAGE}.Reverse`]: reverseTask,
  [`${PACKAGE}.Size`]: sizeTask,
  [`${PACKAGE}.Split`]: splitTask,
};
