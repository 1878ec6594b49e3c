package transform

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled JSONPath as EventBridge accepts it: `$`, `$.a.b`, `$.a[0].b` and,
// where brackets are allowed, `$['a b'].c`. Wildcards, slices, filters and recursive
// descent are not supported. The zero Path is `$`.
type Path struct {
	src   string
	steps []step
}

// step is one member name or one array index.
type step struct {
	key   string
	index int // ≥ 0 for an index step, -1 for a member step
}

// ParsePath compiles a JSONPath in dot or bracket notation.
func ParsePath(s string) (Path, error) {
	return parsePath(s, true)
}

// parsePath parses the whole of s; brackets allows `['name']` steps.
func parsePath(s string, brackets bool) (Path, error) {
	p, n, err := parsePathPrefix(s, brackets)
	if err != nil {
		return Path{}, err
	}
	if n != len(s) {
		return Path{}, pathError(s, n, fmt.Sprintf("unexpected %q", s[n]))
	}
	return p, nil
}

func pathError(s string, at int, msg string) error {
	return fmt.Errorf("invalid JSONPath %q: %s at offset %d", s, msg, at)
}

// parsePathPrefix parses the longest path at the start of s and returns how much it used.
// It stops without error at a character that cannot continue a path (such as '>').
func parsePathPrefix(s string, brackets bool) (Path, int, error) {
	if !strings.HasPrefix(s, "$") {
		return Path{}, 0, pathError(s, 0, "want a leading \"$\"")
	}
	var steps []step
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			if j == i+1 {
				return Path{}, 0, pathError(s, i+1, badNameMsg(s, i+1))
			}
			steps = append(steps, step{key: s[i+1 : j], index: -1})
			i = j
		case '[':
			st, n, err := parseBracket(s, i, brackets)
			if err != nil {
				return Path{}, 0, err
			}
			steps = append(steps, st)
			i = n
		default:
			return Path{src: s[:i], steps: steps}, i, nil
		}
	}
	return Path{src: s, steps: steps}, i, nil
}

func badNameMsg(s string, i int) string {
	switch {
	case i >= len(s):
		return "missing member name"
	case s[i] == '.':
		return "recursive descent not supported"
	case s[i] == '*':
		return "wildcards not supported"
	}
	return fmt.Sprintf("invalid member name character %q", s[i])
}

// isNameByte reports whether c may appear in a dot-notation member name. Names with other
// characters (spaces, quotes, brackets) need bracket notation.
func isNameByte(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	return !strings.ContainsRune(".[]'\"<>*,()", rune(c))
}

// parseBracket parses `[N]`, `['name']` or `["name"]` at s[i] == '['.
func parseBracket(s string, i int, names bool) (step, int, error) {
	j := i + 1
	if j < len(s) && (s[j] == '\'' || s[j] == '"') {
		if !names {
			return step{}, 0, pathError(s, i, "bracket notation not allowed here (use dot notation)")
		}
		q := s[j]
		var key strings.Builder
		for j++; j < len(s) && s[j] != q; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			key.WriteByte(s[j])
		}
		if j+1 >= len(s) || s[j+1] != ']' {
			return step{}, 0, pathError(s, i, "unterminated bracket")
		}
		return step{key: key.String(), index: -1}, j + 2, nil
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j || k >= len(s) || s[k] != ']' {
		if k < len(s) && s[k] == '*' {
			return step{}, 0, pathError(s, k, "wildcards not supported")
		}
		return step{}, 0, pathError(s, i, "want [index] or ['name']")
	}
	n, err := strconv.Atoi(s[j:k])
	if err != nil || n > 1<<30 {
		return step{}, 0, pathError(s, j, "index out of range")
	}
	return step{index: n}, k + 1, nil
}

// String returns the path as written.
func (p Path) String() string {
	if p.src == "" {
		return "$"
	}
	return p.src
}

// Get returns the raw JSON of the value p selects in event, and false when it is absent
// (a missing member, an index past the end, or a step into a value of the wrong kind).
// The result aliases event. event should be valid JSON; malformed input gives false or an
// unspecified slice, never a panic.
func (p Path) Get(event []byte) ([]byte, bool) {
	i := skipSpace(event, 0)
	end := skipValue(event, i)
	if end < 0 {
		return nil, false
	}
	for _, st := range p.steps {
		var ok bool
		switch {
		case st.index < 0 && event[i] == '{':
			i, end, ok = member(event, i, st.key)
		case st.index >= 0 && event[i] == '[':
			i, end, ok = element(event, i, st.index)
		}
		if !ok {
			return nil, false
		}
	}
	return event[i:end], true
}

// Raw returns the text of a raw JSON value: a string unquoted, anything else as its JSON text.
func Raw(value []byte) string {
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		inner := value[1 : len(value)-1]
		if !hasByte(inner, '\\') {
			return string(inner)
		}
		var s string
		if json.Unmarshal(value, &s) == nil {
			return s
		}
	}
	return string(value)
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
