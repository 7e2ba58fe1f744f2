// Tasks over what belongs to a namespace: the KV store, the older state tasks kept in it, and files.
import { z } from 'zod';
import { boolOrExpression, expecting, listOr, looseMap, text } from '../../flow/schemas.js';
import { KV_TYPES } from '../../namespaces/kv-values.js';
import { runnable } from './define.js';

const namespace = () => text().optional().describe('Defaults to the flow’s namespace');
const kvType = () =>
  z.union([z.enum(KV_TYPES), z.string().regex(/\{\{/)], expecting(`one of ${KV_TYPES.join(', ')}`));

/** The state tasks' common properties (Kestra's AbstractState). */
const state = {
  name: text().optional().describe('The state’s name; default `default`'),
  namespace: boolOrExpression().optional().describe('true: shared by every flow of the namespace'),
  taskrunValue: boolOrExpression().optional().describe('false: one state for every loop iteration'),
};

const globs = () => listOr(z.array(text()).min(1), text());

export const namespaceTasks = [
  runnable({
    type: 'io.kestra.plugin.core.kv.Set',
    shortName: 'kv-set',
    description: 'Stores a typed value under a key of the namespace’s KV store, with an optional TTL.',
    properties: z.strictObject({
      key: text(),
      value: z.unknown(),
      namespace: namespace(),
      overwrite: boolOrExpression().optional(),
      ttl: text().optional().describe('ISO-8601 duration after which the key expires'),
      kvType: kvType().optional(),
      description: text().optional(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.kv.Get',
    shortName: 'kv-get',
    description: 'Reads a key of the KV store into the output `value`.',
    properties: z.strictObject({
      key: text(),
      namespace: namespace(),
      errorOnMissing: boolOrExpression().optional(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.kv.Delete',
    shortName: 'kv-delete',
    description: 'Deletes a key of the KV store; the output `deleted` says whether it existed.',
    properties: z.strictObject({
      key: text(),
      namespace: namespace(),
      errorOnMissing: boolOrExpression().optional(),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.kv.GetKeys',
    shortName: 'kv-get-keys',
    description: 'Lists the keys of the KV store (those starting with `prefix`) into the output `keys`.',
    properties: z.strictObject({ prefix: text().optional(), namespace: namespace() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.state.Get',
    olderNames: ['io.kestra.core.tasks.states.Get'],
    shortName: 'state-get',
    description: 'Reads a named state (a map) into the outputs `data` and `count`.',
    properties: z.strictObject({ ...state, errorOnMissing: boolOrExpression().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.state.Set',
    olderNames: ['io.kestra.core.tasks.states.Set'],
    shortName: 'state-set',
    description: 'Merges `data` into a named state; outputs `count` and the `key` it is kept under.',
    properties: z.strictObject({ ...state, data: looseMap().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.state.Delete',
    olderNames: ['io.kestra.core.tasks.states.Delete'],
    shortName: 'state-delete',
    description: 'Deletes a named state; the output `deleted` says whether it existed.',
    properties: z.strictObject({ ...state, errorOnMissing: boolOrExpression().optional() }),
  }),

  runnable({
    type: 'io.kestra.plugin.core.namespace.UploadFiles',
    shortName: 'namespace-upload-files',
    description:
      'Stores files of the execution as namespace files: `filesMap` maps a namespace path to a file URI.',
    properties: z.strictObject({
      namespace: namespace(),
      filesMap: z.union([looseMap(), z.string()], expecting('a map of path → URI')).optional(),
      files: globs().optional(),
      destination: text().optional(),
      conflict: text().optional().describe('OVERWRITE (default), ERROR or SKIP'),
    }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.namespace.DownloadFiles',
    shortName: 'namespace-download-files',
    description: 'Copies the namespace files matching `files` (globs) into output files of the task run.',
    properties: z.strictObject({ namespace: namespace(), files: globs(), destination: text().optional() }),
  }),
  runnable({
    type: 'io.kestra.plugin.core.namespace.DeleteFiles',
    shortName: 'namespace-delete-files',
    description: 'Deletes the namespace files matching `files` (globs).',
    properties: z.strictObject({ namespace: namespace(), files: globs() }),
  }),
];
