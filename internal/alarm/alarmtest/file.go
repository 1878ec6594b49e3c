package alarmtest

import (
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/stack"
)

// Defaults of the file format.
var (
	DefaultStart       = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	DefaultEnvironment = "test" // when the file names no stack and no environment
	DefaultInterval    = time.Minute
)

// MaxOffset bounds every `at`: a test evaluates its alarms every minute (or every 10 s)
// up to its last expectation.
const MaxOffset = 14 * 24 * time.Hour

// Alarm states, as written in initial_state and expect.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// File is a valid `tocsin test` file.
type File struct {
	Path            string
	Stack           string // the stack directory, resolved against the file's directory; "" for none
	Environment     string
	Start           time.Time // UTC, minute-aligned
	EvaluationDelay time.Duration
	// Env holds the environment's resources: the stack's (all kinds) and the inline alarms
	// and composite alarms, validated and with their defaults applied.
	Env   *stack.Env
	Tests []*Test
}

// Alarms returns the metric alarms under test; each Resource is a *stack.Alarm.
func (f *File) Alarms() []*stack.Entry { return f.Env.All("alarms") }

// CompositeAlarms returns the composite alarms; each Resource is a *stack.CompositeAlarm.
func (f *File) CompositeAlarms() []*stack.Entry { return f.Env.All("composite_alarms") }

// Datums returns the data of a test in this file's environment, from its start.
func (f *File) Datums(t *Test) []metric.Datum { return t.Datums(f.Environment, f.Start) }

// Test is one entry of `tests`. Each test starts from fresh alarms.
type Test struct {
	Name         string
	Pos          stack.Pos
	InitialState []InitialState // in file order
	Series       []*Series
	Expect       []Expect // in file order
}

// InitialState sets an alarm's state before the first evaluation.
type InitialState struct {
	Alarm AlarmRef
	State string
	Pos   stack.Pos
}

// Expect is one expectation: the state of Alarm after the evaluation at start+At (the
// last evaluation at or before it when At falls between evaluations).
type Expect struct {
	At             time.Duration
	Alarm          AlarmRef
	State          string
	ReasonContains string // "" for no check
	Pos            stack.Pos
}

// AlarmRef names an alarm, a composite alarm or one instance of an alarm template.
type AlarmRef struct {
	Name string
	// Instance is "" for a plain alarm; for a template instance it is the template's
	// pattern dimensions as "Dim=value,…", sorted as strings, as the engine names
	// instances (so NAME[B=2,A=1] and NAME[A=1,B=2] are the same instance).
	Instance string
}

// String returns NAME or NAME[Dim=value,…].
func (r AlarmRef) String() string {
	if r.Instance == "" {
		return r.Name
	}
	return r.Name + "[" + r.Instance + "]"
}

// Series is data published to one metric stream.
type Series struct {
	Namespace         string
	Name              string
	Unit              metric.Unit // None when the file gives none, as for PutMetricData
	Dims              []metric.Dim
	Interval          time.Duration
	Values            []Value // Values[i] is at start + i·Interval
	Datapoints        []Datapoint
	StorageResolution int // 60 (default) or 1
	Pos               stack.Pos
}

// Datapoint is an exact datum at start + At in one of the three PutMetricData forms.
type Datapoint struct {
	At       time.Duration
	Value    float64
	HasValue bool
	Values   []float64
	Counts   []float64 // nil: 1 each
	Stats    *metric.StatSet
}

// Key returns the series' stream in env.
func (s *Series) Key(env string) metric.SeriesKey {
	return metric.SeriesKey{Env: env, Namespace: s.Namespace, Name: s.Name, Unit: s.Unit,
		Dims: append([]metric.Dim(nil), s.Dims...)}
}

// Datums returns the series' data in env: one datum per non-missing value at
// start + i·Interval and one per explicit datapoint at start + At, sorted by time (values
// before datapoints at the same instant). Every datum shares one key and owns its slices.
func (s *Series) Datums(env string, start time.Time) []metric.Datum {
	key := s.Key(env)
	out := make([]metric.Datum, 0, len(s.Values)+len(s.Datapoints))
	for i, v := range s.Values {
		if !v.Missing {
			out = append(out, metric.Datum{Key: key, Time: start.Add(time.Duration(i) * s.Interval),
				Resolution: s.StorageResolution, Value: v.Number, HasValue: true})
		}
	}
	for _, p := range s.Datapoints {
		d := metric.Datum{Key: key, Time: start.Add(p.At), Resolution: s.StorageResolution,
			Value: p.Value, HasValue: p.HasValue}
		if p.Values != nil {
			d.Values = append([]float64{}, p.Values...)
			if p.Counts != nil {
				d.Counts = append([]float64{}, p.Counts...)
			}
		}
		if p.Stats != nil {
			st := *p.Stats
			d.Stats = &st
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// Datums returns every series' data in env from start, sorted by time (stable: file
// order within an instant), ready to publish as a clock advances.
func (t *Test) Datums(env string, start time.Time) []metric.Datum {
	var out []metric.Datum
	for _, s := range t.Series {
		out = append(out, s.Datums(env, start)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// Expectations returns the expectations sorted by At (stable: file order within an At).
func (t *Test) Expectations() []Expect {
	out := append([]Expect(nil), t.Expect...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// End returns the latest At of the test's expectations: how far the clock must run.
func (t *Test) End() time.Duration {
	var end time.Duration
	for _, e := range t.Expect {
		end = max(end, e.At)
	}
	return end
}

// instanceID renders template dimensions as the engine does: "A=1,B=2", sorted.
func instanceID(dims []metric.Dim) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.Name + "=" + d.Value
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
