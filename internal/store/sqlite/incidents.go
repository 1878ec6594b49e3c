package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Incidents = (*DB)(nil)

// The SQL of incidents and their timelines. The partial unique index incidents_active
// keeps one open or acknowledged incident per (environment, key); queries name the
// active states as literals so that SQLite uses it.
const (
	incidentColumns = `id, environment, key, policy, source, title, state, opened_at, acked_at, acked_by, resolved_at,
resolved_by, step, cycle, next_at, ack_deadline, auto_resolve_at, notified, message, updated_at`
	qInsertIncident = `INSERT INTO incidents (environment, key, policy, source, title, state, opened_at, acked_at, acked_by,
resolved_at, resolved_by, step, cycle, next_at, ack_deadline, auto_resolve_at, notified, message, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qSelectIncidents   = `SELECT ` + incidentColumns + ` FROM incidents`
	qIncidentByID      = qSelectIncidents + ` WHERE id = ?`
	qGetIncident       = qSelectIncidents + ` WHERE id = ? AND environment = ?`
	qActiveIncidentKey = qSelectIncidents + ` WHERE environment = ? AND key = ? AND state IN ('open', 'acknowledged')`
	// +id: read the few active incidents through incidents_active and sort them, rather
	// than walk every incident ever opened in ID order.
	qActiveIncidents = qSelectIncidents + ` WHERE state IN ('open', 'acknowledged') ORDER BY +id`
	qUpdateIncident  = `UPDATE incidents SET state = ?, acked_at = ?, acked_by = ?, resolved_at = ?, resolved_by = ?,
step = ?, cycle = ?, next_at = ?, ack_deadline = ?, auto_resolve_at = ?, notified = ?, message = ?, updated_at = ?
WHERE id = ? AND environment = ?`

	// An entry is inserted only if its incident exists: no row inserted means ErrNotFound.
	qInsertTimeline = `INSERT INTO incident_timeline (incident_id, at, kind, text, data)
SELECT id, ?, ?, ?, ? FROM incidents WHERE id = ?`
	qTimeline = `SELECT id, incident_id, at, kind, text, data FROM incident_timeline WHERE incident_id = ? ORDER BY at, id`

	// prunableIncident selects the incidents resolved before ? that no outbox message kept
	// by PruneNotifications(?) is about (through notify_outbox_by_incident); both
	// parameters are the same cutoff. Resolved incidents are few next to the outbox, so
	// they are scanned rather than indexed by resolved_at.
	prunableIncident = `state = 'resolved' AND resolved_at < ? AND NOT EXISTS (SELECT 1 FROM notify_outbox o
WHERE o.incident_id = incidents.id AND NOT (o.state IN ('sent', 'dead', 'dropped') AND o.finished_at < ?))`
	qPruneTimeline  = `DELETE FROM incident_timeline WHERE incident_id IN (SELECT id FROM incidents WHERE ` + prunableIncident + `)`
	qPruneIncidents = `DELETE FROM incidents WHERE ` + prunableIncident

	defaultIncidents = 100
)

// OpenIncident stores inc as open with its first timeline entry, in one transaction,
// unless an incident with its (Environment, Key) is active: then it returns that one and
// false. The incident returned is as stored (ID set, times in UTC).
func (d *DB) OpenIncident(ctx context.Context, inc store.Incident, entry store.TimelineEntry) (store.Incident, bool, error) {
	if inc.Environment == "" || inc.Key == "" {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident: environment and key are required (got %q, %q)", inc.Environment, inc.Key)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	defer tx.Rollback()
	// The transaction holds the write lock from BEGIN (see Open): nothing can open the
	// same key between this read and the insert.
	active, err := scanIncident(tx.QueryRowContext(ctx, qActiveIncidentKey, inc.Environment, inc.Key))
	if err == nil {
		return active, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	inc.State = store.IncidentOpen
	res, err := tx.ExecContext(ctx, qInsertIncident, inc.Environment, inc.Key, inc.Policy, inc.Source, inc.Title, inc.State,
		formatTime(inc.OpenedAt), formatTime(inc.AckedAt), inc.AckedBy, formatTime(inc.ResolvedAt), inc.ResolvedBy,
		inc.Step, inc.Cycle, formatTime(inc.NextAt), formatTime(inc.AckDeadline), formatTime(inc.AutoResolveAt),
		encodeStrings(inc.Notified), inc.Message, formatTime(inc.UpdatedAt))
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	if _, err := insertTimeline(ctx, tx, []store.TimelineEntry{entry}, id); err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	stored, err := scanIncident(tx.QueryRowContext(ctx, qIncidentByID, id))
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	if err := tx.Commit(); err != nil {
		return store.Incident{}, false, fmt.Errorf("sqlite: open incident %s/%s: %w", inc.Environment, inc.Key, err)
	}
	return stored, true, nil
}

// UpdateIncident replaces the mutable fields of the incident inc.ID of inc.Environment
// and appends entries to its timeline and msgs to the outbox, in one transaction; it
// fills in the IDs (and the entries' IncidentID) once committed. store.ErrNotFound if the
// incident is absent; store.ErrDuplicate if it would make a second active incident of
// its key, or a message key is already stored.
func (d *DB) UpdateIncident(ctx context.Context, inc store.Incident, entries []store.TimelineEntry, msgs []store.OutboxMessage) error {
	if err := checkIncidentState(inc.State); err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	if err := checkOutbox(msgs); err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	defer tx.Rollback()
	err = oneRow(tx.ExecContext(ctx, qUpdateIncident, inc.State, formatTime(inc.AckedAt), inc.AckedBy,
		formatTime(inc.ResolvedAt), inc.ResolvedBy, inc.Step, inc.Cycle, formatTime(inc.NextAt), formatTime(inc.AckDeadline),
		formatTime(inc.AutoResolveAt), encodeStrings(inc.Notified), inc.Message, formatTime(inc.UpdatedAt),
		inc.ID, inc.Environment))
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlite: update incident %d: another incident of %s/%s is active: %w", inc.ID, inc.Environment, inc.Key, store.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update incident %s/%d: %w", inc.Environment, inc.ID, err)
	}
	entryIDs, err := insertTimeline(ctx, tx, entries, inc.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	msgIDs, err := d.insertOutbox(ctx, tx, msgs)
	if err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update incident %d: %w", inc.ID, err)
	}
	for i := range entries {
		entries[i].ID, entries[i].IncidentID = entryIDs[i], inc.ID
	}
	for i := range msgs {
		msgs[i].ID = msgIDs[i]
	}
	return nil
}

func checkIncidentState(s string) error {
	switch s {
	case store.IncidentOpen, store.IncidentAcknowledged, store.IncidentResolved:
		return nil
	}
	return fmt.Errorf("unknown incident state %q", s)
}

// AppendTimeline adds entries to their incidents' timelines in one transaction and fills
// in their IDs; store.ErrNotFound (and nothing stored) if an incident is absent.
func (d *DB) AppendTimeline(ctx context.Context, entries []store.TimelineEntry) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: append timeline: %w", err)
	}
	defer tx.Rollback()
	ids, err := insertTimeline(ctx, tx, entries, 0)
	if err != nil {
		return fmt.Errorf("sqlite: append timeline: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: append timeline: %w", err)
	}
	for i := range entries {
		entries[i].ID = ids[i]
	}
	return nil
}

// insertTimeline inserts entries for the incident incidentID, or (when it is 0) each for
// its own IncidentID, and returns their IDs; store.ErrNotFound if an incident is absent.
func insertTimeline(ctx context.Context, tx *sql.Tx, entries []store.TimelineEntry, incidentID int64) ([]int64, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	stmt, err := tx.PrepareContext(ctx, qInsertTimeline)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	ids := make([]int64, len(entries))
	for i, e := range entries {
		if incidentID != 0 {
			e.IncidentID = incidentID
		}
		res, err := stmt.ExecContext(ctx, formatTime(e.At), e.Kind, e.Text, e.Data, e.IncidentID)
		if err = oneRow(res, err); err != nil {
			return nil, fmt.Errorf("timeline entry %d of incident %d: %w", i, e.IncidentID, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// GetIncident returns the incident id of env, or store.ErrNotFound.
func (d *DB) GetIncident(ctx context.Context, env string, id int64) (store.Incident, error) {
	inc, err := scanIncident(d.db.QueryRowContext(ctx, qGetIncident, id, env))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Incident{}, fmt.Errorf("sqlite: get incident %s/%d: %w", env, id, store.ErrNotFound)
	}
	if err != nil {
		return store.Incident{}, fmt.Errorf("sqlite: get incident %s/%d: %w", env, id, err)
	}
	return inc, nil
}

// ListIncidents returns up to q.Limit (≤ 0: 100) incidents of q.Environment in any of
// q.States (any state when none), newest (ID) first.
func (d *DB) ListIncidents(ctx context.Context, q store.IncidentQuery) ([]store.Incident, error) {
	if q.Environment == "" {
		return nil, errors.New("sqlite: list incidents: environment is required")
	}
	query, args := qSelectIncidents+" WHERE environment = ?", []any{q.Environment}
	if len(q.States) > 0 {
		query += " AND state IN (?" + strings.Repeat(", ?", len(q.States)-1) + ")"
		for _, s := range q.States {
			args = append(args, s)
		}
	}
	if q.BeforeID > 0 {
		query, args = query+" AND id < ?", append(args, q.BeforeID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultIncidents
	}
	out, err := d.queryIncidents(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list incidents: %w", err)
	}
	return out, nil
}

// ActiveIncidents returns the open and acknowledged incidents of every environment,
// oldest (ID) first.
func (d *DB) ActiveIncidents(ctx context.Context) ([]store.Incident, error) {
	out, err := d.queryIncidents(ctx, qActiveIncidents)
	if err != nil {
		return nil, fmt.Errorf("sqlite: active incidents: %w", err)
	}
	return out, nil
}

func (d *DB) queryIncidents(ctx context.Context, query string, args ...any) ([]store.Incident, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inc)
	}
	return out, rows.Err()
}

func scanIncident(row scanner) (store.Incident, error) {
	var inc store.Incident
	var opened, acked, resolved, next, deadline, autoResolve, updated, notified string
	if err := row.Scan(&inc.ID, &inc.Environment, &inc.Key, &inc.Policy, &inc.Source, &inc.Title, &inc.State,
		&opened, &acked, &inc.AckedBy, &resolved, &inc.ResolvedBy, &inc.Step, &inc.Cycle, &next, &deadline, &autoResolve,
		&notified, &inc.Message, &updated); err != nil {
		return inc, err
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{
		{opened, &inc.OpenedAt}, {acked, &inc.AckedAt}, {resolved, &inc.ResolvedAt}, {next, &inc.NextAt},
		{deadline, &inc.AckDeadline}, {autoResolve, &inc.AutoResolveAt}, {updated, &inc.UpdatedAt},
	} {
		var err error
		if *t.dst, err = parseTime(t.s); err != nil {
			return inc, fmt.Errorf("incident %d: %w", inc.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(notified), &inc.Notified); err != nil {
		return inc, fmt.Errorf("incident %d: bad stored notified topics: %w", inc.ID, err)
	}
	if len(inc.Notified) == 0 {
		inc.Notified = nil
	}
	inc.Message = blob(inc.Message)
	return inc, nil
}

// Timeline returns the entries of the incident incidentID, oldest (At, then ID) first;
// none for an unknown incident.
func (d *DB) Timeline(ctx context.Context, incidentID int64) ([]store.TimelineEntry, error) {
	rows, err := d.db.QueryContext(ctx, qTimeline, incidentID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: timeline of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []store.TimelineEntry
	for rows.Next() {
		var e store.TimelineEntry
		var at string
		if err := rows.Scan(&e.ID, &e.IncidentID, &at, &e.Kind, &e.Text, &e.Data); err != nil {
			return nil, fmt.Errorf("sqlite: timeline of incident %d: %w", incidentID, err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("sqlite: timeline of incident %d: entry %d: %w", incidentID, e.ID, err)
		}
		e.Data = blob(e.Data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: timeline of incident %d: %w", incidentID, err)
	}
	return out, nil
}

// PruneIncidents deletes, in one transaction, the incidents resolved before before that
// no kept outbox message is about, with their timelines; it returns the number of
// incidents deleted.
func (d *DB) PruneIncidents(ctx context.Context, before time.Time) (int64, error) {
	b := formatTime(before)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune incidents: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, qPruneTimeline, b, b); err != nil {
		return 0, fmt.Errorf("sqlite: prune incidents: timelines: %w", err)
	}
	res, err := tx.ExecContext(ctx, qPruneIncidents, b, b)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune incidents: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune incidents: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: prune incidents: %w", err)
	}
	return n, nil
}
