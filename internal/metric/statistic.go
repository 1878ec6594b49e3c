package metric

import (
	"fmt"
	"math"
	"strconv"
)

// Kind is the family a statistic belongs to (spec A2).
type Kind uint8

// The statistic kinds. The zero Kind is not a statistic.
const (
	SampleCount Kind = iota + 1
	Sum
	Average
	Minimum
	Maximum
	Percentile     // pNN
	TrimmedMean    // tmNN, TM(...), IQM
	WinsorizedMean // wmNN, WM(...)
	TrimmedCount   // tcNN, TC(...)
	TrimmedSum     // tsNN, TS(...)
	PercentileRank // PR(...)
)

var kindNames = [...]string{
	SampleCount:    "SampleCount",
	Sum:            "Sum",
	Average:        "Average",
	Minimum:        "Minimum",
	Maximum:        "Maximum",
	Percentile:     "Percentile",
	TrimmedMean:    "TrimmedMean",
	WinsorizedMean: "WinsorizedMean",
	TrimmedCount:   "TrimmedCount",
	TrimmedSum:     "TrimmedSum",
	PercentileRank: "PercentileRank",
}

// String returns the kind's name, e.g. "TrimmedMean".
func (k Kind) String() string {
	if k == 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// Form is the spelling a statistic was written in. It matters for the
// canonical text and for ValidForAlarm, which treats tm90 and TM(:90%)
// differently.
type Form uint8

const (
	// FormName is a bare name: SampleCount, Sum, Average, Minimum,
	// Maximum, or IQM.
	FormName Form = iota
	// FormShort is the lower-case single-number form: pNN, tmNN, wmNN,
	// tcNN, tsNN.
	FormShort
	// FormRange is the upper-case parenthesised form: TM(a:b), WM, TC,
	// TS, PR, with either side optional.
	FormRange
)

// Statistic is a parsed statistic (spec A2). Use ParseStatistic to build
// one; the zero value is not a valid statistic.
//
// Bounds: Lower/Upper hold the boundaries when HasLower/HasUpper are set
// and are 0 otherwise. Percent says they are percentiles (0–100) rather than
// absolute metric values. A single-number form such as tm90 has only an
// upper bound (90, Percent); a percentile pNN stores NN as its upper bound.
// IQM is TrimmedMean with bounds 25% and 75%. The five standard statistics
// have no bounds.
type Statistic struct {
	Kind     Kind
	Form     Form
	Lower    float64
	Upper    float64
	HasLower bool
	HasUpper bool
	Percent  bool
	// Text is the statistic exactly as it was given to ParseStatistic.
	Text string
}

// String returns the canonical spelling: the same form as the input, with
// numbers written without superfluous zeros ("p95.50" → "p95.5"). The
// result always re-parses to an equal Statistic (Text aside).
func (s Statistic) String() string {
	switch s.Form {
	case FormName:
		if s.Kind == TrimmedMean {
			return "IQM"
		}
		return s.Kind.String()
	case FormShort:
		return shortPrefix[s.Kind] + formatNumber(s.Upper)
	}
	text := rangePrefix[s.Kind] + "("
	if s.HasLower {
		text += formatBound(s.Lower, s.Percent)
	}
	text += ":"
	if s.HasUpper {
		text += formatBound(s.Upper, s.Percent)
	}
	return text + ")"
}

// IsPercentileFamily reports whether computing s needs the raw values of a
// period: everything except SampleCount, Sum, Average, Minimum and Maximum.
func (s Statistic) IsPercentileFamily() bool {
	return s.Kind >= Percentile
}

// PercentileFraction returns P/100 for a percentile pP (0.99 for p99) and
// false for every other statistic.
func (s Statistic) PercentileFraction() (float64, bool) {
	if s.Kind != Percentile {
		return 0, false
	}
	return s.Upper / 100, true
}

// Alarm limits for the parenthesised percentage forms (spec A2).
const (
	alarmMinPercent = 10
	alarmMaxPercent = 90
)

// ValidForAlarm applies the rule spec A2 adds for alarm definitions: in the
// parenthesised percentage forms TM(X%:X%), WM, TC and TS, every bound given
// must lie between 10% and 90% inclusive. Single-number forms (tm99, p99.9),
// IQM, absolute bounds and PR are not restricted.
func (s Statistic) ValidForAlarm() error {
	if s.Kind == 0 {
		return fmt.Errorf("no statistic")
	}
	if s.Form != FormRange || !s.Percent {
		return nil
	}
	for _, b := range []struct {
		set bool
		v   float64
	}{{s.HasLower, s.Lower}, {s.HasUpper, s.Upper}} {
		if b.set && (b.v < alarmMinPercent || b.v > alarmMaxPercent) {
			return fmt.Errorf("%s: in an alarm, percentage bounds must be between %d%% and %d%%, got %s",
				s, alarmMinPercent, alarmMaxPercent, formatBound(b.v, true))
		}
	}
	return nil
}

// LowSampleThreshold returns the smallest number of samples a period needs
// for percentile p (a fraction: 0.99 for p99) not to count as "low sample"
// under spec A3: 10/(1−p) when 0.5 ≤ p < 1, 10/p when 0 < p < 0.5, rounded
// up to a whole sample. A period with n samples is low when n is below the
// result. It returns 0 when no minimum applies (p ≤ 0 or p ≥ 1).
//
// p99 → 1000, p90 → 100, p50 → 20, p10 → 100, p95 → 200, p33 → 31.
func LowSampleThreshold(p float64) float64 {
	var t float64
	switch {
	case p >= 0.5 && p < 1:
		t = 10 / (1 - p)
	case p > 0 && p < 0.5:
		t = 10 / p
	default: // also NaN
		return 0
	}
	// 1−p and p carry representation error (1−0.9 is 0.09999999999999998),
	// which would turn p90's 100 into 100.00000000000003 and then 101.
	// Snap values within a relative 1e-9 of a whole number before rounding
	// up; percentiles finer than that are not meaningful sample counts.
	if r := math.Round(t); math.Abs(t-r) <= 1e-9*t {
		return r
	}
	return math.Ceil(t)
}

var shortPrefix = map[Kind]string{
	Percentile: "p", TrimmedMean: "tm", WinsorizedMean: "wm", TrimmedCount: "tc", TrimmedSum: "ts",
}

var rangePrefix = map[Kind]string{
	TrimmedMean: "TM", WinsorizedMean: "WM", TrimmedCount: "TC", TrimmedSum: "TS", PercentileRank: "PR",
}

func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func formatBound(v float64, percent bool) string {
	if percent {
		return formatNumber(v) + "%"
	}
	return formatNumber(v)
}
