package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"
)

// goFuncs are the functions a Go Template may call (documented on Compile).
var goFuncs = template.FuncMap{
	"json":    marshal,
	"upper":   func(v any) string { return strings.ToUpper(text(v)) },
	"lower":   func(v any) string { return strings.ToLower(text(v)) },
	"default": defaultValue,
	"join":    join,
	"time":    formatTime,
}

func marshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// text renders a decoded JSON value as plain text: strings as is, null as "", numbers and
// booleans as their JSON text, arrays and objects as JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case map[string]any, []any:
		s, _ := marshal(v)
		return s
	}
	return fmt.Sprint(v)
}

func defaultValue(def, v any) any {
	if v == nil {
		return def
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.String || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0 {
		return def
	}
	return v
}

func join(sep string, list any) string {
	switch l := list.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = text(e)
		}
		return strings.Join(parts, sep)
	case []string:
		return strings.Join(l, sep)
	}
	return text(list)
}

func formatTime(layout string, v any) (string, error) {
	s := text(v)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", fmt.Errorf("time: %q is not an RFC 3339 time", s)
	}
	return t.Format(layout), nil
}
