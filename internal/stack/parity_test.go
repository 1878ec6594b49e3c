package stack

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cellOf(t *testing.T, rep *Report, kind, name, env string) Cell {
	t.Helper()
	for _, row := range rep.Rows {
		if row.Kind == kind && row.Name == name {
			for _, c := range row.Cells {
				if c.Env == env {
					return c
				}
			}
		}
	}
	t.Fatalf("no cell %s[%s] in %s", kind, name, env)
	return Cell{}
}

func TestParityQuickstart(t *testing.T) {
	st := loadOK(t, quickstart, Options{SkipSecrets: true})
	rep := Parity(st)
	if rep.Failed() {
		t.Fatalf("quickstart parity fails: %+v", rep)
	}
	if c := cellOf(t, rep, "alarms", "api-low-traffic", "staging"); c.Status != StatusExcluded || !strings.Contains(c.Reason, "traffic") {
		t.Errorf("low-traffic in staging: %+v", c)
	}
	if c := cellOf(t, rep, "alarms", "api-low-traffic", "production"); c.Status != StatusSame {
		t.Errorf("low-traffic in production: %+v", c)
	}
	c := cellOf(t, rep, "alarms", "elk-broker-backend-connection-errors", "production")
	if c.Status != StatusOverridden || len(c.Overrides) != 2 || c.Overrides[0].Field != "datapoints_to_alarm" || c.Overrides[0].Value != "2" {
		t.Errorf("broker in production: %+v", c)
	}
	if c := cellOf(t, rep, "alarms", "elk-broker-backend-connection-errors", "ci"); c.Status != StatusOverridden || c.Overrides[0].Field != "threshold" || c.Overrides[0].Value != "500" {
		t.Errorf("broker in ci (variable override): %+v", c)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	for _, want := range []string{"api-low-traffic", "excluded: Pre-production traffic", "OK: every difference"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

func TestParityUndeclaredOverlayAddition(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, quickstart, dir)
	overlay := filepath.Join(dir, "environments", "staging.yaml")
	data, _ := os.ReadFile(overlay)
	data = append(data, []byte(`alarms:
  - name: hand-made-latency
    metric: {namespace: MyApp/API, name: Latency, unit: Milliseconds}
    statistic: p99
    period: 1m
    evaluation_periods: 3
    threshold: 800
    comparison: GreaterThanThreshold
    actions: {alarm: [alarms]}
`)...)
	os.WriteFile(overlay, data, 0o644)
	rep := Parity(loadOK(t, dir, Options{SkipSecrets: true}))
	if !rep.Failed() || rep.Undeclared != 3 {
		t.Fatalf("want 3 undeclared cells, got %d", rep.Undeclared)
	}
	if c := cellOf(t, rep, "alarms", "hand-made-latency", "production"); c.Status != StatusUndeclared || !strings.Contains(c.Detail, "staging") {
		t.Errorf("production cell: %+v", c)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "hand-made-latency") || !strings.Contains(text.String(), "FAIL: 3 undeclared") {
		t.Errorf("text:\n%s", text.String())
	}
	// With a reason the same addition is declared.
	os.WriteFile(overlay, append(data, []byte("    reason: Staging runs the new latency budget first.\n")...), 0o644)
	if rep := Parity(loadOK(t, dir, Options{SkipSecrets: true})); rep.Failed() {
		t.Errorf("declared addition still fails: %+v", rep)
	}
}

func TestParityLive(t *testing.T) {
	st := loadOK(t, quickstart, Options{SkipSecrets: true})
	rep := Parity(st)
	var live []LiveResource
	for _, en := range st.Env("staging").Entries {
		m, _ := Canonical(en.Resource)
		live = append(live, LiveResource{Kind: en.Kind.Name, Name: en.Name, Origin: "stack", Resource: m})
	}
	rep.CompareLive(st, "staging", live)
	if rep.Failed() {
		t.Fatalf("identical live config drifts: %+v", rep)
	}
	live[0].Resource["threshold"] = 1.0                                                                                                      // changed
	live = live[:len(live)-1]                                                                                                                // deleted
	live = append(live, LiveResource{Kind: "alarms", Name: "made-by-hand", Origin: "api", Resource: map[string]any{"name": "made-by-hand"}}) // created
	rep = Parity(st)
	rep.CompareLive(st, "staging", live)
	if rep.Drifted != 3 {
		t.Fatalf("want 3 drifted cells (changed, created, deleted), got %d", rep.Drifted)
	}
	if c := cellOf(t, rep, "alarms", "made-by-hand", "staging"); c.Status != StatusDrift || !strings.Contains(c.Detail, "created") {
		t.Errorf("created: %+v", c)
	}
	if c := cellOf(t, rep, "alarms", "made-by-hand", "production"); c.Status != StatusAbsent {
		t.Errorf("other env of a live-only row: %+v", c)
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"status":"drift"`) {
		t.Errorf("json: %s", b)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
}
