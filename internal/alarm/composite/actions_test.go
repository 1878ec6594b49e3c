package composite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// Time is counted in units of one minute from t0, as in the timelines of A5.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

const horizon = 15

type step struct {
	at         int
	composite  string // the composite's new state, or ""
	suppressor string // "ALARM" or "OK": the suppressor's new state, or ""
	unset      bool   // SetSuppressor(nil)
}

type act struct {
	at    int
	state string
}

type timeline struct {
	name  string
	sup   *Suppressor // nil: no suppressor
	steps []step
	want  []act
	// suppressedBy is what SuppressedBy reports after everything at an
	// instant has happened.
	suppressedBy map[int]string
}

var a5 = &Suppressor{Wait: 2 * time.Minute, Extension: 3 * time.Minute}

func c(n int, s string) step { return step{at: n, composite: s} }
func s(n int, s string) step { return step{at: n, suppressor: s} }

var timelines = []timeline{
	// The six worked timelines of spec A5 (Wait=2, Extension=3).
	{"A5-1 acts when the wait expires", a5, []step{c(2, "ALARM")},
		[]act{{4, "ALARM"}}, map[int]string{1: "", 2: "WaitPeriod", 3: "WaitPeriod", 4: ""}},
	{"A5-2 suppressor alarms during the wait", a5, []step{c(2, "ALARM"), s(3, "ALARM")},
		nil, map[int]string{2: "WaitPeriod", 3: "Alarm", 4: "Alarm", horizon: "Alarm"}},
	{"A5-3 a second change restarts the wait", a5, []step{c(2, "ALARM"), c(3, "OK")},
		[]act{{5, "OK"}}, map[int]string{3: "WaitPeriod", 4: "WaitPeriod", 5: ""}},
	{"A5-4 suppressor already in alarm", a5, []step{s(1, "ALARM"), c(2, "ALARM")},
		nil, map[int]string{1: "Alarm", 2: "Alarm", horizon: "Alarm"}},
	{"A5-5 acts when the extension expires", a5, []step{c(2, "ALARM"), s(3, "ALARM"), s(6, "OK")},
		[]act{{9, "ALARM"}}, map[int]string{5: "Alarm", 6: "ExtensionPeriod", 8: "ExtensionPeriod", 9: ""}},
	{"A5-6 a change discards the extension", a5, []step{c(2, "ALARM"), s(3, "ALARM"), s(6, "OK"), c(7, "OK")},
		[]act{{9, "OK"}}, map[int]string{6: "ExtensionPeriod", 7: "WaitPeriod", 8: "WaitPeriod", 9: ""}},

	// No suppressor: every change acts at once; repeating a state is no change.
	{"no suppressor", nil, []step{c(2, "ALARM"), s(3, "ALARM"), c(4, "OK"), c(5, "OK"), c(6, "INSUFFICIENT_DATA")},
		[]act{{2, "ALARM"}, {4, "OK"}, {6, "INSUFFICIENT_DATA"}}, map[int]string{2: "", 3: "", 4: ""}},
	{"extension with nothing pending", a5, []step{s(1, "ALARM"), s(2, "OK")},
		nil, map[int]string{2: "ExtensionPeriod", 4: "ExtensionPeriod", 5: ""}},
	{"suppressor alarms again during the extension", a5,
		[]step{c(2, "ALARM"), s(3, "ALARM"), s(6, "OK"), s(7, "ALARM"), s(8, "OK")},
		[]act{{11, "ALARM"}}, map[int]string{7: "Alarm", 9: "ExtensionPeriod", 11: ""}},
	{"changes while suppressed act on the current state", a5,
		[]step{c(2, "ALARM"), s(3, "ALARM"), c(4, "OK"), c(5, "ALARM"), s(6, "OK")},
		[]act{{9, "ALARM"}}, map[int]string{5: "Alarm"}},
	{"a change at the wait's deadline", a5, []step{c(2, "ALARM"), c(4, "OK")},
		[]act{{4, "ALARM"}, {6, "OK"}}, map[int]string{4: "WaitPeriod", 6: ""}},
	{"the suppressor at the wait's deadline is too late", a5, []step{c(2, "ALARM"), s(4, "ALARM")},
		[]act{{4, "ALARM"}}, map[int]string{4: "Alarm"}},
	{"zero periods", &Suppressor{}, []step{c(2, "ALARM"), s(3, "ALARM"), c(4, "OK"), s(5, "OK")},
		[]act{{2, "ALARM"}, {5, "OK"}}, map[int]string{2: "", 4: "Alarm", 5: ""}},
	{"removing the suppressor releases a suppressed change", a5,
		[]step{c(2, "ALARM"), s(3, "ALARM"), {at: 5, unset: true}, c(6, "OK")},
		[]act{{5, "ALARM"}, {6, "OK"}}, map[int]string{5: ""}},
	{"removing the suppressor with nothing pending", a5, []step{s(1, "ALARM"), {at: 2, unset: true}},
		nil, map[int]string{1: "Alarm", 2: ""}},
	{"removing the suppressor ends the wait", a5, []step{c(2, "ALARM"), {at: 3, unset: true}},
		[]act{{3, "ALARM"}}, map[int]string{3: ""}},
}

type mode int

const (
	dueFirst    mode = iota // every instant: Due, then the events
	eventsFirst             // every instant: the events, then Due
	deadlines               // Due only at NextDeadline, as an engine would
)

// run drives a fresh Actions (composite OK, suppressor OK) through tl.
// With persistAt >= 0 the machine is saved as JSON and restored after that
// instant. It returns the actions taken and SuppressedBy at each instant.
func run(t *testing.T, tl timeline, m mode, persistAt int) ([]act, map[int]string) {
	t.Helper()
	a := &Actions{Suppressor: tl.sup, State: "OK"}
	var acts []act
	record := func(n int, states []string) {
		for _, st := range states {
			acts = append(acts, act{n, st})
		}
	}
	fireUntil := func(n int, inclusive bool) {
		for d, ok := a.NextDeadline(); ok && (d.Before(at(n)) || inclusive && d.Equal(at(n))); d, ok = a.NextDeadline() {
			record(int(d.Sub(t0)/time.Minute), a.Due(d))
			if next, ok := a.NextDeadline(); ok && !next.After(d) {
				t.Fatalf("%s: Due(%v) left the deadline at %v", tl.name, d, next)
			}
		}
	}
	seen := map[int]string{}
	for n := 0; n <= horizon; n++ {
		if m == dueFirst {
			record(n, a.Due(at(n)))
		}
		for _, st := range tl.steps {
			if st.at != n {
				continue
			}
			if m == deadlines {
				fireUntil(n, false)
			}
			switch {
			case st.composite != "":
				record(n, a.OnCompositeChange(at(n), st.composite))
			case st.suppressor != "":
				record(n, a.OnSuppressorChange(at(n), st.suppressor == "ALARM"))
			case st.unset:
				record(n, a.SetSuppressor(at(n), nil))
			}
		}
		if m == eventsFirst {
			record(n, a.Due(at(n)))
		}
		if m == deadlines {
			fireUntil(n, true)
		}
		seen[n] = a.SuppressedBy()
		if n == persistAt {
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			a = new(Actions)
			if err := json.Unmarshal(b, a); err != nil {
				t.Fatalf("restoring %s: %v", b, err)
			}
		}
	}
	return acts, seen
}

func TestTimelines(t *testing.T) {
	for _, tl := range timelines {
		for m, name := range []string{"due first", "events first", "at deadlines"} {
			acts, seen := run(t, tl, mode(m), -1)
			if !reflect.DeepEqual(acts, tl.want) {
				t.Errorf("%s (%s): actions %v, want %v", tl.name, name, acts, tl.want)
			}
			for n, want := range tl.suppressedBy {
				if seen[n] != want {
					t.Errorf("%s (%s): SuppressedBy at t%d = %q, want %q", tl.name, name, n, seen[n], want)
				}
			}
		}
	}
}

func TestPersistence(t *testing.T) {
	for _, tl := range timelines {
		for cut := 0; cut <= horizon; cut++ {
			acts, seen := run(t, tl, dueFirst, cut)
			if !reflect.DeepEqual(acts, tl.want) {
				t.Errorf("%s, restored after t%d: actions %v, want %v", tl.name, cut, acts, tl.want)
			}
			for n, want := range tl.suppressedBy {
				if seen[n] != want {
					t.Errorf("%s, restored after t%d: SuppressedBy at t%d = %q, want %q", tl.name, cut, n, seen[n], want)
				}
			}
		}
	}
}

// TestPersistedForm pins the JSON an engine stores: a change of the schema
// breaks state saved by earlier versions.
func TestPersistedForm(t *testing.T) {
	a := &Actions{Suppressor: a5, State: "OK"}
	a.OnCompositeChange(at(2), "ALARM")
	a.OnSuppressorChange(at(3), true)
	a.OnSuppressorChange(at(6), false)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"suppressor":{"wait":120000000000,"extension":180000000000},"state":"ALARM","pending":true,` +
		`"timer":"ExtensionPeriod","deadline":"2026-01-01T00:09:00Z"}`
	if string(b) != want {
		t.Errorf("persisted\n%s\nwant\n%s", b, want)
	}
	if b, _ := json.Marshal(&Actions{}); string(b) != "{}" {
		t.Errorf("zero Actions persisted as %s, want {}", b)
	}
}

func TestZeroValue(t *testing.T) {
	var a Actions
	if got := a.OnCompositeChange(at(0), "INSUFFICIENT_DATA"); !reflect.DeepEqual(got, []string{"INSUFFICIENT_DATA"}) {
		t.Errorf("first change of the zero Actions acted on %q, want [INSUFFICIENT_DATA]", got)
	}
	if _, ok := a.NextDeadline(); ok || a.SuppressedBy() != "" {
		t.Errorf("zero Actions without a suppressor has a timer or suppression: %+v", a)
	}
}

func ExampleActions() {
	a := &Actions{Suppressor: &Suppressor{Wait: time.Minute, Extension: time.Minute}, State: "OK"}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println(a.OnCompositeChange(now, "ALARM"), a.SuppressedBy())
	next, _ := a.NextDeadline()
	fmt.Println(next.Format(time.Kitchen), a.Due(next), a.SuppressedBy() == "")
	// Output:
	// [] WaitPeriod
	// 12:01PM [ALARM] true
}
