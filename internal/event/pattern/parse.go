package pattern

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxPatternBytes is the largest pattern accepted (EventBridge's EventPattern limit).
const maxPatternBytes = 4096

// maxPatternDepth bounds the nesting of objects and arrays in a pattern.
const maxPatternDepth = 100

type nodeKind uint8

const (
	nObject nodeKind = iota
	nArray
	nString
	nNumber
	nTrue
	nFalse
	nNull
)

// node is one parsed JSON value of a pattern, keeping its byte offset for error messages.
type node struct {
	kind    nodeKind
	off     int
	str     string  // the decoded string, or the literal text of a number
	num     float64 // numbers only
	members []member
	elems   []*node
}

// member is an object member. Duplicate keys are resolved when parsing: the last wins.
type member struct {
	key    string
	keyOff int
	val    *node
}

// jsonParser is a small strict JSON parser for patterns that keeps member order, offsets and
// the path of the value being parsed (for errors).
type jsonParser struct {
	src   []byte
	pos   int
	depth int
	path  []string // rendered path segments: ".key" or "[i]"
}

// parseJSON parses src as one JSON value with nothing but white space around it.
func parseJSON(src []byte) (*node, *Error) {
	p := &jsonParser{src: src}
	p.ws()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos < len(src) {
		return nil, p.errf("unexpected %s after the pattern", p.describe())
	}
	return n, nil
}

func (p *jsonParser) pathString() string { return renderPath(p.path) }

// renderPath joins path segments, dropping the leading dot.
func renderPath(segs []string) string {
	return strings.TrimPrefix(strings.Join(segs, ""), ".")
}

func (p *jsonParser) errf(format string, args ...any) *Error {
	return newError(p.src, p.pos, p.pathString(), fmt.Sprintf(format, args...))
}

// describe names the byte at the current position for an error message.
func (p *jsonParser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return "character " + strconv.QuoteRune(r)
}

func (p *jsonParser) ws() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*node, *Error) {
	if p.pos >= len(p.src) {
		return nil, p.errf("unexpected end of input, expected a value")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		off := p.pos
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &node{kind: nString, off: off, str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", nTrue)
	case c == 'f':
		return p.literal("false", nFalse)
	case c == 'n':
		return p.literal("null", nNull)
	}
	return nil, p.errf("unexpected %s, expected a value", p.describe())
}

func (p *jsonParser) literal(word string, k nodeKind) (*node, *Error) {
	if !strings.HasPrefix(string(p.src[p.pos:min(len(p.src), p.pos+len(word))]), word) {
		return nil, p.errf("invalid literal, expected %s", word)
	}
	n := &node{kind: k, off: p.pos}
	p.pos += len(word)
	return n, nil
}

func (p *jsonParser) enter() *Error {
	p.depth++
	if p.depth > maxPatternDepth {
		return p.errf("pattern is nested deeper than %d levels", maxPatternDepth)
	}
	return nil
}

func (p *jsonParser) object() (*node, *Error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &node{kind: nObject, off: p.pos}
	p.pos++ // {
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return n, nil
	}
	index := map[string]int{}
	for {
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errf("unexpected %s, expected a member name in double quotes", p.describe())
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errf("unexpected %s, expected ':' after member name", p.describe())
		}
		p.pos++
		p.ws()
		p.path = append(p.path, "."+key)
		v, err := p.value()
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		m := member{key: key, keyOff: keyOff, val: v}
		if i, dup := index[key]; dup {
			n.members[i] = m // the last occurrence wins
		} else {
			index[key] = len(n.members)
			n.members = append(n.members, m)
		}
		p.ws()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			p.depth--
			return n, nil
		}
		return nil, p.errf("unexpected %s, expected ',' or '}'", p.describe())
	}
}

func (p *jsonParser) array() (*node, *Error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &node{kind: nArray, off: p.pos}
	p.pos++ // [
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		p.ws()
		p.path = append(p.path, "["+strconv.Itoa(len(n.elems))+"]")
		v, err := p.value()
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		p.ws()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			p.depth--
			return n, nil
		}
		return nil, p.errf("unexpected %s, expected ',' or ']'", p.describe())
	}
}

// str parses a string at the current position (an opening quote), decoding escapes the way
// encoding/json does (invalid UTF-8 and lone surrogates become U+FFFD).
func (p *jsonParser) str() (string, *Error) {
	start := p.pos
	end, flags, bad := scanString(p.src, start)
	if bad >= 0 {
		p.pos = bad
		if bad >= len(p.src) {
			return "", p.errf("unterminated string")
		}
		if p.src[bad] < 0x20 {
			return "", p.errf("control character %s in string", strconv.QuoteRune(rune(p.src[bad])))
		}
		return "", p.errf("invalid escape sequence in string")
	}
	p.pos = end
	raw := p.src[start+1 : end-1]
	if flags == 0 {
		return string(raw), nil
	}
	return string(appendUnescaped(nil, raw)), nil
}

func (p *jsonParser) number() (*node, *Error) {
	start := p.pos
	end, ok := scanNumber(p.src, start)
	if !ok {
		p.pos = end
		return nil, p.errf("invalid number")
	}
	p.pos = end
	lit := string(p.src[start:end])
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		p.pos = start
		return nil, p.errf("number %s is out of range", lit)
	}
	return &node{kind: nNumber, off: start, str: lit, num: f}, nil
}
