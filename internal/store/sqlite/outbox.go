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

// The outbox's send side: due messages, outcomes and the delivery log, listing,
// replay, muted messages, depth and pruning.

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
