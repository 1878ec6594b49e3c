package composite

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tocsin/tocsin/internal/alarm/rule"
)

// plain resolves plain alarms from a map; unknown names have no state.
func plain(m map[string]string) StateOf {
	return func(name string) []string {
		if s, ok := m[name]; ok {
			return []string{s}
		}
		return nil
	}
}

// instances resolves templates from a map of instance states.
func instances(m map[string][]string) StateOf {
	return func(name string) []string { return m[name] }
}

func mustParse(t testing.TB, s string) *rule.Expr {
	t.Helper()
	e, err := rule.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

func TestStateVectors(t *testing.T) {
	tests := []struct {
		id, rule   string
		states     map[string]string
		want       string
		triggering []string
	}{
		{"C01", "ALARM(A) AND ALARM(B)", map[string]string{"A": "ALARM", "B": "OK"}, "OK", []string{"B"}},
		{"C02", "ALARM(A) OR ALARM(B)", map[string]string{"A": "OK", "B": "ALARM"}, "ALARM", []string{"B"}},
		{"C03", "ALARM(A) AND NOT ALARM(B)", map[string]string{"A": "ALARM", "B": "INSUFFICIENT_DATA"}, "ALARM", []string{"A", "B"}},
		{"C04", "(ALARM(A) OR ALARM(B)) AND OK(C)", map[string]string{"A": "ALARM", "B": "OK", "C": "ALARM"}, "OK", []string{"C"}},
		{"C05", "TRUE", nil, "ALARM", nil},
		{"C06", "FALSE", nil, "OK", nil},
		// Triggering lists every operand that decides, once each, in rule order.
		{"or-both", "ALARM(B) OR ALARM(A) OR OK(B)", map[string]string{"A": "ALARM", "B": "ALARM"}, "ALARM", []string{"B", "A"}},
		{"and-true", "ALARM(A) AND (OK(B) OR ALARM(C)) AND TRUE", map[string]string{"A": "ALARM", "B": "OK", "C": "OK"}, "ALARM", []string{"A", "B"}},
		{"or-false", "ALARM(A) OR NOT OK(B)", map[string]string{"A": "OK", "B": "OK"}, "OK", []string{"A", "B"}},
		{"unknown", "INSUFFICIENT_DATA(gone)", nil, "ALARM", []string{"gone"}},
	}
	for _, tt := range tests {
		got, trig := State(mustParse(t, tt.rule), plain(tt.states))
		if got != tt.want || !reflect.DeepEqual(trig, tt.triggering) {
			t.Errorf("%s: State(%q) with %v = %s %q, want %s %q", tt.id, tt.rule, tt.states, got, trig, tt.want, tt.triggering)
		}
	}
}

func TestTemplates(t *testing.T) {
	fleets := map[string][]string{
		"none":  nil,
		"one":   {"ALARM"},
		"mixed": {"OK", "ALARM", "OK"},
		"alarm": {"ALARM", "ALARM", "ALARM"},
		"ok":    {"OK", "OK"},
	}
	tests := []struct {
		fleet, rule string
		want        string
	}{
		{"none", "ALARM(disk)", "OK"},
		{"none", "ALARM(disk[*])", "OK"}, // never vacuously true
		{"none", "OK(disk)", "OK"},
		{"none", "OK(disk[*])", "OK"},
		{"none", "INSUFFICIENT_DATA(disk)", "ALARM"},
		{"none", "INSUFFICIENT_DATA(disk[*])", "ALARM"},
		{"one", "ALARM(disk)", "ALARM"},
		{"one", "ALARM(disk[*])", "ALARM"},
		{"one", "OK(disk)", "OK"},
		{"mixed", "ALARM(disk)", "ALARM"},
		{"mixed", "ALARM(disk[*])", "OK"},
		{"mixed", `ALARM("disk[*]")`, "OK"},
		{"mixed", "OK(disk)", "ALARM"},
		{"mixed", "OK(disk[*])", "OK"},
		{"mixed", "NOT ALARM(disk[*]) AND ALARM(disk)", "ALARM"},
		{"mixed", "INSUFFICIENT_DATA(disk)", "OK"},
		{"alarm", "ALARM(disk)", "ALARM"},
		{"alarm", "ALARM(disk[*])", "ALARM"},
		{"alarm", "OK(disk)", "OK"},
		{"ok", "ALARM(disk)", "OK"},
		{"ok", "OK(disk[*])", "ALARM"},
	}
	for _, tt := range tests {
		var asked []string
		states := func(name string) []string {
			asked = append(asked, name)
			return fleets[tt.fleet]
		}
		got, trig := State(mustParse(t, tt.rule), states)
		if got != tt.want {
			t.Errorf("%s instances %v: State(%q) = %s, want %s", tt.fleet, fleets[tt.fleet], tt.rule, got, tt.want)
		}
		if !reflect.DeepEqual(asked, []string{"disk"}) || !reflect.DeepEqual(trig, []string{"disk"}) {
			t.Errorf("%s: State(%q) asked the resolver for %q and triggered %q, want [disk] both", tt.fleet, tt.rule, asked, trig)
		}
	}
}

func TestInstanceReference(t *testing.T) {
	states := instances(map[string][]string{
		"disk":               {"OK", "ALARM"},
		"disk[Host=a,Mnt=/]": {"OK"},
		"disk[Host=b,Mnt=/]": {"ALARM"},
	})
	for r, want := range map[string]string{
		`ALARM("disk[Host=b,Mnt=/]")`:            "ALARM",
		`ALARM(disk[Host=a,Mnt=/])`:              "OK",
		`ALARM(disk) AND OK(disk[Host=a,Mnt=/])`: "ALARM",
	} {
		if got, _ := State(mustParse(t, r), states); got != want {
			t.Errorf("State(%q) = %s, want %s", r, got, want)
		}
	}
}

// randomRule builds a random rule over children a..e.
func randomRule(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(3) == 0 {
		switch r.IntN(12) {
		case 0:
			return "TRUE"
		case 1:
			return "FALSE"
		}
		fn := []string{"ALARM", "OK", "INSUFFICIENT_DATA"}[r.IntN(3)]
		return fmt.Sprintf("%s(%c)", fn, 'a'+r.IntN(5))
	}
	switch r.IntN(3) {
	case 0:
		return "NOT " + randomRule(r, depth-1)
	case 1:
		return "(" + randomRule(r, depth-1) + " AND " + randomRule(r, depth-1) + ")"
	}
	return "(" + randomRule(r, depth-1) + " OR " + randomRule(r, depth-1) + ")"
}

// TestAgreesWithRuleAndTriggeringDecides checks, on random rules over plain
// alarms, that State agrees with rule.Expr.Eval and that no state of a child
// outside triggering changes the result.
func TestAgreesWithRuleAndTriggeringDecides(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	all := []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
	for range 2000 {
		text := randomRule(r, 4)
		e := mustParse(t, text)
		m := map[string]string{}
		for c := 'a'; c <= 'e'; c++ {
			m[string(c)] = all[r.IntN(3)]
		}
		got, trig := State(e, plain(m))
		want := "OK"
		if e.Eval(func(n string) string { return m[n] }) {
			want = "ALARM"
		}
		if got != want {
			t.Fatalf("State(%q) with %v = %s, rule.Eval says %s", text, m, got, want)
		}
		for _, n := range trig {
			if !contains(e.Refs(), n) {
				t.Fatalf("State(%q): triggering %q is not a child", text, n)
			}
		}
		for _, n := range e.Refs() {
			if contains(trig, n) {
				continue
			}
			for _, s := range all {
				m2 := map[string]string{}
				for k, v := range m {
					m2[k] = v
				}
				m2[n] = s
				if got2, _ := State(e, plain(m2)); got2 != got {
					t.Fatalf("State(%q) with %v = %s triggered by %q, but %s=%s turns it %s", text, m, got, trig, n, s, got2)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkState10Children(b *testing.B) {
	e := mustParse(b, "(ALARM(c0) OR ALARM(c1) OR ALARM(c2) OR ALARM(c3)) AND NOT ALARM(maint) AND "+
		"(OK(c4) OR INSUFFICIENT_DATA(c5)) AND NOT (ALARM(c6) AND ALARM(c7)) AND ALARM(fleet[*])")
	m := map[string][]string{
		"c0": {"OK"}, "c1": {"OK"}, "c2": {"ALARM"}, "c3": {"OK"}, "maint": {"OK"},
		"c4": {"OK"}, "c5": {"OK"}, "c6": {"ALARM"}, "c7": {"OK"}, "fleet": {"ALARM", "ALARM", "ALARM"},
	}
	if n := len(e.Refs()); n != 10 {
		b.Fatalf("rule has %d children, want 10", n)
	}
	states := instances(m)
	if got, _ := State(e, states); got != "ALARM" {
		b.Fatalf("State = %s, want ALARM", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		State(e, states)
	}
}
