package server

import (
	"bytes"
	"fmt"
	"strings"
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
	postParallel(b, ts.url+"/api/v1/events", bodies, 8)
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
