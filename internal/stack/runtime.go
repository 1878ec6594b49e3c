package stack

import (
	"fmt"
	"reflect"
	"strings"
)

// Runtime resources are created or changed through the API on a running server. They go
// through the same strict decoding and validation as stack files (without variables),
// and `tocsin parity --live` reports them as drift.

// RuntimeFile is the file name diagnostics use for API request bodies.
const RuntimeFile = "request body"

// DecodeRuntime decodes a resource of kind named name from a JSON (or YAML) body and
// validates it, including its references, against env.
func DecodeRuntime(env *Env, kind *Kind, name string, body []byte) (*Entry, Diagnostics) {
	en, diags := decodeRuntime(env, kind, name, body)
	if diags.HasErrors() {
		return nil, diags
	}
	s := &sink{diags: diags}
	checkRefs(env.WithRuntime([]*Entry{en}, nil), s)
	if s.diags.HasErrors() {
		return nil, s.diags.normalize(1)
	}
	return en, s.diags.normalize(1)
}

// ApplyRuntime layers runtime resources (bodies as stored) and deletions over env. Each
// body is validated on its own, then the references of the result as a whole, so runtime
// resources may name each other. A resource that is not valid (the stack changed under
// it) is left out, and its problem returned.
func ApplyRuntime(env *Env, bodies map[Key][]byte, deleted []Key) (*Env, Diagnostics) {
	var problems Diagnostics
	var put []*Entry
	for k, body := range bodies {
		kind := KindByName(k.Kind)
		if kind == nil {
			continue
		}
		en, diags := decodeRuntime(env, kind, k.Name, body)
		if diags.HasErrors() {
			problems = append(problems, diags.Errors()...)
			continue
		}
		put = append(put, en)
	}
	for {
		out := env.WithRuntime(put, deleted)
		errs := CheckReferences(out).Errors()
		if len(errs) == 0 {
			return out, problems
		}
		problems = append(problems, errs...)
		// Drop the runtime resources at fault and try again.
		keep := put[:0]
		for _, en := range put {
			if !blamed(errs, en) {
				keep = append(keep, en)
			}
		}
		if len(keep) == len(put) {
			return out, problems // the fault is in the stack itself; nothing to drop
		}
		put = keep
	}
}

func blamed(errs Diagnostics, en *Entry) bool {
	prefix := resourcePath(en.Kind, en.Name)
	for _, d := range errs {
		if d.Path == prefix || strings.HasPrefix(d.Path, prefix+".") {
			return true
		}
	}
	return false
}

// decodeRuntime decodes and validates a runtime body, references aside.
func decodeRuntime(env *Env, kind *Kind, name string, body []byte) (*Entry, Diagnostics) {
	s := &sink{}
	n, d := ParseYAML(RuntimeFile, body)
	if d != nil {
		return nil, Diagnostics{*d}
	}
	path := resourcePath(kind, name)
	if n.Kind != MappingNode {
		s.errorf(n.Pos, path, "expected a JSON object (a %s), got %s", kind.Singular, n.Kind)
		return nil, s.diags
	}
	if nameNode := n.Get("name"); nameNode == nil {
		n.Keys = append(n.Keys, &Node{Kind: ScalarNode, Value: "name", Pos: n.Pos})
		n.Values = append(n.Values, &Node{Kind: ScalarNode, Value: name, Pos: n.Pos})
	} else if nameNode.Value != name {
		s.errorf(nameNode.Pos, path+".name", "the body names %q but the URL names %q", nameNode.Value, name)
		return nil, s.diags
	}
	for _, f := range []string{"only", "except", "reason"} {
		if v := n.Get(f); v != nil {
			s.errorf(v.Pos, path+"."+f, "%s is not allowed at runtime: the resource applies to environment %s", f, env.Name)
		}
	}
	en := &Entry{Kind: kind, Name: name, Pos: n.Pos, node: n}
	r := kind.New()
	(&decoder{sink: s}).decode(n, reflect.ValueOf(r).Elem(), path)
	if def, ok := r.(defaulter); ok {
		def.setDefaults()
	}
	if err := validateName(name); err != nil {
		s.errorf(n.Pos, path+".name", "%v", err)
	}
	c := &Check{sink: s, node: n, path: path, env: env.Name}
	r.Validate(c)
	en.Resource, en.refs = r, c.refs
	if s.diags.HasErrors() {
		return nil, s.diags.normalize(1)
	}
	return en, s.diags
}

// CheckReferences reports the references in env that name no resource, and cycles. The
// API uses it before deleting a resource at runtime.
func CheckReferences(env *Env) Diagnostics {
	s := &sink{}
	checkRefs(env, s)
	return s.diags.normalize(1)
}

// Key identifies a resource within an environment.
type Key struct{ Kind, Name string }

func (k Key) String() string { return fmt.Sprintf("%s[%s]", k.Kind, k.Name) }

// WithRuntime returns a copy of e with put entries added or replacing the stack's, and
// the deleted resources removed.
func (e *Env) WithRuntime(put []*Entry, deleted []Key) *Env {
	out := &Env{Name: e.Name, Excluded: e.Excluded}
	gone := map[Key]bool{}
	for _, k := range deleted {
		gone[k] = true
	}
	replaced := map[Key]*Entry{}
	for _, en := range put {
		replaced[Key{en.Kind.Name, en.Name}] = en
	}
	for _, en := range e.Entries {
		k := Key{en.Kind.Name, en.Name}
		switch {
		case gone[k]:
		case replaced[k] != nil:
			out.Entries = append(out.Entries, replaced[k])
			delete(replaced, k)
		default:
			out.Entries = append(out.Entries, en)
		}
	}
	for _, en := range put {
		if replaced[Key{en.Kind.Name, en.Name}] != nil {
			out.Entries = append(out.Entries, en)
		}
	}
	return out
}
