package schedule

import (
	"fmt"
	"strings"
	"time"
)

const (
	minYear = 1970
	maxYear = 2199
)

// cron is a parsed six-field cron expression. Exactly one of the day fields is "?":
// byDOW says which one decides the day.
type cron struct {
	expr    string
	minutes bitset
	hours   bitset
	months  bitset
	years   bitset // offsets from minYear
	byDOW   bool

	// Day-of-month: plain days, L (last day), LW (last weekday), nW (weekday nearest n).
	domDays    bitset
	domLast    bool
	domLastWk  bool
	domNearest bitset
	// Day-of-week: plain weekdays (1 = Sunday), nL (last such weekday of the month),
	// w#n (n-th such weekday; the only item of its field when set).
	dowDays bitset
	dowLast bitset
	nthDay  int
	nthN    int
}

func parseCron(expr, body string) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron expression %q: want 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got %d", expr, len(f))
	}
	c := &cron{expr: expr}
	var err error
	if c.minutes, err = minutesField.parseList(f[0], nil); err != nil {
		return nil, err
	}
	if c.hours, err = hoursField.parseList(f[1], nil); err != nil {
		return nil, err
	}
	if c.months, err = monthField.parseList(f[3], nil); err != nil {
		return nil, err
	}
	if c.years, err = yearField.parseList(f[5], nil); err != nil {
		return nil, err
	}
	domQ, dowQ := f[2] == "?", f[4] == "?"
	if domQ == dowQ {
		return nil, fmt.Errorf("cron expression %q: exactly one of Day-of-month and Day-of-week must be \"?\"", expr)
	}
	if dowQ {
		err = c.parseDOM(f[2])
	} else {
		c.byDOW = true
		err = c.parseDOW(f[4])
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseDOM parses Day-of-month: the plain items plus L, LW and nW.
func (c *cron) parseDOM(text string) error {
	fd := &domField
	var err error
	c.domDays, err = fd.parseList(text, func(it string) (bool, error) {
		switch {
		case it == "?":
			return false, fd.errorf("\"?\" must be the whole field")
		case it == "L":
			c.domLast = true
		case it == "LW":
			c.domLastWk = true
		case strings.HasSuffix(it, "W"):
			n := strings.TrimSuffix(it, "W")
			if !allDigits(n) {
				return false, fd.errorf("invalid value %q: W needs a day number", it)
			}
			v, err := fd.value(n)
			if err != nil {
				return false, err
			}
			c.domNearest.set(v)
		default:
			return false, nil
		}
		return true, nil
	})
	return err
}

// parseDOW parses Day-of-week: the plain items plus L, nL and the lone w#n.
func (c *cron) parseDOW(text string) error {
	fd := &dowField
	if strings.Contains(text, "#") {
		if strings.Contains(text, ",") {
			return fd.errorf("%q: # allows only one expression in the field", text)
		}
		w, n, _ := strings.Cut(text, "#")
		day, err := fd.value(w)
		if err != nil {
			return err
		}
		if !allDigits(n) || len(n) > 1 || n < "1" || n > "5" {
			return fd.errorf("invalid occurrence %q in %q: want 1-5", n, text)
		}
		c.nthDay, c.nthN = day, int(n[0]-'0')
		return nil
	}
	var err error
	saturday := false
	c.dowDays, err = fd.parseList(text, func(it string) (bool, error) {
		switch {
		case it == "?":
			return false, fd.errorf("\"?\" must be the whole field")
		case it == "L":
			saturday = true // L alone is the last day of the week, Saturday
		case strings.HasSuffix(it, "L"):
			v, err := fd.value(strings.TrimSuffix(it, "L"))
			if err != nil {
				return false, err
			}
			c.dowLast.set(v)
		default:
			return false, nil
		}
		return true, nil
	})
	if saturday {
		c.dowDays.set(7)
	}
	return err
}

func (c *cron) String() string { return c.expr }

// Next returns the first firing strictly after t. It moves field by field, largest first,
// jumping to the next candidate year, month, day, hour and minute instead of stepping
// through minutes, so each call costs O(fields) work for any schedule.
func (c *cron) Next(t time.Time) time.Time {
	t = t.UTC()
	if t.Year() > maxYear {
		return time.Time{}
	}
	start := t.Truncate(time.Minute).Add(time.Minute)
	if start.Year() < minYear {
		start = time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	y, mo, d := start.Date()
	m, h, mi := int(mo), start.Hour(), start.Minute()
	for y <= maxYear {
		if !c.years.has(y - minYear) {
			ny := c.years.next(y - minYear)
			if ny < 0 {
				return time.Time{}
			}
			y, m, d, h, mi = ny+minYear, 1, 1, 0, 0
			continue
		}
		if nm := c.months.next(m); nm < 0 || nm > 12 {
			y, m, d, h, mi = y+1, 1, 1, 0, 0
			continue
		} else if nm != m {
			m, d, h, mi = nm, 1, 0, 0
		}
		days := c.dayMask(y, m)
		if nd := days.next(d); nd < 0 {
			m, d, h, mi = m+1, 1, 0, 0
			if m > 12 {
				y, m = y+1, 1
			}
			continue
		} else if nd != d {
			d, h, mi = nd, 0, 0
		}
		if nh := c.hours.next(h); nh < 0 || nh > 23 {
			d, h, mi = d+1, 0, 0 // dayMask has no bits past the month's end
			continue
		} else if nh != h {
			h, mi = nh, 0
		}
		if nmi := c.minutes.next(mi); nmi < 0 || nmi > 59 {
			h, mi = h+1, 0
			continue
		} else {
			mi = nmi
		}
		return time.Date(y, time.Month(m), d, h, mi, 0, 0, time.UTC)
	}
	return time.Time{}
}

// dayMask returns the days of month m of year y on which the schedule fires.
func (c *cron) dayMask(y, m int) bitset {
	n := daysIn(y, m)
	first := int(time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Weekday()) // 0 = Sunday
	weekday := func(d int) int { return (first + d - 1) % 7 }                    // 0 = Sunday
	var mask bitset
	if c.byDOW {
		for w := 1; w <= 7; w++ {
			firstW := 1 + (w-1-first+7)%7 // first day of the month that is weekday w
			if c.dowDays.has(w) {
				for d := firstW; d <= n; d += 7 {
					mask.set(d)
				}
			}
			if c.dowLast.has(w) {
				mask.set(firstW + (n-firstW)/7*7)
			}
			if c.nthDay == w {
				if d := firstW + 7*(c.nthN-1); d <= n {
					mask.set(d)
				}
			}
		}
		return mask
	}
	for d := c.domDays.next(1); d >= 1 && d <= n; d = c.domDays.next(d + 1) {
		mask.set(d)
	}
	if c.domLast {
		mask.set(n)
	}
	if c.domLastWk {
		switch weekday(n) {
		case 6: // Saturday
			mask.set(n - 1)
		case 0: // Sunday
			mask.set(n - 2)
		default:
			mask.set(n)
		}
	}
	for d := c.domNearest.next(1); d >= 1 && d <= n; d = c.domNearest.next(d + 1) {
		mask.set(nearestWeekday(d, n, weekday(d)))
	}
	return mask
}

// nearestWeekday returns the weekday (Monday–Friday) nearest day d of an n-day month whose
// weekday is wd (0 = Sunday), without leaving the month.
func nearestWeekday(d, n, wd int) int {
	switch wd {
	case 6: // Saturday: Friday before, or Monday after when d is the 1st
		if d == 1 {
			return 3
		}
		return d - 1
	case 0: // Sunday: Monday after, or Friday before when d is the last day
		if d == n {
			return d - 2
		}
		return d + 1
	}
	return d
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
