package alarmtest

import (
	"slices"
	"strings"
	"testing"
)

// n and m build expected values.
func n(vs ...float64) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = Value{Number: v}
	}
	return out
}

var (
	m     = Value{Missing: true}
	tenth = 0.1 // a variable: constant arithmetic would be exact
)

func cat(parts ...[]Value) []Value { return slices.Concat(parts...) }

func TestParseValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Value
	}{
		{"", nil},
		{"   ", nil},
		{"1 2 3", n(1, 2, 3)},
		{" \t1\n2  ", n(1, 2)},
		{"-1 +2 .5 5. 1e3 2.5E-1 -0", n(-1, 2, 0.5, 5, 1000, 0.25, 0)},
		// The examples of Prometheus' unit-testing documentation.
		{"-2+4x3", n(-2, 2, 6, 10)},
		{"1-2x4", n(1, -1, -3, -5, -7)},
		{"1x4", n(1, 1, 1, 1, 1)},
		{"1 _x3 5", cat(n(1), []Value{m, m, m}, n(5))},
		// axn is a+0xn: n+1 values; _xn is n values; x0 keeps the first value only.
		{"7x0", n(7)},
		{"_x0", nil},
		{"_ _x1", []Value{m, m}},
		{"-1.5x2", n(-1.5, -1.5, -1.5)},
		{"0x3", n(0, 0, 0, 0)}, // not hexadecimal, as in promtool
		{"1e2+1e1x2", n(100, 110, 120)},
		{"2+1x3", n(2, 3, 4, 5)},
		{"1 1 _ 1x5 2+1x3", cat(n(1, 1), []Value{m}, n(1, 1, 1, 1, 1, 1), n(2, 3, 4, 5))},
		// The ramp adds the step as promtool does (0.1 three times is not 0.3).
		{"0+0.1x3", n(0, 0.1, 0.2, tenth+tenth+tenth)},
	} {
		got, err := ParseValues(tc.in)
		if err != nil {
			t.Errorf("ParseValues(%q): %v", tc.in, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseValues(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseValuesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1 2 3x", `token "3x" at character 5: expected a repetition count after x`},
		{"1x-2", `token "1x-2" at character 1: repetition count "-2" is not a whole number`},
		{"1x2.5", `token "1x2.5" at character 1: repetition count "2.5" is not a whole number`},
		{"1+2", `token "1+2" at character 1: a ramp needs a repetition count: A+BxN`},
		{"1-2 3", `token "1-2" at character 1: a ramp needs a repetition count: A-BxN`},
		{"1 + 2x3", `token "+" at character 3: expected a number`},
		{"1+-2x3", `token "1+-2x3" at character 1: after "+": expected a number, got "-2x3"`},
		{"_+1x3", `token "_+1x3" at character 1: unexpected "+1x3" after _ (write _ or _xN)`},
		{"1y", `token "1y" at character 1: unexpected "y" after the number (expected x, +B or -B)`},
		{"0x1F", `token "0x1F" at character 1: repetition count "1F" is not a whole number`},
		{"1e", `token "1e" at character 1: exponent of "1e" has no digits`},
		{"1e999", `token "1e999" at character 1: "1e999" is not a number CloudWatch accepts (beyond ±2^360)`},
		{"3e108", `token "3e108" at character 1: 3e+108 is outside ±2^360`},
		{"1e108+1e108x5", `token "1e108+1e108x5" at character 1: value 3 of the ramp: 3.0000000000000004e+108 is outside ±2^360`},
		{"1.5 -Inf", `token "-Inf" at character 5: Inf is not accepted: CloudWatch takes only finite values`},
		{"1 é", `token "é" at character 3: expected a number, got "é"`},
		{"1 2 3 4x", `token "4x" at character 7: expected a repetition count after x`},
		{"NaN", `token "NaN" at character 1: NaN is not accepted: CloudWatch takes only finite values`},
		{"1 stale", `token "stale" at character 3: stale markers are Prometheus-only; write _ for a missing datapoint`},
		{"{{schema:0 sum:1}}", `token "{{schema:0" at character 1: native-histogram values are Prometheus-only; use datapoints with values and counts`},
		{"one", `token "one" at character 1: expected a number or _, got "one"`},
		{"1x100000", `token "1x100000" at character 1: expands to more than 100000 values`},
		{"_x99999 1x1", `token "1x1" at character 9: expands to more than 100000 values`},
		{"1x99999999999999999999", `token "1x99999999999999999999" at character 1: expands to more than 100000 values`},
	} {
		got, err := ParseValues(tc.in)
		if err == nil {
			t.Errorf("ParseValues(%q) = %v, want error %q", tc.in, got, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("ParseValues(%q) error\n got %s\nwant %s", tc.in, err, tc.want)
		}
	}
}

func TestParseValuesLimit(t *testing.T) {
	got, err := ParseValues("_x99999 1")
	if err != nil || len(got) != MaxValues {
		t.Errorf("exactly MaxValues values: %d, %v", len(got), err)
	}
	if _, err := ParseValues(strings.Repeat("1 ", MaxValues+1)); err == nil {
		t.Errorf("MaxValues+1 plain tokens accepted")
	}
}
