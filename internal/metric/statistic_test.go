package metric

import (
	"strings"
	"testing"
)

// bounds builds an expected statistic; a nil bound means "not given".
func bounds(k Kind, f Form, percent bool, lo, hi *float64) Statistic {
	s := Statistic{Kind: k, Form: f, Percent: percent}
	if lo != nil {
		s.Lower, s.HasLower = *lo, true
	}
	if hi != nil {
		s.Upper, s.HasUpper = *hi, true
	}
	return s
}

func n(v float64) *float64 { return &v }

func TestParseStatisticAccepted(t *testing.T) {
	tests := []struct {
		in        string
		want      Statistic
		canonical string
	}{
		{"SampleCount", Statistic{Kind: SampleCount}, "SampleCount"},
		{"Sum", Statistic{Kind: Sum}, "Sum"},
		{"Average", Statistic{Kind: Average}, "Average"},
		{"Minimum", Statistic{Kind: Minimum}, "Minimum"},
		{"Maximum", Statistic{Kind: Maximum}, "Maximum"},
		{"IQM", bounds(TrimmedMean, FormName, true, n(25), n(75)), "IQM"},
		{"p99", bounds(Percentile, FormShort, true, nil, n(99)), "p99"},
		{"p0", bounds(Percentile, FormShort, true, nil, n(0)), "p0"},
		{"p0.0", bounds(Percentile, FormShort, true, nil, n(0)), "p0"},
		{"p100", bounds(Percentile, FormShort, true, nil, n(100)), "p100"},
		{"p99.9", bounds(Percentile, FormShort, true, nil, n(99.9)), "p99.9"},
		{"p95.50", bounds(Percentile, FormShort, true, nil, n(95.5)), "p95.5"},
		{"p95.0123456789", bounds(Percentile, FormShort, true, nil, n(95.0123456789)), "p95.0123456789"},
		{"p07", bounds(Percentile, FormShort, true, nil, n(7)), "p7"},
		{"tm99", bounds(TrimmedMean, FormShort, true, nil, n(99)), "tm99"},
		{"wm98", bounds(WinsorizedMean, FormShort, true, nil, n(98)), "wm98"},
		{"tc90", bounds(TrimmedCount, FormShort, true, nil, n(90)), "tc90"},
		{"ts90.5", bounds(TrimmedSum, FormShort, true, nil, n(90.5)), "ts90.5"},
		{"TM(2%:98%)", bounds(TrimmedMean, FormRange, true, n(2), n(98)), "TM(2%:98%)"},
		{"TM(:95%)", bounds(TrimmedMean, FormRange, true, nil, n(95)), "TM(:95%)"},
		{"TM(150:1000)", bounds(TrimmedMean, FormRange, false, n(150), n(1000)), "TM(150:1000)"},
		{"WM(10%:90%)", bounds(WinsorizedMean, FormRange, true, n(10), n(90)), "WM(10%:90%)"},
		{"WM(150:1000)", bounds(WinsorizedMean, FormRange, false, n(150), n(1000)), "WM(150:1000)"},
		{"TS(80%:)", bounds(TrimmedSum, FormRange, true, n(80), nil), "TS(80%:)"},
		{"TC(:0.5)", bounds(TrimmedCount, FormRange, false, nil, n(0.5)), "TC(:0.5)"},
		{"TC(80:500)", bounds(TrimmedCount, FormRange, false, n(80), n(500)), "TC(80:500)"},
		{"TC(0.005:0.030)", bounds(TrimmedCount, FormRange, false, n(0.005), n(0.03)), "TC(0.005:0.03)"},
		{"TM(50%:50%)", bounds(TrimmedMean, FormRange, true, n(50), n(50)), "TM(50%:50%)"},
		{"TM(0%:100%)", bounds(TrimmedMean, FormRange, true, n(0), n(100)), "TM(0%:100%)"},
		{"PR(:300)", bounds(PercentileRank, FormRange, false, nil, n(300)), "PR(:300)"},
		{"PR(100:2000)", bounds(PercentileRank, FormRange, false, n(100), n(2000)), "PR(100:2000)"},
		{"PR(5:)", bounds(PercentileRank, FormRange, false, n(5), nil), "PR(5:)"},
		{"PR(:0.0000000001)", bounds(PercentileRank, FormRange, false, nil, n(1e-10)), "PR(:0.0000000001)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStatistic(tt.in)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.Text != tt.in {
				t.Errorf("Text = %q, want the input", got.Text)
			}
			got.Text = ""
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if s := got.String(); s != tt.canonical {
				t.Errorf("String() = %q, want %q", s, tt.canonical)
			}
		})
	}
}

func TestParseStatisticRejected(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "must not be empty"},
		{"average", `did you mean "Average"?`},
		{"MAXIMUM", `did you mean "Maximum"?`},
		{"iqm", `did you mean "IQM"?`},
		{"Median", "unknown statistic; expected"},
		{"TM90", "single-number form is lower-case: tm90"},
		{"P95", "single-number form is lower-case: p95"},
		{"Wm98", "single-number form is lower-case: wm98"},
		{"tm(10%:90%)", "parenthesised form is upper-case: TM(10%:90%)"},
		{"pr(:300)", "parenthesised form is upper-case: PR(:300)"},
		{"pr50", "PR has no single-number form"},
		{"p", `"p" needs a number`},
		{"tm", `"tm" needs a number`},
		{"p100.1", "outside 0–100"},
		{"p101", "outside 0–100"},
		{"tm150", "outside 0–100"},
		{"p95.01234567891", "has 11 decimal places, at most 10"},
		{"TC(:0.12345678901)", "has 11 decimal places"},
		{"p95.", "not a number"},
		{"p.5", "not a number"},
		{"p-5", "not a number"},
		{"p1e2", "not a number"},
		{"p 95", "not a number"},
		{"p95%", "not a number"},
		{"p+5", "not a number"},
		{"TM(:)", "at least one bound is required"},
		{"TM()", "bounds must be written lower:upper"},
		{"TM(10%)", "bounds must be written lower:upper"},
		{"TM(1:2:3)", "bounds must be written lower:upper"},
		{"TM(10%:90)", "both bounds must be percentages or both absolute"},
		{"TM(10:90%)", "both bounds must be percentages or both absolute"},
		{"TM(90%:10%)", "lower bound 90% is greater than upper bound 10%"},
		{"PR(500:80)", "lower bound 500 is greater than upper bound 80"},
		{"TM(10%:101%)", "upper bound: 101 is outside 0–100"},
		{"PR(10%:90%)", "PR takes absolute value bounds"},
		{"TC(-5:10)", `lower bound: "-5" is not a number`},
		{"TM( 10%:90%)", `lower bound: " 10" is not a number`},
		{"TM(10%:90%", "must end with ')'"},
		{"TM(10%:90%))", "unexpected parenthesis"},
		{"TM(10%:90%)x", "must end with ')'"},
		{"XX(1:2)", `unknown statistic "XX" before '('`},
		{"TM(%:90%)", `lower bound: "" is not a number`},
		{"TM(1" + strings.Repeat("0", 400) + ":)", "out of range"},
		{"p95\x00", "not a number"},
		{" p95", "unknown statistic"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStatistic(tt.in)
			if err == nil {
				t.Fatalf("accepted as %+v; want error containing %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q; want it to contain %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "statistic ") {
				t.Errorf("error %q does not name the statistic", err)
			}
		})
	}
}

func TestStatisticPredicates(t *testing.T) {
	tests := []struct {
		in       string
		family   bool
		fraction float64
		isPct    bool
	}{
		{"SampleCount", false, 0, false},
		{"Sum", false, 0, false},
		{"Average", false, 0, false},
		{"Minimum", false, 0, false},
		{"Maximum", false, 0, false},
		{"p99", true, 0.99, true},
		{"p50", true, 0.5, true},
		{"p0", true, 0, true},
		{"p100", true, 1, true},
		{"tm99", true, 0, false},
		{"IQM", true, 0, false},
		{"WM(10%:90%)", true, 0, false},
		{"TC(80:500)", true, 0, false},
		{"ts90", true, 0, false},
		{"PR(:300)", true, 0, false},
	}
	for _, tt := range tests {
		s, err := ParseStatistic(tt.in)
		if err != nil {
			t.Fatalf("ParseStatistic(%q): %v", tt.in, err)
		}
		if got := s.IsPercentileFamily(); got != tt.family {
			t.Errorf("%s.IsPercentileFamily() = %v, want %v", tt.in, got, tt.family)
		}
		f, ok := s.PercentileFraction()
		if ok != tt.isPct || f != tt.fraction {
			t.Errorf("%s.PercentileFraction() = %v, %v; want %v, %v", tt.in, f, ok, tt.fraction, tt.isPct)
		}
	}
}

func TestValidForAlarm(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"Average", ""},
		{"p99.9", ""},
		{"p5", ""},
		{"tm99", ""}, // single-number forms are not restricted
		{"wm5", ""},
		{"IQM", ""},
		{"TM(10%:90%)", ""},
		{"TM(:90%)", ""},
		{"TS(10%:)", ""},
		{"TC(80:500)", ""}, // absolute bounds are not percentages
		{"TM(0.5:1000)", ""},
		{"PR(:300)", ""},
		{"TM(5%:90%)", "TM(5%:90%): in an alarm, percentage bounds must be between 10% and 90%, got 5%"},
		{"WM(10%:95%)", "WM(10%:95%): in an alarm, percentage bounds must be between 10% and 90%, got 95%"},
		{"TM(:95%)", "got 95%"},
		{"TS(80%:)", ""},
		{"TS(9.9999999999%:)", "got 9.9999999999%"},
		{"TC(:90.0000000001%)", "got 90.0000000001%"},
	}
	for _, tt := range tests {
		s, err := ParseStatistic(tt.in)
		if err != nil {
			t.Fatalf("ParseStatistic(%q): %v", tt.in, err)
		}
		err = s.ValidForAlarm()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s.ValidForAlarm() = %v, want nil", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s.ValidForAlarm() = %v, want error containing %q", tt.in, err, tt.wantErr)
		}
	}
	if err := (Statistic{}).ValidForAlarm(); err == nil {
		t.Error("zero Statistic is valid for an alarm")
	}
}

func TestLowSampleThreshold(t *testing.T) {
	tests := []struct {
		p    float64
		want float64
	}{
		{0.99, 1000},
		{0.9, 100},
		{0.5, 20},
		{0.1, 100},
		{0.95, 200},
		{0.999, 10000},
		{0.75, 40},
		{0.25, 40},
		{0.01, 1000},
		{0.33, 31},      // 30.30… rounds up to a whole sample
		{0.4999999, 21}, // 10/p just above 20
		{0.0, 0},        // p0 is the minimum: always computable
		{1.0, 0},        // p100 is the maximum
		{-0.1, 0},       // not a percentile
		{1.5, 0},        // not a percentile
	}
	for _, tt := range tests {
		if got := LowSampleThreshold(tt.p); got != tt.want {
			t.Errorf("LowSampleThreshold(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	// Every percentile written with up to two decimals must give the exact
	// whole-sample threshold, free of representation error.
	for hundredths := 1; hundredths < 10000; hundredths++ {
		s, err := ParseStatistic("p" + formatNumber(float64(hundredths)/100))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := s.PercentileFraction()
		got := LowSampleThreshold(p)
		want := exactThreshold(hundredths)
		if got != want {
			t.Errorf("LowSampleThreshold(%v) = %v, want %v", p, got, want)
		}
	}
}

// exactThreshold computes the A3 threshold for P = h/10000 in integers:
// ceil(10/(1−P)) = ceil(100000/(10000−h)) and ceil(10/P) = ceil(100000/h).
func exactThreshold(h int) float64 {
	d := h
	if h >= 5000 {
		d = 10000 - h
	}
	return float64((100000 + d - 1) / d)
}
