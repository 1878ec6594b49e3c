package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// The SQL of the delivery outbox and its dead letters. A dead letter keeps the id its
// delivery had: deliveries use AUTOINCREMENT, so an id is never given twice.
const (
	deliveryColumns   = `id, environment, rule, target, kind, event_id, payload, destination, attempts, first_at, next_at, last_error, max_attempts, max_age`
	deadLetterColumns = deliveryColumns + `, error_code, error_message, exhausted_condition, dead_at`

	qInsertDelivery = `INSERT INTO deliveries
	(environment, rule, target, kind, event_id, payload, destination, attempts, first_at, next_at, last_error, max_attempts, max_age)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qDueDeliveries   = `SELECT ` + deliveryColumns + ` FROM deliveries WHERE next_at <= ? ORDER BY next_at, id LIMIT ?`
	qNextDeliveryAt  = `SELECT MIN(next_at) FROM deliveries`
	qCountDeliveries = `SELECT COUNT(*) FROM deliveries`
	qFinishDelivery  = `DELETE FROM deliveries WHERE id = ?`
	qRetryDelivery   = `UPDATE deliveries SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?`
	qKillDelivery    = `INSERT INTO dead_letters (` + deadLetterColumns + `)
SELECT id, environment, rule, target, kind, event_id, payload, destination, ?, first_at, ?, ?, max_attempts, max_age, ?, ?, ?, ?
FROM deliveries WHERE id = ? AND environment = ?`
	qListDeadLetters  = `SELECT ` + deadLetterColumns + ` FROM dead_letters WHERE environment = ? ORDER BY dead_at DESC, id DESC LIMIT ?`
	qGetDeadLetter    = `SELECT ` + deadLetterColumns + ` FROM dead_letters WHERE id = ? AND environment = ?`
	qDeleteDeadLetter = `DELETE FROM dead_letters WHERE id = ? AND environment = ?`
)

// insertDeliveries enqueues deliveries with one prepared statement and returns their IDs.
func insertDeliveries(ctx context.Context, tx *sql.Tx, ds []store.Delivery) ([]int64, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	stmt, err := tx.PrepareContext(ctx, qInsertDelivery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	ids := make([]int64, len(ds))
	for i, d := range ds {
		if d.Environment == "" {
			return nil, fmt.Errorf("delivery %d: environment is required", i)
		}
		res, err := stmt.ExecContext(ctx, d.Environment, d.Rule, d.Target, d.Kind, d.EventID, d.Payload, d.Destination,
			d.Attempts, formatTime(d.FirstAt), formatTime(d.NextAt), d.LastError, d.MaxAttempts, int64(d.MaxAge))
		if err != nil {
			return nil, fmt.Errorf("delivery %d (%s/%s): %w", i, d.Rule, d.Target, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// DueDeliveries returns up to limit (≤ 0: 100) pending deliveries due at now, by NextAt.
func (d *DB) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := d.db.QueryContext(ctx, qDueDeliveries, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due deliveries: %w", err)
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		var dl store.Delivery
		if err := scanDelivery(rows, &dl); err != nil {
			return nil, fmt.Errorf("sqlite: due deliveries: %w", err)
		}
		out = append(out, dl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due deliveries: %w", err)
	}
	return out, nil
}

// NextDeliveryAt returns the earliest NextAt of the pending deliveries, false if none.
func (d *DB) NextDeliveryAt(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullString
	if err := d.db.QueryRowContext(ctx, qNextDeliveryAt).Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next delivery: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	t, err := parseTime(next.String)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next delivery: %w", err)
	}
	return t, true, nil
}

// PendingDeliveries counts the pending deliveries.
func (d *DB) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, qCountDeliveries).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: pending deliveries: %w", err)
	}
	return n, nil
}

// FinishDelivery removes the pending delivery id, or returns store.ErrNotFound.
func (d *DB) FinishDelivery(ctx context.Context, id int64) error {
	if err := execOne(ctx, d.db, qFinishDelivery, id); err != nil {
		return fmt.Errorf("sqlite: finish delivery %d: %w", id, err)
	}
	return nil
}

// RetryDelivery stores dl's Attempts, NextAt and LastError on the pending delivery dl.ID,
// or returns store.ErrNotFound.
func (d *DB) RetryDelivery(ctx context.Context, dl store.Delivery) error {
	if err := execOne(ctx, d.db, qRetryDelivery, dl.Attempts, formatTime(dl.NextAt), dl.LastError, dl.ID); err != nil {
		return fmt.Errorf("sqlite: retry delivery %d: %w", dl.ID, err)
	}
	return nil
}

// KillDelivery moves the pending delivery dl.ID of dl.Environment to the dead letters, with
// dl's last attempt (Attempts, NextAt, LastError) and failure; or returns store.ErrNotFound.
func (d *DB) KillDelivery(ctx context.Context, dl store.DeadLetter) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: kill delivery %d: %w", dl.ID, err)
	}
	defer tx.Rollback()
	if err := execOne(ctx, tx, qKillDelivery, dl.Attempts, formatTime(dl.NextAt), dl.LastError,
		dl.ErrorCode, dl.ErrorMessage, dl.ExhaustedCondition, formatTime(dl.DeadAt), dl.ID, dl.Environment); err != nil {
		return fmt.Errorf("sqlite: kill delivery %d: %w", dl.ID, err)
	}
	if err := execOne(ctx, tx, qFinishDelivery, dl.ID); err != nil {
		return fmt.Errorf("sqlite: kill delivery %d: %w", dl.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: kill delivery %d: %w", dl.ID, err)
	}
	return nil
}

// ListDeadLetters returns up to limit (≤ 0: 100) dead letters of env, newest DeadAt first.
func (d *DB) ListDeadLetters(ctx context.Context, env string, limit int) ([]store.DeadLetter, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := d.db.QueryContext(ctx, qListDeadLetters, env, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list dead letters: %w", err)
	}
	defer rows.Close()
	var out []store.DeadLetter
	for rows.Next() {
		dl, err := scanDeadLetter(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list dead letters: %w", err)
		}
		out = append(out, dl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list dead letters: %w", err)
	}
	return out, nil
}

// ReplayDeadLetter moves the dead letter id of env back to the pending deliveries, due now
// with no attempts, and returns the new delivery; or store.ErrNotFound.
func (d *DB) ReplayDeadLetter(ctx context.Context, env string, id int64, now time.Time) (store.Delivery, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %d: %w", id, err)
	}
	defer tx.Rollback()
	dl, err := scanDeadLetter(tx.QueryRowContext(ctx, qGetDeadLetter, id, env))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %s/%d: %w", env, id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %d: %w", id, err)
	}
	del := dl.Delivery
	del.Attempts, del.FirstAt, del.NextAt, del.LastError = 0, now.UTC(), now.UTC(), ""
	ids, err := insertDeliveries(ctx, tx, []store.Delivery{del})
	if err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %d: %w", id, err)
	}
	if err := execOne(ctx, tx, qDeleteDeadLetter, id, env); err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: replay dead letter %d: %w", id, err)
	}
	del.ID = ids[0]
	return del, nil
}

// DeleteDeadLetter forgets the dead letter id of env, or returns store.ErrNotFound.
func (d *DB) DeleteDeadLetter(ctx context.Context, env string, id int64) error {
	if err := execOne(ctx, d.db, qDeleteDeadLetter, id, env); err != nil {
		return fmt.Errorf("sqlite: delete dead letter %s/%d: %w", env, id, err)
	}
	return nil
}

// execOne runs a statement that must change exactly one row: store.ErrNotFound if none.
func execOne(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args ...any) error {
	res, err := db.ExecContext(ctx, query, args...)
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

type scanner interface{ Scan(...any) error }

func scanDelivery(row scanner, dl *store.Delivery, more ...any) error {
	var firstAt, nextAt string
	var maxAge int64
	dest := append([]any{&dl.ID, &dl.Environment, &dl.Rule, &dl.Target, &dl.Kind, &dl.EventID, &dl.Payload, &dl.Destination,
		&dl.Attempts, &firstAt, &nextAt, &dl.LastError, &dl.MaxAttempts, &maxAge}, more...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	var err error
	if dl.FirstAt, err = parseTime(firstAt); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	if dl.NextAt, err = parseTime(nextAt); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	dl.MaxAge = time.Duration(maxAge)
	return nil
}

func scanDeadLetter(row scanner) (store.DeadLetter, error) {
	var dl store.DeadLetter
	var deadAt string
	if err := scanDelivery(row, &dl.Delivery, &dl.ErrorCode, &dl.ErrorMessage, &dl.ExhaustedCondition, &deadAt); err != nil {
		return dl, err
	}
	var err error
	if dl.DeadAt, err = parseTime(deadAt); err != nil {
		return dl, fmt.Errorf("dead letter %d: %w", dl.ID, err)
	}
	return dl, nil
}
