-- People log in with a name and a password (HTTP basic); only an scrypt hash is kept, its salt and
-- parameters inside it.
CREATE TABLE users (
  name           text        PRIMARY KEY,
  password_hash  text        NOT NULL,
  created        timestamptz NOT NULL DEFAULT now(),
  updated        timestamptz NOT NULL DEFAULT now()
);

-- Programs send a bearer token; only its SHA-256 is kept, the clear token is shown once.
CREATE TABLE api_tokens (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  token_hash  text        NOT NULL UNIQUE,
  created     timestamptz NOT NULL DEFAULT now(),
  last_used   timestamptz,
  expires     timestamptz
);
