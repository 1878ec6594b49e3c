package eval

import (
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Decide agrees with Evaluate on state and retention for every mode, slot pattern and
// previous state of a small exhaustive grid.
func TestDecideAgreesWithEvaluate(t *testing.T) {
	st, _ := metric.ParseStatistic("Maximum")
	now := time.Date(2026, 1, 5, 10, 5, 0, 0, time.UTC)
	for _, mode := range []string{"missing", "ignore", "breaching", "notBreaching"} {
		for n := 1; n <= 3; n++ {
			for m := 1; m <= n; m++ {
				cfg := Config{Statistic: st, Period: time.Minute, N: n, M: m, Threshold: 5, Comparison: "GreaterThanThreshold", TreatMissing: mode}
				starts := SlotStarts(cfg, now)
				for pattern := 0; pattern < pow3(len(starts)); pattern++ {
					slots := make([]Slot, len(starts))
					p := pattern
					for i := range slots {
						slots[i].Start = starts[i]
						switch p % 3 {
						case 1:
							slots[i].Bucket.Add(1)
						case 2:
							slots[i].Bucket.Add(10)
						}
						p /= 3
					}
					for _, prev := range []State{OK, Alarm, InsufficientData} {
						r := Evaluate(cfg, slots, prev, now)
						s, ret, _ := Decide(cfg, slots, prev)
						if s != r.State || ret != r.Retained {
							t.Fatalf("%s N=%d M=%d pattern %d prev %s: Decide %s/%v, Evaluate %s/%v", mode, n, m, pattern, prev, s, ret, r.State, r.Retained)
						}
					}
				}
			}
		}
	}
}

func pow3(n int) int {
	r := 1
	for i := 0; i < n; i++ {
		r *= 3
	}
	return r
}
