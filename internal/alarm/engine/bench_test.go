package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// BenchmarkEvaluate100k evaluates one round of 100,000 alarm instances (a template over
// 100,000 series, each with one datum a minute; N = 3). Every round happens once a
// minute, so ns/op ÷ 60 s is the share of one core the alarms use, and the time of a
// round bounds the detection latency of the instance decided last.
// Run: go test -run '^$' -bench Evaluate100k -benchtime 5x ./internal/alarm/engine
func BenchmarkEvaluate100k(b *testing.B) {
	const instances = 100_000
	ctx := context.Background()
	dir := b.TempDir()
	stackDir := b.TempDir()
	os.WriteFile(filepath.Join(stackDir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(stackDir, "alarms.yaml"), []byte(`alarms:
  - name: disk
    metric: {namespace: System, name: Disk, dimensions: {InstanceId: "*"}, unit: Percent}
    statistic: Maximum
    period: 1m
    evaluation_periods: 3
    threshold: 80
    comparison: GreaterThanThreshold
`), 0o644)
	st, diags := stack.Load(stackDir, stack.Options{})
	if diags.HasErrors() {
		b.Fatal(diags.Strings())
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	base := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
	now := base
	clock := func() time.Time { return now }
	ms, err := metricstore.Open(ctx, metricstore.Options{Dir: filepath.Join(dir, "wal"), Backend: db, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, instances)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%06d", i)
	}
	batch := make([]metric.Datum, 0, 1000)
	push := func(at time.Time) { // one datum per series for the minute starting at at
		for i := 0; i < instances; i++ {
			batch = append(batch, metric.Datum{Key: metric.SeriesKey{Env: "production", Namespace: "System", Name: "Disk", Unit: "Percent",
				Dims: []metric.Dim{{Name: "InstanceId", Value: ids[i]}}}, Time: at, Resolution: 60, Value: float64(i % 100), HasValue: true})
			if len(batch) == cap(batch) {
				if err := ms.Ingest(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	for m := 0; m < 5; m++ {
		push(base.Add(time.Duration(m) * time.Minute))
	}
	changes := 0
	eng := New(Options{Metrics: ms, Store: db, Now: clock, EvaluationDelay: NoDelay, OnChange: func(Change) { changes++ }})
	if err := eng.Configure(ctx, []*stack.Env{st.Env("production")}); err != nil {
		b.Fatal(err)
	}
	now = base.Add(5 * time.Minute)
	if err := eng.EvaluateAt(ctx, now); err != nil { // discovery and the first decisions
		b.Fatal(err)
	}
	if n := len(eng.Instances("production", Filter{State: eval.Alarm})); n != instances/100*19 {
		b.Fatalf("%d instances in ALARM, want %d", n, instances/100*19)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		push(now) // the minute that closes next, as producers would have sent it
		changes = 0
		now = now.Add(time.Minute)
		b.StartTimer()
		if err := eng.EvaluateAt(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
	if changes != 0 {
		b.Fatalf("%d transitions in a steady state", changes)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(instances), "ns/instance")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/60e9*100, "%core")
}
