package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"
)

// EventBridge limits (PutTargets).
const (
	maxInputLen     = 8192
	maxPathLen      = 256
	maxPathsEntries = 100
	maxKeyLen       = 256
	maxTemplateLen  = 8192
)

// Spec is one target's shaping. At most one of Input, InputPath, InputTemplate and Template
// is set; none means the whole event.
type Spec struct {
	// Input is constant JSON text sent instead of the event (valid JSON, ≤ 8192 bytes).
	Input string
	// InputPath is a JSONPath selecting part of the event (≤ 256 characters).
	InputPath string
	// InputPaths is the InputPathsMap: ≤ 100 entries; keys 1–256 characters of
	// [A-Za-z0-9_-], not starting with "AWS."; values are dot-notation JSONPaths.
	InputPaths map[string]string
	// InputTemplate (1–8192 characters) is rendered with the InputPaths values and the
	// predefined variables (spec B3).
	InputTemplate string
	// Template is a Go text/template over the decoded event (see Compile).
	Template string
}

// FieldError is a validation problem of one field of a Spec. Field is the snake_case field
// name, with the map key appended for InputPaths entries (input_paths.<key>).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Compile validates s and returns a reusable, concurrency-safe Transformer. Errors are
// *FieldError values, several joined with errors.Join.
//
// Template, when set, is executed with text/template (missingkey=zero) over the event
// decoded as map[string]any with json.Number numbers, with these functions: json (marshal
// a value), upper, lower, default (`default "x" .v` gives "x" when .v is missing, null,
// "" or an empty array/object), join (`join ", " .list`), and time (`time "15:04" .time`
// reformats an RFC 3339 string with a Go layout). A missing member prints as nothing;
// stepping through one (`.detail.x` without detail) is an execution error, so guard with
// `with`. Output is limited to 256 KiB.
func Compile(s Spec) (*Transformer, error) {
	var errs []*FieldError
	add := func(e *FieldError) { errs = append(errs, e) }

	set := []string{}
	for _, f := range []struct{ name, v string }{
		{"input", s.Input}, {"input_path", s.InputPath}, {"input_template", s.InputTemplate}, {"template", s.Template},
	} {
		if f.v != "" {
			set = append(set, f.name)
		}
	}
	if len(set) > 1 {
		add(fieldErr(set[1], "only one of input, input_path, input_template and template may be set (also set: %s)", set[0]))
	}
	if len(s.InputPaths) > 0 && s.InputTemplate == "" {
		add(fieldErr("input_paths", "requires input_template"))
	}

	t := &Transformer{mode: modeEvent}
	switch {
	case s.Input != "":
		t.mode, t.input = modeInput, []byte(s.Input)
		if len(s.Input) > maxInputLen {
			add(fieldErr("input", "longer than %d bytes", maxInputLen))
		} else if !json.Valid(t.input) {
			add(fieldErr("input", "not valid JSON"))
		}
	case s.InputPath != "":
		t.mode = modePath
		if utf8.RuneCountInString(s.InputPath) > maxPathLen {
			add(fieldErr("input_path", "longer than %d characters", maxPathLen))
		} else if p, err := ParsePath(s.InputPath); err != nil {
			add(fieldErr("input_path", "%v", err))
		} else {
			t.path = p
		}
	case s.InputTemplate != "":
		t.mode = modeInputTemplate
		paths, perrs := compilePaths(s.InputPaths)
		errs = append(errs, perrs...)
		if tmpl, err := compileInputTemplate(s.InputTemplate, paths); err != nil {
			add(err)
		} else {
			t.tmpl = tmpl
		}
	case s.Template != "":
		t.mode = modeGoTemplate
		gt, err := template.New("template").Option("missingkey=zero").Funcs(goFuncs).Parse(s.Template)
		if err != nil {
			add(fieldErr("template", "%v", err))
		}
		t.gotmpl = gt
	}
	switch len(errs) {
	case 0:
		return t, nil
	case 1:
		return nil, errs[0]
	}
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return nil, errors.Join(joined...)
}

// compilePaths validates the InputPathsMap, reporting entries in key order.
func compilePaths(m map[string]string) (map[string]Path, []*FieldError) {
	var errs []*FieldError
	if len(m) > maxPathsEntries {
		errs = append(errs, fieldErr("input_paths", "%d entries, at most %d allowed", len(m), maxPathsEntries))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Every key is declared, even an invalid one, so that the template is not also
	// reported as using an undeclared placeholder.
	paths := make(map[string]Path, len(m))
	for _, k := range keys {
		field := "input_paths." + k
		paths[k] = Path{}
		switch {
		case k == "":
			errs = append(errs, fieldErr("input_paths", "empty key"))
			continue
		case strings.HasPrefix(k, "AWS."):
			errs = append(errs, fieldErr(field, "key must not start with \"AWS.\""))
			continue
		case len(k) > maxKeyLen:
			errs = append(errs, fieldErr(field, "key longer than %d characters", maxKeyLen))
			continue
		case !validKey(k):
			errs = append(errs, fieldErr(field, "key may contain only A-Z, a-z, 0-9, _ and -"))
			continue
		}
		v := m[k]
		if utf8.RuneCountInString(v) > maxPathLen {
			errs = append(errs, fieldErr(field, "path longer than %d characters", maxPathLen))
			continue
		}
		p, err := parsePath(v, false)
		if err != nil {
			errs = append(errs, fieldErr(field, "%v", err))
			continue
		}
		paths[k] = p
	}
	return paths, errs
}

func validKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if !isKeyByte(k[i]) {
			return false
		}
	}
	return true
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
