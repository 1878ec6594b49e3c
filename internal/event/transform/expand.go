package transform

import (
	"fmt"
	"strings"
)

// Expand replaces each `<$.json.path>` placeholder in s with the raw text of the value the
// path selects in event (strings unquoted, other values as JSON text, absent values as "").
// Other text, including `<` not followed by `$`, is kept. A malformed or unterminated path
// placeholder is an error.
func Expand(s string, event []byte) (string, error) {
	if !strings.Contains(s, "<$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "<$")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		p, n, err := parsePathPrefix(s[i+1:], true)
		if err != nil {
			return "", err
		}
		end := i + 1 + n
		if end >= len(s) || s[end] != '>' {
			return "", fmt.Errorf("placeholder at offset %d: want <$.path>", i)
		}
		if v, ok := p.Get(event); ok {
			b.WriteString(Raw(v))
		}
		s = s[end+1:]
	}
}
