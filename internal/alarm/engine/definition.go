package engine

import (
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
)

// DefaultForgetAfter is how long a template instance may stay silent before it is retired.
const DefaultForgetAfter = 7 * 24 * time.Hour

// definition is one alarm as the engine runs it.
type definition struct {
	env, name      string
	cfg            eval.Config
	sel            metricstore.Selector
	template       bool
	globDims       map[string]bool // template dimensions whose value is a pattern
	actions        stack.Actions
	actionsEnabled bool
	delay          time.Duration
	forgetAfter    time.Duration
	step           time.Duration // 60 s, or 10 s for high-resolution periods
	source         *stack.Alarm
	discoveredGen  uint64               // templates: the metric store generation of the last discovery
	discoveredAt   time.Time            // and when it ran
	retiredAt      map[string]time.Time // instances retired by an event, and when
	warnedRes      atomic.Bool          // a sub-minute alarm on standard-resolution data was logged
}

// Evaluation returns what evaluating a validated stack alarm of env needs: the decision's
// configuration and the selector of its data. The engine and backtests share it.
func Evaluation(env string, a *stack.Alarm) (eval.Config, metricstore.Selector, error) {
	st, err := metric.ParseStatistic(a.Statistic)
	if err != nil {
		return eval.Config{}, metricstore.Selector{}, err
	}
	cfg := eval.Config{Statistic: st, Period: a.Period.Std(), N: a.EvaluationPeriods, M: a.DatapointsToAlarm,
		Threshold: *a.Threshold, Comparison: a.Comparison, TreatMissing: a.TreatMissingData,
		LowSample: a.EvaluateLowSampleCountPercentile, Unit: a.Metric.Unit, Range: a.EvaluationRange}
	sel := metricstore.Selector{Env: env, Namespace: a.Metric.Namespace, Name: a.Metric.Name, Unit: metric.Unit(a.Metric.Unit)}
	for name, value := range a.Metric.Dimensions {
		sel.Dims = append(sel.Dims, metric.Dim{Name: name, Value: value})
	}
	metric.SortDims(sel.Dims)
	return cfg, sel, nil
}

// newDefinition converts a validated stack alarm.
func newDefinition(env string, a *stack.Alarm, defaultDelay time.Duration) (*definition, error) {
	cfg, sel, err := Evaluation(env, a)
	if err != nil {
		return nil, err
	}
	d := &definition{cfg: cfg, sel: sel, env: env, name: a.Name, source: a, actions: a.Actions, actionsEnabled: a.ActionsEnabled == nil || *a.ActionsEnabled,
		delay: defaultDelay, forgetAfter: DefaultForgetAfter, step: time.Minute, globDims: map[string]bool{}}
	if a.EvaluationDelay != nil {
		d.delay = a.EvaluationDelay.Std()
	}
	if a.ForgetAfter != nil {
		d.forgetAfter = a.ForgetAfter.Std()
	}
	if a.Period.Std() < time.Minute {
		d.step = 10 * time.Second
	}
	for name, value := range a.Metric.Dimensions {
		if metric.IsGlob(value) {
			d.template, d.globDims[name] = true, true
		}
	}
	return d, nil
}

// instanceID names an instance by its template dimensions: "InstanceId=i-1,Mount=/".
func (d *definition) instanceID(dims []metric.Dim) string {
	if !d.template {
		return ""
	}
	var parts []string
	for _, dim := range dims {
		if d.globDims[dim.Name] {
			parts = append(parts, dim.Name+"="+dim.Value)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// InstanceName is how an instance is shown: NAME, or NAME[Dim=value,…] for templates.
func InstanceName(alarm, instance string) string {
	if instance == "" {
		return alarm
	}
	return alarm + "[" + instance + "]"
}

// ParseInstanceName splits NAME[Dim=value,…] into the alarm and instance ids.
func ParseInstanceName(s string) (alarm, instance string) {
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		return s[:i], s[i+1 : len(s)-1]
	}
	return s, ""
}

// sameConfig reports whether two definitions evaluate identically (a reload that does
// not change an alarm records no configuration update).
func sameConfig(a, b *definition) bool {
	ja, _ := stack.Canonical(a.source)
	jb, _ := stack.Canonical(b.source)
	return equalJSON(ja, jb)
}
