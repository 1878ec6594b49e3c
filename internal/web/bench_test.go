package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
)

// tenThousand puts 10,000 alarm instances (5 datapoints each, 1 in 20 in ALARM) in staging.
func tenThousand(h *harness) {
	var list []engine.Instance
	for i := 0; i < 10000; i++ {
		st := eval.OK
		if i%20 == 0 {
			st = eval.Alarm
		}
		dps := make([]eval.Datapoint, 5)
		for j := range dps {
			dps[j] = eval.Datapoint{Timestamp: testNow.Add(time.Duration(j-5) * time.Minute), Value: float64(i%97 + j*3), Present: true, SampleCount: 4}
		}
		list = append(list, engine.Instance{Alarm: "disk-full", Instance: fmt.Sprintf("Host=host-%05d", i),
			Dims: []metric.Dim{{Name: "Host", Value: fmt.Sprintf("host-%05d", i)}}, State: st,
			Reason:       "Threshold Crossed: 1 out of the last 1 datapoints [91.5 (04/03/25 11:55:00)] was greater than the threshold (80.0).",
			TransitionAt: testNow.Add(-time.Duration(i) * time.Second), Datapoints: dps})
	}
	h.alarms.insts["staging"] = list
}

func benchPage(b *testing.B, path string) {
	h := newHarness(&testing.T{}, nil)
	tenThousand(h)
	se := h.ui.sessions.create(adminToken)
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: se.id})
	req.Header.Set("Accept-Encoding", "gzip")
	var size int
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ui.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "gzip-bytes")
}

// BenchmarkAlarmsPage10k renders the alarm list (default page of 200 rows, gzipped) of an
// environment with 10,000 alarm instances: filtering and counting all of them, rendering one page.
func BenchmarkAlarmsPage10k(b *testing.B) { benchPage(b, "/ui/env/staging/alarms") }

// BenchmarkAlarmsPage10kAll renders all 10,000 rows on one page (limit=10000).
func BenchmarkAlarmsPage10kAll(b *testing.B) { benchPage(b, "/ui/env/staging/alarms?limit=10000") }

// BenchmarkAlarmsPage10kFiltered filters 10,000 instances by name.
func BenchmarkAlarmsPage10kFiltered(b *testing.B) { benchPage(b, "/ui/env/staging/alarms?q=HOST-0999") }

// BenchmarkOverview10k renders the overview with 10,000 instances in one environment.
func BenchmarkOverview10k(b *testing.B) { benchPage(b, "/ui/") }

// fixedMetrics answers every query with the same precomputed result.
type fixedMetrics struct{ res []metricstore.Result }

func (f fixedMetrics) Statistics(context.Context, metricstore.Query) ([]metricstore.Result, error) {
	return f.res, nil
}

// BenchmarkAlarmChartData24h builds the alarm page's chart data for 24 hours at 1-minute
// periods (1,440 points of 5 statistics, the state timeline, annotations) and encodes it.
// The metric query itself is the metric store's and is not included.
func BenchmarkAlarmChartData24h(b *testing.B) {
	var dps []metricstore.Datapoint
	start := testNow.Add(-24 * time.Hour)
	for i := 0; i < 1440; i++ {
		v := float64(i%60) + 0.25
		dps = append(dps, metricstore.Datapoint{Timestamp: start.Add(time.Duration(i) * time.Minute),
			Values: map[string]float64{"p99": v, "Minimum": v - 10, "Average": v - 5, "Maximum": v + 10, "SampleCount": 60}})
	}
	h := newHarness(&testing.T{}, func(o *Options) { o.Metrics = fixedMetrics{[]metricstore.Result{{Datapoints: dps}}} })
	def, insts, _ := h.alarms.Alarm("staging", "cpu-high")
	inst := insts[0]
	hist, _ := h.alarms.History(context.Background(), "staging", "cpu-high", &inst.Instance, start, testNow, 1000)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		c, err := h.ui.chartFor(context.Background(), "staging", def.(*stack.Alarm), &inst, hist, testNow, 24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		n = len(c.appendJSON(make([]byte, 0, 64<<10)))
	}
	b.ReportMetric(float64(n), "json-bytes")
}
