package metric

// MatchGlob reports whether s matches pattern, where * matches any run of characters
// (including none, and including '/') and ? matches one character; \* and \? match
// themselves. Dimension values are free text (paths, ARNs), so unlike path.Match no
// character is special and no pattern is invalid.
func MatchGlob(pattern, s string) bool {
	// Iterative matching with one backtrack point for the last star: linear in practice.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == '\\' && p+1 < len(pattern) && pattern[p+1] == s[i]:
			p += 2
			i++
		case p < len(pattern) && (pattern[p] == '?' || (pattern[p] == s[i] && pattern[p] != '\\')):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// IsGlob reports whether a dimension value is a pattern (it holds an unescaped * or ?).
func IsGlob(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		}
	}
	return false
}
