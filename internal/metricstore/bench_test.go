package metricstore

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

func benchBatches(n, size, series int, at time.Time) [][]metric.Datum {
	out := make([][]metric.Datum, n)
	k := 0
	for i := range out {
		out[i] = make([]metric.Datum, size)
		for j := range out[i] {
			s := k % series
			k++
			out[i][j] = metric.Datum{Key: metric.SeriesKey{Env: "production", Namespace: "Bench", Name: "Latency", Unit: "Milliseconds",
				Dims: []metric.Dim{{Name: "Host", Value: fmt.Sprintf("host-%d", s)}, {Name: "Service", Value: fmt.Sprintf("svc-%d", s%100)}}},
				Time: at, Resolution: 60, Value: float64(j), HasValue: true}
		}
	}
	return out
}

// BenchmarkIngest measures Store.Ingest (buckets + WAL group commit with fsync) with 1,000-datum
// batches from 4 goroutines over 10,000 series.
func BenchmarkIngest(b *testing.B) {
	f := newFixture(&testing.T{})
	f.now = time.Now()
	batches := benchBatches(16, 1000, 10000, f.now)
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := f.st.Ingest(context.Background(), batches[i%len(batches)]); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "datums/s")
}

// BenchmarkMemoryPerSeries reports the heap held per active series: 1,000,000 series each
// receiving one datum a minute for the whole hot window (10 minutes here), which is the
// state alarms evaluate from. Run: go test -run '^$' -bench MemoryPerSeries -benchtime 1x ./internal/metricstore
func BenchmarkMemoryPerSeries(b *testing.B) {
	const series, minutes = 1_000_000, 10
	for i := 0; i < b.N; i++ {
		f := newFixture(&testing.T{})
		base := time.Now().Truncate(time.Minute).Add(-minutes * time.Minute)
		f.now = base
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		batch := make([]metric.Datum, 1000)
		hosts := make([]string, series)
		for s := range hosts {
			hosts[s] = fmt.Sprintf("i-%08x", s)
		}
		for m := 0; m < minutes; m++ {
			at := base.Add(time.Duration(m) * time.Minute)
			f.now = at.Add(30 * time.Second)
			for s := 0; s < series; s += len(batch) {
				for j := range batch {
					batch[j] = metric.Datum{Key: metric.SeriesKey{Env: "production", Namespace: "System/Linux", Name: "DiskSpaceUtilization", Unit: "Percent",
						Dims: []metric.Dim{{Name: "InstanceId", Value: hosts[s+j]}}}, Time: at, Resolution: 60, Value: float64(j % 100), HasValue: true}
				}
				if err := f.st.Ingest(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			if err := f.st.Checkpoint(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/series, "bytes/series")
		runtime.KeepAlive(f.st)
	}
}

// BenchmarkQuery24h measures a 24-hour, 60-second-period statistics query of one series
// whose 1,440 buckets are in the store (and the hot window in memory), with several
// values per minute. Run: go test -run '^$' -bench Query24h ./internal/metricstore
func BenchmarkQuery24h(b *testing.B) {
	f := newFixture(&testing.T{})
	end := time.Now().Truncate(time.Minute)
	start := end.Add(-24 * time.Hour)
	for m := 0; m < 1440; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		f.now = at.Add(30 * time.Second)
		ds := make([]metric.Datum, 5)
		for j := range ds {
			ds[j] = metric.Datum{Key: key("a"), Time: at.Add(time.Duration(j) * time.Second), Resolution: 60, Value: float64(m*5 + j), HasValue: true}
		}
		if err := f.st.Ingest(context.Background(), ds); err != nil {
			b.Fatal(err)
		}
		if m%60 == 59 {
			f.st.Checkpoint(context.Background())
		}
	}
	f.now = end
	f.st.Checkpoint(context.Background())
	q := Query{Env: "production", Namespace: "App", Name: "Latency", Dims: []metric.Dim{{Name: "Host", Value: "a"}},
		Start: start, End: end, Period: time.Minute, Statistics: stats(&testing.T{}, "Sum", "Average", "Maximum", "p99")}
	b.ResetTimer()
	for b.Loop() {
		res, err := f.st.Statistics(context.Background(), q)
		if err != nil || len(res) != 1 || len(res[0].Datapoints) != 1440 {
			b.Fatalf("%v %d", err, len(res))
		}
	}
}
