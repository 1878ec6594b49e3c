package stack

import (
	"fmt"
	"os"
	"reflect"
	"strings"
)

// Files that are not stack files but share its strictness (`tocsin test` files) use the
// stack's decoder and validation through these two functions.

// DecodeFile parses the YAML file at path and decodes it strictly into v, a pointer to a
// struct whose fields carry `yaml` and `tocsin:"required"` tags as resources do: unknown
// keys, wrong types and missing required fields are all reported, each at its position.
// The parsed tree is returned (nil when the file cannot be read or parsed) so that the
// caller can place diagnostics of its own.
func DecodeFile(path string, v any) (*Node, Diagnostics) {
	s := &sink{}
	data, err := os.ReadFile(path)
	if err != nil {
		s.errorf(Pos{File: path, Line: 1, Col: 1}, "", "cannot read file: %v", errorText(err))
		return nil, s.diags
	}
	n, d := ParseYAML(path, data)
	if d != nil {
		return nil, Diagnostics{*d}
	}
	(&decoder{sink: s}).decode(n, reflect.ValueOf(v).Elem(), "")
	return n, s.diags.normalize(1)
}

// DecodeInline decodes resources written in stack syntax inside another file (the alarms:
// and composite_alarms: of a test file) as they apply to environment env. lists maps a
// kind's name to its list node; nil nodes are skipped. Each resource is interpolated
// (${environment} only: there are no variables and no secrets), decoded, defaulted and
// validated like a stack resource; only, except and reason are refused, and the "no
// actions" lint is not reported. References resolve against base (nil for none) and the
// inline resources together; names must differ from base's. The result is base with the
// inline resources added.
func DecodeInline(env string, base *Env, lists map[string]*Node) (*Env, Diagnostics) {
	if base == nil {
		base = &Env{Name: env}
	}
	s := &sink{}
	root := &Node{Kind: MappingNode}
	for _, k := range kinds {
		if n := lists[k.Name]; n != nil {
			root.Keys = append(root.Keys, &Node{Kind: ScalarNode, Value: k.Name, Pos: n.Pos})
			root.Values = append(root.Values, n)
		}
	}
	for name := range lists {
		if KindByName(name) == nil {
			panic(fmt.Sprintf("stack: DecodeInline: unknown kind %q", name))
		}
	}
	l := &loader{opts: &Options{SkipSecrets: true}, sink: s}
	var raws []*rawResource
	l.collectResources(root, &raws)
	res := &resolver{env: env, vars: map[string]*Node{}, opts: l.opts, sink: s, cache: map[string]expansion{}}
	seen := map[Key]*Entry{}
	for _, en := range base.Entries {
		seen[Key{en.Kind.Name, en.Name}] = en
	}
	var put []*Entry
	for _, r := range raws {
		path := resourcePath(r.kind, r.name)
		if prev := seen[Key{r.kind.Name, r.name}]; prev != nil {
			s.errorf(r.node.Get("name").Pos, path+".name", "duplicate %s name %q (first defined at %s)", r.kind.Singular, r.name, prev.Pos)
			continue
		}
		for _, f := range []string{"only", "except", "reason"} {
			if v := r.node.Get(f); v != nil {
				s.errorf(lookupPos(r.node, f), path+"."+f, "%s is not allowed here: the %s applies to environment %s", f, r.kind.Singular, env)
			}
		}
		en := &Entry{Kind: r.kind, Name: r.name, Pos: r.node.Pos}
		l.decodeEntry(en, r.node.Clone(), res, s)
		seen[Key{r.kind.Name, r.name}] = en
		put = append(put, en)
	}
	out := base.WithRuntime(put, nil)
	checkRefs(out, s)
	var diags Diagnostics
	for _, d := range s.diags {
		if d.Severity == Warning && (strings.HasSuffix(d.Path, "].actions") || strings.HasPrefix(d.Message, "no treat_missing_data chosen")) {
			continue // test alarms may leave out actions and the missing-data choice
		}
		diags = append(diags, d)
	}
	return out, diags.normalize(1)
}
