package alarmtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// Outcome is the result of one expectation.
type Outcome struct {
	Test   string
	Expect Expect
	Got    string // the state found ("" when the alarm instance does not exist)
	Reason string // its reason text
	OK     bool
}

// String describes a failed expectation: what was expected, what happened, and why.
func (o Outcome) String() string {
	want := o.Expect.State
	if o.Expect.ReasonContains != "" {
		want += fmt.Sprintf(" with a reason containing %q", o.Expect.ReasonContains)
	}
	got := o.Got
	if got == "" {
		got = "no such alarm instance"
	}
	return fmt.Sprintf("%s: %s: at %s, %s: expected %s, got %s (reason: %s)",
		o.Expect.Pos, o.Test, o.Expect.At, o.Expect.Alarm, want, got, o.Reason)
}

// Run runs every test of f against the real alarm engine and metric store (in a scratch
// directory under tmp), with a simulated clock: data is ingested, then evaluations run at
// every minute boundary after the start (every 10 seconds when an alarm has a sub-minute
// period) up to each expectation, plus the file's evaluation delay.
func Run(ctx context.Context, f *File, tmp string) ([]Outcome, error) {
	var out []Outcome
	for i, t := range f.Tests {
		dir := filepath.Join(tmp, fmt.Sprintf("test-%d", i))
		res, err := runTest(ctx, f, t, dir)
		os.RemoveAll(dir)
		if err != nil {
			return out, fmt.Errorf("%s: %s: %w", t.Pos, t.Name, err)
		}
		out = append(out, res...)
	}
	return out, nil
}

func runTest(ctx context.Context, f *File, t *Test, dir string) ([]Outcome, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	now := f.Start
	clock := func() time.Time { return now }
	ms, err := metricstore.Open(ctx, metricstore.Options{Dir: filepath.Join(dir, "wal"), Backend: db, Now: clock, HotWindow: 3 * time.Hour})
	if err != nil {
		return nil, err
	}
	defer ms.Close(ctx)
	if err := ms.Ingest(ctx, f.Datums(t)); err != nil {
		return nil, err
	}
	delay := f.EvaluationDelay
	engineDelay := delay
	if engineDelay == 0 {
		engineDelay = engine.NoDelay
	}
	eng := engine.New(engine.Options{Metrics: ms, Store: db, Now: clock, EvaluationDelay: engineDelay})
	if err := eng.Configure(ctx, []*stack.Env{f.Env}); err != nil {
		return nil, err
	}
	for _, is := range t.InitialState {
		if err := eng.Seed(f.Env.Name, is.Alarm.Name, is.Alarm.Instance, eval.State(is.State)); err != nil {
			return nil, fmt.Errorf("%s: initial state of %s: %w", is.Pos, is.Alarm, err)
		}
	}
	step := time.Minute
	for _, en := range f.Alarms() {
		if en.Resource.(*stack.Alarm).Period.Std() < time.Minute {
			step = 10 * time.Second
		}
	}
	expects := t.Expectations()
	sort.SliceStable(expects, func(i, j int) bool { return expects[i].At < expects[j].At })
	var out []Outcome
	at := time.Duration(0)
	for _, x := range expects {
		for at < x.At {
			at += step
			now = f.Start.Add(at).Add(delay)
			if err := eng.EvaluateAt(ctx, now); err != nil {
				return nil, err
			}
		}
		out = append(out, check(eng, f.Env.Name, t.Name, x))
	}
	return out, nil
}

func check(eng *engine.Engine, env, test string, x Expect) Outcome {
	o := Outcome{Test: test, Expect: x}
	if _, insts, ok := eng.Alarm(env, x.Alarm.Name); ok {
		for _, in := range insts {
			if in.Instance == x.Alarm.Instance {
				o.Got, o.Reason = string(in.State), in.Reason
			}
		}
	}
	o.OK = o.Got == x.State && strings.Contains(o.Reason, x.ReasonContains)
	return o
}
