package alarmtest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/stack"
)

// noEnv is a process environment without variables: the stack's ${env:SLACK_URL} must
// not be needed to test its alarms.
func noEnv(string) (string, bool) { return "", false }

func mustLoad(t *testing.T, path string) (*File, stack.Diagnostics) {
	t.Helper()
	f, diags := Load(path, noEnv)
	if diags.HasErrors() || f == nil {
		t.Fatalf("%s: unexpected errors:\n%s", path, strings.Join(diags.Strings(), "\n"))
	}
	return f, diags
}

func names(entries []*stack.Entry) []string {
	var out []string
	for _, en := range entries {
		out = append(out, en.Name)
	}
	slices.Sort(out)
	return out
}

func refs(es []Expect) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.At.String()+" "+e.Alarm.String()+" "+e.State)
	}
	return out
}

func TestLoadStack(t *testing.T) {
	f, diags := mustLoad(t, "testdata/valid/stack.yaml")
	// Inline alarms are linted, except for "no actions" (broker-or-disk has none).
	wantDiags := []string{"testdata/valid/stack.yaml:9:16: alarms[broker-errors-max].statistic: warning: Maximum of a count metric (BackendConnectionErrors) is the largest single sample, usually 1, so it will rarely exceed 100; use Sum to alarm on the total per period"}
	if got := diags.Strings(); !slices.Equal(got, wantDiags) {
		t.Errorf("diagnostics = %q, want %q", got, wantDiags)
	}
	if f.Environment != "production" || f.Stack != "testdata/stack" || f.EvaluationDelay != 10*time.Second {
		t.Errorf("environment %q, stack %q, delay %s", f.Environment, f.Stack, f.EvaluationDelay)
	}
	if want := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC); !f.Start.Equal(want) || f.Start.Location() != time.UTC {
		t.Errorf("start = %v, want %v in UTC", f.Start, want)
	}
	// canary-latency exists only in staging.
	if got, want := names(f.Alarms()), []string{"broker-backend-errors", "broker-errors-max", "disk-60"}; !slices.Equal(got, want) {
		t.Errorf("alarms = %q, want %q", got, want)
	}
	if got, want := names(f.CompositeAlarms()), []string{"broker-down", "broker-or-disk"}; !slices.Equal(got, want) {
		t.Errorf("composite alarms = %q, want %q", got, want)
	}
	if a := f.Env.Get("alarms", "broker-errors-max").Resource.(*stack.Alarm); a.DatapointsToAlarm != 5 || a.TreatMissingData != "missing" {
		t.Errorf("inline alarm defaults not applied: M=%d treat_missing_data=%q", a.DatapointsToAlarm, a.TreatMissingData)
	}
	if len(f.Tests) != 2 {
		t.Fatalf("%d tests, want 2", len(f.Tests))
	}
	test := f.Tests[0]
	wantInit := []InitialState{
		{Alarm: AlarmRef{Name: "broker-backend-errors"}, State: "OK", Pos: stack.Pos{File: "testdata/valid/stack.yaml", Line: 20, Col: 21}},
		{Alarm: AlarmRef{Name: "disk-60", Instance: "InstanceId=i-1"}, State: "ALARM", Pos: stack.Pos{File: "testdata/valid/stack.yaml", Line: 20, Col: 48}},
	}
	if !slices.Equal(test.InitialState, wantInit) {
		t.Errorf("initial state = %+v, want %+v", test.InitialState, wantInit)
	}
	wantExp := []string{"0s broker-or-disk INSUFFICIENT_DATA", "2m0s disk-60[InstanceId=i-1] OK",
		"5m0s broker-backend-errors ALARM", "5m0s broker-errors-max OK"}
	if got := refs(test.Expectations()); !slices.Equal(got, wantExp) {
		t.Errorf("expectations = %q, want %q", got, wantExp)
	}
	if e := test.Expect[0]; e.ReasonContains != "out of the last" || e.Pos.Line != 38 {
		t.Errorf("first expectation = %+v", e)
	}
	if test.End() != 5*time.Minute {
		t.Errorf("end = %s, want 5m", test.End())
	}
	s := test.Series[0]
	if len(s.Values) != 13 || s.Interval != 10*time.Second || s.Unit != metric.UnitCount || s.StorageResolution != 60 {
		t.Errorf("series 0 = %+v", s)
	}
	datums := f.Datums(test)
	if len(datums) != 12+3+2 {
		t.Fatalf("%d datums, want 17", len(datums))
	}
	disk := test.Series[1].Key("production")
	if want := []metric.Dim{{Name: "InstanceId", Value: "i-1"}, {Name: "path", Value: "/"}}; !slices.Equal(disk.Dims, want) {
		t.Errorf("disk dims = %v, want %v (sorted)", disk.Dims, want)
	}
	for i, d := range datums {
		if i > 0 && d.Time.Before(datums[i-1].Time) {
			t.Errorf("datum %d at %v comes after %v", i, d.Time, datums[i-1].Time)
		}
		if d.Key.Name == "disk_used_percent" && d.Resolution != 1 {
			t.Errorf("disk datum resolution = %d, want 1", d.Resolution)
		}
		if err := d.Validate(d.Time); err != nil {
			t.Errorf("datum %d is not valid: %v", i, err)
		}
	}
	if got := f.Tests[1].Expect[0].Alarm.String(); got != "broker-down" {
		t.Errorf("second test expects %q", got)
	}
}

func TestLoadInlineDefaults(t *testing.T) {
	f, diags := mustLoad(t, "testdata/valid/inline.yaml")
	if len(diags) != 0 {
		t.Errorf("inline alarms without actions must not warn: %q", diags.Strings())
	}
	if f.Environment != DefaultEnvironment || f.Stack != "" || !f.Start.Equal(DefaultStart) || f.EvaluationDelay != 0 {
		t.Errorf("defaults not applied: %+v", f)
	}
	if got, want := names(f.CompositeAlarms()), []string{"quiet", "site"}; !slices.Equal(got, want) {
		t.Errorf("composite alarms = %q, want %q", got, want)
	}
	s := f.Tests[0].Series[0]
	if s.Interval != time.Minute || s.StorageResolution != 60 || s.Unit != metric.UnitNone {
		t.Errorf("series defaults: interval %s, resolution %d, unit %q", s.Interval, s.StorageResolution, s.Unit)
	}
	up := f.Tests[0].Series[1]
	want := []Value{{Missing: true}, {Missing: true}, {Number: 1}, {Number: 0}}
	if !slices.Equal(up.Values, want) {
		t.Errorf("values = %v, want %v", up.Values, want)
	}
	if got := f.Tests[0].Expect[2].Alarm; got != (AlarmRef{Name: "per-host", Instance: "Host=web-1,eu"}) {
		t.Errorf("instance with a comma = %+v", got)
	}
}

func TestLoadTemplateInstances(t *testing.T) {
	f, _ := mustLoad(t, "testdata/valid/templates.yaml")
	test := f.Tests[0]
	want := []string{"InstanceId=i-2,Mount=/data,x", "InstanceId=i-1,Mount=/"}
	for i, e := range test.Expect {
		if e.Alarm.Name != "disk" || e.Alarm.Instance != want[i] {
			t.Errorf("expect[%d] = %+v, want instance %q", i, e.Alarm, want[i])
		}
	}
	if got := test.InitialState[0].Alarm.Instance; got != want[0] {
		t.Errorf("initial state instance = %q, want %q", got, want[0])
	}
	if f.Environment != "ci" {
		t.Errorf("environment = %q, want ci", f.Environment)
	}
}

func TestLoadInsideStack(t *testing.T) {
	// "stack: ." from a *_test.yaml inside the stack, which the stack loader skips.
	f, _ := mustLoad(t, "testdata/stack/broker_test.yaml")
	if f.Stack != "testdata/stack" || len(f.Alarms()) != 2 {
		t.Errorf("stack %q with %d alarms", f.Stack, len(f.Alarms()))
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, diags := Load("testdata/no-such-file.yaml", noEnv)
	want := []string{"testdata/no-such-file.yaml:1:1: cannot read file: no such file or directory"}
	if got := diags.Strings(); !slices.Equal(got, want) {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
}
