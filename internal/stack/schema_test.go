package stack

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T, overlay bool) *jsonschema.Schema {
	t.Helper()
	b, err := Schema(overlay)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

func yamlValue(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, d := ParseYAML(path, data)
	if d != nil {
		t.Fatal(d)
	}
	return plain(n)
}

// TestSchemaAcceptsExamples: every file of every example validates against the schema.
func TestSchemaAcceptsExamples(t *testing.T) {
	stackSchema, overlaySchema := compileSchema(t, false), compileSchema(t, true)
	files, _ := filepath.Glob("../../examples/*/*.yaml")
	more, _ := filepath.Glob("../../examples/*/*/*.yaml")
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("too few example files: %v", files)
	}
	for _, f := range files {
		if strings.HasSuffix(f, TestFileSuffix) {
			continue // alarm unit tests, not stack files
		}
		s := stackSchema
		if filepath.Base(filepath.Dir(f)) == OverlayDir {
			s = overlaySchema
		}
		if err := s.Validate(yamlValue(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestSchemaRejectsMistakes(t *testing.T) {
	s := compileSchema(t, false)
	for name, doc := range map[string]string{
		"unknown field":   "alarms: [{name: a, metric: {namespace: n, name: m}, statistc: Sum}]",
		"bad comparison":  "alarms: [{name: a, comparison: Bigger}]",
		"missing name":    "topics: [{description: x}]",
		"unknown kind":    "alarm: []",
		"bad duration":    "alarms: [{name: a, period: five minutes}]",
		"wrong type list": "environments: staging",
	} {
		dir := t.TempDir()
		p := filepath.Join(dir, "f.yaml")
		os.WriteFile(p, []byte(doc), 0o644)
		if err := s.Validate(yamlValue(t, p)); err == nil {
			t.Errorf("%s: schema accepted %s", name, doc)
		} else if name == "unknown field" && !strings.Contains(err.Error(), "statistc") {
			t.Errorf("%s: error does not name the field: %v", name, err)
		}
	}
}
