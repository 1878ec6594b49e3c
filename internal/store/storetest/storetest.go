// Package storetest is the contract suite that every store.Store backend must pass:
// backends call Run from their tests (SQLite always, PostgreSQL when a DSN is given).
//
// It owns the observable behaviour of the store interfaces — ordering, replacement,
// tombstones, ErrNotFound, UTC times with at least microsecond precision — and nothing
// about how a backend stores them. It must not import any backend.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// Option adjusts Run.
type Option func(*options)

type options struct {
	storage func(t *testing.T) func() store.Store
}

// WithReopen enables the persistence subtest. storage prepares fresh, empty storage for t
// and returns a function that opens a Store on it; the suite opens a store, writes, closes
// it, opens a second one on the same storage and expects to read everything back.
func WithReopen(storage func(t *testing.T) func() store.Store) Option {
	return func(o *options) { o.storage = storage }
}

// Run runs the contract suite. open must return a new, empty store for each call; Run
// closes every store it gets and fails the test if Close fails.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	fresh := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("reloads", func(t *testing.T) { testReloads(t, fresh(t)) })
	t.Run("runtime", func(t *testing.T) { testRuntime(t, fresh(t)) })
	t.Run("probes", func(t *testing.T) { testProbes(t, fresh(t)) })
	t.Run("ping", func(t *testing.T) { testPing(t, open) })
	t.Run("reopen", func(t *testing.T) {
		if o.storage == nil {
			t.Skip("backend passed no storetest.WithReopen")
		}
		testReopen(t, o.storage(t))
	})
}

// at returns a distinct instant in a non-UTC zone, so that a backend returning local times
// or dropping sub-second precision fails.
func at(i int) time.Time {
	zone := time.FixedZone("UTC+2", 2*60*60)
	return time.Date(2026, 3, 14, 15, 9, 26, 535897000, zone).Add(time.Duration(i) * time.Hour)
}

func sameTime(got, want time.Time) bool { return got.Equal(want) && got.Location() == time.UTC }

func diffReload(got, want store.ReloadRecord) string {
	if got.ID != want.ID || !sameTime(got.At, want.At) || got.Trigger != want.Trigger ||
		got.OK != want.OK || !slices.Equal(got.Errors, want.Errors) || got.Checksum != want.Checksum {
		return fmt.Sprintf("got  %+v (at %s)\nwant %+v (at %s, UTC)", got, got.At, want, want.At.UTC())
	}
	return ""
}

func checkReloads(t *testing.T, got []store.ReloadRecord, want ...store.ReloadRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d reloads, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if d := diffReload(got[i], want[i]); d != "" {
			t.Errorf("reload %d:\n%s", i, d)
		}
	}
}

func testReloads(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.LastReload(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LastReload on empty log: err = %v, want ErrNotFound", err)
	}
	if got, err := s.ListReloads(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("ListReloads on empty log = %v, %v; want none", got, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.RecordReload(canceled, store.ReloadRecord{At: at(0), Trigger: "api", OK: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecordReload with canceled context: err = %v, want context.Canceled", err)
	}

	want := []store.ReloadRecord{
		{At: at(1), Trigger: "startup", OK: true, Checksum: "sha256:aaa"},
		{At: at(2), Trigger: "file-change", OK: false, Checksum: "sha256:bbb", Errors: []string{
			`alarms/cpu.yaml:3:7: alarms.cpu.threshold: must be a number, got "high"`,
			"channels.yaml:12:1: channels.ops: unknown key « webhok »",
		}},
		{At: at(3), Trigger: "signal", OK: true, Checksum: "sha256:ccc"},
	}
	for i := range want {
		id, err := s.RecordReload(ctx, want[i])
		if err != nil {
			t.Fatalf("RecordReload: %v", err)
		}
		if id <= 0 || slices.ContainsFunc(want[:i], func(r store.ReloadRecord) bool { return r.ID == id }) {
			t.Fatalf("RecordReload #%d returned id %d, want a new positive id", i, id)
		}
		want[i].ID = id
	}
	if last, err := s.LastReload(ctx); err != nil || diffReload(last, want[2]) != "" {
		t.Errorf("LastReload = %+v, %v; want %+v", last, err, want[2])
	}
	for limit, newest := range map[int][]store.ReloadRecord{10: {want[2], want[1], want[0]}, 2: {want[2], want[1]}} {
		got, err := s.ListReloads(ctx, limit)
		if err != nil {
			t.Fatalf("ListReloads(%d): %v", limit, err)
		}
		checkReloads(t, got, newest...)
	}
	if _, err := s.ListReloads(ctx, 0); err == nil {
		t.Error("ListReloads(0) succeeded, want an error")
	}
}

func diffResource(got, want store.RuntimeResource) string {
	if got.Environment != want.Environment || got.Kind != want.Kind || got.Name != want.Name ||
		got.Deleted != want.Deleted || !bytes.Equal(got.Body, want.Body) ||
		!sameTime(got.UpdatedAt, want.UpdatedAt) || got.UpdatedBy != want.UpdatedBy {
		return fmt.Sprintf("got  %+v (body %q)\nwant %+v (body %q)", got, got.Body, want, want.Body)
	}
	return ""
}

func checkRuntime(t *testing.T, s store.Store, env string, want ...store.RuntimeResource) {
	t.Helper()
	got, err := s.ListRuntimeResources(t.Context(), env)
	if err != nil {
		t.Fatalf("ListRuntimeResources(%q): %v", env, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListRuntimeResources(%q) returned %d records, want %d: %+v", env, len(got), len(want), got)
	}
	for i := range want {
		if d := diffResource(got[i], want[i]); d != "" {
			t.Errorf("ListRuntimeResources(%q)[%d]:\n%s", env, i, d)
		}
	}
}

func resource(env, kind, name, body string, i int) store.RuntimeResource {
	r := store.RuntimeResource{Environment: env, Kind: kind, Name: name, Body: []byte(body), UpdatedAt: at(i), UpdatedBy: "token-" + name}
	if body == "" {
		r.Deleted, r.Body = true, nil
	}
	return r
}

func testRuntime(t *testing.T, s store.Store) {
	ctx := t.Context()
	put := func(r store.RuntimeResource) {
		t.Helper()
		if err := s.PutRuntimeResource(ctx, r); err != nil {
			t.Fatalf("PutRuntimeResource(%s/%s/%s): %v", r.Environment, r.Kind, r.Name, err)
		}
	}
	checkRuntime(t, s, "prod")

	// Inserted out of order; listed by kind, then name, bytewise ("Zeta" < "cpu").
	disk := resource("prod", "alarms", "disk", `{"threshold":90}`, 1)
	cpu := resource("prod", "alarms", "cpu", `{"threshold":80}`, 2)
	zeta := resource("prod", "alarms", "Zeta", `{"threshold":1}`, 3)
	slack := resource("prod", "channels", "Ops", `{"url":"${env:SLACK}"}`, 4)
	stagingCPU := resource("staging", "alarms", "cpu", `{"threshold":50}`, 5)
	for _, r := range []store.RuntimeResource{slack, disk, stagingCPU, cpu, zeta} {
		put(r)
	}
	checkRuntime(t, s, "prod", zeta, cpu, disk, slack)
	checkRuntime(t, s, "staging", stagingCPU)
	checkRuntime(t, s, "dev")

	// Put replaces the record with the same key; a tombstone has no body.
	cpu2 := resource("prod", "alarms", "cpu", `{"threshold":95,"for":"5m"}`, 6)
	cpu2.UpdatedBy = "token-ci"
	put(cpu2)
	diskGone := resource("prod", "alarms", "disk", "", 7)
	put(diskGone)
	checkRuntime(t, s, "prod", zeta, cpu2, diskGone, slack)
	checkRuntime(t, s, "staging", stagingCPU)

	bad := map[string]store.RuntimeResource{
		"tombstone with body": {Environment: "prod", Kind: "alarms", Name: "x", Deleted: true, Body: []byte(`{}`), UpdatedAt: at(8)},
		"live without body":   {Environment: "prod", Kind: "alarms", Name: "x", UpdatedAt: at(8)},
		"no name":             {Environment: "prod", Kind: "alarms", Body: []byte(`{}`), UpdatedAt: at(8)},
	}
	for what, r := range bad {
		if err := s.PutRuntimeResource(ctx, r); err == nil {
			t.Errorf("PutRuntimeResource(%s) succeeded, want an error", what)
		}
	}

	// Remove forgets a record (tombstones included) in one environment only.
	for _, r := range []store.RuntimeResource{cpu2, diskGone} {
		if err := s.RemoveRuntimeResource(ctx, r.Environment, r.Kind, r.Name); err != nil {
			t.Fatalf("RemoveRuntimeResource(%s): %v", r.Name, err)
		}
	}
	checkRuntime(t, s, "prod", zeta, slack)
	checkRuntime(t, s, "staging", stagingCPU)
	for _, key := range [][3]string{{"prod", "alarms", "cpu"}, {"prod", "alarms", "never"}, {"qa", "alarms", "Zeta"}} {
		if err := s.RemoveRuntimeResource(ctx, key[0], key[1], key[2]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RemoveRuntimeResource(%v): err = %v, want ErrNotFound", key, err)
		}
	}
}

func testProbes(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.ReadProbe(ctx, "health"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ReadProbe(missing): err = %v, want ErrNotFound", err)
	}
	for _, kv := range [][2]string{{"health", "one"}, {"other", "x"}, {"health", "two"}} {
		if err := s.WriteProbe(ctx, kv[0], kv[1]); err != nil {
			t.Fatalf("WriteProbe(%q, %q): %v", kv[0], kv[1], err)
		}
	}
	for key, want := range map[string]string{"health": "two", "other": "x"} {
		if got, err := s.ReadProbe(ctx, key); err != nil || got != want {
			t.Errorf("ReadProbe(%q) = %q, %v; want %q", key, got, err, want)
		}
	}
}

func testPing(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(canceled); err == nil {
		t.Error("Ping with canceled context succeeded, want an error")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping after Close succeeded, want an error")
	}
}

func testReopen(t *testing.T, openSame func() store.Store) {
	ctx := t.Context()
	s := openSame()
	rec := store.ReloadRecord{At: at(1), Trigger: "api", OK: false, Errors: []string{"a.yaml:1:1: x: bad"}, Checksum: "c1"}
	id, err := s.RecordReload(ctx, rec)
	if err != nil {
		t.Fatalf("RecordReload: %v", err)
	}
	rec.ID = id
	live, gone := resource("prod", "alarms", "cpu", `{"threshold":80}`, 2), resource("prod", "alarms", "disk", "", 3)
	for _, r := range []store.RuntimeResource{live, gone} {
		if err := s.PutRuntimeResource(ctx, r); err != nil {
			t.Fatalf("PutRuntimeResource: %v", err)
		}
	}
	if err := s.WriteProbe(ctx, "health", "ok"); err != nil {
		t.Fatalf("WriteProbe: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openSame()
	defer s.Close()
	if got, err := s.LastReload(ctx); err != nil || diffReload(got, rec) != "" {
		t.Errorf("LastReload after reopen = %+v, %v; want %+v", got, err, rec)
	}
	checkRuntime(t, s, "prod", live, gone)
	if got, err := s.ReadProbe(ctx, "health"); err != nil || got != "ok" {
		t.Errorf("ReadProbe after reopen = %q, %v; want \"ok\"", got, err)
	}
	if id2, err := s.RecordReload(ctx, rec); err != nil || id2 == id {
		t.Errorf("RecordReload after reopen = %d, %v; want a new id (old %d)", id2, err, id)
	}
}
