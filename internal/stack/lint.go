package stack

import (
	"regexp"
	"strings"

	"github.com/tocsin/tocsin/internal/metric"
)

// Lint warnings: valid stacks that will probably not do what their author meant. Each
// comes from a story in the field reports.

// countLikeName matches metric names that count events, whose per-sample Maximum is
// usually 1.
var countLikeName = regexp.MustCompile(`(?i)(errors?|count|requests|failures|faults|exceptions|hits|misses|drops|timeouts|retries|rejections)$`)

// hostHealthName matches load-balancer host-health metrics, which flap per host.
var hostHealthName = regexp.MustCompile(`(?i)(un)?healthy_?host_?count$`)

func isCountLike(m MetricRef) bool {
	if u, err := metric.ParseUnit(m.Unit); err == nil && u.IsCount() {
		return true
	}
	return countLikeName.MatchString(m.Name)
}

func lintAlarm(c *Check, a *Alarm, stat metric.Statistic) {
	greater := strings.HasPrefix(a.Comparison, "GreaterThan")
	less := strings.HasPrefix(a.Comparison, "LessThan")
	s := stat.String()

	// A Maximum (or Minimum) of a count is the largest single sample, not the total: the
	// BackendConnectionErrors alarm that stayed silent for two days.
	countUnit := false
	if u, err := metric.ParseUnit(a.Metric.Unit); err == nil && u.IsCount() {
		countUnit = true
	}
	if (s == "Maximum" || s == "Minimum" || (s == "Average" && countUnit)) && greater && isCountLike(a.Metric) && a.Threshold != nil && *a.Threshold > 1 {
		what := map[string]string{"Maximum": "the largest single sample", "Minimum": "the smallest single sample", "Average": "the mean per sample"}[s]
		c.Warnf("statistic", "%s of a count metric (%s) is %s, usually 1, so it will rarely exceed %g; use Sum to alarm on the total per period",
			s, a.Metric.Name, what, *a.Threshold)
	}
	// An Average of per-host health hides hosts that flap: the Schrödinger's symptoms story.
	if s == "Average" && hostHealthName.MatchString(a.Metric.Name) {
		c.Warnf("statistic", "Average of %s hides hosts that flap between healthy and unhealthy; use Maximum (or Minimum) to see the worst moment of each period", a.Metric.Name)
	}
	// A low-traffic alarm with missing data treated as missing goes silent when traffic
	// stops entirely, which is exactly when it should fire.
	if less && isCountLike(a.Metric) && (a.TreatMissingData == "missing" || a.TreatMissingData == "ignore") {
		c.Warnf("treat_missing_data", "a %s alarm on a count stays silent when no data arrives at all; consider treat_missing_data: breaching", a.Comparison)
	} else if greater && isCountLike(a.Metric) && a.missingDataDefaulted {
		// Counts are sparse: nothing is published while nothing happens.
		c.Warnf("", "no treat_missing_data chosen: %s is a count, usually published only when something happens, so quiet periods are missing and the alarm sits in INSUFFICIENT_DATA; choose notBreaching (or breaching)", a.Metric.Name)
	}
	if len(a.Actions.Alarm)+len(a.Actions.OK)+len(a.Actions.InsufficientData) == 0 {
		c.Warnf("actions", "no actions: state changes of this alarm notify no one")
	}
	// A percentile over few samples is noisy: say what to do when a period holds too few.
	if f, ok := stat.PercentileFraction(); ok && a.EvaluateLowSampleCountPercentile == "" && metric.LowSampleThreshold(f) > 1 {
		c.Warnf("evaluate_low_sample_count_percentile", "%s needs %g samples per period to be meaningful; choose evaluate or ignore for periods with fewer", s, metric.LowSampleThreshold(f))
	}
	if a.Metric.Unit == "Percent" && a.Threshold != nil && (*a.Threshold < 0 || *a.Threshold > 100) {
		c.Warnf("threshold", "%g is outside 0–100 for a Percent metric: the alarm can never (or will always) cross it", *a.Threshold)
	}
	if a.ActionsEnabled != nil && !*a.ActionsEnabled {
		c.Warnf("actions_enabled", "actions are disabled: state changes notify no one")
	}
}
