package metricstore

import (
	"context"
	"fmt"
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
