// The data movement task (DESIGN.md, "Sync task"): two Airbyte-protocol connectors and the streams
// to copy between them.
import { z } from 'zod';
import { looseMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

const MANIFEST_CONNECTORS = ['declarative-manifest', 'source-declarative-manifest'];

/** A side names its connector one way: a connector name, a command, or a stored source/destination
 * (whose configuration comes with it, so it takes no `config`). A declarative-manifest source takes
 * its Airbyte manifest: a path relative to the flow file, or the manifest inline as a map. */
const connector = (stored: 'sourceId' | 'destinationId') =>
  z
    .strictObject({
      connector: text().optional(),
      command: z.array(text()).min(1).optional(),
      [stored]: text().optional(),
      config: looseMap().optional(),
      manifest: z.union([text(), looseMap()]).optional(),
    })
    .refine((side) => side.manifest === undefined || MANIFEST_CONNECTORS.includes(String(side.connector)), {
      error: `'manifest' goes with connector: declarative-manifest`,
    })
    .refine(
      (side) =>
        [side.connector, side.command, side[stored]].filter((named) => named !== undefined).length === 1,
      { error: `expected exactly one of 'connector', 'command' or '${stored}'` },
    )
    .refine((side) => side[stored] === undefined || side.config === undefined, {
      error: `a stored ${stored.replace('Id', '')} brings its own config`,
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
      source: connector('sourceId'),
      destination: connector('destinationId'),
      streams: z.array(stream()).optional(),
      // Airbyte's connection settings for where the destination writes; default: its own namespace
      namespaceDefinition: z.enum(['source', 'destination', 'custom_format']).optional(),
      namespaceFormat: text().optional(),
      prefix: text().optional(),
      // what the API's jobs ask for; a flow's own syncs leave it out (a rendered `{{ inputs.… }}` is
      // checked when the task runs)
      jobType: text().optional(),
      // a refresh's or clear's streams (a list, or its JSON text; none = all) and a refresh's type
      jobStreams: z
        .union([text(), z.array(z.strictObject({ name: z.string(), namespace: z.string().optional() }))])
        .optional(),
      refreshType: text().optional(),
    }),
  }),
];
