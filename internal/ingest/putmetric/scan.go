package putmetric

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of values that are skipped (unknown keys, wrong types); the
// fields this package reads are never nested that deep.
const maxDepth = 1000

// abort carries a body-level *Error out of the scanner; Decode recovers it. A panic of any
// other type is a bug and is not recovered.
type abort struct{ err *Error }

// scanner reads JSON values from b, validating the grammar of RFC 8259 as it goes. A syntax
// error aborts the decoding: nothing after malformed JSON can be trusted.
type scanner struct {
	b       []byte
	pos     int
	base    int    // offset of b in the body, for error positions
	line    int    // 1-based NDJSON line, 0 for a plain JSON body
	idx     int    // datum being read, -1 in the envelope
	field   string // field being read, for error paths
	scratch []byte // decoded strings that hold escapes
}

// path is the field path of what is being read, e.g. "metric_data[3].value".
func (s *scanner) path() string { return datumPath(s.idx, s.field) }

func datumPath(idx int, field string) string {
	switch {
	case idx < 0:
		return field
	case field == "":
		return fmt.Sprintf("metric_data[%d]", idx)
	}
	return fmt.Sprintf("metric_data[%d].%s", idx, field)
}

// abortf ends the decoding with an error of the envelope or of the JSON itself.
func (s *scanner) abortf(field, format string, args ...any) {
	panic(abort{&Error{Field: field, Offset: s.base + s.pos, Message: fmt.Sprintf(format, args...)}})
}

// fail ends the decoding with a syntax error at the current position.
func (s *scanner) fail(format string, args ...any) {
	where := fmt.Sprintf("at byte offset %d", s.base+s.pos)
	if s.line > 0 {
		where = fmt.Sprintf("at line %d, byte offset %d", s.line, s.base+s.pos)
	}
	s.abortf(s.path(), "invalid JSON %s: %s", where, fmt.Sprintf(format, args...))
}

// found describes what is at the current position, for syntax errors.
func (s *scanner) found() string {
	if s.pos >= len(s.b) {
		return "end of input"
	}
	if r, _ := utf8.DecodeRune(s.b[s.pos:]); r != utf8.RuneError {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("byte 0x%02x", s.b[s.pos])
}

// at skips whitespace and returns the next byte, or 0 at the end of the input.
func (s *scanner) at() byte {
	for s.pos < len(s.b) {
		switch c := s.b[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// more reports whether another member follows in the object or array being read, after
// consuming the comma before it, or else consumes the closing bracket. n counts members.
func (s *scanner) more(closing byte, n *int) bool {
	c := s.at()
	if c == closing && s.pos < len(s.b) {
		s.pos++
		return false
	}
	if *n > 0 {
		if c != ',' {
			s.fail("expected ',' or '%c', found %s", closing, s.found())
		}
		s.pos++
	}
	*n++
	return true
}

// key reads an object key and the colon after it. The result is valid until the next string.
func (s *scanner) key() []byte {
	if s.at() != '"' {
		s.fail("expected a string key, found %s", s.found())
	}
	k := s.str()
	if s.at() != ':' {
		s.fail("expected ':' after a key, found %s", s.found())
	}
	s.pos++
	return k
}

// kind names the JSON type of the value starting with c, failing when no value starts there.
func (s *scanner) kind(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	s.badValue()
	return ""
}

func (s *scanner) badValue() {
	if s.pos < len(s.b) && (s.b[s.pos] == 'N' || s.b[s.pos] == 'I') {
		s.fail("NaN and Infinity are not JSON numbers and are not accepted")
	}
	s.fail("expected a value, found %s", s.found())
}

// plain marks the bytes a string holds without escaping or UTF-8 decoding.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the index of the first byte from i on that str must look at: a quote,
// a backslash, a control character or a non-ASCII byte; or len(b). It tests 8 bytes at a
// time with the zero-byte trick of "Bit Twiddling Hacks": a flag can be spurious only above
// a genuine one, so the lowest flag is exact.
func skipPlain(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(ones*'"'), w^(ones*'\\')
		if m := ((q-ones)&^q | (bs-ones)&^bs | (w - ones*0x20) | w) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && plain[b[i]] {
		i++
	}
	return i
}

// str reads the string at the current position, which holds its opening quote, and returns
// its decoded bytes. They alias the body, or the scratch buffer when the string holds
// escapes, so they are valid until the next string is read.
func (s *scanner) str() []byte {
	s.pos++
	start := s.pos
	for {
		if s.pos = skipPlain(s.b, s.pos); s.pos >= len(s.b) {
			break
		}
		switch c := s.b[s.pos]; {
		case c == '"':
			s.pos++
			return s.b[start : s.pos-1]
		case c == '\\':
			return s.unescape(start)
		case c < 0x20:
			s.fail("control character %U in a string", c)
		default:
			s.rune()
		}
	}
	s.fail("unterminated string")
	return nil
}

// rune skips one multi-byte UTF-8 sequence, rejecting invalid UTF-8.
func (s *scanner) rune() {
	r, n := utf8.DecodeRune(s.b[s.pos:])
	if r == utf8.RuneError && n <= 1 {
		s.fail("invalid UTF-8 in a string")
	}
	s.pos += n
}

// unescape is the slow path of str: it decodes the string from start into the scratch
// buffer. Like encoding/json, it replaces a \u escape of a lone surrogate by U+FFFD.
func (s *scanner) unescape(start int) []byte {
	buf := append(s.scratch[:0], s.b[start:s.pos]...)
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			s.scratch = buf
			return buf
		case c == '\\':
			buf = s.escape(buf)
		case c < 0x20:
			s.fail("control character %U in a string", c)
		case c < 0x80:
			buf = append(buf, c)
			s.pos++
		default:
			i := s.pos
			s.rune()
			buf = append(buf, s.b[i:s.pos]...)
		}
	}
	s.fail("unterminated string")
	return nil
}

// escape decodes the escape sequence at the current position and appends it to buf.
func (s *scanner) escape(buf []byte) []byte {
	if s.pos+1 >= len(s.b) {
		s.fail("unterminated string")
	}
	e := s.b[s.pos+1]
	s.pos += 2
	switch e {
	case '"', '\\', '/':
		return append(buf, e)
	case 'b':
		return append(buf, '\b')
	case 'f':
		return append(buf, '\f')
	case 'n':
		return append(buf, '\n')
	case 'r':
		return append(buf, '\r')
	case 't':
		return append(buf, '\t')
	case 'u':
		r := s.hex4()
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if s.pos+1 < len(s.b) && s.b[s.pos] == '\\' && s.b[s.pos+1] == 'u' {
				save := s.pos
				s.pos += 2
				if r2 = utf16.DecodeRune(r, s.hex4()); r2 == utf8.RuneError {
					s.pos = save // not a pair: the second escape stands alone
				}
			}
			r = r2
		}
		return utf8.AppendRune(buf, r)
	}
	s.pos -= 2
	s.fail("invalid escape '\\%c' in a string", e)
	return nil
}

func (s *scanner) hex4() rune {
	var r rune
	for i := 0; i < 4; i++ {
		if s.pos >= len(s.b) {
			s.fail("unterminated \\u escape")
		}
		c := s.b[s.pos]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			s.fail("invalid hexadecimal digit %s in a \\u escape", s.found())
		}
		r = r<<4 | rune(c)
		s.pos++
	}
	return r
}

// skip reads and discards one value of any type.
func (s *scanner) skip(depth int) {
	if depth >= maxDepth {
		s.fail("values nested more than %d deep", maxDepth)
	}
	switch c := s.at(); c {
	case '"':
		s.str()
	case '{':
		s.pos++
		for n := 0; s.more('}', &n); {
			s.key()
			s.skip(depth + 1)
		}
	case '[':
		s.pos++
		for n := 0; s.more(']', &n); {
			s.skip(depth + 1)
		}
	case 't':
		s.literal("true")
	case 'f':
		s.literal("false")
	case 'n':
		s.literal("null")
	default:
		s.number()
	}
}

func (s *scanner) literal(word string) {
	if len(s.b)-s.pos < len(word) || string(s.b[s.pos:s.pos+len(word)]) != word {
		s.badValue()
	}
	s.pos += len(word)
}
