package server

import (
	"bytes"
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

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/stack"
)

// benchNotifyStack routes every "bench" event to a topic with one webhook subscription
// and no grouping, and gives an alarm whose actions name the same topic.
const benchNotifyStack = `
environments: [production]
server:
  notifications: {group_wait: 0s}
topics:
  - name: hooks
    subscriptions:
      - webhook: {url: %q}
event_rules:
  - name: to-hooks
    event_pattern: {source: [bench]}
    targets: [{topic: hooks}]
`

// countingReceiver answers 200 and counts what it receives.
type countingReceiver struct {
	n   atomic.Int64
	srv *httptest.Server
}

func newCountingReceiver(tb testing.TB) *countingReceiver {
	c := &countingReceiver{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		c.n.Add(1)
	}))
	tb.Cleanup(c.srv.Close)
	return c
}

func startNotifyBench(b *testing.B, url string) *testServer {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(fmt.Sprintf(benchNotifyStack, url)), 0o644); err != nil {
		b.Fatal(err)
	}
	return start(b, dir, nil)
}

// BenchmarkNotifyThroughput measures notifications delivered per second: events posted
// in batches of 1,000 are stored, matched, routed to a topic (outbox, durable) and sent
// to a local webhook receiver. One op is one batch: 1,000 notifications received.
// Run: go test -run '^$' -bench NotifyThroughput -benchtime 20x ./internal/server
func BenchmarkNotifyThroughput(b *testing.B) {
	rc := newCountingReceiver(b)
	ts := startNotifyBench(b, rc.srv.URL)
	var buf bytes.Buffer
	buf.WriteString(`{"environment":"production","entries":[`)
	for j := 0; j < 1000; j++ {
		if j > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"source":"bench","detail-type":"Bench","detail":{"n":%d}}`, j)
	}
	buf.WriteString(`]}`)
	postParallel(b, ts.url+"/api/v1/events", [][]byte{buf.Bytes()}, 4)
	for rc.n.Load() < int64(b.N*1000) {
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(rc.n.Load())/b.Elapsed().Seconds(), "notifications/s")
}

// BenchmarkAlarmToWebhook measures one alarm state change, published on the bus, until
// the webhook receiver has answered: the pipeline stores it, the built-in alarm-actions
// rule hands it to the notifier, which writes the outbox and sends. group_wait is 0.
// Run: go test -run '^$' -bench AlarmToWebhook -benchtime 300x ./internal/server
func BenchmarkAlarmToWebhook(b *testing.B) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
	}))
	b.Cleanup(srv.Close)
	ts := startNotifyBench(b, srv.URL)
	threshold := 1.0
	src := &stack.Alarm{Metric: stack.MetricRef{Namespace: "Bench", Name: "Errors"}, Statistic: "Sum", Threshold: &threshold,
		Comparison: "GreaterThanThreshold", Period: stack.Duration(time.Minute), EvaluationPeriods: 1}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		old, new := eval.OK, eval.Alarm
		if i%2 == 1 {
			old, new = new, old
		}
		ch := engine.Change{Env: "production", Alarm: fmt.Sprintf("bench-%d", i), Old: old, New: new, Reason: "bench", At: time.Now().UTC(),
			Actions: []string{"hooks"}, Source: src}
		ev, err := ch.Event()
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		ts.bus.Publish(ev)
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			b.Fatal("no delivery within 10s")
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
