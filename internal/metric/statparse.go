package metric

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDecimals is the most decimal places a statistic number may have.
const maxDecimals = 10

var standardStats = map[string]Kind{
	"SampleCount": SampleCount, "Sum": Sum, "Average": Average, "Minimum": Minimum, "Maximum": Maximum,
}

var shortKinds = map[string]Kind{
	"p": Percentile, "tm": TrimmedMean, "wm": WinsorizedMean, "tc": TrimmedCount, "ts": TrimmedSum,
}

var rangeKinds = map[string]Kind{
	"TM": TrimmedMean, "WM": WinsorizedMean, "TC": TrimmedCount, "TS": TrimmedSum, "PR": PercentileRank,
}

// ParseStatistic parses the statistic grammar of spec A2, exactly and
// case-sensitively:
//
//	SampleCount | Sum | Average | Minimum | Maximum | IQM
//	pN                  percentile, 0 ≤ N ≤ 100
//	tmN | wmN | tcN | tsN   same as TM(:N%) etc., 0 ≤ N ≤ 100
//	TM(b:b) | WM(b:b) | TC(b:b) | TS(b:b)   b = N% or an absolute value
//	PR(v:v)             absolute values only
//
// N is digits with an optional fraction of 1–10 digits; no sign, exponent
// or whitespace. In the parenthesised forms either side may be empty but
// not both, both sides must agree on '%', and lower ≤ upper. Absolute
// values are not limited to 100 (TC(80:500) is valid).
func ParseStatistic(s string) (Statistic, error) {
	st, err := parseStatistic(s)
	if err != nil {
		return Statistic{}, fmt.Errorf("statistic %q: %w", s, err)
	}
	st.Text = s
	return st, nil
}

func parseStatistic(s string) (Statistic, error) {
	if k, ok := standardStats[s]; ok {
		return Statistic{Kind: k, Form: FormName}, nil
	}
	if s == "IQM" {
		return Statistic{Kind: TrimmedMean, Form: FormName, Lower: 25, Upper: 75,
			HasLower: true, HasUpper: true, Percent: true}, nil
	}
	if i := strings.IndexByte(s, '('); i >= 0 {
		return parseRange(s[:i], s[i:])
	}
	return parseShort(s)
}

// parseShort handles pN, tmN, wmN, tcN and tsN.
func parseShort(s string) (Statistic, error) {
	name, num := splitName(s)
	k, ok := shortKinds[name]
	if !ok {
		return Statistic{}, unknownStatistic(s, name, num)
	}
	if num == "" {
		return Statistic{}, fmt.Errorf("%q needs a number, e.g. %s90", name, name)
	}
	v, err := parseNumber(num, true)
	if err != nil {
		return Statistic{}, err
	}
	return Statistic{Kind: k, Form: FormShort, Upper: v, HasUpper: true, Percent: true}, nil
}

// parseRange handles NAME(lower:upper); rest starts with '('.
func parseRange(name, rest string) (Statistic, error) {
	k, ok := rangeKinds[name]
	if !ok {
		if up := strings.ToUpper(name); rangeKinds[up] != 0 {
			return Statistic{}, fmt.Errorf("the parenthesised form is upper-case: %s%s", up, rest)
		}
		return Statistic{}, fmt.Errorf("unknown statistic %q before '('; expected TM, WM, TC, TS or PR", name)
	}
	if !strings.HasSuffix(rest, ")") || len(rest) < 2 {
		return Statistic{}, fmt.Errorf("must end with ')'")
	}
	inner := rest[1 : len(rest)-1]
	if strings.ContainsAny(inner, "()") {
		return Statistic{}, fmt.Errorf("unexpected parenthesis inside %s(...)", name)
	}
	lo, hi, _ := strings.Cut(inner, ":")
	if strings.Count(inner, ":") != 1 {
		return Statistic{}, fmt.Errorf("bounds must be written lower:upper, e.g. %s(10%%:90%%) or %s(:90%%)", name, name)
	}
	if lo == "" && hi == "" {
		return Statistic{}, fmt.Errorf("at least one bound is required")
	}
	st := Statistic{Kind: k, Form: FormRange, HasLower: lo != "", HasUpper: hi != ""}
	loPct, hiPct := strings.HasSuffix(lo, "%"), strings.HasSuffix(hi, "%")
	if st.HasLower && st.HasUpper && loPct != hiPct {
		return Statistic{}, fmt.Errorf("both bounds must be percentages or both absolute values, not one of each")
	}
	st.Percent = loPct || hiPct
	if st.Percent && k == PercentileRank {
		return Statistic{}, fmt.Errorf("PR takes absolute value bounds, not percentages")
	}
	var err error
	if st.HasLower {
		if st.Lower, err = parseNumber(strings.TrimSuffix(lo, "%"), st.Percent); err != nil {
			return Statistic{}, fmt.Errorf("lower bound: %w", err)
		}
	}
	if st.HasUpper {
		if st.Upper, err = parseNumber(strings.TrimSuffix(hi, "%"), st.Percent); err != nil {
			return Statistic{}, fmt.Errorf("upper bound: %w", err)
		}
	}
	if st.HasLower && st.HasUpper && st.Lower > st.Upper {
		return Statistic{}, fmt.Errorf("lower bound %s is greater than upper bound %s", lo, hi)
	}
	return st, nil
}

// parseNumber accepts digits with an optional fraction of 1–10 digits. With
// percent the value must lie in 0–100.
func parseNumber(s string, percent bool) (float64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("%q is not a number (digits, optionally with up to %d decimal places)", s, maxDecimals)
	}
	if len(frac) > maxDecimals {
		return 0, fmt.Errorf("%q has %d decimal places, at most %d are allowed", s, len(frac), maxDecimals)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	if percent && v > 100 {
		return 0, fmt.Errorf("%s is outside 0–100", s)
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitName splits "tm90" into "tm" and "90": the name is the leading run
// of ASCII letters.
func splitName(s string) (name, rest string) {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return s[:i], s[i:]
}

// unknownStatistic explains why s is not a statistic, pointing at the
// intended spelling when there is an obvious one.
func unknownStatistic(s, name, num string) error {
	if s == "" {
		return fmt.Errorf("statistic must not be empty")
	}
	if low := strings.ToLower(name); num != "" && shortKinds[low] != 0 {
		return fmt.Errorf("the single-number form is lower-case: %s%s", low, num)
	}
	if num != "" && rangeKinds[strings.ToUpper(name)] == PercentileRank {
		return fmt.Errorf("PR has no single-number form; use PR(lower:upper) with absolute values")
	}
	names := []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum", "IQM"}
	if best, ok := closest(s, names); ok {
		return fmt.Errorf("unknown statistic; did you mean %q?", best)
	}
	return fmt.Errorf("unknown statistic; expected SampleCount, Sum, Average, Minimum, Maximum, IQM, " +
		"pN, tmN, wmN, tcN, tsN, TM(a:b), WM(a:b), TC(a:b), TS(a:b) or PR(a:b)")
}
