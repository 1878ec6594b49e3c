package metric

import "testing"

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "/users/42", true},
		{"i-*", "i-0abc", true},
		{"i-*", "j-0abc", false},
		{"*users", "/api/users", true},
		{"*users", "/api/users/1", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"h?st", "host", true},
		{"h?st", "hst", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?`, "a?", true},
		{"[", "[", true},
		{"exact", "exact", true},
		{"exact", "exact2", false},
		{"**", "anything", true},
		{`C:\dir`, `C:\dir`, true},
		{`a\\b`, `a\b`, true},
		{`*\*`, "x*", true},
		{`*\*`, "xy", false},
	} {
		if got := MatchGlob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	for v, want := range map[string]bool{"i-*": true, "h?st": true, `a\*`: false, "plain": false, "[x]": false} {
		if IsGlob(v) != want {
			t.Errorf("IsGlob(%q) = %v", v, !want)
		}
	}
}
