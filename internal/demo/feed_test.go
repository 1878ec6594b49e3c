package demo

import (
	"context"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// The feed spikes latency in the first minute of each cycle, announces one deployment per
// cycle, and writes every second once even when ticks are irregular.
func TestFeedCycle(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var seconds = map[int64]int{}
	var maxSpike, maxCalm float64
	var deploys []string
	f := &Feed{Env: "production", Start: start,
		Ingest: func(_ context.Context, ds []metric.Datum) error {
			for _, d := range ds {
				if d.Key.Name == "Requests" {
					seconds[d.Time.Unix()]++
				}
				if d.Key.Name == "CheckoutLatency" {
					m := d.Values[len(d.Values)-1]
					if f := (&Feed{Start: start}); f.Spiking(d.Time) {
						maxSpike = max(maxSpike, m)
					} else {
						maxCalm = max(maxCalm, m)
					}
				}
			}
			return nil
		},
		Deploy: func(env, app, version string, _ time.Time) { deploys = append(deploys, app+" "+version) }}
	for s := 0; s <= 600; s += 7 {
		if err := f.Tick(context.Background(), start.Add(time.Duration(s)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for sec := start.Unix() - 9; sec <= start.Unix()+595; sec++ {
		if seconds[sec] != 1 {
			t.Fatalf("second %d written %d times", sec-start.Unix(), seconds[sec])
		}
	}
	if maxSpike < 900 || maxCalm > 500 {
		t.Errorf("latency: spike max %v, calm max %v (threshold 500)", maxSpike, maxCalm)
	}
	if len(deploys) != 2 || deploys[0] != "shop 1.40.0" || deploys[1] != "shop 1.41.0" {
		t.Errorf("deployments: %v", deploys)
	}
}
