package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// DueOutbox returns up to limit (≤ 0: 100) pending messages due at now, oldest NextAt
// (then ID) first.
func (d *DB) DueOutbox(ctx context.Context, now time.Time, limit int) ([]store.OutboxMessage, error) {
	if limit <= 0 {
		limit = defaultOutbox
	}
	out, err := scanOutboxRows(d.stmt(ctx, nil, qDueOutbox).QueryContext(ctx, formatTime(now), limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbox: %w", err)
	}
	return out, nil
}

func (d *DB) queryOutbox(ctx context.Context, query string, args ...any) ([]store.OutboxMessage, error) {
	return scanOutboxRows(d.db.QueryContext(ctx, query, args...))
}

func scanOutboxRows(rows *sql.Rows, err error) ([]store.OutboxMessage, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanOutbox(row scanner) (store.OutboxMessage, error) {
	var m store.OutboxMessage
	var created, next, finished string
	if err := row.Scan(&m.ID, &m.Key, &m.Environment, &m.Topic, &m.Subscription, &m.Channel, &m.Subject, &m.IncidentID,
		&m.Message, &m.State, &m.MutedBy, &created, &next, &m.Attempts, &m.LastError, &m.ErrorCode, &finished); err != nil {
		return m, err
	}
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return m, fmt.Errorf("outbox message %d: %w", m.ID, err)
	}
	if m.NextAt, err = parseTime(next); err != nil {
		return m, fmt.Errorf("outbox message %d: %w", m.ID, err)
	}
	if m.FinishedAt, err = parseTime(finished); err != nil {
		return m, fmt.Errorf("outbox message %d: %w", m.ID, err)
	}
	m.Message = blob(m.Message)
	return m, nil
}

// NextOutboxAt returns the earliest NextAt of the pending messages, false if none.
func (d *DB) NextOutboxAt(ctx context.Context) (time.Time, bool, error) {
	t, ok, err := minTime(ctx, d.stmt(ctx, nil, qNextOutboxAt))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next outbox: %w", err)
	}
	return t, ok, nil
}

// RecordAttempts stores the outcome of each attempt as[i] on the message ms[i].ID (its
// State, Attempts, NextAt, LastError, ErrorCode and FinishedAt), and appends as[i], with
// that message's ID and environment, to the delivery log, all in one transaction; it
// fills in as[i].ID, OutboxID and Environment once committed. store.ErrNotFound (and
// nothing stored) if a message is absent. Attempts on one message apply in order.
func (d *DB) RecordAttempts(ctx context.Context, ms []store.OutboxMessage, as []*store.DeliveryAttempt) error {
	if len(ms) != len(as) {
		return fmt.Errorf("sqlite: record attempts: %d messages but %d attempts", len(ms), len(as))
	}
	if len(ms) == 0 {
		return nil
	}
	for i, m := range ms {
		if as[i] == nil {
			return fmt.Errorf("sqlite: record attempts: message %d: no attempt", m.ID)
		}
		if err := checkOutboxState(m.State); err != nil {
			return fmt.Errorf("sqlite: record attempts: message %d: %w", m.ID, err)
		}
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: record attempts: %w", err)
	}
	defer tx.Rollback()
	update, insert := d.stmt(ctx, tx, qAttemptOutbox), d.stmt(ctx, tx, qInsertAttempt)
	ids, envs := make([]int64, len(ms)), make([]string, len(ms))
	for i, m := range ms {
		a := as[i]
		err := update.QueryRowContext(ctx, m.State, m.Attempts, formatTime(m.NextAt), m.LastError, m.ErrorCode,
			formatTime(m.FinishedAt), m.ID).Scan(&envs[i])
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: record attempts: message %d: %w", m.ID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: record attempts: message %d: %w", m.ID, err)
		}
		res, err := insert.ExecContext(ctx, m.ID, envs[i], a.Attempt, formatTime(a.At), int64(a.Duration),
			a.Outcome, a.ErrorCode, a.Error)
		if err != nil {
			return fmt.Errorf("sqlite: record attempts: message %d: %w", m.ID, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return fmt.Errorf("sqlite: record attempts: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: record attempts: %w", err)
	}
	for i, a := range as {
		a.ID, a.OutboxID, a.Environment = ids[i], ms[i].ID, envs[i]
	}
	return nil
}

// ListOutbox returns up to q.Limit (≤ 0: 100) messages of q.Environment matching q,
// newest (ID) first.
func (d *DB) ListOutbox(ctx context.Context, q store.OutboxQuery) ([]store.OutboxMessage, error) {
	if q.Environment == "" {
		return nil, errors.New("sqlite: list outbox: environment is required")
	}
	where, args := []string{"environment = ?"}, []any{q.Environment}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if q.State != "" {
		add("state = ?", q.State)
	}
	if q.IncidentID != 0 {
		add("incident_id = ?", q.IncidentID)
	}
	if q.Subject != "" {
		add("subject = ?", q.Subject)
	}
	if q.BeforeID > 0 {
		add("id < ?", q.BeforeID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultOutbox
	}
	args = append(args, limit)
	out, err := d.queryOutbox(ctx, qSelectOutbox+" WHERE "+strings.Join(where, " AND ")+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list outbox: %w", err)
	}
	return out, nil
}

// GetOutbox returns the message id of env, or store.ErrNotFound.
func (d *DB) GetOutbox(ctx context.Context, env string, id int64) (store.OutboxMessage, error) {
	m, err := scanOutbox(d.stmt(ctx, nil, qGetOutbox).QueryRowContext(ctx, id, env))
	if errors.Is(err, sql.ErrNoRows) {
		return store.OutboxMessage{}, fmt.Errorf("sqlite: get outbox %s/%d: %w", env, id, store.ErrNotFound)
	}
	if err != nil {
		return store.OutboxMessage{}, fmt.Errorf("sqlite: get outbox %s/%d: %w", env, id, err)
	}
	return m, nil
}

// ListAttempts returns up to limit (≤ 0: 100) attempts of env, of the message outboxID
// only when it is not 0, newest (ID) first.
func (d *DB) ListAttempts(ctx context.Context, env string, outboxID int64, limit int) ([]store.DeliveryAttempt, error) {
	if limit <= 0 {
		limit = defaultAttempts
	}
	query, args := qSelectAttempts+" WHERE environment = ?", []any{env}
	if outboxID != 0 {
		query, args = query+" AND outbox_id = ?", append(args, outboxID)
	}
	rows, err := d.db.QueryContext(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list attempts: %w", err)
	}
	defer rows.Close()
	var out []store.DeliveryAttempt
	for rows.Next() {
		var a store.DeliveryAttempt
		var at string
		var dur int64
		if err := rows.Scan(&a.ID, &a.OutboxID, &a.Environment, &a.Attempt, &at, &dur, &a.Outcome, &a.ErrorCode, &a.Error); err != nil {
			return nil, fmt.Errorf("sqlite: list attempts: %w", err)
		}
		if a.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("sqlite: list attempts: attempt %d: %w", a.ID, err)
		}
		a.Duration = time.Duration(dur)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list attempts: %w", err)
	}
	return out, nil
}

// ReplayOutbox makes the dead message id of env pending again, due now with no attempts;
// store.ErrNotFound if there is no such dead message.
func (d *DB) ReplayOutbox(ctx context.Context, env string, id int64, now time.Time) error {
	if err := oneRow(d.db.ExecContext(ctx, qReplayOutbox, formatTime(now), zeroTime, id, env)); err != nil {
		return fmt.Errorf("sqlite: replay outbox %s/%d: %w", env, id, err)
	}
	return nil
}

// MutedOutbox returns up to limit (≤ 0: 1000) muted messages of every environment,
// oldest (ID) first.
func (d *DB) MutedOutbox(ctx context.Context, limit int) ([]store.OutboxMessage, error) {
	if limit <= 0 {
		limit = defaultMuted
	}
	out, err := d.queryOutbox(ctx, qMutedOutbox, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: muted outbox: %w", err)
	}
	return out, nil
}

// ReleaseMuted makes the muted message id pending, due now (send), or dropped, finished
// now; store.ErrNotFound if there is no such muted message. MutedBy is kept.
func (d *DB) ReleaseMuted(ctx context.Context, id int64, now time.Time, send bool) error {
	query := qDropMuted
	if send {
		query = qReleaseMuted
	}
	if err := oneRow(d.stmt(ctx, nil, query).ExecContext(ctx, formatTime(now), id)); err != nil {
		return fmt.Errorf("sqlite: release muted %d: %w", id, err)
	}
	return nil
}

// OutboxDepth counts the pending messages and returns the oldest CreatedAt among them
// (the zero time when none is pending).
func (d *DB) OutboxDepth(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest sql.NullString
	if err := d.db.QueryRowContext(ctx, qOutboxDepth).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: outbox depth: %w", err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	t, err := parseTime(oldest.String)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: outbox depth: %w", err)
	}
	return n, t, nil
}

// PruneNotifications deletes, in one transaction, the finished messages with FinishedAt
// before before, their attempts, and the group records last sent before it; it returns
// the number of messages deleted.
func (d *DB) PruneNotifications(ctx context.Context, before time.Time) (int64, error) {
	b := formatTime(before)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, qPruneAttempts, b); err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: attempts: %w", err)
	}
	res, err := tx.ExecContext(ctx, qPruneOutbox, b)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	if _, err := tx.ExecContext(ctx, qPruneGroups, b); err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: groups: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	return n, nil
}
