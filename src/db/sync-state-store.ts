import type { ConnectorSide, ReplacedConfig, StoredSync, SyncStateStore } from '../tasks/sync/state-store.js';
import { streamKey, withoutStreams } from '../protocol/state.js';
import type { Database } from './database.js';

export function createSyncStateStore(db: Database): SyncStateStore {
  return {
    async load(key) {
      const { rows } = await db.query<{
        state: unknown;
        configs: StoredSync['configs'];
        last_task_run: string | null;
      }>('SELECT state, configs, last_task_run FROM sync_connections WHERE key = $1', [key]);
      const row = rows[0];
      return {
        state: row?.state ?? undefined,
        lastTaskRun: row?.last_task_run ?? undefined,
        configs: row?.configs ?? {},
      };
    },
    async saveState(key, state, progress) {
      await db.query(
        `INSERT INTO sync_connections (key, state, last_task_run, records_committed, bytes_committed, streams,
                                       records_total, bytes_total)
         VALUES ($1, $2::json, $3, $4, $5, $6::jsonb, $4, $5)
         ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, last_task_run = EXCLUDED.last_task_run,
           -- a run's counts grow with each of its checkpoints: the totals take the difference
           records_total = sync_connections.records_total + EXCLUDED.records_committed - CASE
             WHEN sync_connections.last_task_run = EXCLUDED.last_task_run THEN sync_connections.records_committed ELSE 0 END,
           bytes_total = sync_connections.bytes_total + EXCLUDED.bytes_committed - CASE
             WHEN sync_connections.last_task_run = EXCLUDED.last_task_run THEN sync_connections.bytes_committed ELSE 0 END,
           records_committed = EXCLUDED.records_committed, bytes_committed = EXCLUDED.bytes_committed,
           streams = EXCLUDED.streams, updated = now()`,
        [
          key,
          JSON.stringify(state ?? null),
          progress.taskRunId,
          progress.recordsCommitted,
          progress.bytesCommitted,
          JSON.stringify(progress.streams),
        ],
      );
    },
    async resetState(key, streams) {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ state: unknown }>(
          'SELECT state FROM sync_connections WHERE key = $1 FOR UPDATE',
          [key],
        );
        if (rows.length === 0) return;
        const state = streams === undefined ? undefined : withoutStreams(rows[0].state, streams);
        await tx.query('UPDATE sync_connections SET state = $2::json, updated = now() WHERE key = $1', [
          key,
          state === undefined ? null : JSON.stringify(state),
        ]);
      });
    },
    async generations(key) {
      const { rows } = await db.query<{ stream: string; generation_id: string }>(
        'SELECT stream, generation_id FROM stream_generations WHERE key = $1',
        [key],
      );
      return new Map(rows.map((r) => [r.stream, Number(r.generation_id)]));
    },
    async bumpGenerations(key, streams, startedBy) {
      if (streams.length === 0) return;
      await db.query(
        `INSERT INTO stream_generations (key, stream, generation_id, started_by)
         SELECT $1, stream, 1, $3 FROM unnest($2::text[]) AS stream
         ON CONFLICT (key, stream) DO UPDATE
           SET generation_id = stream_generations.generation_id + 1, started_by = EXCLUDED.started_by,
               updated = now()
           WHERE stream_generations.started_by <> EXCLUDED.started_by`,
        [key, [...new Set(streams.map(streamKey))], startedBy],
      );
    },
    async saveConfig(key: string, side: ConnectorSide, config: ReplacedConfig) {
      await db.query(
        `INSERT INTO sync_connections (key, configs) VALUES ($1, jsonb_build_object($2::text, $3::jsonb))
         ON CONFLICT (key) DO UPDATE
           SET configs = sync_connections.configs || jsonb_build_object($2::text, $3::jsonb), updated = now()`,
        [key, side, JSON.stringify(config)],
      );
    },
  };
}
