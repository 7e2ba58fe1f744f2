-- The dashboard's aggregates read these narrow indexes alone (index-only scans), never the documents:
-- over 100,000 executions a seq scan and sort of the table cost hundreds of milliseconds.
-- executions by state over time: a count per state within each time bucket's range of `created`
CREATE INDEX executions_created_state ON executions (created) INCLUDE (namespace, state);
-- durations by flow: read in flow order, so that each flow's percentiles sort only its own rows
CREATE INDEX executions_flow_ended ON executions (namespace, flow_id, created) INCLUDE (ended);
