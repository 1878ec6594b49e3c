package metric

import (
	"fmt"
	"strings"
)

// Unit is a CloudWatch metric unit (spec A1). Units are labels only: no
// conversion is ever done, and data published with different units forms
// separate streams.
type Unit string

// The complete CloudWatch unit list of spec A1, in the spec's order.
const (
	UnitSeconds            Unit = "Seconds"
	UnitMicroseconds       Unit = "Microseconds"
	UnitMilliseconds       Unit = "Milliseconds"
	UnitBytes              Unit = "Bytes"
	UnitKilobytes          Unit = "Kilobytes"
	UnitMegabytes          Unit = "Megabytes"
	UnitGigabytes          Unit = "Gigabytes"
	UnitTerabytes          Unit = "Terabytes"
	UnitBits               Unit = "Bits"
	UnitKilobits           Unit = "Kilobits"
	UnitMegabits           Unit = "Megabits"
	UnitGigabits           Unit = "Gigabits"
	UnitTerabits           Unit = "Terabits"
	UnitPercent            Unit = "Percent"
	UnitCount              Unit = "Count"
	UnitBytesPerSecond     Unit = "Bytes/Second"
	UnitKilobytesPerSecond Unit = "Kilobytes/Second"
	UnitMegabytesPerSecond Unit = "Megabytes/Second"
	UnitGigabytesPerSecond Unit = "Gigabytes/Second"
	UnitTerabytesPerSecond Unit = "Terabytes/Second"
	UnitBitsPerSecond      Unit = "Bits/Second"
	UnitKilobitsPerSecond  Unit = "Kilobits/Second"
	UnitMegabitsPerSecond  Unit = "Megabits/Second"
	UnitGigabitsPerSecond  Unit = "Gigabits/Second"
	UnitTerabitsPerSecond  Unit = "Terabits/Second"
	UnitCountPerSecond     Unit = "Count/Second"
	UnitNone               Unit = "None"
)

// Units returns every valid unit in the order spec A1 lists them. The slice
// is freshly allocated; callers may modify it.
func Units() []Unit {
	return []Unit{
		UnitSeconds, UnitMicroseconds, UnitMilliseconds,
		UnitBytes, UnitKilobytes, UnitMegabytes, UnitGigabytes, UnitTerabytes,
		UnitBits, UnitKilobits, UnitMegabits, UnitGigabits, UnitTerabits,
		UnitPercent, UnitCount,
		UnitBytesPerSecond, UnitKilobytesPerSecond, UnitMegabytesPerSecond, UnitGigabytesPerSecond, UnitTerabytesPerSecond,
		UnitBitsPerSecond, UnitKilobitsPerSecond, UnitMegabitsPerSecond, UnitGigabitsPerSecond, UnitTerabitsPerSecond,
		UnitCountPerSecond, UnitNone,
	}
}

// ParseUnit returns the unit spelled exactly s (case-sensitive). The empty
// string is an error: callers that treat an omitted unit as the default
// should use UnitNone themselves. When s is an obvious near miss of a valid
// unit ("count", "Second", "Kilobyte") the error names it.
func ParseUnit(s string) (Unit, error) {
	if s == "" {
		return "", fmt.Errorf("unit must not be empty (omit it for %q)", UnitNone)
	}
	units := Units()
	for _, u := range units {
		if string(u) == s {
			return u, nil
		}
	}
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = string(u)
	}
	if best, ok := closest(s, names); ok {
		return "", fmt.Errorf("unknown unit %q; did you mean %q?", s, best)
	}
	return "", fmt.Errorf("unknown unit %q; valid units are %s", s, strings.Join(names, ", "))
}

// IsCount reports whether u counts occurrences (Count or Count/Second).
func (u Unit) IsCount() bool {
	return u == UnitCount || u == UnitCountPerSecond
}

// closest returns the candidate that s most obviously misspells: an exact
// case-insensitive match, or else the unique candidate within a small edit
// distance of s (compared case-insensitively). It reports false when there
// is no such candidate or when two are equally close.
func closest(s string, candidates []string) (string, bool) {
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.ToLower(c) == ls {
			return c, true
		}
	}
	// Allow one edit for short words, two for longer ones, so that "Sum"
	// does not suggest itself for "Max" and friends.
	limit := 1
	if len(ls) >= 6 {
		limit = 2
	}
	if len(ls) > 64 { // not a typo of any candidate; keep the work bounded
		return "", false
	}
	best, bestDist, tie := "", limit+1, false
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		switch {
		case d < bestDist:
			best, bestDist, tie = c, d, false
		case d == bestDist:
			tie = true
		}
	}
	if bestDist > limit || tie {
		return "", false
	}
	return best, true
}

// editDistance is the Levenshtein distance between a and b, counted in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
