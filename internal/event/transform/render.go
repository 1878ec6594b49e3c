package transform

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"
)

// value is one variable's value for one event: raw JSON, absent when !ok.
type value struct {
	raw []byte
	ok  bool
}

// render produces the message for one event (already checked to be valid JSON).
func (t *inputTemplate) render(event []byte, ctx Context) []byte {
	vals := make([]value, len(t.vars))
	size := len(t.tail)
	for i, v := range t.vars {
		vals[i] = resolve(v, event, ctx)
		size += len(vals[i].raw)
	}
	out := make([]byte, 0, size+len(t.parts)*16)
	for _, p := range t.parts {
		out = append(out, p.lit...)
		out = appendValue(out, vals[p.v], p.pos)
	}
	out = append(out, t.tail...)
	if t.form == formText {
		return out
	}
	var buf bytes.Buffer
	buf.Grow(len(out))
	if err := json.Compact(&buf, out); err != nil {
		// Unreachable for a valid event: the structure was validated at compile time and
		// every inserted value is a complete JSON value or escaped string content.
		return out
	}
	return buf.Bytes()
}

func resolve(v variable, event []byte, ctx Context) value {
	switch v.pre {
	case preRuleARN:
		return value{appendQuoted(nil, ctx.RuleARN), true}
	case preRuleName:
		return value{appendQuoted(nil, ctx.RuleName), true}
	case preIngestionTime:
		return value{appendQuoted(nil, ctx.IngestionTime.UTC().Format(time.RFC3339)), true}
	case preEventJSON:
		return value{bytes.TrimSpace(event), true}
	case preEventNoDetail:
		e := bytes.TrimSpace(event)
		if len(e) > 0 && e[0] == '{' {
			e = withoutMember(e, 0, len(e), "detail")
		}
		return value{e, true}
	}
	raw, ok := v.path.Get(event)
	return value{raw, ok}
}

// appendValue writes v as the position demands (spec B3 rules 3–5).
func appendValue(out []byte, v value, pos position) []byte {
	switch {
	case pos == posValue && !v.ok:
		return append(out, "null"...)
	case !v.ok:
		return out
	case pos == posValue:
		return append(out, v.raw...)
	case pos == posText:
		return append(out, Raw(v.raw)...)
	}
	return appendStringContent(out, v.raw)
}

// appendStringContent writes the raw text of a JSON value as the content of a JSON string.
// A string's content is copied with its original escapes, so it decodes to the raw text;
// other values are compacted and their quotes and backslashes escaped. (EventBridge inserts
// such text unescaped and can produce invalid JSON; tocsin keeps the message valid.)
func appendStringContent(out, raw []byte) []byte {
	if len(raw) >= 2 && raw[0] == '"' {
		return append(out, raw[1:len(raw)-1]...)
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			raw = buf.Bytes()
		}
	}
	for _, c := range raw {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < ' ':
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			out = append(out, c)
		}
	}
	return out
}

const hex = "0123456789abcdef"

// appendQuoted appends s as a JSON string. Invalid UTF-8 becomes U+FFFD; <, > and & are
// not escaped.
func appendQuoted(out []byte, s string) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				out = append(out, '\\', c)
			case c == '\n':
				out = append(out, '\\', 'n')
			case c == '\t':
				out = append(out, '\\', 't')
			case c == '\r':
				out = append(out, '\\', 'r')
			case c < ' ':
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out = append(out, `\ufffd`...)
		} else {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return append(out, '"')
}
