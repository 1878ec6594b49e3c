package alarmtest

import (
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

func TestSeriesDatums(t *testing.T) {
	s := &Series{Namespace: "App", Name: "Errors", Unit: metric.UnitCount,
		Dims:     []metric.Dim{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
		Interval: 10 * time.Second, StorageResolution: 1,
		Values: []Value{{Number: 1}, {Missing: true}, {Number: 3}},
		Datapoints: []Datapoint{
			{At: 20 * time.Second, Values: []float64{1, 2}, Counts: []float64{3, 1}},
			{At: 5 * time.Second, Value: 7, HasValue: true},
			{At: 0, Stats: &metric.StatSet{SampleCount: 2, Sum: 3, Minimum: 1, Maximum: 2}},
		}}
	got := s.Datums("prod", t0)
	type row struct {
		at     time.Duration
		value  float64
		values []float64
		stats  bool
	}
	want := []row{{0, 1, nil, false}, {0, 0, nil, true}, {5 * time.Second, 7, nil, false},
		{20 * time.Second, 3, nil, false}, {20 * time.Second, 0, []float64{1, 2}, false}}
	if len(got) != len(want) {
		t.Fatalf("%d datums, want %d: %+v", len(got), len(want), got)
	}
	for i, d := range got {
		w := want[i]
		if d.Time.Sub(t0) != w.at || d.Value != w.value || !slices.Equal(d.Values, w.values) || (d.Stats != nil) != w.stats {
			t.Errorf("datum %d = %+v, want %+v", i, d, w)
		}
		if d.Key.Env != "prod" || d.Key.Unit != metric.UnitCount || len(d.Key.Dims) != 2 || d.Resolution != 1 {
			t.Errorf("datum %d key %v resolution %d", i, d.Key, d.Resolution)
		}
		if err := d.Validate(d.Time); err != nil {
			t.Errorf("datum %d: %v", i, err)
		}
	}
	// Datums own their slices: a consumer may change them.
	got[4].Values[0], got[4].Counts[0], got[1].Stats.Sum, got[0].Key.Dims[0].Value = 99, 99, 99, "x"
	again := s.Datums("prod", t0)
	if again[4].Values[0] != 1 || again[4].Counts[0] != 3 || again[1].Stats.Sum != 3 || s.Dims[0].Value != "1" {
		t.Errorf("changing a datum changed the series")
	}
}

func TestTestDatumsAndExpectations(t *testing.T) {
	a := &Series{Namespace: "App", Name: "A", Unit: metric.UnitNone, Interval: time.Minute, StorageResolution: 60,
		Values: []Value{{Number: 1}, {Number: 2}}}
	b := &Series{Namespace: "App", Name: "B", Unit: metric.UnitNone, Interval: 30 * time.Second, StorageResolution: 60,
		Values: []Value{{Number: 1}, {Number: 2}, {Number: 3}}}
	test := &Test{Series: []*Series{a, b}, Expect: []Expect{
		{At: 3 * time.Minute, Alarm: AlarmRef{Name: "x"}}, {At: time.Minute, Alarm: AlarmRef{Name: "y"}},
		{At: 3 * time.Minute, Alarm: AlarmRef{Name: "z", Instance: "I=1"}}, {At: 0, Alarm: AlarmRef{Name: "w"}}}}
	var order []string
	for _, d := range test.Datums("e", t0) {
		order = append(order, d.Key.Name+"@"+d.Time.Sub(t0).String())
	}
	if want := []string{"A@0s", "B@0s", "B@30s", "A@1m0s", "B@1m0s"}; !slices.Equal(order, want) {
		t.Errorf("datums in order %q, want %q", order, want)
	}
	var exp []string
	for _, e := range test.Expectations() {
		exp = append(exp, e.Alarm.String())
	}
	if want := []string{"w", "y", "x", "z[I=1]"}; !slices.Equal(exp, want) {
		t.Errorf("expectations in order %q, want %q", exp, want)
	}
	if test.Expect[0].Alarm.Name != "x" {
		t.Errorf("Expectations sorted the test's own slice")
	}
	if test.End() != 3*time.Minute {
		t.Errorf("End = %s", test.End())
	}
}
