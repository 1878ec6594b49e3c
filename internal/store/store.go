// Package store defines tocsin's durable state as narrow interfaces that every backend
// (SQLite now, PostgreSQL later) implements, plus the record types they exchange.
//
// It owns no SQL and no driver: backends live in sub-packages (store/sqlite) and prove
// themselves with the shared contract suite in store/storetest. Consumers depend on the
// smallest interface they need (ReloadLog, Runtime, Probe), never on a backend.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// Store is everything a backend provides. Consumers should accept the narrow interfaces.
type Store interface {
	ReloadLog
	Runtime
	Probe
	Alarms
	Events
	Notifications
	Incidents
	Silences
	Close() error
}

// ReloadRecord is the outcome of one attempt to load the stack.
type ReloadRecord struct {
	ID       int64     // assigned by the store
	At       time.Time // when the attempt finished (UTC)
	Trigger  string    // "startup", "signal", "file-change", "api"
	OK       bool
	Errors   []string // each "FILE:LINE:COL: path: message"; empty when OK
	Checksum string   // content hash of the stack files that were loaded
}

// ReloadLog keeps the history of configuration loads.
type ReloadLog interface {
	RecordReload(ctx context.Context, r ReloadRecord) (int64, error)
	// LastReload returns the newest record, or ErrNotFound when none exists.
	LastReload(ctx context.Context) (ReloadRecord, error)
	// ListReloads returns up to limit records, newest first.
	ListReloads(ctx context.Context, limit int) ([]ReloadRecord, error)
}

// RuntimeResource is a resource created, changed or deleted through the API on a running
// server, layered over the stack's configuration of one environment. It is what
// `tocsin parity --live` reports as drift.
type RuntimeResource struct {
	Environment string
	Kind        string // e.g. "alarms"
	Name        string
	Deleted     bool      // a tombstone: the stack's resource is removed at runtime
	Body        []byte    // the resource as sent to the API (compact JSON, secrets included); nil when Deleted
	UpdatedAt   time.Time // UTC
	UpdatedBy   string    // token name that made the change
}

// Runtime stores runtime resources. Put replaces any record with the same
// (Environment, Kind, Name).
type Runtime interface {
	PutRuntimeResource(ctx context.Context, r RuntimeResource) error
	// RemoveRuntimeResource forgets the runtime record (the stack's definition applies again).
	// It returns ErrNotFound when there was none.
	RemoveRuntimeResource(ctx context.Context, env, kind, name string) error
	// ListRuntimeResources returns the records of one environment ordered by kind, then name.
	ListRuntimeResources(ctx context.Context, env string) ([]RuntimeResource, error)
}

// Probe supports health checks: Ping proves the store answers; the write/read pair is the
// deep smoke test used by GET /test.
type Probe interface {
	Ping(ctx context.Context) error
	// WriteProbe stores value under key (replacing it) and ReadProbe reads it back.
	WriteProbe(ctx context.Context, key, value string) error
	ReadProbe(ctx context.Context, key string) (string, error)
}
