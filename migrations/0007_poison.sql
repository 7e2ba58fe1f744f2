-- How many times the executor failed to process an execution for a reason of its own (the database
-- refused what it wrote, an error while deciding its next step). Counted in the row, so that a
-- restart does not reset the bound after which the execution is failed (docs/engine.md).
ALTER TABLE executions ADD COLUMN IF NOT EXISTS processing_failures integer NOT NULL DEFAULT 0;

-- Documents written before NUL and lone surrogates were replaced on write (docs/flows.md): a `json`
-- column stores their `\u0000` and `\udXXX` escapes, but every operator that reads inside such a
-- document fails, so one of them made every label search answer 500. The escapes are replaced in
-- the text as they are now on write; an odd run of backslashes before the `u` is what makes one an
-- escape (an even run is escaped backslashes followed by the letters).
UPDATE executions
   SET doc = regexp_replace(
               regexp_replace(doc::text, '(?<!\\)((?:\\\\)*)\\u0000', '\1\\u2400', 'g'),
               '(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}', '\1\\ufffd', 'gi')::json
 WHERE doc::text ~* '\\u(0000|d[89a-f])';
