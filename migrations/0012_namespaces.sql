-- What belongs to a namespace rather than to a flow: Kestra's KV store and namespace files.

-- One typed value per key (docs/namespaces.md). `value` holds the JSON form of the value: DATETIME,
-- DATE and DURATION as their ISO-8601 text, so that `type` alone says how to read it back.
CREATE TABLE kv (
  namespace text NOT NULL,
  key text NOT NULL,
  type text NOT NULL CHECK (type IN ('STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON')),
  value jsonb NOT NULL,
  description text,
  created timestamptz NOT NULL DEFAULT now(),
  updated timestamptz NOT NULL DEFAULT now(),
  -- null: the key never expires
  expires timestamptz,
  PRIMARY KEY (namespace, key)
);

-- the cron purges expired keys oldest first
CREATE INDEX kv_expires ON kv (expires) WHERE expires IS NOT NULL;

-- The tree of a namespace's files: one row per file and per directory, the files' content in internal
-- storage under `<namespace as a/b>/_files/<path>`, so that any storage backend holds them. A file is
-- stored before its row is written and its row deleted before its content: a reader never finds a row
-- without content; a crash at worst leaves content without a row, which the next upload replaces.
CREATE TABLE namespace_files (
  namespace text NOT NULL,
  -- '/a/b.txt'; "C": a directory's content is a range of this index, whatever the collation
  path text COLLATE "C" NOT NULL,
  type text NOT NULL CHECK (type IN ('File', 'Directory')),
  size bigint NOT NULL DEFAULT 0,
  created timestamptz NOT NULL DEFAULT now(),
  updated timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, path)
);
