-- 0001: reload history, runtime resources and health probes.
-- Times are fixed-width RFC 3339 UTC text with nanoseconds (see queries.go), so they sort
-- as strings and keep the full precision of time.Time.

CREATE TABLE reloads (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,
    "trigger" TEXT    NOT NULL,
    ok        INTEGER NOT NULL CHECK (ok IN (0, 1)),
    errors    TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    checksum  TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE runtime_resources (
    environment TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    body        BLOB,   -- NULL exactly when deleted
    updated_at  TEXT    NOT NULL,
    updated_by  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (environment, kind, name),
    CHECK ((deleted = 1) = (body IS NULL))
);

CREATE TABLE probes (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
