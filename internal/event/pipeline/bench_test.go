package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/event"
)

// BenchmarkAccept measures storing and routing batches of 1,000 events of ~1 KB (match,
// targets, one SQLite transaction) — the server side of POST /api/v1/events without HTTP.
// Run: go test -run '^$' -bench Accept -benchtime 20x ./internal/event/pipeline
func BenchmarkAccept(b *testing.B) {
	r := newRig(b)
	batch := make([]event.Envelope, 1000)
	pad := strings.Repeat("x", 800)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range batch {
			state := "FAILURE"
			if j%10 == 0 {
				state = "SUCCESS"
			}
			ev, _ := event.New("production", "ci", "Deployment", r.now, []string{fmt.Sprintf("arn:app/%d", j)},
				map[string]string{"state": state, "app": fmt.Sprintf("app-%d", j%50), "note": pad})
			batch[j] = ev
		}
		if _, err := r.p.Accept(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
