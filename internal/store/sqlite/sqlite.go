// Package sqlite is the SQLite backend of store.Store, built on the pure-Go driver
// modernc.org/sqlite so that tocsin needs no cgo.
//
// It owns one database file: its connection settings (WAL, synchronous=FULL, a busy
// timeout, foreign keys), its schema (numbered migrations embedded from migrations/ and
// applied by Open) and the encoding of records into rows. The SQL lives in queries.go.
// It must not hold business rules: what a record means belongs to the store package and
// its consumers, and its behaviour is pinned by the shared suite in store/storetest.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store backed by one SQLite file. It is safe for concurrent use; all
// statements share a single connection, which serialises them (SQLite allows only one
// writer at a time anyway, and tocsin's volume of state is small).
type DB struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt // preparedQueries, prepared at Open; read-only after
}

// Open opens (creating it if needed) the SQLite database at path, applies any pending
// migrations and returns it ready for use. The caller must Close it.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	dsn, err := dataSourceName(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The state may hold secrets (runtime resources as sent): create the file private.
	// SQLite gives its -wal and -shm files the same permissions.
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	if err := setUp(ctx, sqldb); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	d := &DB{db: sqldb}
	if err := d.prepareStatements(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return d, nil
}

// dataSourceName builds a file: URI for path carrying the per-connection pragmas, so that
// every connection database/sql creates gets them. _txlock=immediate makes every
// transaction take the write lock at BEGIN, so a concurrent writer waits (busy_timeout)
// instead of failing with SQLITE_BUSY when upgrading a read lock.
func dataSourceName(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // a Windows drive letter: file:///C:/...
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// Statement journals and temporary b-trees in memory, and a cache that holds a whole
	// batch (1,000 events of ~1 KB) without spilling to disk mid-transaction.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-65536)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String(), nil
}

// setUp checks that the file really is in WAL mode (SQLite silently keeps another mode
// where WAL is impossible) and migrates the schema.
func setUp(ctx context.Context, sqldb *sql.DB) error {
	var mode string
	if err := sqldb.QueryRowContext(ctx, qJournalMode).Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	return migrate(ctx, sqldb, sub, time.Now())
}

// Close closes the database. Calling it again returns nil.
func (d *DB) Close() error {
	d.closeStatements()
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// RecordReload appends r to the reload log and returns its new ID; r.ID is ignored.
func (d *DB) RecordReload(ctx context.Context, r store.ReloadRecord) (int64, error) {
	errs := r.Errors
	if errs == nil {
		errs = []string{}
	}
	errJSON, err := json.Marshal(errs)
	if err != nil {
		return 0, fmt.Errorf("sqlite: record reload: %w", err)
	}
	var id int64
	err = d.db.QueryRowContext(ctx, qInsertReload,
		formatTime(r.At), r.Trigger, r.OK, string(errJSON), r.Checksum).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqlite: record reload: %w", err)
	}
	return id, nil
}

// LastReload returns the most recently recorded reload, or store.ErrNotFound.
func (d *DB) LastReload(ctx context.Context) (store.ReloadRecord, error) {
	rs, err := d.listReloads(ctx, 1)
	if err != nil {
		return store.ReloadRecord{}, fmt.Errorf("sqlite: last reload: %w", err)
	}
	if len(rs) == 0 {
		return store.ReloadRecord{}, fmt.Errorf("sqlite: last reload: %w", store.ErrNotFound)
	}
	return rs[0], nil
}

// ListReloads returns up to limit reloads, most recently recorded first. Errors is nil
// for a record without errors. A limit below 1 is an error.
func (d *DB) ListReloads(ctx context.Context, limit int) ([]store.ReloadRecord, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlite: list reloads: limit %d, want at least 1", limit)
	}
	rs, err := d.listReloads(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list reloads: %w", err)
	}
	return rs, nil
}

func (d *DB) listReloads(ctx context.Context, limit int) ([]store.ReloadRecord, error) {
	rows, err := d.db.QueryContext(ctx, qListReloads, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []store.ReloadRecord
	for rows.Next() {
		var r store.ReloadRecord
		var at, errJSON string
		if err := rows.Scan(&r.ID, &at, &r.Trigger, &r.OK, &errJSON, &r.Checksum); err != nil {
			return nil, err
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("reload %d: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(errJSON), &r.Errors); err != nil {
			return nil, fmt.Errorf("reload %d: bad stored errors: %w", r.ID, err)
		}
		if len(r.Errors) == 0 {
			r.Errors = nil
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// PutRuntimeResource stores r, replacing any record with the same (Environment, Kind,
// Name). Environment, Kind and Name must be set; a tombstone (Deleted) must have no Body
// and a live resource must have one.
func (d *DB) PutRuntimeResource(ctx context.Context, r store.RuntimeResource) error {
	if err := checkResource(r); err != nil {
		return fmt.Errorf("sqlite: put runtime resource: %w", err)
	}
	var body any // NULL for a tombstone
	if !r.Deleted {
		body = r.Body
	}
	_, err := d.db.ExecContext(ctx, qPutRuntime, r.Environment, r.Kind, r.Name,
		r.Deleted, body, formatTime(r.UpdatedAt), r.UpdatedBy)
	if err != nil {
		return fmt.Errorf("sqlite: put runtime resource %s/%s/%s: %w", r.Environment, r.Kind, r.Name, err)
	}
	return nil
}

func checkResource(r store.RuntimeResource) error {
	switch {
	case r.Environment == "" || r.Kind == "" || r.Name == "":
		return fmt.Errorf("environment, kind and name are required (got %q, %q, %q)", r.Environment, r.Kind, r.Name)
	case r.Deleted && len(r.Body) > 0:
		return fmt.Errorf("%s/%s/%s: a tombstone has no body", r.Environment, r.Kind, r.Name)
	case !r.Deleted && len(r.Body) == 0:
		return fmt.Errorf("%s/%s/%s: body is empty", r.Environment, r.Kind, r.Name)
	}
	return nil
}

// RemoveRuntimeResource deletes the record, or returns store.ErrNotFound if there is none.
func (d *DB) RemoveRuntimeResource(ctx context.Context, env, kind, name string) error {
	res, err := d.db.ExecContext(ctx, qRemoveRuntime, env, kind, name)
	if err != nil {
		return fmt.Errorf("sqlite: remove runtime resource %s/%s/%s: %w", env, kind, name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: remove runtime resource %s/%s/%s: %w", env, kind, name, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: remove runtime resource %s/%s/%s: %w", env, kind, name, store.ErrNotFound)
	}
	return nil
}

// ListRuntimeResources returns the records of env ordered by kind, then name (bytewise).
func (d *DB) ListRuntimeResources(ctx context.Context, env string) ([]store.RuntimeResource, error) {
	rs, err := d.listRuntime(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list runtime resources of %q: %w", env, err)
	}
	return rs, nil
}

func (d *DB) listRuntime(ctx context.Context, env string) ([]store.RuntimeResource, error) {
	rows, err := d.db.QueryContext(ctx, qListRuntime, env)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []store.RuntimeResource
	for rows.Next() {
		var r store.RuntimeResource
		var at string
		if err := rows.Scan(&r.Environment, &r.Kind, &r.Name, &r.Deleted, &r.Body, &at, &r.UpdatedBy); err != nil {
			return nil, err
		}
		if r.UpdatedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", r.Kind, r.Name, err)
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// WriteProbe stores value under key, replacing any previous value.
func (d *DB) WriteProbe(ctx context.Context, key, value string) error {
	if _, err := d.db.ExecContext(ctx, qWriteProbe, key, value); err != nil {
		return fmt.Errorf("sqlite: write probe %q: %w", key, err)
	}
	return nil
}

// ReadProbe returns the value stored under key, or store.ErrNotFound.
func (d *DB) ReadProbe(ctx context.Context, key string) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, qReadProbe, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: read probe %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: read probe %q: %w", key, err)
	}
	return v, nil
}
