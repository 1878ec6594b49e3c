package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/storetest"
)

func TestNotificationsContract(t *testing.T) {
	storetest.RunNotifications(t,
		func(t *testing.T) storetest.NotifyStore {
			db := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
			t.Cleanup(func() { db.Close() })
			return db
		},
		storetest.WithReopen(func(t *testing.T) func() store.Store {
			path := filepath.Join(t.TempDir(), "tocsin.db")
			return func() store.Store { return openAt(t, path) }
		}))
}

func TestIncidentsContract(t *testing.T) {
	storetest.RunIncidents(t, func(t *testing.T) storetest.IncidentStore {
		db := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestSilencesContract(t *testing.T) {
	storetest.RunSilences(t, func(t *testing.T) store.Silences {
		db := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestOutboxSurvivesCrash commits outbox work through one handle and, without closing it
// (no checkpoint, no WAL cleanup), copies the database and its WAL as a power cut would
// leave them; a new handle on the copy must find every committed row.
func TestOutboxSurvivesCrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tocsin.db")
	d := openAt(t, path)
	defer d.Close()
	ctx := t.Context()
	now := time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)
	var msgs []store.OutboxMessage
	for i := range 50 {
		msgs = append(msgs, benchMessage(fmt.Sprintf("crash-%d", i), now.Add(time.Duration(i)*time.Second)))
	}
	if err := d.Enqueue(ctx, nil, nil, msgs); err != nil {
		t.Fatal(err)
	}
	sent := msgs[0]
	sent.State, sent.Attempts, sent.FinishedAt = store.OutboxSent, 1, now
	if err := d.RecordAttempts(ctx, []store.OutboxMessage{sent}, []*store.DeliveryAttempt{{Attempt: 1, At: now, Outcome: "sent"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Enqueue(ctx, nil, nil, []store.OutboxMessage{benchMessage("crash-late", now)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL to crash with: %v", err)
	}
	crashed := filepath.Join(t.TempDir(), "crashed.db")
	for _, suffix := range []string{"", "-wal"} { // not -shm: it is rebuilt from the WAL
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	after := openAt(t, crashed)
	defer after.Close()
	due, err := after.DueOutbox(ctx, now.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range due {
		keys = append(keys, m.Key)
	}
	want := []string{"crash-late"}
	for _, m := range msgs[1:] {
		want = append(want, m.Key)
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("pending after the crash = %v, want %v", keys, want)
	}
	got, err := after.GetOutbox(ctx, "prod", msgs[0].ID)
	if err != nil || got.State != store.OutboxSent {
		t.Errorf("sent message after the crash = %+v, %v; want sent", got, err)
	}
	if as, err := after.ListAttempts(ctx, "prod", msgs[0].ID, 0); err != nil || len(as) != 1 {
		t.Errorf("attempts after the crash = %+v, %v; want 1", as, err)
	}
}

// Outbox queries must use the partial indexes of 0005 (a full scan of the delivery log
// per poll would grow with retention).
func TestOutboxQueryPlans(t *testing.T) {
	d := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
	defer d.Close()
	for query, index := range map[string]string{
		qDueOutbox:         "notify_outbox_due",
		qNextOutboxAt:      "notify_outbox_due",
		qOutboxDepth:       "notify_outbox_due",
		qMutedOutbox:       "notify_outbox_muted",
		qPruneOutbox:       "notify_outbox_finished",
		qActiveIncidents:   "incidents_active",
		qActiveIncidentKey: "incidents_active",
		qDueHeld:           "notify_held_due",
		qSelectAttempts + " WHERE environment = ? AND outbox_id = ? ORDER BY id DESC LIMIT ?": "notify_attempts_by_outbox",
	} {
		n := strings.Count(query, "?")
		args := make([]any, n)
		for i := range args {
			args[i] = "x"
		}
		rows, err := d.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "\n"), index) {
			t.Errorf("plan of %q does not use %s:\n%s", query, index, strings.Join(plan, "\n"))
		}
	}
}

var benchBody = []byte(`{"id":"01JQ","kind":"alarm","environment":"prod","topic":"ops","subscription":"slack-ops",` +
	`"state":"ALARM","alarms":[{"name":"cpu-high/InstanceId=i-0abc","alarm":"cpu-high","state":"ALARM",` +
	`"reason":"Threshold Crossed: 1 datapoint [93.2] was greater than the threshold (90.0).","pad":"` +
	strings.Repeat("x", 300) + `"}]}`)

func benchMessage(key string, now time.Time) store.OutboxMessage {
	return store.OutboxMessage{Key: key, Environment: "prod", Topic: "ops", Subscription: "slack-ops", Channel: "slack",
		Subject: "cpu-high/InstanceId=i-0abc", Message: benchBody, State: store.OutboxPending, CreatedAt: now, NextAt: now}
}

// reportLatency reports the 50th and 99th percentile of per-call latencies.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func benchDB(b *testing.B) *DB {
	d, err := Open(b.Context(), filepath.Join(b.TempDir(), "tocsin.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// BenchmarkEnqueue enqueues one outbox message per call, each call one durable
// transaction (WAL, synchronous=FULL), and reports the latency percentiles.
func BenchmarkEnqueue(b *testing.B) {
	d := benchDB(b)
	now := time.Now()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		m := []store.OutboxMessage{benchMessage(fmt.Sprintf("k-%d", i), now)}
		t0 := time.Now()
		if err := d.Enqueue(b.Context(), nil, nil, m); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkEnqueueBatch100 enqueues 100 messages per call (a fan-out to 100 subscriptions,
// or a batch of fan-outs) and reports messages/s.
func BenchmarkEnqueueBatch100(b *testing.B) {
	d := benchDB(b)
	now := time.Now()
	b.ResetTimer()
	for i := range b.N {
		msgs := make([]store.OutboxMessage, 100)
		for j := range msgs {
			msgs[j] = benchMessage(fmt.Sprintf("k-%d-%d", i, j), now)
		}
		if err := d.Enqueue(b.Context(), nil, nil, msgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkRecordAttempt records the successful first attempt of one message per call
// (RecordAttempts with one message: one durable transaction each).
func BenchmarkRecordAttempt(b *testing.B) {
	benchmarkRecordAttempts(b, 1)
}

// BenchmarkRecordAttemptsBatch100 records the outcomes of 100 sends per call and reports
// messages/s.
func BenchmarkRecordAttemptsBatch100(b *testing.B) {
	benchmarkRecordAttempts(b, 100)
}

func benchmarkRecordAttempts(b *testing.B, batch int) {
	d := benchDB(b)
	now := time.Now()
	msgs := make([]store.OutboxMessage, b.N*batch)
	for i := range msgs {
		msgs[i] = benchMessage(fmt.Sprintf("k-%d", i), now)
	}
	for lo := 0; lo < len(msgs); lo += 1000 {
		if err := d.Enqueue(b.Context(), nil, nil, msgs[lo:min(lo+1000, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	for i := range msgs {
		msgs[i].State, msgs[i].Attempts, msgs[i].FinishedAt = store.OutboxSent, 1, now
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		ms := msgs[i*batch : (i+1)*batch]
		as := make([]*store.DeliveryAttempt, batch)
		for j := range as {
			as[j] = &store.DeliveryAttempt{Attempt: 1, At: now, Duration: 80 * time.Millisecond, Outcome: "sent"}
		}
		t0 := time.Now()
		if err := d.RecordAttempts(b.Context(), ms, as); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, lat)
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDueOutbox reads the 100 most overdue of 10,000 pending messages (the table
// also holds 10,000 sent ones, as the delivery log).
func BenchmarkDueOutbox(b *testing.B) {
	d := benchDB(b)
	now := time.Now()
	for _, state := range []string{store.OutboxSent, store.OutboxPending} {
		for lo := 0; lo < 10000; lo += 1000 {
			msgs := make([]store.OutboxMessage, 1000)
			for j := range msgs {
				msgs[j] = benchMessage(fmt.Sprintf("%s-%d", state, lo+j), now.Add(time.Duration(lo+j)*time.Millisecond))
				msgs[j].State = state
			}
			if err := d.Enqueue(b.Context(), nil, nil, msgs); err != nil {
				b.Fatal(err)
			}
		}
	}
	at := now.Add(time.Hour)
	b.ResetTimer()
	for range b.N {
		due, err := d.DueOutbox(b.Context(), at, 100)
		if err != nil || len(due) != 100 {
			b.Fatalf("DueOutbox = %d messages, %v", len(due), err)
		}
	}
}

// TestConcurrentOutbox runs enqueues and attempts from many goroutines, sharing the
// statements prepared at Open (run it with -race), and checks every outcome.
func TestConcurrentOutbox(t *testing.T) {
	d := openAt(t, filepath.Join(t.TempDir(), "tocsin.db"))
	defer d.Close()
	ctx := t.Context()
	now := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
	const workers, each = 8, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ms := []store.OutboxMessage{benchMessage(fmt.Sprintf("w%d-%d", w, i), now)}
				if err := d.Enqueue(ctx, nil, nil, ms); err != nil {
					errs <- err
					continue
				}
				// Every third one repeats a key: it fails, alone.
				if i%3 == 0 {
					if err := d.Enqueue(ctx, nil, nil, []store.OutboxMessage{benchMessage(fmt.Sprintf("w%d-%d", w, i), now)}); !errors.Is(err, store.ErrDuplicate) {
						errs <- fmt.Errorf("repeated key: err = %v, want ErrDuplicate", err)
					}
				}
				m := ms[0]
				m.State, m.Attempts, m.FinishedAt = store.OutboxSent, 1, now
				a := store.DeliveryAttempt{Attempt: 1, At: now, Outcome: "sent"}
				if err := d.RecordAttempts(ctx, []store.OutboxMessage{m}, []*store.DeliveryAttempt{&a}); err != nil || a.ID == 0 {
					errs <- fmt.Errorf("RecordAttempt: %v (ID %d)", err, a.ID)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, _, err := d.OutboxDepth(ctx)
	if err != nil || n != 0 {
		t.Errorf("pending after every send = %d, %v; want 0", n, err)
	}
	sent, err := d.ListOutbox(ctx, store.OutboxQuery{Environment: "prod", State: store.OutboxSent, Limit: workers * each * 2})
	if err != nil || len(sent) != workers*each {
		t.Errorf("sent = %d, %v; want %d", len(sent), err, workers*each)
	}
	as, err := d.ListAttempts(ctx, "prod", 0, workers*each*2)
	if err != nil || len(as) != workers*each {
		t.Errorf("attempts = %d, %v; want %d", len(as), err, workers*each)
	}
}
