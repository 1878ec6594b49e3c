-- 0004: events, annotations, the delivery outbox and its dead letters.
-- Times are the fixed-width UTC text of 0001 (text order is time order); durations are
-- INTEGER nanoseconds; string lists and maps are JSON text.
-- Events take a heavy insert load, so they have no index on time alone: pruning walks the
-- environments (skip-scan on the leading column) and uses (environment, time) in each.

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a stable cursor
    id          TEXT NOT NULL,
    environment TEXT NOT NULL,
    source      TEXT NOT NULL,
    detail_type TEXT NOT NULL,
    time        TEXT NOT NULL,                     -- the event's time
    ingested    TEXT NOT NULL,
    body        BLOB,                              -- the envelope as compact JSON
    rules       TEXT NOT NULL DEFAULT '[]'         -- JSON array of rule names
);

CREATE UNIQUE INDEX events_by_id ON events (environment, id);
CREATE INDEX events_by_time ON events (environment, time, seq);

CREATE TABLE annotations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    time        TEXT NOT NULL,
    text        TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '{}', -- JSON object
    dimensions  TEXT NOT NULL DEFAULT '{}', -- JSON object; {} = global
    event_id    TEXT NOT NULL DEFAULT '',
    rule        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX annotations_by_time ON annotations (environment, time);

-- Pending deliveries: a row leaves on success (deleted) or failure (to dead_letters).
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: dead letters keep it
    environment  TEXT    NOT NULL,
    rule         TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    payload      BLOB,
    destination  BLOB,             -- may hold secrets
    attempts     INTEGER NOT NULL,
    first_at     TEXT    NOT NULL,
    next_at      TEXT    NOT NULL,
    last_error   TEXT    NOT NULL,
    max_attempts INTEGER NOT NULL,
    max_age      INTEGER NOT NULL  -- nanoseconds
);

CREATE INDEX deliveries_due ON deliveries (next_at);

CREATE TABLE dead_letters (
    id                  INTEGER PRIMARY KEY, -- the id the delivery had
    environment         TEXT    NOT NULL,
    rule                TEXT    NOT NULL,
    target              TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    event_id            TEXT    NOT NULL,
    payload             BLOB,
    destination         BLOB,
    attempts            INTEGER NOT NULL,
    first_at            TEXT    NOT NULL,
    next_at             TEXT    NOT NULL,
    last_error          TEXT    NOT NULL,
    max_attempts        INTEGER NOT NULL,
    max_age             INTEGER NOT NULL,
    error_code          TEXT    NOT NULL,
    error_message       TEXT    NOT NULL,
    exhausted_condition TEXT    NOT NULL,
    dead_at             TEXT    NOT NULL
);

CREATE INDEX dead_letters_by_age ON dead_letters (environment, dead_at);
