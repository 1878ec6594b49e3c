package eval

import (
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// BenchmarkEvaluate is one evaluation of a 5-of-5 alarm over R = 7
// one-minute slots, each holding a single value, the newest three
// breaching; the Result includes the reason text and reason data.
func BenchmarkEvaluate(b *testing.B) {
	cfg := Config{Statistic: stat(b, "Average"), Period: time.Minute, N: 5, M: 3,
		Threshold: 50, Comparison: GreaterThanThreshold, Unit: "Percent"}
	now := time.Date(2026, 1, 5, 10, 7, 12, 0, time.UTC)
	starts := SlotStarts(cfg, now)
	slots := make([]Slot, len(starts))
	for i := range slots {
		var bk metric.Bucket
		bk.Add(float64(20 + 10*i))
		slots[i] = Slot{Start: starts[i], Bucket: bk}
	}
	if r := Evaluate(cfg, slots, OK, now); r.State != Alarm {
		b.Fatalf("state %s: %s", r.State, r.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(cfg, slots, OK, now)
	}
}
