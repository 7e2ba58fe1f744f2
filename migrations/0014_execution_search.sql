-- The executions list at scale: every sort and filter the UI offers is served by an index, so that a
-- page answers from an index scan that stops at its LIMIT instead of sorting the whole table.

-- Labels as jsonb beside the json document: the document is json (text), so a label filter parsed
-- every row's whole document. Generated, so no writer (creation, the executor, a label change) can
-- let it drift from the document.
ALTER TABLE executions
  ADD COLUMN labels jsonb GENERATED ALWAYS AS (coalesce((doc -> 'labels')::jsonb, '[]'::jsonb)) STORED;
CREATE INDEX executions_labels ON executions USING gin (labels jsonb_path_ops);

-- flow id prefix search (ranges in the "C" collation, as for namespaces in 0006), newest first
CREATE INDEX executions_flow_id_created ON executions ((flow_id COLLATE "C"), created DESC);
-- a state filter over ended executions too (executions_state only holds those still running)
CREATE INDEX executions_state_created ON executions (state, created DESC);
-- sorting by end date; a btree scans both ways, so one index serves ascending and descending
CREATE INDEX executions_ended ON executions (ended);
