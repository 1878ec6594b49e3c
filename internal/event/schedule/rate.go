package schedule

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// rate fires every `every` minutes starting one period after the anchor minute.
type rate struct {
	expr   string
	anchor int64 // Unix minutes of the anchor, truncated
	every  int64 // minutes
}

var rateUnits = map[string]struct {
	minutes  int64
	singular bool
}{
	"minute": {1, true}, "minutes": {1, false},
	"hour": {60, true}, "hours": {60, false},
	"day": {1440, true}, "days": {1440, false},
}

func parseRate(expr, body string, anchor time.Time) (*rate, error) {
	parts := strings.Fields(body)
	if len(parts) != 2 {
		return nil, fmt.Errorf("rate expression %q: want rate(value unit)", expr)
	}
	v, err := parsePositive(parts[0])
	if err != nil {
		return nil, fmt.Errorf("rate expression %q: value %q: %v", expr, parts[0], err)
	}
	u, ok := rateUnits[parts[1]]
	if !ok {
		return nil, fmt.Errorf("rate expression %q: unit %q: want minute(s), hour(s) or day(s)", expr, parts[1])
	}
	if (v == 1) != u.singular {
		if v == 1 {
			return nil, fmt.Errorf("rate expression %q: value 1 needs the singular unit %q", expr, strings.TrimSuffix(parts[1], "s"))
		}
		return nil, fmt.Errorf("rate expression %q: value %d needs the plural unit %q", expr, v, parts[1]+"s")
	}
	return &rate{expr: expr, anchor: floorDiv(anchor.Unix(), 60), every: v * u.minutes}, nil
}

// parsePositive parses a decimal integer in 1..MaxInt32 (digits only, no sign).
func parsePositive(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not a positive integer")
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > math.MaxInt32 {
		return 0, fmt.Errorf("out of range 1-%d", math.MaxInt32)
	}
	if v == 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return v, nil
}

func (r *rate) String() string { return r.expr }

// Next returns anchor + k*every for the smallest k ≥ 1 with a result strictly after t.
// A firing F (a whole minute) is after t exactly when F's minute number exceeds t's.
func (r *rate) Next(t time.Time) time.Time {
	tm := floorDiv(t.Unix(), 60)
	first := r.anchor + r.every
	if tm < first {
		return time.Unix(first*60, 0).UTC()
	}
	k := (tm-r.anchor)/r.every + 1
	return time.Unix((r.anchor+k*r.every)*60, 0).UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
