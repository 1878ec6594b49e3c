package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// BenchmarkPostEvents measures the whole event ingest path (HTTP, entry validation,
// matching against the quickstart's rules, one durable SQLite transaction per batch) with
// batches of 1,000 events of ~1 KB from 8 concurrent clients.
// Run: go test -run '^$' -bench PostEvents -benchtime 100x ./internal/server
func BenchmarkPostEvents(b *testing.B) {
	ts := start(b, quickstart, nil)
	var bodies [][]byte
	pad := strings.Repeat("x", 700)
	for i := 0; i < 8; i++ {
		var buf bytes.Buffer
		buf.WriteString(`{"environment":"production","entries":[`)
		for j := 0; j < 1000; j++ {
			if j > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","resources":["arn:aws:ec2:us-west-1:1:instance/i-%d"],"detail":{"instance-id":"i-%d","state":"running","note":%q}}`, j, j, pad)
		}
		buf.WriteString(`]}`)
		bodies = append(bodies, buf.Bytes())
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				req, _ := http.NewRequest("POST", ts.url+"/api/v1/events", bytes.NewReader(bodies[i%len(bodies)]))
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
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
