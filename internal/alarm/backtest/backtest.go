// Package backtest replays history through an alarm: it evaluates the alarm at every
// instant it would have been evaluated over a time range, against the data a metric store
// holds, and reports the transitions with their reasons. It is how `tocsin backtest`
// shows that an alarm would not have fired, and when a changed one would have.
//
// It uses the same pure decision (eval) as the engine, so a backtest and a live alarm
// agree; it writes nothing.
package backtest

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
)

// Transition is one state change found by the replay.
type Transition struct {
	At     time.Time  `json:"at"` // the evaluation instant (end of the newest slot)
	Series string     `json:"series,omitempty"`
	From   eval.State `json:"from"`
	To     eval.State `json:"to"`
	Reason string     `json:"reason"`
}

// Point is the alarm's statistic at one evaluation instant (the newest slot), for charts.
type Point struct {
	At      time.Time  `json:"at"`
	Value   float64    `json:"value"`
	Present bool       `json:"present"`
	Min     float64    `json:"minimum"`
	Max     float64    `json:"maximum"`
	State   eval.State `json:"state"`
}

// Result is a replay of one alarm (every series of a template).
type Result struct {
	Alarm       string       `json:"alarm"`
	From, To    time.Time    `json:"-"`
	Evaluations int          `json:"evaluations"`
	Transitions []Transition `json:"transitions"`
	Points      []Point      `json:"points"` // the first (or only) series
}

// FirstAlarm returns the first transition to ALARM, if any.
func (r *Result) FirstAlarm() (Transition, bool) {
	for _, t := range r.Transitions {
		if t.To == eval.Alarm {
			return t, true
		}
	}
	return Transition{}, false
}

// Run replays alarm a of env over [from, to) against ms. The alarm starts in
// INSUFFICIENT_DATA, as a new alarm does.
func Run(ctx context.Context, ms *metricstore.Store, env string, a *stack.Alarm, from, to time.Time) (*Result, error) {
	cfg, sel, err := engine.Evaluation(env, a)
	if err != nil {
		return nil, err
	}
	step := time.Minute
	if cfg.Period < time.Minute {
		step = 10 * time.Second
	}
	if n := to.Sub(from) / step; n > 100_000 {
		return nil, fmt.Errorf("the range holds %d evaluations; at most 100,000 (shorten it)", n)
	}
	res := &Result{Alarm: a.Name, From: from, To: to, Transitions: []Transition{}}
	streams := ms.Streams(sel)
	if len(streams) == 0 {
		streams = []metricstore.Stream{{}} // no data at all: the alarm still decides on missing data
	}
	for si := range streams {
		stream := &streams[si]
		label := ""
		for _, d := range stream.Dims {
			if label != "" {
				label += ","
			}
			label += d.Name + "=" + d.Value
		}
		state := eval.InsufficientData
		for at := from.Truncate(step).Add(step); !at.After(to); at = at.Add(step) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			starts := eval.SlotStarts(cfg, at)
			unix := make([]int64, len(starts))
			for i, s := range starts {
				unix[i] = s.Unix()
			}
			buckets := make([]metric.Bucket, len(starts))
			if err := ms.Window(ctx, stream, unix, int64(cfg.Period/time.Second), buckets); err != nil {
				return nil, err
			}
			slots := make([]eval.Slot, len(starts))
			for i := range slots {
				slots[i] = eval.Slot{Start: starts[i], Bucket: buckets[i]}
			}
			r := eval.Evaluate(cfg, slots, state, at)
			if si == 0 {
				res.Evaluations++
				newest := r.Datapoints[len(r.Datapoints)-1]
				res.Points = append(res.Points, Point{At: at, Value: newest.Value, Present: newest.Present, Min: newest.Minimum, Max: newest.Maximum, State: r.State})
			}
			if !r.Retained && r.State != state {
				res.Transitions = append(res.Transitions, Transition{At: at, Series: label, From: state, To: r.State, Reason: r.Reason})
				state = r.State
			}
		}
	}
	return res, nil
}
