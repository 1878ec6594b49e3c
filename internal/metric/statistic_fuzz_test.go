package metric

import "testing"

func FuzzParseStatistic(f *testing.F) {
	for _, seed := range []string{
		"SampleCount", "Sum", "Average", "Minimum", "Maximum", "IQM",
		"p99", "p95.0123456789", "p0", "p100", "tm99", "wm98", "tc90", "ts90",
		"TM(2%:98%)", "TM(:95%)", "TM(150:1000)", "WM(10%:90%)", "TS(80%:)",
		"TC(:0.5)", "TC(80:500)", "PR(:300)", "PR(100:2000)",
		"TM90", "tm(10%:90%)", "TM(:)", "TM(10%:90)", "TM(90%:10%)", "p95.01234567891", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseStatistic(in)
		if err != nil {
			if s != (Statistic{}) {
				t.Fatalf("ParseStatistic(%q) returned %+v with error %v", in, s, err)
			}
			return
		}
		if s.Text != in {
			t.Fatalf("Text = %q, want %q", s.Text, in)
		}
		canon := s.String()
		again, err := ParseStatistic(canon)
		if err != nil {
			t.Fatalf("ParseStatistic(%q) ok, but its String() %q does not re-parse: %v", in, canon, err)
		}
		s.Text, again.Text = "", ""
		if again != s {
			t.Fatalf("round trip of %q via %q:\n got %+v\nwant %+v", in, canon, again, s)
		}
		if again.String() != canon {
			t.Fatalf("String() is not canonical: %q then %q", canon, again.String())
		}
		_ = s.ValidForAlarm()
		if p, ok := s.PercentileFraction(); ok {
			_ = LowSampleThreshold(p)
		}
	})
}
