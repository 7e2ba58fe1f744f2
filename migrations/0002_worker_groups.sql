-- Workers may serve a worker group: jobs of tasks with `workerGroup.key` go only to them.
ALTER TABLE service_instances ADD COLUMN worker_group text;
CREATE INDEX queue_claim_group ON queue (consumer, worker_group, available_at, id);
