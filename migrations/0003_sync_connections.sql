-- What a sync keeps between runs, per connection (namespace/flow/task, or an API connection id):
-- the next read's --state input, built only from states the destination acknowledged, and the
-- configurations connectors replaced with CONTROL messages. A row changes in one statement per
-- acknowledged checkpoint, so the state and the counts committed with it never disagree.
CREATE TABLE sync_connections (
  key text PRIMARY KEY,
  -- json, not jsonb: the state is the connector's own document, kept byte for byte (jsonb would refuse \u0000)
  state json,
  -- {source?: {basedOn, config}, destination?: {basedOn, config}}: basedOn is a digest of the
  -- configuration the task was given, so editing the flow's config wins over an older CONTROL update
  configs jsonb NOT NULL DEFAULT '{}',
  last_task_run text,
  records_committed bigint NOT NULL DEFAULT 0,
  bytes_committed bigint NOT NULL DEFAULT 0,
  streams jsonb NOT NULL DEFAULT '{}',
  -- every run's committed counts added up, for /metrics
  records_total bigint NOT NULL DEFAULT 0,
  bytes_total bigint NOT NULL DEFAULT 0,
  updated timestamptz NOT NULL DEFAULT now()
);
