package pattern

import (
	"bytes"
	"fmt"
	"strings"
)

// wildcard is a compiled wildcard expression: the literal parts between its '*'s. A value
// matches when it starts with the first part, ends with the last, and contains the middle
// parts in order in between (leftmost matching is exact for '*'-only globs). A wildcard
// without '*' is an exact match of its single part.
type wildcard struct {
	parts [][]byte
}

// parseWildcard compiles s. '\*' is a literal star and '\\' a literal backslash; any other
// escape and two consecutive '*' are errors naming the character position (0-based).
func parseWildcard(s string) (*wildcard, error) {
	var parts [][]byte
	var cur []byte
	prevStar := false
	pos := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '*':
			if prevStar {
				return nil, fmt.Errorf("consecutive wildcard characters at position %d", pos)
			}
			parts = append(parts, cur)
			cur = nil
			prevStar = true
			pos++
			continue
		case c == '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return nil, fmt.Errorf("invalid escape character at position %d", pos+1)
			}
			cur = append(cur, s[i+1])
			i++
			pos += 2
		default:
			cur = append(cur, c)
			if c < 0x80 || c >= 0xC0 { // count characters, not continuation bytes
				pos++
			}
		}
		prevStar = false
	}
	parts = append(parts, cur)
	return &wildcard{parts: parts}, nil
}

// exact reports whether the wildcard has no '*' (and so matches only its literal).
func (w *wildcard) exact() bool { return len(w.parts) == 1 }

// match reports whether v matches the wildcard.
func (w *wildcard) match(v []byte) bool {
	p := w.parts
	if len(p) == 1 {
		return bytes.Equal(v, p[0])
	}
	first, last := p[0], p[len(p)-1]
	if len(v) < len(first)+len(last) || !bytes.HasPrefix(v, first) || !bytes.HasSuffix(v, last) {
		return false
	}
	mid := v[len(first) : len(v)-len(last)]
	for _, part := range p[1 : len(p)-1] {
		i := bytes.Index(mid, part)
		if i < 0 {
			return false
		}
		mid = mid[i+len(part):]
	}
	return true
}

// String renders the wildcard back in its escaped source form.
func (w *wildcard) String() string {
	var b strings.Builder
	for i, p := range w.parts {
		if i > 0 {
			b.WriteByte('*')
		}
		for j := 0; j < len(p); j++ {
			if p[j] == '*' || p[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(p[j])
		}
	}
	return b.String()
}
