// The data movement task (DESIGN.md, "Sync task"): two Airbyte-protocol connectors and the streams
// to copy between them.
import { z } from 'zod';
import { looseMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

const connector = () =>
  z
    .strictObject({
      connector: text().optional(),
      command: z.array(text()).min(1).optional(),
      config: looseMap().optional(),
    })
    .refine((side) => (side.connector === undefined) !== (side.command === undefined), {
      error: "expected exactly one of 'connector' or 'command'",
    });

const stream = () =>
  z.strictObject({
    name: text(),
    namespace: text().optional(),
    syncMode: z
      .enum([
        'full_refresh_overwrite',
        'full_refresh_append',
        'incremental_append',
        'incremental_deduped_history',
      ])
      .optional(),
    cursorField: z.array(text()).optional(),
    primaryKey: z.array(z.array(text())).optional(),
  });

export const syncTasks = [
  runnable({
    type: 'io.sluice.sync.Sync',
    shortName: 'sync',
    description:
      'Copies records from a source connector to a destination connector, with checkpointed state.',
    properties: z.strictObject({
      source: connector(),
      destination: connector(),
      streams: z.array(stream()).optional(),
      // Airbyte's connection settings for where the destination writes; default: its own namespace
      namespaceDefinition: z.enum(['source', 'destination', 'customformat']).optional(),
      namespaceFormat: text().optional(),
      prefix: text().optional(),
    }),
  }),
];
