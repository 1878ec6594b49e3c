package server

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tocsin/tocsin/internal/stack"
)

// openAPIFile is the API's OpenAPI document, kept honest by TestOpenAPIMatchesRoutes.
const openAPIFile = "../../docs/api/openapi.yaml"

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

type openAPIOperation struct {
	// Security is nil when the operation inherits the document's; an empty list makes
	// the operation public.
	Security  *[]map[string][]string `yaml:"security"`
	Responses map[string]yaml.Node   `yaml:"responses"`
}

type openAPIDoc struct {
	Security   []map[string][]string           `yaml:"security"`
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Parameters map[string]struct {
			Schema struct {
				Enum []string `yaml:"enum"`
			} `yaml:"schema"`
		} `yaml:"parameters"`
	} `yaml:"components"`
}

// routeKey turns a Go 1.22 mux pattern ("GET /api/v1/environments/{env}/resources") into
// the "METHOD /path" form of an OpenAPI operation: {name...} becomes {name} and a
// trailing {$} is dropped.
func routeKey(pattern string) (string, error) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("route %q: want \"METHOD /path\" (no host, a method)", pattern)
	}
	path = strings.TrimSuffix(path, "{$}")
	path = strings.ReplaceAll(path, "...}", "}")
	return method + " " + path, nil
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	data, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("reading the OpenAPI document: %v", err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	return doc
}

// TestOpenAPIMatchesRoutes fails when docs/api/openapi.yaml and the route table disagree:
// an endpoint missing from either, a protected endpoint without a 401 response, or a
// public endpoint that asks for a token (and the reverse).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)

	routes := map[string]route{}
	for _, rt := range (&Server{}).routeTable() {
		key, err := routeKey(rt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		routes[key] = rt
	}

	documented := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, node := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue // parameters, summary, description…
			}
			var op openAPIOperation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			documented[strings.ToUpper(key)+" "+path] = op
		}
	}

	for _, key := range sortedKeys(routes) {
		if _, ok := documented[key]; !ok {
			t.Errorf("%s is in the route table but not in %s", key, openAPIFile)
		}
	}
	for _, key := range sortedKeys(documented) {
		rt, ok := routes[key]
		if !ok {
			t.Errorf("%s is in %s but not in the route table", key, openAPIFile)
			continue
		}
		op := documented[key]
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		documentedPublic := len(security) == 0
		switch isPublic := rt.access == public; {
		case isPublic && !documentedPublic:
			t.Errorf("%s is public but %s asks for a token (give it security: [])", key, openAPIFile)
		case !isPublic && documentedPublic:
			t.Errorf("%s needs a token but %s documents it as public", key, openAPIFile)
		}
		if _, has401 := op.Responses["401"]; rt.access != public && !has401 {
			t.Errorf("%s needs a token but %s documents no 401 response", key, openAPIFile)
		}
	}
}

// TestOpenAPIKinds: the {kind} parameter lists exactly the registered resource kinds.
func TestOpenAPIKinds(t *testing.T) {
	doc := loadOpenAPI(t)
	var want []string
	for _, k := range stack.Kinds() {
		want = append(want, k.Name)
	}
	got := doc.Components.Parameters["kind"].Schema.Enum
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("resource kind %q is missing from components.parameters.kind in %s", k, openAPIFile)
		}
	}
	for _, k := range got {
		if !slices.Contains(want, k) {
			t.Errorf("components.parameters.kind in %s lists %q, which is not a resource kind", openAPIFile, k)
		}
	}
}

func TestRouteKey(t *testing.T) {
	for pattern, want := range map[string]string{
		"GET /health": "GET /health",
		"GET /api/v1/environments/{env}/resources": "GET /api/v1/environments/{env}/resources",
		"GET /files/{path...}":                     "GET /files/{path}",
		"GET /api/v1/{$}":                          "GET /api/v1/",
	} {
		if got, err := routeKey(pattern); err != nil || got != want {
			t.Errorf("routeKey(%q) = %q, %v; want %q", pattern, got, err, want)
		}
	}
	for _, bad := range []string{"/health", "GET example.com/health"} {
		if _, err := routeKey(bad); err == nil {
			t.Errorf("routeKey(%q) accepted a pattern the test cannot compare", bad)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
