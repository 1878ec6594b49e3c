package notify

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

func TestMatchers(t *testing.T) {
	disk := &Subject{Alarm: "disk-space", Name: "disk-space[InstanceId=i-1]", Dimensions: map[string]string{"InstanceId": "i-1"},
		Event: []byte(`{"source":"tocsin.alarm","detail":{"state":{"value":"ALARM"}}}`)}
	deploy := &Subject{Event: []byte(`{"source":"aws.codedeploy","detail":{"state":"SUCCESS"}}`)}
	cases := []struct {
		name     string
		m        Matchers
		subj     *Subject
		want     bool
		wantFail bool
	}{
		{"alarm glob", Matchers{Alarm: "disk-*"}, disk, true, false},
		{"instance name", Matchers{Alarm: "disk-space[InstanceId=i-1]"}, disk, true, false},
		{"other alarm", Matchers{Alarm: "cpu-*"}, disk, false, false},
		{"dimension glob", Matchers{Dimensions: map[string]string{"InstanceId": "i-*"}}, disk, true, false},
		{"dimension absent", Matchers{Dimensions: map[string]string{"Service": "*"}}, disk, false, false},
		{"alarm and dimension", Matchers{Alarm: "disk-space", Dimensions: map[string]string{"InstanceId": "i-2"}}, disk, false, false},
		{"event pattern", Matchers{EventPattern: json.RawMessage(`{"source":["aws.codedeploy"]}`)}, deploy, true, false},
		{"event pattern on alarm event", Matchers{EventPattern: json.RawMessage(`{"detail":{"state":{"value":["ALARM"]}}}`)}, disk, true, false},
		{"alarm matcher never mutes events", Matchers{Alarm: "*"}, deploy, false, false},
		{"nothing", Matchers{}, disk, false, true},
		{"bad pattern", Matchers{EventPattern: json.RawMessage(`{"source":"x"}`)}, disk, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.m.Compile()
			if (err != nil) != c.wantFail {
				t.Fatalf("compile: %v", err)
			}
			if err == nil && m.Match(c.subj) != c.want {
				t.Fatalf("match = %v, want %v", !c.want, c.want)
			}
		})
	}
}

// A nightly window 02:00–03:00 in Europe/Paris mutes at 01:30 UTC in winter (02:30 in
// Paris) and not at 02:30 UTC (03:30 in Paris).
func TestRecurringWindowInItsTimeZone(t *testing.T) {
	d := dur("1h")
	w, err := CompileWindow("nightly", &stack.MaintenanceWindow{Schedule: "cron(0 2 * * ? *)", Duration: &d, Timezone: "Europe/Paris", Alarms: []string{"batch-*"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   string
		want bool
	}{{"2026-01-10T00:59:00Z", false}, {"2026-01-10T01:00:00Z", true}, {"2026-01-10T01:30:00Z", true}, {"2026-01-10T02:00:00Z", false}, {"2026-07-10T00:30:00Z", true}} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := w.Active(at); got != c.want {
			t.Errorf("active at %s = %v, want %v", c.at, got, c.want)
		}
	}
	if !w.Covers(&Subject{Alarm: "batch-lag", Name: "batch-lag"}) || w.Covers(&Subject{Alarm: "api-errors"}) || w.Covers(&Subject{Event: []byte(`{}`)}) {
		t.Error("window alarm globs")
	}
}

func TestMutesNameTheSilenceOrWindow(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	matchers, _ := json.Marshal(Matchers{Alarm: "disk-*"})
	silences := []store.Silence{
		{ID: 7, Environment: "production", Matchers: matchers, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)},
		{ID: 8, Environment: "staging", Matchers: matchers, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)},
		{ID: 9, Environment: "production", Matchers: matchers, StartsAt: now.Add(-2 * time.Hour), EndsAt: now},
	}
	w, _ := CompileWindow("upgrade", &stack.MaintenanceWindow{Start: "2026-11-22T11:00:00Z", End: "2026-11-22T13:00:00Z", Alarms: []string{"db-*"}})
	m := NewMutes(silences, "production", []*Window{w}, now)
	if by := m.By(&Subject{Alarm: "disk-space", Name: "disk-space"}); by != "silence/7" {
		t.Errorf("disk muted by %q", by)
	}
	if by := m.By(&Subject{Alarm: "db-lag", Name: "db-lag"}); by != "maintenance/upgrade" {
		t.Errorf("db muted by %q", by)
	}
	if by := m.By(&Subject{Alarm: "api", Name: "api"}); by != "" {
		t.Errorf("api muted by %q", by)
	}
	if by := NewMutes(silences, "production", nil, now.Add(2*time.Hour)).By(&Subject{Alarm: "disk-space"}); by != "" {
		t.Errorf("an ended silence mutes: %q", by)
	}
}
