package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema history. Files are named NNNN_description.sql; once
// released a file is never edited, a change is a new file with the next number.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string // file name, recorded for humans
	sql     string
}

// loadMigrations reads every *.sql file in the root of fsys, ordered by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: path.Base(name), sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies, in version order, each migration of fsys that db has not recorded in
// schema_migrations. Each runs in its own transaction together with its bookkeeping row,
// so a failing migration leaves the schema as it was. A database that records a version
// this binary does not know was written by a newer tocsin and is refused.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, now time.Time) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, qCreateMigrations); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	for _, v := range applied {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == v }) {
			return fmt.Errorf("database has schema version %d, unknown to this tocsin (newer release?)", v)
		}
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		if err := applyMigration(ctx, db, m, now); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, db *sql.DB) ([]int, error) {
	rows, err := db.QueryContext(ctx, qAppliedMigrations)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return vs, nil
}

// applyMigration runs one migration in a transaction. It checks again inside the
// transaction (which takes the write lock at BEGIN, see Open) so that two processes
// opening the same file at once apply each migration only once.
func applyMigration(ctx context.Context, db *sql.DB, m migration, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, qMigrationApplied, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qRecordMigration, m.version, m.name, formatTime(now)); err != nil {
		return err
	}
	return tx.Commit()
}
