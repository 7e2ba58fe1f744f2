-- Airbyte-style resources. A source or destination is a connector with its configuration (the fields
-- its spec marks airbyte_secret encrypted in place) and the connectionSpecification it was checked
-- against, which says which fields those are without asking the connector again; a connection pairs
-- them and runs as a generated flow, so its jobs are that flow's executions.
CREATE TABLE connector_definitions (
  name text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('source', 'destination')),
  command jsonb NOT NULL,
  created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE actors (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('source', 'destination')),
  name text NOT NULL,
  connector text NOT NULL,
  configuration jsonb NOT NULL,
  spec jsonb NOT NULL,
  catalog jsonb,
  catalog_updated timestamptz,
  created timestamptz NOT NULL DEFAULT now(),
  updated timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX actors_kind_created ON actors (kind, created);

CREATE TABLE connections (
  id text PRIMARY KEY,
  name text NOT NULL,
  source_id text NOT NULL REFERENCES actors (id),
  destination_id text NOT NULL REFERENCES actors (id),
  settings jsonb NOT NULL,
  created timestamptz NOT NULL DEFAULT now(),
  updated timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_source ON connections (source_id);
CREATE INDEX connections_destination ON connections (destination_id);
