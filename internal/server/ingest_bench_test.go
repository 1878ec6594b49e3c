package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// BenchmarkIngestHTTP measures the whole ingest path (HTTP, decode, validation, buckets,
// WAL group commit with fsync) with batches of 1,000 datums from 4 concurrent clients.
// Run: go test -run '^$' -bench IngestHTTP -benchtime 2000x ./internal/server
func BenchmarkIngestHTTP(b *testing.B) {
	ts := start(b, quickstart, nil)
	now := time.Now().UTC().Format(time.RFC3339)
	var bodies [][]byte
	for i := 0; i < 16; i++ {
		var buf bytes.Buffer
		buf.WriteString(`{"environment":"production","namespace":"Bench","metric_data":[`)
		for j := 0; j < 1000; j++ {
			if j > 0 {
				buf.WriteByte(',')
			}
			s := i*1000 + j
			fmt.Fprintf(&buf, `{"name":"Latency","dimensions":{"Service":"svc-%d","Host":"host-%d"},"unit":"Milliseconds","timestamp":%q,"value":%d.5}`, s%100, s, now, s%1000)
		}
		buf.WriteString(`]}`)
		bodies = append(bodies, buf.Bytes())
	}
	postParallel(b, ts.url+"/api/v1/metrics", bodies, 16)
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "datums/s")
}

// postParallel posts b.N requests, cycling through bodies, from workers concurrent clients,
// with the benchmark timer running only for the requests.
func postParallel(b *testing.B, url string, bodies [][]byte, workers int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * workers}}
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Authorization", "Bearer "+adminTok)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
				}
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}
