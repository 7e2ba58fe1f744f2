// Sync state for `flow run`, whose engine and database last one run: each connection's state is kept
// as a JSON file under SLUICE_DATA_DIR, so that the next run of the same flow resumes where the last
// one committed, as it would on a server.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { streamKey, withoutStreams } from '../protocol/state.js';
import type { StoredSync, SyncStateStore } from '../tasks/sync/state-store.js';

/** What the file holds beside the state: each stream's generation and the attempt that started it. */
type Generations = Record<string, { generation: number; startedBy: string }>;
type StoredFile = StoredSync & { generations?: Generations };

export function fileSyncStateStore(dir: string): SyncStateStore {
  const fileOf = (key: string) =>
    path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  const load = async (key: string): Promise<StoredFile> => {
    try {
      const stored = JSON.parse(await readFile(fileOf(key), 'utf8')) as StoredFile;
      return {
        state: stored.state ?? undefined,
        configs: stored.configs ?? {},
        generations: stored.generations ?? {},
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { configs: {} };
      throw error;
    }
  };
  const save = async (key: string, stored: StoredFile): Promise<void> => {
    await mkdir(dir, { recursive: true });
    // written aside and renamed: a run killed mid-write leaves the previous state whole
    const tmp = `${fileOf(key)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, ...stored }));
    await rename(tmp, fileOf(key));
  };
  return {
    async load(key) {
      const { generations: _, ...stored } = await load(key);
      return stored;
    },
    async saveState(key, state) {
      await save(key, { ...(await load(key)), state });
    },
    async saveConfig(key, side, config) {
      const stored = await load(key);
      await save(key, { ...stored, configs: { ...stored.configs, [side]: config } });
    },
    async generations(key) {
      const { generations = {} } = await load(key);
      return new Map(Object.entries(generations).map(([stream, g]) => [stream, g.generation]));
    },
    async bumpGenerations(key, streams, startedBy) {
      const stored = await load(key);
      const generations = { ...stored.generations };
      for (const stream of new Set(streams.map(streamKey))) {
        const current = generations[stream];
        if (current?.startedBy === startedBy) continue;
        generations[stream] = { generation: (current?.generation ?? 0) + 1, startedBy };
      }
      await save(key, { ...stored, generations });
    },
    async resetState(key, streams) {
      const stored = await load(key);
      if (stored.state === undefined) return;
      await save(key, {
        ...stored,
        state: streams === undefined ? undefined : withoutStreams(stored.state, streams),
      });
    },
  };
}
