// Package demo is the quickstart's demo feed: synthetic traffic for one environment so
// that a newcomer sees tocsin work within two minutes of starting it. Every cycle a
// deployment is announced, checkout latency spikes for a minute (the checkout-latency
// alarm goes to ALARM and opens an incident) and recovers (back to OK, the incident
// resolves); requests and a few errors flow all the time.
//
// It is enabled only by server.demo in the stack; it never runs in a real setup. It is
// pure apart from the two functions it is given: Tick decides from the time alone.
package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Cycle is how often the story repeats: a spike in the first minute of each cycle.
const Cycle = 5 * time.Minute

// Namespace of the demo's metrics.
const Namespace = "Demo/Shop"

// Feed writes the demo traffic of one environment.
type Feed struct {
	Env    string
	Start  time.Time                                              // when the feed began: the first spike starts at once
	Ingest func(ctx context.Context, datums []metric.Datum) error // the metric store
	// Deploy announces a deployment (an event: source demo.shop, detail-type Deployment).
	Deploy func(env, app, version string, at time.Time)

	lastSecond time.Time
	deployed   int
}

// Tick writes the traffic of every second since the last tick (at most a minute of it),
// and announces the deployment that starts each cycle.
func (f *Feed) Tick(ctx context.Context, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	from := f.lastSecond.Add(time.Second)
	if f.lastSecond.IsZero() || now.Sub(from) > time.Minute {
		from = now.Add(-9 * time.Second)
	}
	if cycle := int(now.Sub(f.Start) / Cycle); now.Sub(f.Start) >= 0 && cycle+1 > f.deployed && f.Deploy != nil {
		f.deployed = cycle + 1
		f.Deploy(f.Env, "shop", fmt.Sprintf("1.%d.0", 40+cycle), now)
	}
	var datums []metric.Datum
	for t := from; !t.After(now); t = t.Add(time.Second) {
		datums = append(datums, f.second(t)...)
	}
	f.lastSecond = now
	if len(datums) == 0 {
		return nil
	}
	return f.Ingest(ctx, datums)
}

// Spiking reports whether t is in a cycle's spike: its first whole minute.
func (f *Feed) Spiking(t time.Time) bool {
	since := t.Sub(f.Start.Truncate(time.Minute))
	return since >= 0 && since%Cycle < time.Minute
}

// second is one second of traffic: requests, a latency sample per request (spiking in
// the first minute of each cycle), and an error now and then.
func (f *Feed) second(t time.Time) []metric.Datum {
	key := func(name string, unit metric.Unit) metric.SeriesKey {
		return metric.SeriesKey{Env: f.Env, Namespace: Namespace, Name: name, Unit: unit}
	}
	s := float64(t.Unix())
	requests := 20 + 5*math.Sin(s/47)
	base := 120 + 30*math.Sin(s/13)
	if f.Spiking(t) {
		base = 900 + 150*math.Sin(s/7)
	}
	latencies := []float64{base * 0.8, base, base * 1.1, base * 1.3}
	out := []metric.Datum{
		{Key: key("Requests", "Count"), Time: t, Resolution: 60, Value: math.Round(requests), HasValue: true},
		{Key: key("CheckoutLatency", "Milliseconds"), Time: t, Resolution: 60, Values: latencies},
	}
	if int64(s)%17 == 0 {
		out = append(out, metric.Datum{Key: key("Errors", "Count"), Time: t, Resolution: 60, Value: 1, HasValue: true})
	}
	return out
}
