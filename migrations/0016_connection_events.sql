-- A connection's timeline (Airbyte's connection events): what happened to it and when, each with a
-- summary of its own shape. A job's events are unique per job and type, so that an observer that
-- sees the same notice twice (a retry after a crash, two replicas) records it once.
CREATE TABLE IF NOT EXISTS connection_events (
  id text PRIMARY KEY,
  connection_id text NOT NULL,
  event_type text NOT NULL,
  job_id text,
  summary jsonb NOT NULL DEFAULT '{}',
  created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS connection_events_timeline ON connection_events (connection_id, created DESC, id);
CREATE UNIQUE INDEX IF NOT EXISTS connection_events_job ON connection_events (job_id, event_type)
  WHERE job_id IS NOT NULL;

-- Where notifications go: the installation's settings (scope 'installation'), a connection's
-- ('connection:<id>') and a flow's ('flow:<namespace>/<id>'). Webhook URLs inside are encrypted.
CREATE TABLE IF NOT EXISTS notification_settings (
  scope text PRIMARY KEY,
  settings jsonb NOT NULL,
  updated timestamptz NOT NULL DEFAULT now()
);
