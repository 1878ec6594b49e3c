package schedule

import (
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(5 minutes)", "rate(1 day)", "cron(0 10 * * ? *)", "cron(0/15 * * * ? *)",
		"cron(0/5 8-17 ? * MON-FRI *)", "cron(15 10 ? * 6L 2019-2022)", "cron(0 12 L * ? *)",
		"cron(0 9 15W * ? *)", "cron(0 9 LW * ? *)", "cron(0 0 ? * 3#2 *)", "cron(0 0 30 2 ? *)",
	} {
		f.Add(s, int64(1741600000))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		// Keep t within years 1900–2300 so the rate arithmetic stays meaningful.
		unix = unix % (400 * 365 * 86400)
		if unix < 0 {
			unix = -unix
		}
		from := time.Unix(unix-2208988800, 0).UTC()
		s, err := Parse(expr, from.Add(-time.Hour))
		if err != nil {
			return
		}
		cur := from
		for i := 0; i < 5; i++ {
			next := s.Next(cur)
			if next.IsZero() {
				return
			}
			if !next.After(cur) {
				t.Fatalf("%s: Next(%s) = %s, not after", expr, cur, next)
			}
			if next.Second() != 0 || next.Nanosecond() != 0 || next.Location() != time.UTC {
				t.Fatalf("%s: Next(%s) = %s, not a whole UTC minute", expr, cur, next)
			}
			cur = next
		}
	})
}
