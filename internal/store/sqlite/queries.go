package sqlite

import (
	"fmt"
	"time"
)

// The SQL of this backend, kept in one place so that a PostgreSQL backend can mirror it
// statement by statement (placeholders become $n, ok/deleted become boolean, times become
// timestamptz, text ordering needs COLLATE "C" to match SQLite's bytewise BINARY order).

const (
	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`
	qAppliedMigrations = `SELECT version FROM schema_migrations ORDER BY version`
	qMigrationApplied  = `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`
	qRecordMigration   = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`

	qInsertReload = `INSERT INTO reloads (at, "trigger", ok, errors, checksum)
VALUES (?, ?, ?, ?, ?) RETURNING id`
	// Newest means most recently recorded: ids only grow (AUTOINCREMENT never reuses one).
	qListReloads = `SELECT id, at, "trigger", ok, errors, checksum
FROM reloads ORDER BY id DESC LIMIT ?`

	qPutRuntime = `INSERT INTO runtime_resources
	(environment, kind, name, deleted, body, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (environment, kind, name) DO UPDATE SET
	deleted = excluded.deleted,
	body = excluded.body,
	updated_at = excluded.updated_at,
	updated_by = excluded.updated_by`
	qRemoveRuntime = `DELETE FROM runtime_resources WHERE environment = ? AND kind = ? AND name = ?`
	qListRuntime   = `SELECT environment, kind, name, deleted, body, updated_at, updated_by
FROM runtime_resources WHERE environment = ? ORDER BY kind, name`

	qWriteProbe = `INSERT INTO probes (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	qReadProbe = `SELECT value FROM probes WHERE key = ?`

	qJournalMode = `PRAGMA journal_mode`

	qLoadSeries     = `SELECT id, key, resolution, first_seen FROM metric_series ORDER BY id`
	qInsertSeries   = `INSERT INTO metric_series (id, key, resolution, first_seen) VALUES (?, ?, ?, ?)`
	qLastCheckpoint = `SELECT through_segment FROM metric_checkpoint WHERE id = 1`
	qSaveCheckpoint = `INSERT INTO metric_checkpoint (id, through_segment) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET through_segment = excluded.through_segment`
	qUpsertBucket = `INSERT INTO metric_buckets (series_id, res, start, data) VALUES (?, ?, ?, ?)
ON CONFLICT (series_id, res, start) DO UPDATE SET data = excluded.data`
	qReadBucket   = `SELECT data FROM metric_buckets WHERE series_id = ? AND res = ? AND start = ?`
	qDeleteBucket = `DELETE FROM metric_buckets WHERE series_id = ? AND res = ? AND start = ?`
	qLoadBuckets  = `SELECT series_id, res, start, data FROM metric_buckets WHERE res = ? AND start >= ?`
	qReadBuckets  = `SELECT series_id, res, start, data FROM metric_buckets
WHERE series_id = ? AND res = ? AND start >= ? AND start < ? ORDER BY start`
	qOldBuckets = `SELECT series_id, res, start, data FROM metric_buckets
WHERE res = ? AND start < ? ORDER BY series_id, start LIMIT ?`

	qLoadAlarmStates = `SELECT environment, alarm, instance, state, reason, reason_data, updated_at, transition_at, extra
FROM alarm_states WHERE environment = ?`
	qUpsertAlarmState = `INSERT INTO alarm_states
	(environment, alarm, instance, state, reason, reason_data, updated_at, transition_at, extra)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (environment, alarm, instance) DO UPDATE SET
	state = excluded.state, reason = excluded.reason, reason_data = excluded.reason_data,
	updated_at = excluded.updated_at, transition_at = excluded.transition_at, extra = excluded.extra`
	qDeleteAlarmState = `DELETE FROM alarm_states WHERE environment = ? AND alarm = ? AND instance = ?`
	qInsertHistory    = `INSERT INTO alarm_history (environment, alarm, instance, at, type, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qListHistory      = `SELECT id, environment, alarm, instance, at, type, summary, data FROM alarm_history`
	qPruneHistory     = `DELETE FROM alarm_history WHERE at < ?`
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction: every stored time has the same
// width, so text order is time order, and the zero time.Time survives a round trip.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime encodes t as UTC text.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime decodes a time written by formatTime and returns it in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}
