package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/stack"
)

// A composite's state change is reported once, with its actions when it acts at once; with
// a suppressor, the actions wait for the wait period and are released when it ends, not at
// the next evaluation round.
func TestCompositeActionsAndSuppressor(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "alarms.yaml"), []byte(rigStack+`composite_alarms:
  - name: broker-down
    rule: ALARM(broker-sum)
    actions: {alarm: [alarms]}
  - name: broker-down-quiet
    rule: ALARM(broker-sum)
    actions: {alarm: [alarms]}
    actions_suppressor: {alarm: disk, wait_period: 30s, extension_period: 30s}
`), 0o644)
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Strings())
	}
	r := &rig{t: t, dir: t.TempDir(), now: t0, env: st.Env("production")}
	r.open()
	for m := 0; m < 4; m++ {
		ones := make([]float64, 150)
		for i := range ones {
			ones[i] = 1
		}
		r.push("BackendConnectionErrors", "LoadBalancerName", "broker", "Count", t0.Add(time.Duration(m)*time.Minute), ones...)
	}
	r.run(t0.Add(3*time.Minute + 10*time.Second)) // broker-sum reaches ALARM at 3m + 1s (the rig steps by 10 s)
	count := map[string]int{}
	var loud *Change
	for i, c := range r.changes {
		if c.New != eval.Alarm {
			continue // the first round moves every composite out of INSUFFICIENT_DATA
		}
		if c.Alarm == "broker-down" {
			count["loud"]++
			loud = &r.changes[i]
		}
		if c.Alarm == "broker-down-quiet" {
			count["quiet"]++
			if len(c.Actions) > 0 {
				t.Errorf("suppressed composite acted at once: %+v", c)
			}
		}
	}
	if count["loud"] != 1 || loud.New != eval.Alarm || len(loud.Actions) != 1 || loud.ActionsOnly {
		t.Fatalf("composite without a suppressor: %d changes, %+v", count["loud"], loud)
	}
	if count["quiet"] != 1 {
		t.Fatalf("suppressed composite: %d changes", count["quiet"])
	}
	r.changes = nil
	r.run(t0.Add(3*time.Minute + 50*time.Second)) // the 30 s wait ends at 3m40s, before the next round at 4m01s
	if len(r.changes) != 1 || r.changes[0].Alarm != "broker-down-quiet" || !r.changes[0].ActionsOnly || len(r.changes[0].Actions) != 1 {
		t.Fatalf("released actions: %+v", r.changes)
	}
	if got := r.changes[0].At; got.After(t0.Add(3*time.Minute + 50*time.Second)) {
		t.Errorf("actions released at %v", got)
	}
}

func TestSetStateOnComposite(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "alarms.yaml"), []byte(rigStack+"composite_alarms:\n  - {name: c, rule: ALARM(broker-sum), actions: {alarm: [alarms]}}\n"), 0o644)
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Strings())
	}
	r := &rig{t: t, dir: t.TempDir(), now: t0, env: st.Env("production")}
	r.open()
	if err := r.eng.SetState(context.Background(), "production", "c", "", eval.Alarm, "drill"); err != nil {
		t.Fatal(err)
	}
	if s := r.state("c", ""); s != eval.Alarm {
		t.Fatalf("state: %s", s)
	}
	if len(r.changes) != 1 || len(r.changes[0].Actions) != 1 {
		t.Fatalf("changes: %+v", r.changes)
	}
	r.run(t0.Add(2 * time.Minute)) // the next rounds decide again: broker-sum is not in ALARM
	if s := r.state("c", ""); s != eval.OK {
		t.Errorf("after the next round: %s", s)
	}
}

// A composite's creation, update and deletion are in its history.
func TestCompositeConfigurationHistory(t *testing.T) {
	write := func(dir, rule string) *stack.Env {
		os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
		extra := ""
		if rule != "" {
			extra = "composite_alarms:\n  - {name: c, rule: \"" + rule + "\"}\n"
		}
		os.WriteFile(filepath.Join(dir, "alarms.yaml"), []byte(rigStack+extra), 0o644)
		st, diags := stack.Load(dir, stack.Options{})
		if diags.HasErrors() {
			t.Fatal(diags.Strings())
		}
		return st.Env("production")
	}
	dir := t.TempDir()
	r := &rig{t: t, dir: t.TempDir(), now: t0, env: write(dir, "ALARM(broker-sum)")}
	r.open()
	ctx := context.Background()
	for _, rule := range []string{"ALARM(broker-max)", ""} {
		if err := r.eng.Configure(ctx, []*stack.Env{write(dir, rule)}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := r.eng.History(ctx, "production", "c", nil, time.Time{}, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		got = append(got, h.Summary)
	}
	want := []string{`Composite alarm "c" deleted`, `Composite alarm "c" updated`, `Composite alarm "c" created`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("history: %q", got)
	}
}
