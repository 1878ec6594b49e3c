package alarmtest

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/metric"
)

// FuzzParseValues checks that any input either fails with a message naming a token, or
// expands to at most MaxValues values CloudWatch accepts, which, written out one token
// per value, parse back to the same values.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"", "1 1 _ 1x5 2+1x3", "-2+4x3", "1-2x4", "_x3", "0x1F", "1e108+1e108x2",
		".5 5. +1 -0", "1 + 2x3", "Inf", "stale", "1x99999999999999999999", "_x99999 1", "\t1\n_\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vs, err := ParseValues(s)
		if err != nil {
			if vs != nil || !strings.HasPrefix(err.Error(), "token ") {
				t.Fatalf("ParseValues(%q) = %v, %v", s, vs, err)
			}
			return
		}
		if len(vs) > MaxValues {
			t.Fatalf("ParseValues(%q) gave %d values", s, len(vs))
		}
		tokens := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case v.Missing && v.Number != 0:
				t.Fatalf("ParseValues(%q)[%d] is missing with a number", s, i)
			case v.Missing:
				tokens[i] = "_"
			default:
				if err := metric.ValidateValue(v.Number); err != nil {
					t.Fatalf("ParseValues(%q)[%d]: %v", s, i, err)
				}
				tokens[i] = strconv.FormatFloat(v.Number, 'g', -1, 64)
			}
		}
		again, err := ParseValues(strings.Join(tokens, " "))
		if err != nil || !slices.Equal(again, vs) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}
