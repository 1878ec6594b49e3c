package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Batch is a decoded ingest request: {"environment": …, "entries": [ … ]}.
type Batch struct {
	Environment string
	Entries     []Entry
	// Errors has one slot per entry: nil, or why the entry could not be decoded (a wrong
	// type, an unknown field). Such an entry fails alone.
	Errors []*EntryError
}

// ErrBatch is wrapped by DecodeBatch's errors: the body as a whole is not a batch.
var ErrBatch = errors.New("invalid batch")

// maxBatchDepth bounds the nesting of the JSON a batch may hold.
const maxBatchDepth = 1000

// DecodeBatch decodes a batch in one pass over body, validating the JSON as it goes. A
// body that is not valid JSON or not of the batch's shape is an error (wrapping
// ErrBatch); an entry of the wrong shape only fails itself, in Batch.Errors. It accepts
// what encoding/json accepts for the same types (keys matched case-insensitively, null
// for any field, the last of duplicate keys), several times faster.
func DecodeBatch(body []byte) (b Batch, err error) {
	s := &batchScanner{b: body}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(batchSyntax)
			if !ok {
				panic(r)
			}
			b, err = Batch{}, fmt.Errorf("%w: %s", ErrBatch, string(se))
		}
	}()
	switch s.ws() {
	case 'n': // null: no entries, as encoding/json has it
		s.literal("null")
		if s.ws(); s.pos != len(s.b) {
			s.fail("trailing data after the body")
		}
		return b, nil
	case '{':
	default:
		s.fail("the body must be a JSON object")
	}
	s.pos++
	for n := 0; s.more('}', &n); {
		key := s.key()
		switch {
		case strings.EqualFold(key, "environment"):
			b.Environment, _ = s.stringOrNull()
		case strings.EqualFold(key, "entries"):
			b.Entries, b.Errors = nil, nil
			c := s.ws()
			if c == 'n' {
				s.literal("null")
				continue
			}
			if c != '[' {
				s.fail("entries must be an array")
			}
			s.pos++
			for m := 0; s.more(']', &m); {
				e, eerr := s.entry(len(b.Entries))
				b.Entries = append(b.Entries, e)
				b.Errors = append(b.Errors, eerr)
			}
		default:
			s.fail(fmt.Sprintf("unknown field %q", key))
		}
	}
	if s.ws(); s.pos != len(s.b) {
		s.fail("trailing data after the object")
	}
	return b, nil
}

type batchSyntax string

type batchScanner struct {
	b   []byte
	pos int
}

func (s *batchScanner) fail(msg string) {
	panic(batchSyntax(fmt.Sprintf("%s (at byte offset %d)", msg, s.pos)))
}

// ws skips whitespace and returns the next byte, or 0 at the end (a NUL byte also reads
// as 0: it is never valid where a value or delimiter is expected).
func (s *batchScanner) ws() byte {
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

// more reports whether another member follows (consuming the comma), or consumes the
// closing bracket.
func (s *batchScanner) more(closing byte, n *int) bool {
	c := s.ws()
	if c == closing {
		s.pos++
		return false
	}
	if *n > 0 {
		if c != ',' {
			s.fail(fmt.Sprintf("expected ',' or '%c'", closing))
		}
		s.pos++
		s.ws()
	}
	*n++
	return true
}

func (s *batchScanner) key() string {
	if s.ws() != '"' {
		s.fail("expected a string key")
	}
	k := s.str()
	if s.ws() != ':' {
		s.fail("expected ':' after a key")
	}
	s.pos++
	return k
}

func (s *batchScanner) literal(lit string) {
	if !strings.HasPrefix(string(s.b[s.pos:min(len(s.b), s.pos+len(lit))]), lit) {
		s.fail("invalid literal")
	}
	s.pos += len(lit)
}

// stringOrNull reads a string (ok) or null (not ok); any other value is skipped and
// reported by kind.
func (s *batchScanner) stringOrNull() (string, bool) {
	switch s.ws() {
	case '"':
		return s.str(), true
	case 'n':
		s.literal("null")
		return "", false
	}
	s.fail("expected a string")
	return "", false
}

// entry reads one entry object; a field of the wrong type or an unknown field makes an
// entry error (the value is skipped, the JSON still validated).
func (s *batchScanner) entry(index int) (e Entry, eerr *EntryError) {
	c := s.ws()
	if c == 'n' {
		s.literal("null")
		return e, invalid("", "an entry must be an object, got null")
	}
	if c != '{' {
		kind := s.kind()
		s.skip(0)
		return e, invalid("", "an entry must be an object, got %s", kind)
	}
	s.pos++
	for n := 0; s.more('}', &n); {
		key := s.key()
		var dst *string
		switch {
		case strings.EqualFold(key, "source"):
			dst = &e.Source
		case strings.EqualFold(key, "detail-type"):
			dst = &e.DetailType
		case strings.EqualFold(key, "time"):
			dst = &e.Time
		case strings.EqualFold(key, "account"):
			dst = &e.Account
		case strings.EqualFold(key, "region"):
			dst = &e.Region
		case strings.EqualFold(key, "version"):
			dst = &e.Version
		case strings.EqualFold(key, "id"):
			dst = &e.ID
		case strings.EqualFold(key, "detail"):
			start := s.pos
			s.skip(0)
			e.Detail = json.RawMessage(s.b[start:s.pos])
			continue
		case strings.EqualFold(key, "resources"):
			if err := s.strings(&e.Resources, key); err != nil && eerr == nil {
				eerr = err
			}
			continue
		default:
			s.skip(0)
			if eerr == nil {
				eerr = invalid(key, "unknown field %q (fields: source, detail-type, detail, time, resources, account, region)", key)
			}
			continue
		}
		switch s.ws() {
		case '"':
			*dst = s.str()
		case 'n':
			s.literal("null")
		default:
			kind := s.kind()
			s.skip(0)
			if eerr == nil {
				eerr = invalid(key, "%s must be a string, not %s", key, kind)
			}
		}
	}
	return e, eerr
}

// strings reads an array of strings (or null) into dst.
func (s *batchScanner) strings(dst *[]string, field string) *EntryError {
	switch s.ws() {
	case 'n':
		s.literal("null")
		*dst = nil
		return nil
	case '[':
	default:
		kind := s.kind()
		s.skip(0)
		return invalid(field, "%s must be an array of strings, not %s", field, kind)
	}
	s.pos++
	out := []string{}
	var eerr *EntryError
	for n := 0; s.more(']', &n); {
		switch s.ws() {
		case '"':
			out = append(out, s.str())
		case 'n':
			s.literal("null")
			out = append(out, "")
		default:
			kind := s.kind()
			s.skip(0)
			if eerr == nil {
				eerr = invalid(field, "%s must be an array of strings, not of %s", field, kind)
			}
		}
	}
	*dst = out
	return eerr
}

// kind names the value at the current position.
func (s *batchScanner) kind() string {
	switch c := s.ws(); {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	case c == '"':
		return "string"
	case c == 'n':
		return "null"
	}
	s.fail("expected a value")
	return ""
}

// skip validates and passes over one value.
func (s *batchScanner) skip(depth int) {
	if depth > maxBatchDepth {
		s.fail("nested too deeply")
	}
	switch c := s.ws(); {
	case c == '"':
		s.skipString()
	case c == '{':
		s.pos++
		for n := 0; s.more('}', &n); {
			if s.ws() != '"' {
				s.fail("expected a string key")
			}
			s.skipString()
			if s.ws() != ':' {
				s.fail("expected ':' after a key")
			}
			s.pos++
			s.skip(depth + 1)
		}
	case c == '[':
		s.pos++
		for n := 0; s.more(']', &n); {
			s.skip(depth + 1)
		}
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		s.number()
	default:
		s.fail("expected a value")
	}
}

func (s *batchScanner) digits() int {
	start := s.pos
	for s.pos < len(s.b) && s.b[s.pos] >= '0' && s.b[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// number validates a JSON number (RFC 8259 grammar).
func (s *batchScanner) number() {
	if s.b[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.b) && s.b[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		s.fail("invalid number")
	}
	if s.pos < len(s.b) && s.b[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			s.fail("invalid number")
		}
	}
	if s.pos < len(s.b) && (s.b[s.pos] == 'e' || s.b[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.b) && (s.b[s.pos] == '+' || s.b[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			s.fail("invalid number")
		}
	}
}

// skipString validates and passes over a string, without decoding it.
func (s *batchScanner) skipString() {
	s.pos++
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return
		case c == '\\':
			s.escape(nil)
		case c < 0x20:
			s.fail("control character in a string")
		default:
			s.pos++
		}
	}
	s.fail("unterminated string")
}

// str reads and decodes a string. Like encoding/json, invalid UTF-8 becomes U+FFFD.
func (s *batchScanner) str() string {
	s.pos++
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		if c == '"' {
			out := string(s.b[start:s.pos])
			s.pos++
			return out
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		s.pos++
	}
	buf := append([]byte(nil), s.b[start:s.pos]...)
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return string(buf)
		case c == '\\':
			buf = s.escape(buf)
		case c < 0x20:
			s.fail("control character in a string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.b[s.pos:])
			buf = utf8.AppendRune(buf, r) // RuneError for invalid UTF-8
			s.pos += size
		}
	}
	s.fail("unterminated string")
	return ""
}

// escape reads one escape sequence at the backslash, appending what it stands for.
func (s *batchScanner) escape(buf []byte) []byte {
	if s.pos+1 >= len(s.b) {
		s.fail("unterminated string")
	}
	c := s.b[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(buf, c)
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
			if s.pos+1 < len(s.b) && s.b[s.pos] == '\\' && s.b[s.pos+1] == 'u' {
				save := s.pos
				s.pos += 2
				if r2 := utf16.DecodeRune(r, s.hex4()); r2 != utf8.RuneError {
					return utf8.AppendRune(buf, r2)
				}
				s.pos = save
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r)
	}
	s.pos--
	s.fail("invalid escape in a string")
	return nil
}

func (s *batchScanner) hex4() rune {
	if s.pos+4 > len(s.b) {
		s.fail("invalid \\u escape")
	}
	v, err := strconv.ParseUint(string(s.b[s.pos:s.pos+4]), 16, 32)
	if err != nil {
		s.fail("invalid \\u escape")
	}
	s.pos += 4
	return rune(v)
}
