// Storage tasks: files of the internal storage cut, joined, filtered, measured and deleted.
import { z } from 'zod';
import { boolOrExpression, expecting, intOrExpression, listOr, looseMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

const storage = (name: string, shortName: string, description: string, properties: z.ZodType) =>
  runnable({
    type: `io.kestra.plugin.core.storage.${name}`,
    olderNames: [`io.kestra.core.tasks.storages.${name}`],
    shortName,
    description,
    properties,
  });

const uriList = () => listOr(z.array(text()).min(1), text());

export const storageTasks = [
  storage(
    'Concat',
    'concat',
    'Joins files one after the other (with `separator` after each) into one file.',
    z.strictObject({ files: uriList(), separator: text().optional(), extension: text().optional() }),
  ),
  storage(
    'DeduplicateItems',
    'deduplicate-items',
    'Keeps the last item of each key that `expr` renders to, from an Ion file.',
    z.strictObject({ from: text(), expr: text() }),
  ),
  storage(
    'Delete',
    'delete-file',
    'Deletes a file of this execution.',
    z.strictObject({ uri: text(), errorOnMissing: boolOrExpression().optional() }),
  ),
  storage(
    'FilterItems',
    'filter-items',
    'Keeps or drops the items of an Ion file for which `filterCondition` is true.',
    z.strictObject({
      from: text(),
      filterCondition: text(),
      filterType: z.enum(['INCLUDE', 'EXCLUDE']).optional(),
      errorOrNullBehavior: z.enum(['FAIL', 'INCLUDE', 'EXCLUDE']).optional(),
    }),
  ),
  storage(
    'LocalFiles',
    'local-files',
    'Writes `inputs` into a working directory and stores the files matching `outputs`.',
    z.strictObject({
      inputs: z.union([looseMap(), z.string()], expecting('a map of files')).optional(),
      outputs: z.array(text()).optional(),
    }),
  ),
  runnable({
    type: 'io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles',
    olderNames: [
      'io.kestra.core.tasks.storages.PurgeExecution',
      'io.kestra.plugin.core.storage.PurgeExecution',
    ],
    shortName: 'purge-execution-files',
    description: 'Deletes every stored file of this execution.',
    properties: z.strictObject({}),
  }),
  storage(
    'Reverse',
    'reverse-file',
    'Writes the lines of a file in reverse order.',
    z.strictObject({ from: text(), separator: text().optional(), charset: text().optional() }),
  ),
  storage('Size', 'file-size', 'The size of a stored file in bytes.', z.strictObject({ uri: text() })),
  storage(
    'Split',
    'split-file',
    'Cuts a file at line ends into several, by `bytes`, `rows` or `partitions`.',
    z
      .strictObject({
        from: text(),
        bytes: text().optional(),
        rows: intOrExpression(1).optional(),
        partitions: intOrExpression(1).optional(),
        separator: text().optional(),
      })
      .refine(
        (p) => p.bytes !== undefined || p.rows !== undefined || p.partitions !== undefined,
        'one of bytes, rows and partitions is required (bytes wins over partitions, partitions over rows)',
      ),
  ),
];
