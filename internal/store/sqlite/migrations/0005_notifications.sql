-- 0005: the notifier: notices held for grouping, the notification outbox and its delivery
-- log, group send times, incidents with their timelines, and silences.
-- Times are the fixed-width UTC text of 0001 (text order is time order; the zero time,
-- '0001-01-01T00:00:00.000000000Z', stands for "none" and sorts first); durations are
-- INTEGER nanoseconds; string lists are JSON text; JSON documents are BLOBs.
-- The outbox is the hot table (one insert and one or two updates per notification), so
-- its time indexes are partial: a row leaves notify_outbox_due once it stops being
-- pending, and only finished rows are in notify_outbox_finished.

-- Notices waiting for their group to be sent: deleted when the group is flushed.
CREATE TABLE notify_held (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    environment  TEXT NOT NULL,
    topic        TEXT NOT NULL,
    subscription TEXT NOT NULL,
    channel      TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    item         BLOB             -- the notification as notify's JSON
);

CREATE INDEX notify_held_due ON notify_held (due_at);

-- One notification through one subscription. Rows stay once finished (sent, dead,
-- dropped) as the delivery log, until pruned.
CREATE TABLE notify_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a stable cursor
    key          TEXT    NOT NULL,                  -- idempotency key
    environment  TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    subscription TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    incident_id  INTEGER NOT NULL DEFAULT 0,        -- 0 when not about an incident
    message      BLOB,                              -- notify.Message as JSON
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'muted', 'sent', 'dead', 'dropped')),
    muted_by     TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    next_at      TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    error_code   TEXT    NOT NULL DEFAULT '',
    finished_at  TEXT    NOT NULL                   -- the zero time while pending or muted
);

CREATE UNIQUE INDEX notify_outbox_by_key ON notify_outbox (key);
CREATE INDEX notify_outbox_due ON notify_outbox (next_at) WHERE state = 'pending';
CREATE INDEX notify_outbox_by_env ON notify_outbox (environment, id);
CREATE INDEX notify_outbox_by_incident ON notify_outbox (incident_id);
CREATE INDEX notify_outbox_muted ON notify_outbox (id) WHERE state = 'muted';
CREATE INDEX notify_outbox_finished ON notify_outbox (finished_at) WHERE state IN ('sent', 'dead', 'dropped');

-- The delivery log: one row per attempt to send an outbox message, deleted with it.
CREATE TABLE notify_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id   INTEGER NOT NULL,
    environment TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,  -- 1 for the first
    at          TEXT    NOT NULL,
    duration    INTEGER NOT NULL,  -- nanoseconds
    outcome     TEXT    NOT NULL,  -- sent, retry, dead
    error_code  TEXT    NOT NULL,
    error       TEXT    NOT NULL
);

CREATE INDEX notify_attempts_by_outbox ON notify_attempts (outbox_id);
CREATE INDEX notify_attempts_by_env ON notify_attempts (environment, id);

-- When each group last went out (group_interval).
CREATE TABLE notify_groups (
    environment  TEXT NOT NULL,
    topic        TEXT NOT NULL,
    subscription TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    last_sent    TEXT NOT NULL,
    PRIMARY KEY (environment, topic, subscription, group_key)
);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    environment     TEXT    NOT NULL,
    key             TEXT    NOT NULL, -- alarm instance name, or "event:RULE:ID"
    policy          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    opened_at       TEXT    NOT NULL,
    acked_at        TEXT    NOT NULL,
    acked_by        TEXT    NOT NULL DEFAULT '',
    resolved_at     TEXT    NOT NULL,
    resolved_by     TEXT    NOT NULL DEFAULT '',
    step            INTEGER NOT NULL DEFAULT 0,
    cycle           INTEGER NOT NULL DEFAULT 0,
    next_at         TEXT    NOT NULL,
    ack_deadline    TEXT    NOT NULL,
    auto_resolve_at TEXT    NOT NULL,
    notified        TEXT    NOT NULL DEFAULT '[]', -- JSON array of topics
    message         BLOB,                          -- notify.Message as JSON
    updated_at      TEXT    NOT NULL
);

-- At most one open or acknowledged incident per key.
CREATE UNIQUE INDEX incidents_active ON incidents (environment, key) WHERE state IN ('open', 'acknowledged');
CREATE INDEX incidents_by_env ON incidents (environment, id);

CREATE TABLE incident_timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    data        BLOB                -- optional JSON
);

CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, at, id);

CREATE TABLE silences (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    matchers    BLOB,             -- notify's matcher JSON
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE INDEX silences_by_end ON silences (environment, ends_at);
