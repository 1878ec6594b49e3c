package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Render prints an environment's effective stack as YAML (after overlays, variables and
// defaults; secrets masked), for review in pull requests.
func Render(env *Env) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range kinds {
		entries := env.All(k.Name)
		if len(entries) == 0 {
			continue
		}
		list := make([]Resource, len(entries))
		for i, en := range entries {
			list[i] = en.Resource
		}
		var v yaml.Node
		if err := v.Encode(list); err != nil {
			return nil, fmt.Errorf("render %s: %w", k.Name, err)
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k.Name}, &v)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# environment: %s\n", env.Name)
	if len(doc.Content) == 0 {
		b.WriteString("{}\n")
		return b.Bytes(), nil
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return b.Bytes(), enc.Close()
}

// Canonical returns a resource as plain JSON values (secrets masked): the form compared
// by parity and served by the API.
func Canonical(r Resource) (map[string]any, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}

// diffFields lists the dotted paths where a and b differ; lists compare whole.
func diffFields(a, b any, path string, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, path)
		}
		return
	}
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		diffFields(am[k], bm[k], joinPath(path, k), out)
	}
}

// valueAt returns the value at a dotted path of canonical JSON.
func valueAt(m map[string]any, path string) any {
	var cur any = m
	for _, part := range splitPath(path) {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[part.key]
	}
	return cur
}

func displayJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return "(unset)"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSpace(b.String())
}
