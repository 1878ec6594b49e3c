package stack

import (
	"encoding/json"
	"reflect"
	"strings"
)

// The JSON Schema is generated from the same struct types the loader decodes into, so it
// cannot fall out of step with them. Editors (e.g. yaml-language-server) use it to
// complete and check stack files.

// schemaEnums lists the allowed values of enumerated fields, from the lists the
// validators use.
var schemaEnums = map[string][]string{
	"Alarm.comparison":                           Comparisons,
	"Alarm.treat_missing_data":                   MissingDataModes,
	"Alarm.evaluate_low_sample_count_percentile": lowSampleCountOps,
	"EventRule.state":                            {"enabled", "disabled"},
	"Settings.log_format":                        {"text", "json"},
	"Settings.log_level":                         {"debug", "info", "warn", "error"},
}

// interpolated matches a value that is (or contains) a ${…} reference, allowed wherever a
// number, boolean or duration is expected.
var interpolated = map[string]any{"type": "string", "pattern": `\$\{`}

const durationPattern = `^([0-9]+d)?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))*$`

// Schema returns the JSON Schema (draft 2020-12) of stack files. With overlay set it
// describes environments/<env>.yaml, where resources name fields to override and so
// require nothing but their name.
func Schema(overlay bool) ([]byte, error) {
	g := &schemaGen{overlay: overlay, defs: map[string]any{}}
	props := map[string]any{}
	for _, k := range kinds {
		props[k.Name] = map[string]any{
			"description": k.Doc,
			"type":        "array",
			"items":       g.typ(reflect.TypeOf(k.New()).Elem(), ""),
		}
	}
	title := "tocsin stack file (tocsin.yaml and resource files)"
	if overlay {
		title = "tocsin environment overlay (environments/<env>.yaml)"
		props["variables"] = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "number", "boolean"}}}
	} else {
		pt := reflect.TypeOf(Project{})
		for _, f := range fieldsOf(pt) {
			props[f.name] = g.fieldSchema(pt, f)
		}
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://tocsin.dev/schema/" + map[bool]string{false: "stack", true: "overlay"}[overlay] + ".json",
		"title":                title,
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
		"$defs":                g.defs,
	}
	return json.MarshalIndent(doc, "", "  ")
}

type schemaGen struct {
	overlay bool
	defs    map[string]any
}

func (g *schemaGen) typ(t reflect.Type, owner string) any {
	switch t {
	case secretType:
		return map[string]any{"type": "string", "description": "A secret: use ${env:NAME} or ${file:PATH}."}
	case rawType:
		return map[string]any{}
	case reflect.TypeOf(Duration(0)):
		return map[string]any{"anyOf": []any{map[string]any{"type": "string", "pattern": durationPattern}, interpolated}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.typ(t.Elem(), owner)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"anyOf": []any{map[string]any{"type": "boolean"}, interpolated}}
	case reflect.Int, reflect.Int64:
		return map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, interpolated}}
	case reflect.Float64:
		return map[string]any{"anyOf": []any{map[string]any{"type": "number"}, interpolated}}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typ(t.Elem(), owner)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typ(t.Elem(), owner)}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = nil // breaks recursion
			props := map[string]any{}
			var required []string
			for _, f := range fieldsOf(t) {
				props[f.name] = g.fieldSchema(t, f)
				if f.required && (!g.overlay || f.name == "name") {
					required = append(required, f.name)
				}
			}
			def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
			if len(required) > 0 {
				def["required"] = required
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) fieldSchema(owner reflect.Type, f field) any {
	ft := owner.FieldByIndex(f.index).Type
	s := g.typ(ft, owner.Name())
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	if enum, ok := schemaEnums[owner.Name()+"."+f.name]; ok {
		out = map[string]any{"anyOf": []any{map[string]any{"enum": enum}, interpolated}}
	}
	if f.doc != "" {
		if _, isRef := out["$ref"]; isRef {
			out = map[string]any{"allOf": []any{out}}
		}
		out["description"] = strings.TrimSpace(f.doc)
	}
	return out
}
