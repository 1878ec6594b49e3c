package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Notifications = (*DB)(nil)

// The SQL of the notifier: held notices, the outbox, its delivery log and group send
// times. Queries on the outbox name states as literals so that SQLite can use the partial
// indexes of 0005 (it cannot for a bound parameter).
const (
	heldColumns = `id, environment, topic, subscription, channel, group_key, subject, due_at, created_at, item`
	qInsertHeld = `INSERT INTO notify_held (environment, topic, subscription, channel, group_key, subject, due_at, created_at, item)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qDueHeld = `SELECT ` + heldColumns + ` FROM notify_held WHERE due_at <= ?
ORDER BY environment, topic, subscription, group_key, id LIMIT ?`
	qNextHeldAt = `SELECT MIN(due_at) FROM notify_held`
	qDeleteHeld = `DELETE FROM notify_held WHERE id = ?`

	qUpsertGroup = `INSERT INTO notify_groups (environment, topic, subscription, group_key, last_sent) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (environment, topic, subscription, group_key) DO UPDATE SET last_sent = excluded.last_sent`
	qGroupLastSent = `SELECT last_sent FROM notify_groups WHERE environment = ? AND topic = ? AND subscription = ? AND group_key = ?`

	outboxColumns = `id, key, environment, topic, subscription, channel, subject, incident_id, message, state, muted_by,
created_at, next_at, attempts, last_error, error_code, finished_at`
	qInsertOutbox = `INSERT INTO notify_outbox (key, environment, topic, subscription, channel, subject, incident_id, message, state,
muted_by, created_at, next_at, attempts, last_error, error_code, finished_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qSelectOutbox = `SELECT ` + outboxColumns + ` FROM notify_outbox`
	qGetOutbox    = qSelectOutbox + ` WHERE id = ? AND environment = ?`
	qDueOutbox    = qSelectOutbox + ` WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`
	qNextOutboxAt = `SELECT MIN(next_at) FROM notify_outbox WHERE state = 'pending'`
	qMutedOutbox  = qSelectOutbox + ` WHERE state = 'muted' ORDER BY id LIMIT ?`
	qOutboxDepth  = `SELECT COUNT(*), MIN(created_at) FROM notify_outbox WHERE state = 'pending'`
	// The message's environment comes back for the attempt's row.
	qAttemptOutbox = `UPDATE notify_outbox SET state = ?, attempts = ?, next_at = ?, last_error = ?, error_code = ?, finished_at = ?
WHERE id = ? RETURNING environment`
	qReplayOutbox = `UPDATE notify_outbox SET state = 'pending', attempts = 0, next_at = ?, last_error = '', error_code = '', finished_at = ?
WHERE id = ? AND environment = ? AND state = 'dead'`
	qReleaseMuted = `UPDATE notify_outbox SET state = 'pending', next_at = ? WHERE id = ? AND state = 'muted'`
	qDropMuted    = `UPDATE notify_outbox SET state = 'dropped', finished_at = ? WHERE id = ? AND state = 'muted'`

	attemptColumns = `id, outbox_id, environment, attempt, at, duration, outcome, error_code, error`
	qInsertAttempt = `INSERT INTO notify_attempts (outbox_id, environment, attempt, at, duration, outcome, error_code, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qSelectAttempts = `SELECT ` + attemptColumns + ` FROM notify_attempts`

	// finishedOutbox selects the finished messages (FinishedAt < ?) through notify_outbox_finished.
	finishedOutbox  = `state IN ('sent', 'dead', 'dropped') AND finished_at < ?`
	qPruneAttempts  = `DELETE FROM notify_attempts WHERE outbox_id IN (SELECT id FROM notify_outbox WHERE ` + finishedOutbox + `)`
	qPruneOutbox    = `DELETE FROM notify_outbox WHERE ` + finishedOutbox
	qPruneGroups    = `DELETE FROM notify_groups WHERE last_sent < ?`
	defaultNotices  = 1000
	defaultOutbox   = 100
	defaultAttempts = 100
	defaultMuted    = 1000
)

// zeroTime is how the zero time.Time is stored: "none" for optional times.
var zeroTime = formatTime(time.Time{})

// Enqueue stores notices and msgs in one transaction, consuming the event deliveries
// fromDeliveries in it, and fills in their IDs once it is committed. A delivery that is
// gone (or repeated in fromDeliveries) fails the call with store.ErrNotFound.
func (d *DB) Enqueue(ctx context.Context, fromDeliveries []int64, notices []store.HeldNotice, msgs []store.OutboxMessage) error {
	if len(fromDeliveries) == 0 && len(notices) == 0 && len(msgs) == 0 {
		return nil
	}
	if err := checkNotices(notices); err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	if err := checkOutbox(msgs); err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	if len(fromDeliveries) > 0 {
		finish := d.stmt(ctx, tx, qFinishDelivery)
		for _, id := range fromDeliveries {
			if err := oneRow(finish.ExecContext(ctx, id)); err != nil {
				return fmt.Errorf("sqlite: enqueue: delivery %d: %w", id, err)
			}
		}
	}
	noticeIDs, err := d.insertNotices(ctx, tx, notices)
	if err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	msgIDs, err := d.insertOutbox(ctx, tx, msgs)
	if err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	for i := range notices {
		notices[i].ID = noticeIDs[i]
	}
	for i := range msgs {
		msgs[i].ID = msgIDs[i]
	}
	return nil
}

func checkNotices(ns []store.HeldNotice) error {
	for i, n := range ns {
		if n.Environment == "" {
			return fmt.Errorf("held notice %d: environment is required", i)
		}
	}
	return nil
}

func checkOutbox(ms []store.OutboxMessage) error {
	for i, m := range ms {
		if m.Environment == "" || m.Key == "" {
			return fmt.Errorf("outbox message %d: environment and key are required (got %q, %q)", i, m.Environment, m.Key)
		}
		if err := checkOutboxState(m.State); err != nil {
			return fmt.Errorf("outbox message %d (%s): %w", i, m.Key, err)
		}
	}
	return nil
}

func checkOutboxState(s string) error {
	switch s {
	case store.OutboxPending, store.OutboxMuted, store.OutboxSent, store.OutboxDead, store.OutboxDropped:
		return nil
	}
	return fmt.Errorf("unknown outbox state %q", s)
}

// insertNotices inserts held notices with one prepared statement and returns their IDs.
func (d *DB) insertNotices(ctx context.Context, tx *sql.Tx, ns []store.HeldNotice) ([]int64, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	stmt := d.stmt(ctx, tx, qInsertHeld)
	ids := make([]int64, len(ns))
	for i, n := range ns {
		res, err := stmt.ExecContext(ctx, n.Environment, n.Topic, n.Subscription, n.Channel, n.GroupKey, n.Subject,
			formatTime(n.DueAt), formatTime(n.CreatedAt), n.Item)
		if err != nil {
			return nil, fmt.Errorf("held notice %d: %w", i, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// insertOutbox inserts outbox messages (checked by checkOutbox) with one prepared
// statement and returns their IDs. A key already stored, or repeated in ms, fails with
// store.ErrDuplicate.
func (d *DB) insertOutbox(ctx context.Context, tx *sql.Tx, ms []store.OutboxMessage) ([]int64, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	stmt := d.stmt(ctx, tx, qInsertOutbox)
	ids := make([]int64, len(ms))
	for i, m := range ms {
		res, err := stmt.ExecContext(ctx, m.Key, m.Environment, m.Topic, m.Subscription, m.Channel, m.Subject, m.IncidentID,
			m.Message, m.State, m.MutedBy, formatTime(m.CreatedAt), formatTime(m.NextAt), m.Attempts, m.LastError,
			m.ErrorCode, formatTime(m.FinishedAt))
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("outbox message %d: key %q already stored: %w", i, m.Key, store.ErrDuplicate)
		}
		if err != nil {
			return nil, fmt.Errorf("outbox message %d (%s): %w", i, m.Key, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// DueNotices returns up to limit (≤ 0: 1000) held notices due at now, group by group.
func (d *DB) DueNotices(ctx context.Context, now time.Time, limit int) ([]store.HeldNotice, error) {
	if limit <= 0 {
		limit = defaultNotices
	}
	rows, err := d.stmt(ctx, nil, qDueHeld).QueryContext(ctx, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due notices: %w", err)
	}
	defer rows.Close()
	var out []store.HeldNotice
	for rows.Next() {
		n, err := scanHeld(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: due notices: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due notices: %w", err)
	}
	return out, nil
}

func scanHeld(row scanner) (store.HeldNotice, error) {
	var n store.HeldNotice
	var due, created string
	if err := row.Scan(&n.ID, &n.Environment, &n.Topic, &n.Subscription, &n.Channel, &n.GroupKey, &n.Subject,
		&due, &created, &n.Item); err != nil {
		return n, err
	}
	var err error
	if n.DueAt, err = parseTime(due); err != nil {
		return n, fmt.Errorf("held notice %d: %w", n.ID, err)
	}
	if n.CreatedAt, err = parseTime(created); err != nil {
		return n, fmt.Errorf("held notice %d: %w", n.ID, err)
	}
	n.Item = blob(n.Item)
	return n, nil
}

// blob is a stored BLOB as returned: nil when empty.
func blob(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// NextNoticeAt returns the earliest DueAt of the held notices, false if none.
func (d *DB) NextNoticeAt(ctx context.Context) (time.Time, bool, error) {
	t, ok, err := minTime(ctx, d.stmt(ctx, nil, qNextHeldAt))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next notice: %w", err)
	}
	return t, ok, nil
}

// minTime runs a query returning one time or NULL (an aggregate over no rows).
func minTime(ctx context.Context, query *sql.Stmt) (time.Time, bool, error) {
	var next sql.NullString
	if err := query.QueryRowContext(ctx).Scan(&next); err != nil {
		return time.Time{}, false, err
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	t, err := parseTime(next.String)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

// FlushGroup replaces the held notices ids by msg, and records msg.CreatedAt as the last
// send of the group (msg's Environment, Topic and Subscription, groupKey), in one
// transaction; store.ErrNotFound if one of ids is gone.
func (d *DB) FlushGroup(ctx context.Context, ids []int64, msg *store.OutboxMessage, groupKey string) error {
	if msg == nil {
		return errors.New("sqlite: flush group: no message")
	}
	if err := checkOutbox([]store.OutboxMessage{*msg}); err != nil {
		return fmt.Errorf("sqlite: flush group: %w", err)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: flush group %s: %w", groupKey, err)
	}
	defer tx.Rollback()
	if err := d.deleteHeld(ctx, tx, ids); err != nil {
		return fmt.Errorf("sqlite: flush group %s: %w", groupKey, err)
	}
	msgIDs, err := d.insertOutbox(ctx, tx, []store.OutboxMessage{*msg})
	if err != nil {
		return fmt.Errorf("sqlite: flush group %s: %w", groupKey, err)
	}
	if _, err := d.stmt(ctx, tx, qUpsertGroup).ExecContext(ctx, msg.Environment, msg.Topic, msg.Subscription, groupKey,
		formatTime(msg.CreatedAt)); err != nil {
		return fmt.Errorf("sqlite: flush group %s: %w", groupKey, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: flush group %s: %w", groupKey, err)
	}
	msg.ID = msgIDs[0]
	return nil
}

// deleteHeld deletes the held notices ids, each of which must exist (once).
func (d *DB) deleteHeld(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	stmt := d.stmt(ctx, tx, qDeleteHeld)
	for _, id := range ids {
		if err := oneRow(stmt.ExecContext(ctx, id)); err != nil {
			return fmt.Errorf("held notice %d: %w", id, err)
		}
	}
	return nil
}

// oneRow checks the result of a statement that must change exactly one row:
// store.ErrNotFound if it changed none.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// GroupLastSent returns when the group last flushed, false if never (or pruned since).
func (d *DB) GroupLastSent(ctx context.Context, env, topic, subscription, groupKey string) (time.Time, bool, error) {
	var s string
	err := d.stmt(ctx, nil, qGroupLastSent).QueryRowContext(ctx, env, topic, subscription, groupKey).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: group last sent: %w", err)
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: group last sent: %w", err)
	}
	return t, true, nil
}
