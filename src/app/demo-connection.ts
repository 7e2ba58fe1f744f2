// What `sluice server local` shows a new user besides the example flows: a connection from the faker
// source to JSONL files under the data directory, ready for "sync now". Made once per data directory
// (a marker file says so): a user who deletes it is not given it back at the next start.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createActor, createConnection, type ResourceDeps } from './connections.js';

export const DEMO_CONNECTION_NAME = 'Demo: faker → JSONL files';

/** Creates the demo connection unless this data directory has had one; answers its id when made. */
export async function ensureDemoConnection(deps: ResourceDeps, dataDir: string): Promise<string | undefined> {
  const marker = path.join(dataDir, 'demo-connection');
  if (existsSync(marker)) return undefined;
  const source = await createActor(deps, 'source', {
    name: 'Demo faker',
    configuration: { sourceType: 'faker', count: 1000, seed: 42 },
  });
  const destination = await createActor(deps, 'destination', {
    name: 'Demo files',
    configuration: {
      destinationType: 'file',
      destination_path: path.join(dataDir, 'demo-output'),
      format: { format_type: 'JSONL' },
    },
  });
  const connection = await createConnection(deps, {
    name: DEMO_CONNECTION_NAME,
    sourceId: source.sourceId as string,
    destinationId: destination.destinationId as string,
    configurations: {
      streams: ['users', 'products', 'purchases'].map((name) => ({
        name,
        syncMode: 'full_refresh_overwrite',
      })),
    },
    schedule: { scheduleType: 'manual' },
  });
  await writeFile(marker, `${String(connection.connectionId)}\n`);
  return connection.connectionId as string;
}
