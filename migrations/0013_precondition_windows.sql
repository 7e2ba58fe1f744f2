-- The time windows of Flow triggers' preconditions (and MultipleConditions): which named conditions
-- executions have met since the window opened. In the database rather than in a scheduler's memory,
-- so that replicas and restarts share them (docs/flows.md, Conditions).
CREATE TABLE IF NOT EXISTS precondition_windows (
  namespace text NOT NULL,
  flow_id text NOT NULL,
  trigger_id text NOT NULL,
  condition_id text NOT NULL,
  start_date timestamptz NOT NULL,
  end_date timestamptz NOT NULL,
  met jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (namespace, flow_id, trigger_id, condition_id)
);
CREATE INDEX IF NOT EXISTS precondition_windows_end ON precondition_windows (end_date);
