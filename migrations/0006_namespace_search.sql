-- A namespace filter matches the namespace and its children (`a` matches `a` and `a.b`), written as
-- two ranges in the "C" collation so that this index serves it; LIKE 'a.%' under the database's
-- collation could use no index, and the capped count of a search read the whole table.
CREATE INDEX executions_namespace_created ON executions ((namespace COLLATE "C"), created DESC);
