package notify

import (
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

func dur(s string) stack.Duration {
	d, err := stack.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// A policy of chat at once, e-mail after 10m and SMS after 30m, repeated once after a
// 15m pause, walks its steps at those times and then stops.
func TestEscalationWalksStepsAndRepeats(t *testing.T) {
	pause := dur("15m")
	pol := &stack.EscalationPolicy{Repeat: 1, RepeatAfter: &pause, Steps: []stack.EscalationStep{
		{After: 0, Notify: []string{"chat"}}, {After: dur("10m"), Notify: []string{"email"}}, {After: dur("30m"), Notify: []string{"sms"}}}}
	open := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	inc := &store.Incident{State: store.IncidentOpen}
	e := Escalation{pol}
	e.Start(inc, open)
	type step struct {
		at    time.Duration
		topic string
	}
	want := []step{{0, "chat"}, {10 * time.Minute, "email"}, {30 * time.Minute, "sms"},
		{45 * time.Minute, "chat"}, {55 * time.Minute, "email"}, {75 * time.Minute, "sms"}}
	for i, w := range want {
		if got := inc.NextAt.Sub(open); got != w.at {
			t.Fatalf("step %d due at +%s, want +%s", i, got, w.at)
		}
		if Due(inc, open.Add(w.at-time.Second)) {
			t.Fatalf("step %d due a second early", i)
		}
		if !Due(inc, open.Add(w.at)) {
			t.Fatalf("step %d not due on time", i)
		}
		if topics := e.Advance(inc); len(topics) != 1 || topics[0] != w.topic {
			t.Fatalf("step %d notified %v, want %s", i, topics, w.topic)
		}
	}
	if !inc.NextAt.IsZero() || Due(inc, open.Add(24*time.Hour)) {
		t.Fatalf("escalation did not stop after the repeat: next %v", inc.NextAt)
	}
}

func TestAcknowledgedIncidentIsNeverDue(t *testing.T) {
	inc := &store.Incident{State: store.IncidentAcknowledged, NextAt: time.Unix(100, 0)}
	if Due(inc, time.Unix(200, 0)) {
		t.Fatal("an acknowledged incident escalated")
	}
}

func TestDefaultRepeatPause(t *testing.T) {
	pol := &stack.EscalationPolicy{Repeat: 2, Steps: []stack.EscalationStep{{After: 0, Notify: []string{"a"}}}}
	inc := &store.Incident{State: store.IncidentOpen}
	e := Escalation{pol}
	start := time.Unix(0, 0)
	e.Start(inc, start)
	e.Advance(inc)
	if got := inc.NextAt.Sub(start); got != DefaultRepeatAfter {
		t.Fatalf("repeat after %s, want %s", got, DefaultRepeatAfter)
	}
}
