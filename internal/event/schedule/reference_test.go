package schedule

import (
	"testing"
	"time"
)

// refMatch decides whether c fires at minute t by checking each rule directly, without
// dayMask's arithmetic: a slow, obviously-correct reference for Next.
func refMatch(c *cron, t time.Time) bool {
	y, m, d := t.Date()
	if !c.years.has(y-minYear) || !c.months.has(int(m)) || !c.hours.has(t.Hour()) || !c.minutes.has(t.Minute()) {
		return false
	}
	n := daysIn(y, int(m))
	isWeekday := func(day int) bool {
		wd := time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	w := int(t.Weekday()) + 1
	if c.byDOW {
		return c.dowDays.has(w) || (c.dowLast.has(w) && d+7 > n) || (c.nthDay == w && (d-1)/7+1 == c.nthN)
	}
	if c.domDays.has(d) || (c.domLast && d == n) {
		return true
	}
	if c.domLastWk {
		last := n
		for !isWeekday(last) {
			last--
		}
		if d == last {
			return true
		}
	}
	for k := 1; k <= n; k++ {
		if !c.domNearest.has(k) {
			continue
		}
		// Nearest weekday: k itself, else the closer of k-1/k+1 inside the month, else k±2.
		for _, cand := range []int{k, k - 1, k + 1, k + 2, k - 2} {
			if cand >= 1 && cand <= n && isWeekday(cand) {
				if cand == d {
					return true
				}
				break
			}
		}
	}
	return false
}

func TestNextAgainstReference(t *testing.T) {
	exprs := []string{
		"cron(0 10 * * ? *)", "cron(0/15 * * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)",
		"cron(15 10 ? * 6L *)", "cron(0 12 L * ? *)", "cron(0 9 15W * ? *)", "cron(0 9 1W,31W * ? *)",
		"cron(0 9 LW * ? *)", "cron(0 0 ? * 3#2 *)", "cron(0 0 ? * 7#5 *)", "cron(45 23 1,15,L */2 ? *)",
		"cron(0 */7 ? * L,1L,4 *)", "cron(3-59/17 1-23/5 2-30/9 * ? *)", "cron(0 0 30W * ? *)",
	}
	starts := []string{"2024-01-20T00:00:00Z", "2025-02-20T00:00:00Z", "2025-08-25T00:00:00Z"}
	const span = 40 * 24 * 60 // minutes
	for _, expr := range exprs {
		s := mustParse(t, expr, time.Time{})
		c := s.(*cron)
		for _, st := range starts {
			cur := at(st)
			want := cur
			for i := 0; i < span; i++ {
				want = want.Add(time.Minute)
				if !refMatch(c, want) {
					continue
				}
				got := s.Next(cur)
				if !got.Equal(want) {
					t.Fatalf("%s: Next(%s) = %s, reference says %s", expr, cur, got, want)
				}
				cur = got
			}
		}
	}
}
