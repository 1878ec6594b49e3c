package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Silences = (*DB)(nil)

// The SQL of silences.
const (
	silenceColumns = `id, environment, matchers, starts_at, ends_at, created_by, comment, created_at`
	qInsertSilence = `INSERT INTO silences (environment, matchers, starts_at, ends_at, created_by, comment, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qSelectSilences = `SELECT ` + silenceColumns + ` FROM silences`
	qGetSilence     = qSelectSilences + ` WHERE id = ? AND environment = ?`
	qActiveSilences = qSelectSilences + ` WHERE starts_at <= ? AND ends_at > ? ORDER BY id`
	// Fixed-width times: the text MIN is the earlier time.
	qExpireSilence = `UPDATE silences SET ends_at = MIN(ends_at, ?) WHERE id = ? AND environment = ?`
	// Pruned per environment, one seek of silences_by_end each (see prunePerEnvironment).
	qNextSilenceEnv = `SELECT environment FROM silences WHERE environment > ? ORDER BY environment LIMIT 1`
	qPruneSilences  = `DELETE FROM silences WHERE environment = ? AND ends_at < ?`

	defaultSilences = 100
)

// AddSilence stores s and returns its new ID; s.ID is ignored.
func (d *DB) AddSilence(ctx context.Context, s store.Silence) (int64, error) {
	if s.Environment == "" {
		return 0, errors.New("sqlite: add silence: environment is required")
	}
	res, err := d.db.ExecContext(ctx, qInsertSilence, s.Environment, s.Matchers, formatTime(s.StartsAt), formatTime(s.EndsAt),
		s.CreatedBy, s.Comment, formatTime(s.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("sqlite: add silence: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("sqlite: add silence: %w", err)
	}
	return id, nil
}

// GetSilence returns the silence id of env, or store.ErrNotFound.
func (d *DB) GetSilence(ctx context.Context, env string, id int64) (store.Silence, error) {
	s, err := scanSilence(d.db.QueryRowContext(ctx, qGetSilence, id, env))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Silence{}, fmt.Errorf("sqlite: get silence %s/%d: %w", env, id, store.ErrNotFound)
	}
	if err != nil {
		return store.Silence{}, fmt.Errorf("sqlite: get silence %s/%d: %w", env, id, err)
	}
	return s, nil
}

// ListSilences returns up to limit (≤ 0: 100) silences of env (of every environment when
// env is ""), newest (ID) first; those ended at now (EndsAt ≤ now) only when expired.
func (d *DB) ListSilences(ctx context.Context, env string, now time.Time, expired bool, limit int) ([]store.Silence, error) {
	if limit <= 0 {
		limit = defaultSilences
	}
	query, args := qSelectSilences+" WHERE 1", []any(nil)
	if env != "" {
		query, args = query+" AND environment = ?", append(args, env)
	}
	if !expired {
		query, args = query+" AND ends_at > ?", append(args, formatTime(now))
	}
	out, err := d.querySilences(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list silences: %w", err)
	}
	return out, nil
}

// ActiveSilences returns the silences of every environment in force at now
// (StartsAt ≤ now < EndsAt), oldest (ID) first.
func (d *DB) ActiveSilences(ctx context.Context, now time.Time) ([]store.Silence, error) {
	n := formatTime(now)
	out, err := d.querySilences(ctx, qActiveSilences, n, n)
	if err != nil {
		return nil, fmt.Errorf("sqlite: active silences: %w", err)
	}
	return out, nil
}

func (d *DB) querySilences(ctx context.Context, query string, args ...any) ([]store.Silence, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Silence
	for rows.Next() {
		s, err := scanSilence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func scanSilence(row scanner) (store.Silence, error) {
	var s store.Silence
	var starts, ends, created string
	if err := row.Scan(&s.ID, &s.Environment, &s.Matchers, &starts, &ends, &s.CreatedBy, &s.Comment, &created); err != nil {
		return s, err
	}
	var err error
	if s.StartsAt, err = parseTime(starts); err != nil {
		return s, fmt.Errorf("silence %d: %w", s.ID, err)
	}
	if s.EndsAt, err = parseTime(ends); err != nil {
		return s, fmt.Errorf("silence %d: %w", s.ID, err)
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return s, fmt.Errorf("silence %d: %w", s.ID, err)
	}
	s.Matchers = blob(s.Matchers)
	return s, nil
}

// ExpireSilence ends the silence id of env at now unless it ends earlier already;
// store.ErrNotFound if there is no such silence.
func (d *DB) ExpireSilence(ctx context.Context, env string, id int64, now time.Time) error {
	if err := oneRow(d.db.ExecContext(ctx, qExpireSilence, formatTime(now), id, env)); err != nil {
		return fmt.Errorf("sqlite: expire silence %s/%d: %w", env, id, err)
	}
	return nil
}

// PruneSilences deletes, in one transaction, the silences of every environment that
// ended before before (EndsAt < before), and returns how many.
func (d *DB) PruneSilences(ctx context.Context, before time.Time) (int64, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune silences: %w", err)
	}
	defer tx.Rollback()
	n, err := prunePerEnvironment(ctx, tx, qNextSilenceEnv, qPruneSilences, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune silences: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: prune silences: %w", err)
	}
	return n, nil
}
