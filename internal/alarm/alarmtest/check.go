package alarmtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/stack"
)

// series converts and checks one series.
func (c *checker) series(r *rawSeries, n *stack.Node, path string) *Series {
	s := &Series{Namespace: r.Metric.Namespace, Name: r.Metric.Name, Unit: metric.UnitNone,
		Interval: DefaultInterval, StorageResolution: 60, Pos: n.Pos}
	c.metric(s, &r.Metric, at(n, "metric"), path+".metric")
	if r.Interval != nil {
		s.Interval = r.Interval.Std()
		if s.Interval <= 0 {
			c.errorf(at(n, "interval"), path+".interval", "must be greater than 0")
		}
	}
	if r.StorageResolution != nil {
		s.StorageResolution = *r.StorageResolution
		if s.StorageResolution != 1 && s.StorageResolution != 60 {
			c.errorf(at(n, "storage_resolution"), path+".storage_resolution", "must be 1 (high resolution) or 60, got %d", s.StorageResolution)
		}
	}
	values, err := ParseValues(r.Values)
	if err != nil {
		c.errorf(at(n, "values"), path+".values", "%v", err)
	}
	s.Values = values
	if len(values) == 0 && len(r.Datapoints) == 0 && err == nil && !c.failed[path+".datapoints"] {
		c.errorf(n, path, "no data: give values, datapoints or both")
	}
	for i := range r.Datapoints {
		p := c.datapoint(&r.Datapoints[i], at(n, "datapoints", i), fmt.Sprintf("%s.datapoints[%d]", path, i))
		s.Datapoints = append(s.Datapoints, p)
	}
	return s
}

// metric checks the series' metric as PutMetricData would, reporting every problem.
func (c *checker) metric(s *Series, m *stack.MetricRef, n *stack.Node, path string) {
	if m.Namespace != "" {
		if err := metric.ValidateNamespace(m.Namespace); err != nil {
			c.errorf(at(n, "namespace"), path+".namespace", "%v", err)
		}
	}
	if m.Name != "" {
		if err := metric.ValidateMetricName(m.Name); err != nil {
			c.errorf(at(n, "name"), path+".name", "%v", err)
		}
	}
	if m.Unit != "" {
		u, err := metric.ParseUnit(m.Unit)
		if err != nil {
			c.errorf(at(n, "unit"), path+".unit", "%v", err)
		}
		s.Unit = u
	}
	if len(m.Dimensions) > metric.MaxDimensions {
		c.errorf(at(n, "dimensions"), path+".dimensions", "at most %d dimensions, got %d", metric.MaxDimensions, len(m.Dimensions))
	}
	for k, v := range m.Dimensions {
		s.Dims = append(s.Dims, metric.Dim{Name: k, Value: v})
	}
	metric.SortDims(s.Dims)
	for _, d := range s.Dims {
		dn, dp := at(n, "dimensions", d.Name), path+".dimensions."+d.Name
		if err := metric.ValidateDimensionName(d.Name); err != nil {
			c.errorf(dn, dp, "dimension name: %v", err)
		} else if err := metric.ValidateDimensionValue(d.Value); err != nil {
			c.errorf(dn, dp, "dimension value: %v", err)
		} else if metric.IsGlob(d.Value) {
			c.errorf(dn, dp, "%q is a pattern, but a series is data: give the value one instance reports (e.g. i-1)", d.Value)
		}
	}
}

// datapoint converts one explicit datapoint and checks it as PutMetricData would.
func (c *checker) datapoint(r *rawDatapoint, n *stack.Node, path string) Datapoint {
	p := Datapoint{At: r.At.Std(), Values: r.Values, Counts: r.Counts}
	if r.Value != nil {
		p.Value, p.HasValue = *r.Value, true
	}
	if s := r.StatisticValues; s != nil {
		p.Stats = &metric.StatSet{SampleCount: s.SampleCount, Sum: s.Sum, Minimum: s.Minimum, Maximum: s.Maximum}
	}
	forms := 0
	for _, given := range []bool{p.HasValue, p.Values != nil, p.Stats != nil} {
		if given {
			forms++
		}
	}
	switch {
	case forms != 1:
		c.errorf(n, path, "give exactly one of value, values (with optional counts) or statistic_values")
		return p
	case p.Counts != nil && p.Values == nil:
		c.errorf(at(n, "counts"), path+".counts", "counts go with values (values[i] is counted counts[i] times); give values too")
		return p
	}
	// The key is checked with the series; here only the datapoint's own fields.
	d := metric.Datum{Key: metric.SeriesKey{Namespace: "t", Name: "t"}, Time: DefaultStart, Resolution: 60,
		Value: p.Value, HasValue: p.HasValue, Values: p.Values, Counts: p.Counts, Stats: p.Stats}
	if fe := d.Validate(d.Time); fe != nil {
		var keys []any
		for _, seg := range strings.Split(fe.Field, ".") {
			name, idx, _ := strings.Cut(seg, "[")
			keys = append(keys, name)
			if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil {
				keys = append(keys, i)
			}
		}
		c.errorf(at(n, keys...), path+"."+fe.Field, "%s", fe.Message)
	}
	return p
}

// alarmRef resolves NAME or NAME[Dim=value,…] against the environment's alarms and
// composite alarms.
func (c *checker) alarmRef(s string, n *stack.Node, path string) AlarmRef {
	ref := AlarmRef{Name: s}
	inner, instance := "", false
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		ref.Name, inner, instance = s[:i], s[i+1:len(s)-1], true
	}
	if c.env == nil {
		return ref
	}
	en := c.env.Get("alarms", ref.Name)
	if en == nil {
		en = c.env.Get("composite_alarms", ref.Name)
	}
	if en == nil {
		for _, x := range c.env.Excluded {
			if x.Name == ref.Name && (x.Kind.Name == "alarms" || x.Kind.Name == "composite_alarms") {
				c.errorf(n, path, "%s %q is left out of environment %s by only/except (%s)", x.Kind.Singular, ref.Name, c.env.Name, x.Reason)
				return ref
			}
		}
		c.errorf(n, path, "no alarm or composite alarm %q in environment %s%s", ref.Name, c.env.Name, c.known())
		return ref
	}
	a, _ := en.Resource.(*stack.Alarm)
	switch {
	case a == nil && instance:
		c.errorf(n, path, "composite alarm %q has no instances", ref.Name)
	case a == nil:
	case !a.IsTemplate() && instance:
		c.errorf(n, path, "alarm %q is not a template (no dimension value has * or ?), so it has no instances", ref.Name)
	case a.IsTemplate() && !instance:
		c.errorf(n, path, "alarm %q is a template: name one instance, e.g. %s[%s]", ref.Name, ref.Name, example(a))
	case a.IsTemplate():
		dims, err := instanceDims(a, inner)
		if err != nil {
			c.errorf(n, path, "instance of %s: %v", ref.Name, err)
		}
		ref.Instance = instanceID(dims)
	}
	return ref
}

// known lists the alarm names of the environment for a message, or "" when there are many.
func (c *checker) known() string {
	var names []string
	for _, en := range c.env.Entries {
		if en.Kind.Name == "alarms" || en.Kind.Name == "composite_alarms" {
			names = append(names, en.Name)
		}
	}
	switch {
	case len(names) == 0:
		return " (it has none)"
	case len(names) > 10:
		return ""
	}
	sort.Strings(names)
	return " (known: " + strings.Join(names, ", ") + ")"
}

// patterns returns a template's pattern dimensions, by name.
func patterns(a *stack.Alarm) map[string]string {
	out := map[string]string{}
	for k, v := range a.Metric.Dimensions {
		if metric.IsGlob(v) {
			out[k] = v
		}
	}
	return out
}

func example(a *stack.Alarm) string {
	var dims []metric.Dim
	for k := range patterns(a) {
		dims = append(dims, metric.Dim{Name: k, Value: "…"})
	}
	return instanceID(dims)
}

// instanceDims parses "Dim=value,…": exactly the template's pattern dimensions, each with
// a value its pattern matches. A comma not followed by one of the alarm's dimension names
// and = belongs to the value (dimension values may hold commas).
func instanceDims(a *stack.Alarm, s string) ([]metric.Dim, error) {
	pats := patterns(a)
	var dims []metric.Dim
	for _, seg := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(seg, "=")
		if fixed, isDim := a.Metric.Dimensions[name]; ok && isDim {
			if _, isPattern := pats[name]; !isPattern {
				return nil, fmt.Errorf("%s is not a pattern dimension (it is always %q): name only %s", name, fixed, strings.Join(keys(pats), ", "))
			}
			dims = append(dims, metric.Dim{Name: name, Value: value})
			continue
		}
		if len(dims) == 0 {
			return nil, fmt.Errorf("expected Dim=value with Dim one of the template's pattern dimensions (%s), got %q", strings.Join(keys(pats), ", "), seg)
		}
		dims[len(dims)-1].Value += "," + seg
	}
	seen := map[string]bool{}
	for _, d := range dims {
		if seen[d.Name] {
			return nil, fmt.Errorf("dimension %s is given twice", d.Name)
		}
		seen[d.Name] = true
		if err := metric.ValidateDimensionValue(d.Value); err != nil {
			return nil, fmt.Errorf("%s: %v", d.Name, err)
		}
		if !metric.MatchGlob(pats[d.Name], d.Value) {
			return nil, fmt.Errorf("%s=%s does not match the template's pattern %q", d.Name, d.Value, pats[d.Name])
		}
	}
	for _, k := range keys(pats) {
		if !seen[k] {
			return nil, fmt.Errorf("missing dimension %s (give every pattern dimension: %s)", k, strings.Join(keys(pats), ", "))
		}
	}
	return dims, nil
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
