-- 0002: metric series, statistic buckets and the metric store's checkpoint.

CREATE TABLE metric_series (
    id          INTEGER PRIMARY KEY,
    key         BLOB    NOT NULL UNIQUE, -- metric.SeriesKey canonical form (NUL-separated)
    resolution  INTEGER NOT NULL CHECK (resolution IN (1, 60)),
    first_seen  INTEGER NOT NULL         -- Unix seconds
);

-- One row per series, resolution and slot; data is a metric.Bucket binary encoding.
CREATE TABLE metric_buckets (
    series_id INTEGER NOT NULL,
    res       INTEGER NOT NULL,
    start     INTEGER NOT NULL, -- Unix seconds, a multiple of res
    data      BLOB    NOT NULL,
    PRIMARY KEY (series_id, res, start)
) WITHOUT ROWID;

CREATE INDEX metric_buckets_age ON metric_buckets (res, start);

CREATE TABLE metric_checkpoint (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    through_segment INTEGER NOT NULL
);
