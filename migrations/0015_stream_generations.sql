-- Airbyte's generations (its stream_generation table): each stream of a sync has a generation that
-- grows by one at every full refresh, refresh or clear of it, and the configured catalog carries it
-- so a destination knows which rows are older than what it must keep. Kept per sync (the state key:
-- an API connection's, or namespace/flow/task for a flow's sync task), beside its state.
CREATE TABLE stream_generations (
  key text NOT NULL,
  -- protocol/state.ts streamKey: [namespace, name] as JSON
  stream text NOT NULL,
  generation_id bigint NOT NULL,
  -- the job attempt that started it: a second bump for the same attempt changes nothing
  started_by text NOT NULL,
  updated timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key, stream)
);

-- The catalog a connection was last configured against (the source's streams and their schemas as
-- discovered then): the next discovery is compared with it to find schema changes, as Airbyte does.
ALTER TABLE connections ADD COLUMN catalog jsonb;
