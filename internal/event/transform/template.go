package transform

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// form is the shape of an InputTemplate, decided by its first non-space character.
type form int

const (
	formJSON   form = iota // a JSON object or array
	formString             // a JSON string literal
	formText               // anything else: plain text, sent as is
)

// position is where a placeholder stands, which decides how its value is written.
type position int

const (
	posValue  position = iota // unquoted JSON value: the value's JSON encoding
	posQuoted                 // inside a JSON string: the value's raw text
	posText                   // in a plain-text template: the value's raw text
)

// Predefined variables (spec B3, rule 1) and their tocsin aliases.
type predefined int

const (
	preNone predefined = iota
	preRuleARN
	preRuleName
	preIngestionTime
	preEventNoDetail
	preEventJSON
)

var predefinedVars = map[string]predefined{
	"aws.events.rule-arn":             preRuleARN,
	"aws.events.rule-name":            preRuleName,
	"aws.events.event.ingestion-time": preIngestionTime,
	"aws.events.event":                preEventNoDetail,
	"aws.events.event.json":           preEventJSON,
	"tocsin.rule-name":                preRuleName,
	"tocsin.ingestion-time":           preIngestionTime,
	"tocsin.event":                    preEventNoDetail,
	"tocsin.event.json":               preEventJSON,
}

// inputTemplate is a compiled InputTemplate: literal text interleaved with variables.
type inputTemplate struct {
	form  form
	parts []part
	tail  string
	vars  []variable
}

type part struct {
	lit string // literal text before the variable
	v   int    // index into vars
	pos position
}

type variable struct {
	name string
	path Path
	pre  predefined
}

// compileInputTemplate finds the placeholders of src and their positions, and checks that
// a JSON-shaped template stays valid JSON whatever the values.
func compileInputTemplate(src string, paths map[string]Path) (*inputTemplate, *FieldError) {
	if n := utf8.RuneCountInString(src); n > maxTemplateLen {
		return nil, fieldErr("input_template", "longer than %d characters", maxTemplateLen)
	}
	t := &inputTemplate{form: formText}
	if trimmed := strings.TrimLeft(src, " \t\r\n"); trimmed != "" {
		switch trimmed[0] {
		case '{', '[':
			t.form = formJSON
		case '"':
			t.form = formString
		}
	}
	var sc jsonScanner
	index := map[string]int{}
	litStart := 0
	for i := 0; i < len(src); {
		if src[i] == '<' {
			if name, n := placeholderAt(src, i); n > 0 {
				pos, err := t.position(&sc, name)
				if err != nil {
					return nil, err
				}
				v, ok := index[name]
				if !ok {
					vr, err := declared(name, paths)
					if err != nil {
						return nil, err
					}
					v = len(t.vars)
					index[name] = v
					t.vars = append(t.vars, vr)
				}
				if pre := t.vars[v].pre; (pre == preEventNoDetail || pre == preEventJSON) && pos == posQuoted {
					return nil, fieldErr("input_template", "<%s> may only be used as an unquoted JSON value", name)
				}
				t.parts = append(t.parts, part{lit: src[litStart:i], v: v, pos: pos})
				i += n
				litStart = i
				continue
			}
		}
		if t.form != formText {
			i = sc.step(src, i)
		} else {
			i++
		}
	}
	t.tail = src[litStart:]
	if t.form != formText && !json.Valid(t.dummy()) {
		var v any
		err := json.Unmarshal(t.dummy(), &v)
		return nil, fieldErr("input_template", "not valid JSON (placeholders substituted): %v", err)
	}
	return t, nil
}

// position classifies a placeholder found at the scanner's current state.
func (t *inputTemplate) position(sc *jsonScanner, name string) (position, *FieldError) {
	switch {
	case t.form == formText:
		return posText, nil
	case sc.inKey():
		return 0, fieldErr("input_template", "placeholder <%s> cannot be an object key", name)
	case sc.inString:
		return posQuoted, nil
	}
	return posValue, nil
}

func declared(name string, paths map[string]Path) (variable, *FieldError) {
	if pre, ok := predefinedVars[name]; ok {
		return variable{name: name, pre: pre}, nil
	}
	if p, ok := paths[name]; ok {
		return variable{name: name, path: p}, nil
	}
	return variable{}, fieldErr("input_template", "placeholder <%s> is not declared in input_paths", name)
}

// placeholderAt returns the name and length of a `<name>` placeholder at s[i], if any.
// Names are InputPathsMap keys or dotted predefined names.
func placeholderAt(s string, i int) (string, int) {
	j := i + 1
	for j < len(s) && (isKeyByte(s[j]) || s[j] == '.') {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != '>' {
		return "", 0
	}
	return s[i+1 : j], j + 1 - i
}

// dummy renders the template with stand-in values: null for unquoted placeholders, text
// for quoted ones. Any real value has the same effect on the JSON structure.
func (t *inputTemplate) dummy() []byte {
	var b []byte
	for _, p := range t.parts {
		b = append(b, p.lit...)
		if p.pos == posValue {
			b = append(b, "null"...)
		} else {
			b = append(b, 'x')
		}
	}
	return append(b, t.tail...)
}

// jsonScanner tracks just enough JSON structure to classify placeholder positions: whether
// the scan is inside a string and whether that string, or the next token, is an object key.
// Full validity is checked separately.
type jsonScanner struct {
	stack     []byte // open '{' and '['
	expectKey bool   // in an object, before a member's ':'
	inString  bool
	keyString bool // the current string is an object key
}

func (sc *jsonScanner) inKey() bool {
	if sc.inString {
		return sc.keyString
	}
	return sc.expectKey && len(sc.stack) > 0 && sc.stack[len(sc.stack)-1] == '{'
}

// step consumes one character (two for an escape in a string) and returns the next index.
func (sc *jsonScanner) step(s string, i int) int {
	c := s[i]
	if sc.inString {
		switch c {
		case '\\':
			return i + 2
		case '"':
			sc.inString = false
		}
		return i + 1
	}
	switch c {
	case '"':
		sc.inString, sc.keyString = true, sc.inKey()
	case '{':
		sc.stack, sc.expectKey = append(sc.stack, c), true
	case '[':
		sc.stack, sc.expectKey = append(sc.stack, c), false
	case '}', ']':
		if len(sc.stack) > 0 {
			sc.stack = sc.stack[:len(sc.stack)-1]
		}
		sc.expectKey = false
	case ':':
		sc.expectKey = false
	case ',':
		sc.expectKey = len(sc.stack) > 0 && sc.stack[len(sc.stack)-1] == '{'
	}
	return i + 1
}
