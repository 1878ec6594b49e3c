package stack

import (
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Alarm is a metric alarm in CloudWatch's vocabulary (spec A3). The alarms issue gives
// it behaviour; the stack validates it.
type Alarm struct {
	Meta                             `yaml:",inline"`
	Metric                           MetricRef `yaml:"metric" json:"metric" tocsin:"required" doc:"The metric to watch; a dimension value * or a glob makes the alarm a template."`
	Statistic                        string    `yaml:"statistic" json:"statistic" tocsin:"required" doc:"SampleCount, Sum, Average, Minimum, Maximum or an extended statistic (p99, tm90, TM(10%:90%)…)."`
	Period                           Duration  `yaml:"period" json:"period" tocsin:"required" doc:"10s, 20s, 30s or a multiple of 1m."`
	EvaluationPeriods                int       `yaml:"evaluation_periods" json:"evaluation_periods" tocsin:"required" doc:"N: the number of most recent periods evaluated."`
	DatapointsToAlarm                int       `yaml:"datapoints_to_alarm,omitempty" json:"datapoints_to_alarm,omitempty" doc:"M of N: breaching datapoints needed to alarm (default N)."`
	Threshold                        *float64  `yaml:"threshold" json:"threshold" tocsin:"required" doc:"The value the statistic is compared with."`
	Comparison                       string    `yaml:"comparison" json:"comparison" tocsin:"required" doc:"GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold."`
	TreatMissingData                 string    `yaml:"treat_missing_data,omitempty" json:"treat_missing_data,omitempty" doc:"missing (default), notBreaching, breaching or ignore."`
	EvaluateLowSampleCountPercentile string    `yaml:"evaluate_low_sample_count_percentile,omitempty" json:"evaluate_low_sample_count_percentile,omitempty" doc:"evaluate (default) or ignore; percentile statistics only."`
	ActionsEnabled                   *bool     `yaml:"actions_enabled,omitempty" json:"actions_enabled,omitempty" doc:"Whether state changes run actions (default true)."`
	Actions                          Actions   `yaml:"actions,omitempty" json:"actions,omitempty" doc:"Topics or escalation policies per state."`
	EvaluationDelay                  *Duration `yaml:"evaluation_delay,omitempty" json:"evaluation_delay,omitempty" doc:"Wait after a period closes before evaluating (default: server.evaluation_delay)."`
	ForgetAfter                      *Duration `yaml:"forget_after,omitempty" json:"forget_after,omitempty" doc:"Templates: retire an instance after this much continuous silence (default 7d)."`
	EvaluationRange                  int       `yaml:"evaluation_range,omitempty" json:"evaluation_range,omitempty" doc:"R: how many periods each evaluation fetches (default evaluation_periods + 2; at least evaluation_periods)."`

	missingDataDefaulted bool // treat_missing_data was not given (for lint)
}

// MetricRef names the metric an alarm watches.
type MetricRef struct {
	Namespace  string            `yaml:"namespace" json:"namespace" tocsin:"required"`
	Name       string            `yaml:"name" json:"name" tocsin:"required"`
	Dimensions map[string]string `yaml:"dimensions,omitempty" json:"dimensions,omitempty" doc:"Dimension name to value; * or a glob makes a template."`
	Unit       string            `yaml:"unit,omitempty" json:"unit,omitempty" doc:"Only data with this unit is evaluated."`
}

// Actions are the topics or escalation policies notified on entering each state.
type Actions struct {
	Alarm            []string `yaml:"alarm,omitempty" json:"alarm,omitempty"`
	OK               []string `yaml:"ok,omitempty" json:"ok,omitempty"`
	InsufficientData []string `yaml:"insufficient_data,omitempty" json:"insufficient_data,omitempty"`
}

// Comparison operators and missing-data treatments accepted by alarms.
var (
	Comparisons       = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	MissingDataModes  = []string{"missing", "notBreaching", "breaching", "ignore"}
	lowSampleCountOps = []string{"evaluate", "ignore"}
)

// maxActionsPerState mirrors CloudWatch's limit of five actions per state.
const maxActionsPerState = 5

func (a *Alarm) setDefaults() {
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData, a.missingDataDefaulted = "missing", true
	}
}

// IsTemplate reports whether a dimension value is a pattern (one alarm per series).
func (a *Alarm) IsTemplate() bool {
	for _, v := range a.Metric.Dimensions {
		if metric.IsGlob(v) {
			return true
		}
	}
	return false
}

func (a *Alarm) Validate(c *Check) {
	if len(a.Description) > 1024 {
		c.Errorf("description", "must be at most 1024 characters, got %d", len(a.Description))
	}
	a.Metric.validate(c, "metric")
	stat, err := metric.ParseStatistic(a.Statistic)
	if err != nil {
		c.Errorf("statistic", "%v", err)
	} else if err := stat.ValidForAlarm(); err != nil {
		c.Errorf("statistic", "%v", err)
	}
	a.validatePeriods(c)
	if a.Comparison != "" {
		c.OneOf("comparison", a.Comparison, Comparisons...)
	}
	c.OneOf("treat_missing_data", a.TreatMissingData, MissingDataModes...)
	if a.EvaluateLowSampleCountPercentile != "" {
		if c.OneOf("evaluate_low_sample_count_percentile", a.EvaluateLowSampleCountPercentile, lowSampleCountOps...) &&
			err == nil && !stat.IsPercentileFamily() {
			c.Errorf("evaluate_low_sample_count_percentile", "applies only to percentile statistics, not %s", a.Statistic)
		}
	}
	if a.ForgetAfter != nil && !a.IsTemplate() {
		c.Errorf("forget_after", "applies only to alarm templates (a dimension value with * or a glob)")
	}
	a.Actions.validate(c, "actions")
	if err == nil {
		lintAlarm(c, a, stat)
	}
}

func (a *Alarm) validatePeriods(c *Check) {
	p := a.Period.Std()
	switch {
	case p == 10*time.Second || p == 20*time.Second || p == 30*time.Second:
	case p >= time.Minute && p%time.Minute == 0:
	default:
		c.Errorf("period", "must be 10s, 20s, 30s or a multiple of 1m, got %s", a.Period)
	}
	n := a.EvaluationPeriods
	if n < 1 {
		c.Errorf("evaluation_periods", "must be at least 1, got %d", n)
		return
	}
	if limit := 24 * time.Hour; p < time.Hour && p*time.Duration(n) > limit {
		c.Errorf("evaluation_periods", "period × evaluation_periods must be at most 1d when the period is under 1h, got %s", Duration(p*time.Duration(n)))
	} else if limit := 7 * 24 * time.Hour; p >= time.Hour && p*time.Duration(n) > limit {
		c.Errorf("evaluation_periods", "period × evaluation_periods must be at most 7d, got %s", Duration(p*time.Duration(n)))
	}
	if m := a.DatapointsToAlarm; m < 1 || m > n {
		c.Errorf("datapoints_to_alarm", "must be between 1 and evaluation_periods (%d), got %d", n, m)
	}
	if r := a.EvaluationRange; r != 0 && (r < n || r > n+60) {
		c.Errorf("evaluation_range", "must be between evaluation_periods (%d) and evaluation_periods + 60, got %d", n, r)
	}
}

func (m *MetricRef) validate(c *Check, field string) {
	if m.Namespace != "" {
		if err := metric.ValidateNamespace(m.Namespace); err != nil {
			c.Errorf(field+".namespace", "%v", err)
		}
	}
	if m.Name != "" {
		if err := metric.ValidateMetricName(m.Name); err != nil {
			c.Errorf(field+".name", "%v", err)
		}
	}
	if len(m.Dimensions) > metric.MaxDimensions {
		c.Errorf(field+".dimensions", "at most %d dimensions, got %d", metric.MaxDimensions, len(m.Dimensions))
	}
	for k, v := range m.Dimensions {
		df := fmt.Sprintf("%s.dimensions.%s", field, k)
		if err := metric.ValidateDimensionName(k); err != nil {
			c.Errorf(df, "dimension name: %v", err)
		}
		if err := metric.ValidateDimensionValue(v); err != nil {
			c.Errorf(df, "dimension value: %v", err)
		}
	}
	if m.Unit != "" {
		if _, err := metric.ParseUnit(m.Unit); err != nil {
			c.Errorf(field+".unit", "%v", err)
		}
	}
}

func (a *Actions) validate(c *Check, field string) {
	for _, list := range []struct {
		name  string
		names []string
	}{{"alarm", a.Alarm}, {"ok", a.OK}, {"insufficient_data", a.InsufficientData}} {
		f := field + "." + list.name
		if len(list.names) > maxActionsPerState {
			c.Errorf(f, "at most %d actions per state, got %d", maxActionsPerState, len(list.names))
		}
		for i, name := range list.names {
			c.Ref(fmt.Sprintf("%s[%d]", f, i), name, "topics", "escalation_policies")
		}
	}
}
