-- 0003: alarm instance states and alarm history.

CREATE TABLE alarm_states (
    environment   TEXT NOT NULL,
    alarm         TEXT NOT NULL,
    instance      TEXT NOT NULL, -- '' for a plain alarm
    state         TEXT NOT NULL CHECK (state IN ('OK', 'ALARM', 'INSUFFICIENT_DATA')),
    reason        TEXT NOT NULL,
    reason_data   BLOB,
    updated_at    TEXT NOT NULL,
    transition_at TEXT NOT NULL,
    extra         BLOB,
    PRIMARY KEY (environment, alarm, instance)
);

CREATE TABLE alarm_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    alarm       TEXT NOT NULL,
    instance    TEXT NOT NULL,
    at          TEXT NOT NULL,
    type        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    data        BLOB
);

CREATE INDEX alarm_history_by_alarm ON alarm_history (environment, alarm, at);
CREATE INDEX alarm_history_by_age ON alarm_history (at);
