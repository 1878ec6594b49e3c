package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

// field describes one cron field's range, names and whether steps are allowed.
type field struct {
	name   string
	lo, hi int
	base   int      // subtracted from a value to index the bitset (years)
	names  []string // names[i] is the value lo+i
	step   bool     // "/" allowed
}

var (
	minutesField = field{name: "Minutes", lo: 0, hi: 59, step: true}
	hoursField   = field{name: "Hours", lo: 0, hi: 23, step: true}
	domField     = field{name: "Day-of-month", lo: 1, hi: 31, step: true}
	monthField   = field{name: "Month", lo: 1, hi: 12, step: true,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	dowField  = field{name: "Day-of-week", lo: 1, hi: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField = field{name: "Year", lo: minYear, hi: maxYear, base: minYear, step: true}
)

func (f *field) errorf(format string, args ...any) error {
	return fmt.Errorf("cron field %s: %s", f.name, fmt.Sprintf(format, args...))
}

// items splits a list, rejecting empty items.
func (f *field) items(text string) ([]string, error) {
	items := strings.Split(text, ",")
	for _, it := range items {
		if it == "" {
			return nil, f.errorf("empty list item in %q", text)
		}
	}
	return items, nil
}

// parseList parses a comma list of plain items (`*`, `v`, `v-w`, with `/s` where allowed).
// special, when non-nil, gets the first look at each item and reports whether it took it.
func (f *field) parseList(text string, special func(item string) (bool, error)) (bitset, error) {
	var set bitset
	items, err := f.items(text)
	if err != nil {
		return set, err
	}
	for _, it := range items {
		if special != nil {
			took, err := special(it)
			if err != nil {
				return set, err
			}
			if took {
				continue
			}
		}
		if err := f.parseItem(it, &set); err != nil {
			return set, err
		}
	}
	return set, nil
}

// parseItem adds one `*`, `v`, `v-w`, `*/s`, `v/s` or `v-w/s` item to set.
func (f *field) parseItem(item string, set *bitset) error {
	rng, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if !f.step {
			return f.errorf("step not allowed in %q", item)
		}
		n, err := strconv.Atoi(stepText)
		if err != nil || !allDigits(stepText) {
			return f.errorf("invalid step %q in %q", stepText, item)
		}
		if n == 0 {
			return f.errorf("step 0 in %q", item)
		}
		if n > f.hi-f.lo+1 {
			return f.errorf("step %d in %q exceeds %d", n, item, f.hi-f.lo+1)
		}
		step = n
	}
	lo, hi := f.lo, f.hi
	switch {
	case rng == "*":
	case strings.Contains(rng, "-"):
		a, b, _ := strings.Cut(rng, "-")
		var err error
		if lo, err = f.value(a); err != nil {
			return err
		}
		if hi, err = f.value(b); err != nil {
			return err
		}
		if lo > hi {
			return f.errorf("range %q starts after it ends", rng)
		}
	default:
		v, err := f.value(rng)
		if err != nil {
			return err
		}
		lo = v
		if !hasStep {
			hi = v
		}
	}
	for v := lo; v <= hi; v += step {
		set.set(v - f.base)
	}
	return nil
}

// value parses a number or (case-insensitive) name and checks the range.
func (f *field) value(s string) (int, error) {
	if s == "" {
		return 0, f.errorf("missing value")
	}
	if !allDigits(s) {
		for i, n := range f.names {
			if strings.EqualFold(s, n) {
				return f.lo + i, nil
			}
		}
		return 0, f.errorf("invalid value %q", s)
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.lo || v > f.hi {
		return 0, f.errorf("value %s out of range %d-%d", s, f.lo, f.hi)
	}
	return v, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
