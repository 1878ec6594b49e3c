package sqlite

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/storetest"
)

func openAt(t *testing.T, path string) *DB {
	t.Helper()
	d, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return d
}

func TestStore(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store { return openAt(t, filepath.Join(t.TempDir(), "tocsin.db")) },
		storetest.WithReopen(func(t *testing.T) func() store.Store {
			path := filepath.Join(t.TempDir(), "tocsin.db")
			return func() store.Store { return openAt(t, path) }
		}))
}

// rawOpen opens the file with no DSN settings, the way an operator's sqlite3 shell would.
func rawOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestOpenSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tocsin.db")
	d := openAt(t, path)
	defer d.Close()

	// journal_mode=WAL is a property of the file: a plain connection sees it too.
	var mode string
	if err := rawOpen(t, path).QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode of the file = %q, want wal", mode)
	}
	// The others are per connection: ask the store's own.
	for pragma, want := range map[string]int{"synchronous": 2, "busy_timeout": 5000, "foreign_keys": 1} {
		var got int
		if err := d.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %d, want %d", pragma, got, want)
		}
	}
}

// Times are written as fixed-width UTC text with nanoseconds, so an operator reading the
// file sees UTC and text order is time order.
func TestTimesStoredAsUTC(t *testing.T) {
	d := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
	defer d.Close()
	ctx := t.Context()
	at := time.Date(2026, 3, 14, 15, 9, 26, 5, time.FixedZone("UTC+2", 2*60*60))
	if _, err := d.RecordReload(ctx, store.ReloadRecord{At: at, Trigger: "api", OK: true}); err != nil {
		t.Fatal(err)
	}
	r := store.RuntimeResource{Environment: "prod", Kind: "alarms", Name: "cpu", Body: []byte("{}"), UpdatedAt: at}
	if err := d.PutRuntimeResource(ctx, r); err != nil {
		t.Fatal(err)
	}
	var reloadAt, updatedAt string
	if err := d.db.QueryRowContext(ctx, "SELECT at FROM reloads").Scan(&reloadAt); err != nil {
		t.Fatal(err)
	}
	if err := d.db.QueryRowContext(ctx, "SELECT updated_at FROM runtime_resources").Scan(&updatedAt); err != nil {
		t.Fatal(err)
	}
	const want = "2026-03-14T13:09:26.000000005Z"
	if reloadAt != want || updatedAt != want {
		t.Errorf("stored times = %q, %q; want %q", reloadAt, updatedAt, want)
	}
	// Nanoseconds and the zero time survive a round trip.
	if _, err := d.RecordReload(ctx, store.ReloadRecord{Trigger: "api", OK: true}); err != nil {
		t.Fatal(err)
	}
	got, err := d.ListReloads(ctx, 2)
	if err != nil || len(got) != 2 || !got[0].At.IsZero() || !got[1].At.Equal(at) {
		t.Errorf("ListReloads = %+v, %v; want the zero time, then %s", got, err, at)
	}
}

func TestOpenFails(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"empty path":     "",
		"missing dir":    filepath.Join(dir, "no", "such", "dir", "tocsin.db"),
		"not a database": garbage,
		"path is a dir":  dir,
	} {
		if d, err := Open(t.Context(), path); err == nil {
			d.Close()
			t.Errorf("%s: Open(%q) succeeded, want an error", name, path)
		} else if !strings.HasPrefix(err.Error(), "sqlite: open") {
			t.Errorf("%s: error %q lacks the \"sqlite: open\" prefix", name, err)
		}
	}
}

type appliedRow struct {
	Version   int
	AppliedAt string
}

func applied(t *testing.T, db *sql.DB) []appliedRow {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT version, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []appliedRow
	for rows.Next() {
		var r appliedRow
		if err := rows.Scan(&r.Version, &r.AppliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tocsin.db")
	names, err := migrationFiles.ReadDir("migrations")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %d files", err, len(names))
	}
	d := openAt(t, path)
	first := applied(t, d.db)
	d.Close()
	if len(first) != len(names) || first[0].Version != 1 {
		t.Fatalf("after first Open, schema_migrations = %+v, want %d versions from 1", first, len(names))
	}
	d = openAt(t, path) // 0001 uses plain CREATE TABLE: running it again would fail
	defer d.Close()
	if again := applied(t, d.db); !slices.Equal(again, first) {
		t.Errorf("after reopen, schema_migrations = %+v, want unchanged %+v", again, first)
	}
}

func TestMigrateAppliesOnlyNewAndRollsBack(t *testing.T) {
	db := rawOpen(t, filepath.Join(t.TempDir(), "m.db"))
	ctx, now := t.Context(), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fsys := fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (a INTEGER);")}}
	versions := func() (vs []int) {
		for _, r := range applied(t, db) {
			vs = append(vs, r.Version)
		}
		return vs
	}
	if err := migrate(ctx, db, fsys, now); err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	fsys["0010_b.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t (a, b) VALUES (1, 'x');")}
	fsys["0002_u.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE u (c INTEGER);")}
	for range 2 {
		if err := migrate(ctx, db, fsys, now); err != nil {
			t.Fatalf("migrate with new files: %v", err)
		}
	}
	if got := versions(); !slices.Equal(got, []int{1, 2, 10}) {
		t.Errorf("versions = %v, want [1 2 10]", got)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE b = 'x'").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows inserted by 0010 = %d, %v; want 1 (applied exactly once)", n, err)
	}

	// A failing migration leaves neither its tables nor its version behind.
	fsys["0011_bad.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE v (d INTEGER); INSERT INTO nowhere VALUES (1);")}
	if err := migrate(ctx, db, fsys, now); err == nil || !strings.Contains(err.Error(), "0011_bad.sql") {
		t.Errorf("migrate with a bad file: err = %v, want one naming 0011_bad.sql", err)
	}
	if got := versions(); !slices.Equal(got, []int{1, 2, 10}) {
		t.Errorf("versions after failed migration = %v, want [1 2 10]", got)
	}
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'v'").Scan(&n); err != nil || n != 0 {
		t.Errorf("table v exists after failed migration (%d, %v)", n, err)
	}

	// A database from a newer release, and badly named files, are refused.
	delete(fsys, "0011_bad.sql")
	delete(fsys, "0010_b.sql")
	if err := migrate(ctx, db, fsys, now); err == nil {
		t.Error("migrate with version 10 recorded but unknown succeeded, want an error")
	}
	for _, name := range []string{"init.sql", "0_zero.sql", "0001_dup.sql"} {
		bad := fstest.MapFS{"0001_t.sql": fsys["0001_t.sql"], name: {Data: []byte("SELECT 1;")}}
		if _, err := loadMigrations(bad); err == nil {
			t.Errorf("loadMigrations with %s succeeded, want an error", name)
		}
	}
}

func TestFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tocsin.db")
	db := openAt(t, path)
	defer db.Close()
	for _, p := range []string{path, path + "-wal"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), perm)
		}
	}
}

func TestMetricsContract(t *testing.T) {
	storetest.RunMetrics(t, func(t *testing.T) store.Metrics {
		db := openAt(t, filepath.Join(t.TempDir(), "metrics.db"))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestAlarmsContract(t *testing.T) {
	storetest.RunAlarms(t, func(t *testing.T) store.Alarms {
		db := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestEventsContract(t *testing.T) {
	storetest.RunEvents(t,
		func(t *testing.T) store.Events {
			db := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
			t.Cleanup(func() { db.Close() })
			return db
		},
		storetest.WithReopen(func(t *testing.T) func() store.Store {
			path := filepath.Join(t.TempDir(), "tocsin.db")
			return func() store.Store { return openAt(t, path) }
		}))
}

// BenchmarkAppendEvents appends batches of 1,000 events of about 1 KB, each batch one
// durable transaction (WAL, synchronous=FULL), and reports events/s. The id index is the
// cost that grows with the table: ids=v4 (random, as event.NewID makes them) touch a page
// of it per event, ids=v7 (time-ordered) append to it. Run it with enough batches to let
// the table grow: go test -run NONE -bench AppendEvents -benchtime 200x.
func BenchmarkAppendEvents(b *testing.B) {
	for _, kind := range []string{"v4", "v7"} {
		b.Run("ids="+kind, func(b *testing.B) { benchmarkAppendEvents(b, kind) })
	}
}

func benchmarkAppendEvents(b *testing.B, kind string) {
	const batch = 1000
	d, err := Open(b.Context(), filepath.Join(b.TempDir(), "tocsin.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	body := []byte(`{"version":"0","detail-type":"Order Placed","source":"shop.orders","detail":{"pad":"` +
		strings.Repeat("x", 900) + `"}}`)
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
	batches := make([][]store.EventRecord, b.N)
	for i := range batches {
		batches[i] = make([]store.EventRecord, batch)
		for j := range batches[i] {
			at := t0.Add(time.Duration(i*batch+j) * time.Millisecond)
			prefix := uint64(rng.Uint32())<<16 | uint64(rng.Uint32()&0xffff) // v4: random
			if kind == "v7" {
				prefix = uint64(at.UnixMilli()) // v7: 48 bits of Unix milliseconds first
			}
			batches[i][j] = store.EventRecord{
				ID: fmt.Sprintf("%08x-%04x-%s%03x-8%03x-%012x", prefix>>16, prefix&0xffff, kind[1:], rng.Uint32()&0xfff,
					rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff),
				Environment: "prod", Source: "shop.orders", DetailType: "Order Placed", Time: at, Ingested: at,
				Body: body, Rules: []string{"orders-to-webhook"},
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if err := d.AppendEvents(b.Context(), batches[i], nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
