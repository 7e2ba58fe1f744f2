-- The executions list at scale: every sort and filter the UI offers is served by an index, so that a
-- page answers from an index scan that stops at its LIMIT instead of sorting the whole table.

-- Labels as jsonb beside the json document: the document is json (text), so a label filter parsed
-- every row's whole document. Generated, so no writer (creation, the executor, a label change) can
-- let it drift from the document.
ALTER TABLE executions
  ADD COLUMN labels jsonb GENERATED ALWAYS AS (coalesce((doc -> 'labels')::jsonb, '[]'::jsonb)) STORED,
  -- what the text search looks in: namespace.flowId, the execution id and the label values, lower case
  ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    namespace || '.' || flow_id || ' ' || id || ' ' ||
    coalesce(jsonb_path_query_array((doc -> 'labels')::jsonb, '$[*].value')::text, ''))) STORED;
CREATE INDEX executions_labels ON executions USING gin (labels jsonb_path_ops);
-- a text search reads this narrow index only (newest first, with the id for the page), never the
-- documents: 100,000 executions are about 7 MB of it against about 100 MB of table
CREATE INDEX executions_search ON executions (created DESC) INCLUDE (id, search_text);
-- a state filter over ended executions too (executions_state only holds those still running)
CREATE INDEX executions_state_created ON executions (state, created DESC);
-- sorting by end date and by duration; a btree scans both ways, so one index serves both directions
CREATE INDEX executions_ended ON executions (ended);
CREATE INDEX executions_duration ON executions ((ended - created));
