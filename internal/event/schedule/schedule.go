package schedule

import (
	"fmt"
	"strings"
	"time"
)

// maxExprLen is the EventBridge limit on ScheduleExpression.
const maxExprLen = 256

// Schedule is a parsed schedule expression.
type Schedule interface {
	// Next returns the first firing time strictly after t (UTC, whole minutes), or the zero
	// time if it never fires again (year range exhausted).
	Next(t time.Time) time.Time
	// String returns the expression as parsed (surrounding space trimmed).
	String() string
}

// Parse parses `rate(value unit)` or `cron(Minutes Hours Day-of-month Month Day-of-week Year)`.
// anchor is when a rate schedule starts (EventBridge: rule creation); rate firings are
// anchor + k*rate (k ≥ 1), truncated to the minute. anchor is ignored for cron expressions.
func Parse(expr string, anchor time.Time) (Schedule, error) {
	s := strings.TrimSpace(expr)
	if len(s) > maxExprLen {
		return nil, fmt.Errorf("schedule expression longer than %d characters", maxExprLen)
	}
	if body, ok := unwrap(s, "rate"); ok {
		return parseRate(s, body, anchor)
	}
	if body, ok := unwrap(s, "cron"); ok {
		return parseCron(s, body)
	}
	return nil, fmt.Errorf("schedule expression %q: want rate(value unit) or cron(Minutes Hours Day-of-month Month Day-of-week Year)", s)
}

// Validate reports whether expr is a valid schedule expression (Parse with a zero anchor).
func Validate(expr string) error {
	_, err := Parse(expr, time.Time{})
	return err
}

// unwrap returns the text between "name(" and the final ")".
func unwrap(s, name string) (string, bool) {
	if !strings.HasPrefix(s, name+"(") || !strings.HasSuffix(s, ")") {
		return "", false
	}
	return s[len(name)+1 : len(s)-1], true
}
