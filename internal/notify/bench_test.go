package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/channel/webhook"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// benchNotifier is a notifier over a real SQLite file whose topic "hooks" has one
// webhook subscription (the real channel) to a local receiver.
func benchNotifier(b *testing.B, received *atomic.Int64) (*notify.Notifier, *sqlite.DB) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		received.Add(1)
	}))
	b.Cleanup(srv.Close)
	dir := b.TempDir()
	stackYAML := fmt.Sprintf("environments: [production]\nserver:\n  notifications: {group_wait: 0s}\ntopics:\n  - name: hooks\n    subscriptions:\n      - webhook: {url: %q}\n", srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(stackYAML), 0o644); err != nil {
		b.Fatal(err)
	}
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		b.Fatal(diags.Errors().Strings())
	}
	set, err := notify.Build(st.Envs, st.Project.Server.Notifications, "", notify.Factories{"webhook": webhook.New}, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "tocsin.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return notify.New(notify.Options{Store: db, Setup: func() *notify.Setup { return set }}), db
}

// BenchmarkOutboxToWebhook measures notifications through the notifier's durable path:
// topic deliveries routed in batches of 1,000 (fan-out written to the outbox in one
// transaction), sent by the real webhook channel to a local receiver, outcomes stored.
// One op is one notification received.
// Run: go test -run '^$' -bench OutboxToWebhook -benchtime 20000x ./internal/notify
func BenchmarkOutboxToWebhook(b *testing.B) {
	var received atomic.Int64
	n, db := benchNotifier(b, &received)
	ctx := context.Background()
	payload := []byte(`{"version":"0","id":"x","source":"bench","detail-type":"Bench","time":"2026-11-22T10:00:00Z","resources":[],"detail":{"n":1},"environment":"production"}`)
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(1000, b.N-done)
		ds := make([]store.Delivery, k)
		now := time.Now()
		for i := range ds {
			ds[i] = store.Delivery{Environment: "production", Rule: "bench", Target: "0", Kind: notify.DeliveryTopic, EventID: fmt.Sprint(done + i),
				Payload: payload, Destination: []byte(`{"name":"hooks"}`), FirstAt: now, NextAt: now, MaxAttempts: 1, MaxAge: time.Hour}
		}
		if err := db.AppendEvents(ctx, nil, nil, ds); err != nil {
			b.Fatal(err)
		}
		due, err := db.DueDeliveries(ctx, time.Now(), k)
		if err != nil {
			b.Fatal(err)
		}
		ptrs := make([]*store.Delivery, len(due))
		for i := range due {
			ptrs[i] = &due[i]
		}
		for _, err := range n.RouteBatch(ctx, ptrs) {
			if err != nil {
				b.Fatal(err)
			}
		}
		for {
			m, err := n.Drain(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if m == 0 {
				break
			}
		}
		done += k
	}
	b.StopTimer()
	if got := received.Load(); got != int64(b.N) {
		b.Fatalf("received %d of %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
}

// BenchmarkEnqueueLatency times single-message outbox writes (a topic delivery routed
// alone, the latency-sensitive case) and reports the 99th percentile.
// Run: go test -run '^$' -bench EnqueueLatency -benchtime 2000x ./internal/notify
func BenchmarkEnqueueLatency(b *testing.B) {
	var received atomic.Int64
	n, db := benchNotifier(b, &received)
	ctx := context.Background()
	payload := []byte(`{"version":"0","id":"x","source":"bench","detail-type":"Bench","time":"2026-11-22T10:00:00Z","resources":[],"detail":{"n":1},"environment":"production"}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		now := time.Now()
		d := store.Delivery{Environment: "production", Rule: "bench", Target: "0", Kind: notify.DeliveryTopic, EventID: fmt.Sprint(i),
			Payload: payload, Destination: []byte(`{"name":"hooks"}`), FirstAt: now, NextAt: now, MaxAttempts: 1, MaxAge: time.Hour}
		if err := db.AppendEvents(ctx, nil, nil, []store.Delivery{d}); err != nil {
			b.Fatal(err)
		}
		due, _ := db.DueDeliveries(ctx, time.Now(), 1)
		b.StartTimer()
		t0 := time.Now()
		if err := n.Route(ctx, &due[0]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
