package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Alarms = (*DB)(nil)

func (d *DB) LoadAlarmStates(ctx context.Context, env string) ([]store.AlarmState, error) {
	rows, err := d.db.QueryContext(ctx, qLoadAlarmStates, env)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load alarm states: %w", err)
	}
	defer rows.Close()
	var out []store.AlarmState
	for rows.Next() {
		var s store.AlarmState
		var updated, transition string
		if err := rows.Scan(&s.Environment, &s.Alarm, &s.Instance, &s.State, &s.Reason, &s.ReasonData, &updated, &transition, &s.Extra); err != nil {
			return nil, fmt.Errorf("sqlite: load alarm states: %w", err)
		}
		if s.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		if s.TransitionAt, err = parseTime(transition); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (d *DB) SaveAlarmStates(ctx context.Context, states []store.AlarmState, history []store.HistoryItem) error {
	if len(states) == 0 && len(history) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: save alarm states: %w", err)
	}
	defer tx.Rollback()
	if len(states) > 0 {
		stmt, err := tx.PrepareContext(ctx, qUpsertAlarmState)
		if err != nil {
			return fmt.Errorf("sqlite: save alarm states: %w", err)
		}
		defer stmt.Close()
		for _, s := range states {
			if _, err := stmt.ExecContext(ctx, s.Environment, s.Alarm, s.Instance, s.State, s.Reason, s.ReasonData,
				formatTime(s.UpdatedAt), formatTime(s.TransitionAt), s.Extra); err != nil {
				return fmt.Errorf("sqlite: save alarm state %s/%s: %w", s.Alarm, s.Instance, err)
			}
		}
	}
	if len(history) > 0 {
		stmt, err := tx.PrepareContext(ctx, qInsertHistory)
		if err != nil {
			return fmt.Errorf("sqlite: save alarm history: %w", err)
		}
		defer stmt.Close()
		for _, h := range history {
			if _, err := stmt.ExecContext(ctx, h.Environment, h.Alarm, h.Instance, formatTime(h.At), h.Type, h.Summary, h.Data); err != nil {
				return fmt.Errorf("sqlite: save alarm history: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save alarm states: %w", err)
	}
	return nil
}

func (d *DB) DeleteAlarmStates(ctx context.Context, env, alarm string, instances []string) error {
	for _, inst := range instances {
		if _, err := d.db.ExecContext(ctx, qDeleteAlarmState, env, alarm, inst); err != nil {
			return fmt.Errorf("sqlite: delete alarm state: %w", err)
		}
	}
	return nil
}

func (d *DB) ListHistory(ctx context.Context, q store.HistoryQuery) ([]store.HistoryItem, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	add("environment = ?", q.Environment)
	if q.Alarm != "" {
		add("alarm = ?", q.Alarm)
	}
	if q.Instance != nil {
		add("instance = ?", *q.Instance)
	}
	if q.Type != "" {
		add("type = ?", q.Type)
	}
	if !q.From.IsZero() {
		add("at >= ?", formatTime(q.From))
	}
	if !q.To.IsZero() {
		add("at < ?", formatTime(q.To))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, qListHistory+" WHERE "+strings.Join(where, " AND ")+" ORDER BY at DESC, id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list alarm history: %w", err)
	}
	defer rows.Close()
	var out []store.HistoryItem
	for rows.Next() {
		var h store.HistoryItem
		var at string
		if err := rows.Scan(&h.ID, &h.Environment, &h.Alarm, &h.Instance, &at, &h.Type, &h.Summary, &h.Data); err != nil {
			return nil, fmt.Errorf("sqlite: list alarm history: %w", err)
		}
		if h.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (d *DB) PruneHistory(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, qPruneHistory, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune alarm history: %w", err)
	}
	return res.RowsAffected()
}
