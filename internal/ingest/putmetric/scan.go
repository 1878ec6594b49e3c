package putmetric

import (
	"fmt"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/jsonlex"
)

// maxDepth bounds the nesting of values that are skipped (unknown keys, wrong types); the
// fields this package reads are never nested that deep.
const maxDepth = 1000

// abort carries a body-level *Error out of the scanner; Decode recovers it. A panic of any
// other type but a jsonlex.Error is a bug and is not recovered.
type abort struct{ err *Error }

// scanner reads JSON values with a strict lexer (invalid UTF-8 is an error) and keeps what
// the errors it reports need to say where they are. A syntax error aborts the decoding:
// nothing after malformed JSON can be trusted.
type scanner struct {
	jsonlex.Lexer
	base  int    // offset of B in the body, for error positions
	line  int    // 1-based NDJSON line, 0 for a plain JSON body
	idx   int    // datum being read, -1 in the envelope
	field string // field being read, for error paths
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
	panic(abort{s.errorf(field, format, args...)})
}

func (s *scanner) errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Offset: s.base + s.Pos, Message: fmt.Sprintf(format, args...)}
}

// fail ends the decoding with a syntax error at the current position.
func (s *scanner) fail(format string, args ...any) {
	panic(abort{s.syntaxError(format, args...)})
}

func (s *scanner) syntaxError(format string, args ...any) *Error {
	where := fmt.Sprintf("at byte offset %d", s.base+s.Pos)
	if s.line > 0 {
		where = fmt.Sprintf("at line %d, byte offset %d", s.line, s.base+s.Pos)
	}
	return s.errorf(s.path(), "invalid JSON %s: %s", where, fmt.Sprintf(format, args...))
}

// lexError words a syntax error found by the lexer.
func (s *scanner) lexError(e jsonlex.Error) *Error {
	s.Pos = e.Offset
	switch e.Code {
	case jsonlex.ErrFraction:
		return s.syntaxError("expected a digit after the decimal point, found %s", s.found())
	case jsonlex.ErrExponent:
		return s.syntaxError("expected a digit in the exponent, found %s", s.found())
	case jsonlex.ErrMore:
		return s.syntaxError("expected ',' or '%c', found %s", e.Closing, s.found())
	case jsonlex.ErrKey:
		return s.syntaxError("expected a string key, found %s", s.found())
	case jsonlex.ErrColon:
		return s.syntaxError("expected ':' after a key, found %s", s.found())
	case jsonlex.ErrControl:
		return s.syntaxError("control character %U in a string", s.B[s.Pos])
	case jsonlex.ErrUTF8:
		return s.syntaxError("invalid UTF-8 in a string")
	case jsonlex.ErrEscape:
		return s.syntaxError("invalid escape '\\%c' in a string", s.B[s.Pos+1])
	case jsonlex.ErrHex:
		if s.Pos >= len(s.B) {
			return s.syntaxError("unterminated \\u escape")
		}
		return s.syntaxError("invalid hexadecimal digit %s in a \\u escape", s.found())
	case jsonlex.ErrUnterminated:
		return s.syntaxError("unterminated string")
	case jsonlex.ErrDepth:
		return s.syntaxError("values nested more than %d deep", maxDepth)
	}
	return s.badValueError() // ErrValue, ErrLiteral, ErrNumber
}

// found describes what is at the current position, for syntax errors.
func (s *scanner) found() string {
	if s.Pos >= len(s.B) {
		return "end of input"
	}
	if r, _ := utf8.DecodeRune(s.B[s.Pos:]); r != utf8.RuneError {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("byte 0x%02x", s.B[s.Pos])
}

// kind names the JSON type of the value starting with c, failing when no value starts there.
func (s *scanner) kind(c byte) string {
	k := jsonlex.KindOf(c)
	if k == jsonlex.Invalid {
		panic(abort{s.badValueError()})
	}
	return kindNames[k]
}

var kindNames = [...]string{jsonlex.String: "a string", jsonlex.Number: "a number", jsonlex.Object: "an object",
	jsonlex.Array: "an array", jsonlex.Bool: "a boolean", jsonlex.Null: "null"}

func (s *scanner) badValueError() *Error {
	if s.Pos < len(s.B) && (s.B[s.Pos] == 'N' || s.B[s.Pos] == 'I') {
		return s.syntaxError("NaN and Infinity are not JSON numbers and are not accepted")
	}
	return s.syntaxError("expected a value, found %s", s.found())
}
