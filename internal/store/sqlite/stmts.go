package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// The notifier's hot path (Enqueue and RecordAttempts on every fan-out and send, the
// outbox polls) runs statements prepared once at Open instead of parsing its SQL on
// every call, which is about an eighth of an uncontended Enqueue.

// preparedQueries are prepared at Open; DB.stmt hands them out.
var preparedQueries = []string{
	qFinishDelivery, qInsertHeld, qInsertOutbox, qDeleteHeld, qUpsertGroup, qAttemptOutbox, qInsertAttempt,
	qDueOutbox, qNextOutboxAt, qDueHeld, qNextHeldAt, qGroupLastSent, qGetOutbox, qReleaseMuted, qDropMuted,
}

// prepareStatements prepares preparedQueries on d.db.
func (d *DB) prepareStatements(ctx context.Context) error {
	d.stmts = make(map[string]*sql.Stmt, len(preparedQueries))
	for _, q := range preparedQueries {
		st, err := d.db.PrepareContext(ctx, q)
		if err != nil {
			d.closeStatements()
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		d.stmts[q] = st
	}
	return nil
}

func (d *DB) closeStatements() {
	for _, st := range d.stmts {
		st.Close()
	}
}

// stmt returns query, prepared at Open, for use in tx (or on its own when tx is nil).
// database/sql keeps it prepared on the connection, so that in a transaction it is reused,
// not parsed again. A query missing from preparedQueries is a programming error.
func (d *DB) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	st := d.stmts[query]
	if st == nil {
		panic("sqlite: statement not prepared at Open: " + query)
	}
	if tx != nil {
		return tx.StmtContext(ctx, st)
	}
	return st
}
