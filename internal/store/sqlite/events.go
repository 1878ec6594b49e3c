package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Events = (*DB)(nil)

// The SQL of events and annotations (the outbox's is in deliveries.go).
const (
	qInsertEvents = `INSERT INTO events (id, environment, source, detail_type, time, ingested, body, rules) VALUES `
	qEventValues  = `(?, ?, ?, ?, ?, ?, ?, ?)`
	qEventExists  = `SELECT COUNT(*) FROM events WHERE environment = ? AND id = ?`
	qSelectEvents = `SELECT seq, id, environment, source, detail_type, time, ingested, body, rules FROM events`
	qGetEvent     = qSelectEvents + ` WHERE environment = ? AND id = ?`
	qNextEventEnv = `SELECT environment FROM events WHERE environment > ? ORDER BY environment LIMIT 1`
	qPruneEvents  = `DELETE FROM events WHERE environment = ? AND time < ?`

	qInsertAnnotation = `INSERT INTO annotations (environment, time, text, tags, dimensions, event_id, rule)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qSelectAnnotations = `SELECT id, environment, time, text, tags, dimensions, event_id, rule FROM annotations`
	qNextAnnotationEnv = `SELECT environment FROM annotations WHERE environment > ? ORDER BY environment LIMIT 1`
	qPruneAnnotations  = `DELETE FROM annotations WHERE environment = ? AND time < ?`
)

// AppendEvents stores events, annotations and deliveries in one transaction and, once it
// is committed, fills in their Seq and IDs; on error nothing is stored or changed.
func (d *DB) AppendEvents(ctx context.Context, events []store.EventRecord, annotations []store.Annotation, deliveries []store.Delivery) error {
	if len(events) == 0 && len(annotations) == 0 && len(deliveries) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	seqs, err := insertEvents(ctx, tx, events)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	annIDs, err := insertAnnotations(ctx, tx, annotations)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	delIDs, err := insertDeliveries(ctx, tx, deliveries)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	for i := range events {
		events[i].Seq = seqs[i]
	}
	for i := range annotations {
		annotations[i].ID = annIDs[i]
	}
	for i := range deliveries {
		deliveries[i].ID = delIDs[i]
	}
	return nil
}

// eventChunk is how many events one INSERT statement carries: multi-row statements cut
// the per-row cost of database/sql and the driver by about a third.
const eventChunk = 64

// insertEvents inserts events, eventChunk rows per statement, and returns their seqs.
func insertEvents(ctx context.Context, tx *sql.Tx, events []store.EventRecord) ([]int64, error) {
	if len(events) == 0 {
		return nil, nil
	}
	for i, e := range events {
		if e.Environment == "" || e.ID == "" {
			return nil, fmt.Errorf("event %d: environment and id are required (got %q, %q)", i, e.Environment, e.ID)
		}
	}
	stmts := map[int]*sql.Stmt{} // by rows per statement: the full chunk and the remainder
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	seqs := make([]int64, len(events))
	args := make([]any, 0, 8*eventChunk)
	for lo := 0; lo < len(events); lo += eventChunk {
		chunk := events[lo:min(lo+eventChunk, len(events))]
		stmt := stmts[len(chunk)]
		if stmt == nil {
			var err error
			if stmt, err = tx.PrepareContext(ctx, insertEventsSQL(len(chunk))); err != nil {
				return nil, err
			}
			stmts[len(chunk)] = stmt
		}
		args = args[:0]
		for _, e := range chunk {
			args = append(args, e.ID, e.Environment, e.Source, e.DetailType,
				formatTime(e.Time), formatTime(e.Ingested), e.Body, encodeStrings(e.Rules))
		}
		res, err := stmt.ExecContext(ctx, args...)
		if isUniqueViolation(err) {
			return nil, duplicateEvent(ctx, tx, events[:lo+len(chunk)], lo)
		}
		if err != nil {
			return nil, err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		// One statement inserts its rows in order and, under AUTOINCREMENT and the write
		// lock, each gets the previous seq + 1: the chunk ends at last.
		for i := range chunk {
			seqs[lo+i] = last - int64(len(chunk)-1-i)
		}
	}
	return seqs, nil
}

// insertEventsSQL is the INSERT of n events.
func insertEventsSQL(n int) string {
	return qInsertEvents + strings.Repeat(qEventValues+", ", n-1) + qEventValues
}

// duplicateEvent names the event that made the INSERT of events[from:] fail on the unique
// (environment, id) index: one repeated within events, or one already stored.
func duplicateEvent(ctx context.Context, tx *sql.Tx, events []store.EventRecord, from int) error {
	seen := make(map[[2]string]bool, len(events))
	for _, e := range events {
		k := [2]string{e.Environment, e.ID}
		if seen[k] {
			return fmt.Errorf("event %s/%s: repeated in the batch: %w", e.Environment, e.ID, store.ErrDuplicate)
		}
		seen[k] = true
	}
	for _, e := range events[from:] {
		var n int
		if err := tx.QueryRowContext(ctx, qEventExists, e.Environment, e.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("event %s/%s: already stored: %w", e.Environment, e.ID, store.ErrDuplicate)
		}
	}
	return fmt.Errorf("event id: %w", store.ErrDuplicate) // not reached: the index refused a row
}

// isUniqueViolation reports whether err is SQLite refusing a row for a UNIQUE constraint.
func isUniqueViolation(err error) bool {
	var e *sqlitedriver.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// encodeStrings encodes a list of names as a JSON array ("[]" for none) without
// reflection: it runs once per appended event.
func encodeStrings(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(s) // a string always encodes
		b.Write(q)
	}
	b.WriteByte(']')
	return b.String()
}

func insertAnnotations(ctx context.Context, tx *sql.Tx, anns []store.Annotation) ([]int64, error) {
	if len(anns) == 0 {
		return nil, nil
	}
	stmt, err := tx.PrepareContext(ctx, qInsertAnnotation)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	ids := make([]int64, len(anns))
	for i, a := range anns {
		if a.Environment == "" {
			return nil, fmt.Errorf("annotation %d: environment is required", i)
		}
		tags, err := encodeMap(a.Tags)
		if err != nil {
			return nil, fmt.Errorf("annotation %d tags: %w", i, err)
		}
		dims, err := encodeMap(a.Dimensions)
		if err != nil {
			return nil, fmt.Errorf("annotation %d dimensions: %w", i, err)
		}
		res, err := stmt.ExecContext(ctx, a.Environment, formatTime(a.Time), a.Text, tags, dims, a.EventID, a.Rule)
		if err != nil {
			return nil, fmt.Errorf("annotation %d: %w", i, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func encodeMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// decodeMap decodes a JSON object written by encodeMap; an empty one becomes nil.
func decodeMap(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("bad stored map %q: %w", s, err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// ListEvents returns the events of q.Environment matching q, newest (Time, then Seq) first.
func (d *DB) ListEvents(ctx context.Context, q store.EventQuery) ([]store.EventRecord, error) {
	if q.Environment == "" {
		return nil, errors.New("sqlite: list events: environment is required")
	}
	where, args := []string{"environment = ?"}, []any{q.Environment}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !q.From.IsZero() {
		add("time >= ?", formatTime(q.From))
	}
	if !q.To.IsZero() {
		add("time < ?", formatTime(q.To))
	}
	if q.Source != "" {
		add("source = ?", q.Source)
	}
	switch {
	case !q.BeforeTime.IsZero():
		t := formatTime(q.BeforeTime)
		where = append(where, "(time < ? OR (time = ? AND seq < ?))")
		args = append(args, t, t, q.BeforeSeq)
	case q.BeforeSeq > 0:
		add("seq < ?", q.BeforeSeq)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, qSelectEvents+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY time DESC, seq DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list events: %w", err)
	}
	defer rows.Close()
	var out []store.EventRecord
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list events: %w", err)
	}
	return out, nil
}

// GetEvent returns the event id of env, or store.ErrNotFound.
func (d *DB) GetEvent(ctx context.Context, env, id string) (store.EventRecord, error) {
	e, err := scanEvent(d.db.QueryRowContext(ctx, qGetEvent, env, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.EventRecord{}, fmt.Errorf("sqlite: get event %s/%s: %w", env, id, store.ErrNotFound)
	}
	if err != nil {
		return store.EventRecord{}, fmt.Errorf("sqlite: get event %s/%s: %w", env, id, err)
	}
	return e, nil
}

func scanEvent(row scanner) (store.EventRecord, error) {
	var e store.EventRecord
	var t, ingested, rules string
	if err := row.Scan(&e.Seq, &e.ID, &e.Environment, &e.Source, &e.DetailType, &t, &ingested, &e.Body, &rules); err != nil {
		return e, err
	}
	var err error
	if e.Time, err = parseTime(t); err != nil {
		return e, fmt.Errorf("event %d: %w", e.Seq, err)
	}
	if e.Ingested, err = parseTime(ingested); err != nil {
		return e, fmt.Errorf("event %d: %w", e.Seq, err)
	}
	if err := json.Unmarshal([]byte(rules), &e.Rules); err != nil {
		return e, fmt.Errorf("event %d: bad stored rules: %w", e.Seq, err)
	}
	if len(e.Rules) == 0 {
		e.Rules = nil
	}
	return e, nil
}

// PruneEvents deletes, in one transaction, the events and annotations of every
// environment whose Time is before before, and returns the number of events deleted.
func (d *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune events: %w", err)
	}
	defer tx.Rollback()
	n, err := prunePerEnvironment(ctx, tx, qNextEventEnv, qPruneEvents, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune events: %w", err)
	}
	if _, err := prunePerEnvironment(ctx, tx, qNextAnnotationEnv, qPruneAnnotations, formatTime(before)); err != nil {
		return 0, fmt.Errorf("sqlite: prune annotations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: prune events: %w", err)
	}
	return n, nil
}

// prunePerEnvironment runs del (environment, before) for each environment that next
// (after) finds, one index seek each, and returns the number of rows deleted.
func prunePerEnvironment(ctx context.Context, tx *sql.Tx, next, del, before string) (int64, error) {
	var total int64
	env := "" // environments are never empty
	for {
		err := tx.QueryRowContext(ctx, next, env).Scan(&env)
		if errors.Is(err, sql.ErrNoRows) {
			return total, nil
		}
		if err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, del, env, before)
		if err != nil {
			return 0, fmt.Errorf("environment %q: %w", env, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
	}
}

// ListAnnotations returns up to q.Limit annotations of q.Environment in [From, To) whose
// dimensions all appear in q.Dimensions (any, when it is nil), oldest first.
func (d *DB) ListAnnotations(ctx context.Context, q store.AnnotationQuery) ([]store.Annotation, error) {
	where, args := []string{"environment = ?"}, []any{q.Environment}
	if !q.From.IsZero() {
		where, args = append(where, "time >= ?"), append(args, formatTime(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, "time < ?"), append(args, formatTime(q.To))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	query := qSelectAnnotations + " WHERE " + strings.Join(where, " AND ") + " ORDER BY time, id"
	if q.Dimensions == nil { // otherwise the filter runs here, on the rows read
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list annotations: %w", err)
	}
	defer rows.Close()
	var out []store.Annotation
	for len(out) < limit && rows.Next() {
		a, err := scanAnnotation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list annotations: %w", err)
		}
		if q.Dimensions == nil || dimensionsWithin(a.Dimensions, q.Dimensions) {
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list annotations: %w", err)
	}
	return out, nil
}

// dimensionsWithin reports whether every dimension of an annotation is in graph with the
// same value (so a global annotation, with none, is within every graph).
func dimensionsWithin(annotation, graph map[string]string) bool {
	for k, v := range annotation {
		if gv, ok := graph[k]; !ok || gv != v {
			return false
		}
	}
	return true
}

func scanAnnotation(rows *sql.Rows) (store.Annotation, error) {
	var a store.Annotation
	var t, tags, dims string
	if err := rows.Scan(&a.ID, &a.Environment, &t, &a.Text, &tags, &dims, &a.EventID, &a.Rule); err != nil {
		return a, err
	}
	var err error
	if a.Time, err = parseTime(t); err != nil {
		return a, fmt.Errorf("annotation %d: %w", a.ID, err)
	}
	if a.Tags, err = decodeMap(tags); err != nil {
		return a, fmt.Errorf("annotation %d tags: %w", a.ID, err)
	}
	if a.Dimensions, err = decodeMap(dims); err != nil {
		return a, fmt.Errorf("annotation %d dimensions: %w", a.ID, err)
	}
	return a, nil
}
