package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tocsin/tocsin/internal/jsonlex"
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

// maxBatchDepth bounds the nesting within a value that an entry holds (its detail, or a
// field skipped): the value itself is one level more.
const maxBatchDepth = 1000

// DecodeBatch decodes a batch in one pass over body, validating the JSON as it goes. A
// body that is not valid JSON or not of the batch's shape is an error (wrapping
// ErrBatch); an entry of the wrong shape only fails itself, in Batch.Errors. It accepts
// what encoding/json accepts for the same types (keys matched case-insensitively, null
// for any field, the last of duplicate keys), several times faster.
func DecodeBatch(body []byte) (b Batch, err error) {
	s := &batchScanner{jsonlex.Lexer{B: body, MaxDepth: maxBatchDepth + 1, ReplaceInvalidUTF8: true}}
	defer func() {
		if r := recover(); r != nil {
			var msg batchSyntax
			switch e := r.(type) {
			case batchSyntax:
				msg = e
			case jsonlex.Error:
				msg = s.lexError(e)
			default:
				panic(r)
			}
			b, err = Batch{}, fmt.Errorf("%w: %s", ErrBatch, string(msg))
		}
	}()
	switch s.Peek() {
	case 'n': // null: no entries, as encoding/json has it
		s.Literal("null")
		if s.Peek(); s.Pos != len(s.B) {
			s.fail("trailing data after the body")
		}
		return b, nil
	case '{':
	default:
		s.fail("the body must be a JSON object")
	}
	s.Pos++
	for n := 0; s.More('}', &n); {
		key := string(s.Key())
		switch {
		case strings.EqualFold(key, "environment"):
			b.Environment, _ = s.stringOrNull()
		case strings.EqualFold(key, "entries"):
			b.Entries, b.Errors = nil, nil
			c := s.Peek()
			if c == 'n' {
				s.Literal("null")
				continue
			}
			if c != '[' {
				s.fail("entries must be an array")
			}
			s.Pos++
			for m := 0; s.More(']', &m); {
				e, eerr := s.entry(len(b.Entries))
				b.Entries = append(b.Entries, e)
				b.Errors = append(b.Errors, eerr)
			}
		default:
			s.fail(fmt.Sprintf("unknown field %q", key))
		}
	}
	if s.Peek(); s.Pos != len(s.B) {
		s.fail("trailing data after the object")
	}
	return b, nil
}

// batchSyntax is a syntax error of the batch's own grammar, with its offset.
type batchSyntax string

// batchScanner is DecodeBatch's state: a lexer that takes what encoding/json takes
// (invalid UTF-8 reads as U+FFFD).
type batchScanner struct {
	jsonlex.Lexer
}

func (s *batchScanner) fail(msg string) {
	panic(batchSyntax(fmt.Sprintf("%s (at byte offset %d)", msg, s.Pos)))
}

// lexError words a syntax error found by the lexer, with the messages and offsets
// DecodeBatch has always reported.
func (s *batchScanner) lexError(e jsonlex.Error) batchSyntax {
	msg, at := lexMessages[e.Code], e.Offset
	switch e.Code {
	case jsonlex.ErrMore:
		msg = fmt.Sprintf("expected ',' or '%c'", e.Closing)
	case jsonlex.ErrEscape:
		at = e.Escape + 1 // the letter after the backslash
	case jsonlex.ErrHex:
		at = e.Escape + 2 // the first of the four digits
	case jsonlex.ErrDepth:
		// An array element too deep is reported at its first byte, past the whitespace
		// after its comma; an object member's value right after its colon.
		if e.Closing == ']' {
			s.Pos = at
			s.Peek()
			at = s.Pos
		}
	}
	return batchSyntax(fmt.Sprintf("%s (at byte offset %d)", msg, at))
}

var lexMessages = [...]string{
	jsonlex.ErrValue:        "expected a value",
	jsonlex.ErrLiteral:      "invalid literal",
	jsonlex.ErrNumber:       "invalid number",
	jsonlex.ErrFraction:     "invalid number",
	jsonlex.ErrExponent:     "invalid number",
	jsonlex.ErrKey:          "expected a string key",
	jsonlex.ErrColon:        "expected ':' after a key",
	jsonlex.ErrControl:      "control character in a string",
	jsonlex.ErrEscape:       "invalid escape in a string",
	jsonlex.ErrHex:          "invalid \\u escape",
	jsonlex.ErrUnterminated: "unterminated string",
	jsonlex.ErrDepth:        "nested too deeply",
}

// str reads and decodes a string. Like encoding/json, invalid UTF-8 becomes U+FFFD.
func (s *batchScanner) str() string { return string(s.Str()) }

// stringOrNull reads a string (ok) or null (not ok); any other value is skipped and
// reported by kind.
func (s *batchScanner) stringOrNull() (string, bool) {
	switch s.Peek() {
	case '"':
		return s.str(), true
	case 'n':
		s.Literal("null")
		return "", false
	}
	s.fail("expected a string")
	return "", false
}

// entry reads one entry object; a field of the wrong type or an unknown field makes an
// entry error (the value is skipped, the JSON still validated).
func (s *batchScanner) entry(index int) (e Entry, eerr *EntryError) {
	c := s.Peek()
	if c == 'n' {
		s.Literal("null")
		return e, invalid("", "an entry must be an object, got null")
	}
	if c != '{' {
		kind := s.kind()
		s.Skip()
		return e, invalid("", "an entry must be an object, got %s", kind)
	}
	s.Pos++
	for n := 0; s.More('}', &n); {
		key := string(s.Key())
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
			start := s.Pos
			s.Skip()
			e.Detail = json.RawMessage(s.B[start:s.Pos])
			continue
		case strings.EqualFold(key, "resources"):
			if err := s.strings(&e.Resources, key); err != nil && eerr == nil {
				eerr = err
			}
			continue
		default:
			s.Skip()
			if eerr == nil {
				eerr = invalid(key, "unknown field %q (fields: source, detail-type, detail, time, resources, account, region)", key)
			}
			continue
		}
		switch s.Peek() {
		case '"':
			*dst = s.str()
		case 'n':
			s.Literal("null")
		default:
			kind := s.kind()
			s.Skip()
			if eerr == nil {
				eerr = invalid(key, "%s must be a string, not %s", key, kind)
			}
		}
	}
	return e, eerr
}

// strings reads an array of strings (or null) into dst.
func (s *batchScanner) strings(dst *[]string, field string) *EntryError {
	switch s.Peek() {
	case 'n':
		s.Literal("null")
		*dst = nil
		return nil
	case '[':
	default:
		kind := s.kind()
		s.Skip()
		return invalid(field, "%s must be an array of strings, not %s", field, kind)
	}
	s.Pos++
	out := []string{}
	var eerr *EntryError
	for n := 0; s.More(']', &n); {
		switch s.Peek() {
		case '"':
			out = append(out, s.str())
		case 'n':
			s.Literal("null")
			out = append(out, "")
		default:
			kind := s.kind()
			s.Skip()
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
	k := jsonlex.KindOf(s.Peek())
	if k == jsonlex.Invalid {
		s.fail("expected a value")
	}
	return kindNames[k]
}

var kindNames = [...]string{jsonlex.String: "string", jsonlex.Number: "number", jsonlex.Object: "object",
	jsonlex.Array: "array", jsonlex.Bool: "bool", jsonlex.Null: "null"}
