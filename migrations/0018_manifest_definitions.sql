-- A connector definition may be an Airbyte declarative manifest, run by the built-in
-- source-declarative-manifest with the manifest given to it (NULL for a command definition).
ALTER TABLE connector_definitions ADD COLUMN manifest jsonb;
