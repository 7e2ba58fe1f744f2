-- Flows: every revision is kept; the newest non-deleted revision is the live one.
CREATE TABLE flows (
  namespace   text        NOT NULL,
  id          text        NOT NULL,
  revision    integer     NOT NULL,
  source      text        NOT NULL,
  flow        jsonb       NOT NULL,
  deleted     boolean     NOT NULL DEFAULT false,
  updated     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, id, revision)
);

-- Executions: the document (Kestra's shape) plus the columns searches filter on. Documents are
-- `json`, not `jsonb`: they are written on every step and read whole, never queried inside, and
-- json keeps their field order and skips the binary conversion on each write.
CREATE TABLE executions (
  id             text        PRIMARY KEY,
  namespace      text        NOT NULL,
  flow_id        text        NOT NULL,
  flow_revision  integer     NOT NULL,
  state          text        NOT NULL,
  parent_id      text,
  doc            json        NOT NULL,
  created        timestamptz NOT NULL DEFAULT now(),
  updated        timestamptz NOT NULL DEFAULT now(),
  ended          timestamptz
);
CREATE INDEX executions_flow_created ON executions (namespace, flow_id, created DESC);
CREATE INDEX executions_created ON executions (created DESC);
CREATE INDEX executions_state ON executions (state) WHERE ended IS NULL;

-- The queue (Kestra's JDBC design): one row a message, a consumer role per row, claimed with
-- FOR UPDATE SKIP LOCKED and deleted in the transaction that processes it.
CREATE TABLE queue (
  id            bigserial   PRIMARY KEY,
  consumer      text        NOT NULL,
  key           text,
  worker_group  text,
  payload       json        NOT NULL,
  available_at  timestamptz NOT NULL DEFAULT now(),
  created       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_claim ON queue (consumer, available_at, id);
CREATE INDEX queue_key ON queue (key) WHERE key IS NOT NULL;

-- A job a worker has claimed and not yet finished: what liveness re-emits when the worker dies.
CREATE TABLE worker_job_running (
  task_run_id   text        NOT NULL,
  attempt       integer     NOT NULL,
  execution_id  text        NOT NULL,
  worker_id     text        NOT NULL,
  job           json        NOT NULL,
  started       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task_run_id, attempt)
);
CREATE INDEX worker_job_running_worker ON worker_job_running (worker_id);

-- Task-run logs.
CREATE TABLE logs (
  id            bigserial   PRIMARY KEY,
  execution_id  text        NOT NULL,
  namespace     text        NOT NULL,
  flow_id       text        NOT NULL,
  task_id       text,
  task_run_id   text,
  attempt       integer,
  level         text        NOT NULL,
  message       text        NOT NULL,
  ts            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX logs_execution ON logs (execution_id, id);

-- Components that are alive (heartbeats) and trigger state kept by the scheduler.
CREATE TABLE service_instances (
  id          text        PRIMARY KEY,
  role        text        NOT NULL,
  hostname    text        NOT NULL,
  pid         integer     NOT NULL,
  started     timestamptz NOT NULL DEFAULT now(),
  heartbeat   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE triggers (
  namespace   text        NOT NULL,
  flow_id     text        NOT NULL,
  trigger_id  text        NOT NULL,
  next_date   timestamptz,
  last_date   timestamptz,
  disabled    boolean     NOT NULL DEFAULT false,
  state       jsonb       NOT NULL DEFAULT '{}',
  PRIMARY KEY (namespace, flow_id, trigger_id)
);

-- The secret store behind secret(): values are encrypted by the application, never stored clear.
CREATE TABLE secrets (
  namespace   text        NOT NULL,
  key         text        NOT NULL,
  value       text        NOT NULL,
  updated     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, key)
);
