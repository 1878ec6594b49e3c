package metric

// MatchGlob reports whether s matches pattern, where * matches any run of characters
// (including none, and including '/') and ? matches one character; \*, \? and \\ match
// *, ? and \, and any other backslash is an ordinary character (C:\dir matches itself). Dimension values are free text (paths, ARNs), so unlike path.Match no
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
		case p < len(pattern) && escape(pattern, p):
			if pattern[p+1] != s[i] {
				if star < 0 {
					return false
				}
				p = star + 1
				mark++
				i = mark
				continue
			}
			p += 2
			i++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
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

// escape reports whether pattern[p] is a backslash escaping *, ? or a backslash.
func escape(pattern string, p int) bool {
	if pattern[p] != '\\' || p+1 >= len(pattern) {
		return false
	}
	switch pattern[p+1] {
	case '*', '?', '\\':
		return true
	}
	return false
}

// IsGlob reports whether a dimension value is a pattern (it holds an unescaped * or ?).
func IsGlob(v string) bool {
	for i := 0; i < len(v); i++ {
		switch {
		case escape(v, i):
			i++
		case v[i] == '*' || v[i] == '?':
			return true
		}
	}
	return false
}
