-- Internal storage in the database (storage.type: postgres): one row per stored version of a file,
-- its content in chunks of about 1 MiB, so that neither a write nor a read nor a deletion ever holds
-- a whole file in memory or in one transaction.
--
-- A version is 'writing' while its chunks arrive, invisible to readers; it becomes 'ready' in one short
-- transaction once complete, which turns the previous ready version of the path (if any) 'deleting'.
-- 'deleting' versions lose their chunks in small batches, then their row. A crash leaves 'writing' or
-- 'deleting' rows behind, which the cron's sweep finishes (storage/postgres-storage.ts).
CREATE TABLE storage_files (
  id bigserial PRIMARY KEY,
  -- "C": a prefix is a range of this index, compared byte by byte whatever the database's collation
  path text COLLATE "C" NOT NULL,
  state text NOT NULL CHECK (state IN ('writing', 'ready', 'deleting')),
  -- known once the version is complete
  size bigint,
  -- every chunk but the last has exactly this size, so a byte offset names its chunk
  chunk_size integer NOT NULL CHECK (chunk_size > 0),
  created timestamptz NOT NULL DEFAULT now(),
  -- a writer touches it with every chunk: a 'writing' row left untouched long enough is abandoned
  updated timestamptz NOT NULL DEFAULT now()
);

-- one visible version per path, any number of hidden ones
CREATE UNIQUE INDEX storage_files_ready_path ON storage_files (path) WHERE state = 'ready';
CREATE INDEX storage_files_leftovers ON storage_files (updated) WHERE state <> 'ready';

CREATE TABLE storage_chunks (
  file_id bigint NOT NULL REFERENCES storage_files (id),
  chunk_index integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (file_id, chunk_index)
);

-- Out of line and uncompressed: task files are often compressed already, and pglz would cost more
-- CPU on every write than it saves.
ALTER TABLE storage_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
