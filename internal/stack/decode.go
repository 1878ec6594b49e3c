package stack

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The decoder fills typed resource structs from Node trees strictly: unknown keys, wrong
// types and missing required fields are all reported (never only the first), each with
// the position of the text at fault and the path of the field.
//
// Struct fields are named by their `yaml` tag; `tocsin:"required"` marks required fields
// and `doc:"…"` documents the field for the JSON Schema.

// scalarDecoder is implemented by types decoded from one scalar (Duration).
type scalarDecoder interface{ decodeScalar(s string) error }

// nodeDecoder is implemented by types that decode themselves (subscriptions, whose
// allowed keys depend on their type).
type nodeDecoder interface {
	decodeNode(d *decoder, n *Node, path string)
}

type decoder struct {
	sink *sink
}

var (
	secretType = reflect.TypeOf(Secret{})
	rawType    = reflect.TypeOf(Raw{})
)

func (d *decoder) errorf(n *Node, path, format string, args ...any) {
	d.sink.fail(n.Pos, path, format, args...)
}

// decode fills v (addressable) from n.
func (d *decoder) decode(n *Node, v reflect.Value, path string) {
	if n.invalid {
		return
	}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			nd.decodeNode(d, n, path)
			return
		}
	}
	switch v.Type() {
	case secretType:
		d.decodeSecret(n, v, path)
		return
	case rawType:
		v.Set(reflect.ValueOf(Raw{Node: n}))
		return
	}
	if v.Kind() == reflect.Pointer {
		if n.Kind == NullNode {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
		return
	}
	if v.CanAddr() {
		if sd, ok := v.Addr().Interface().(scalarDecoder); ok {
			if s, ok := d.scalar(n, path, "a duration"); ok {
				if err := sd.decodeScalar(s); err != nil {
					d.errorf(n, path, "%v", err)
				}
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			if n.Secret {
				d.sink.warnf(n.Pos, path, "a value from %s is used in a field that is not secret and will be shown in plain text", n.Ref)
			}
			v.SetString(s)
		}
	case reflect.Bool:
		if s, ok := d.scalar(n, path, "true or false"); ok {
			switch s {
			case "true":
				v.SetBool(true)
			case "false":
				v.SetBool(false)
			default:
				d.errorf(n, path, "expected true or false, got %q", s)
			}
		}
	case reflect.Int, reflect.Int64:
		if s, ok := d.scalar(n, path, "an integer"); ok {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				d.errorf(n, path, "expected an integer, got %q", s)
				return
			}
			v.SetInt(i)
		}
	case reflect.Float64:
		if s, ok := d.scalar(n, path, "a number"); ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				d.errorf(n, path, "expected a finite number, got %q", s)
				return
			}
			v.SetFloat(f)
		}
	default:
		panic(fmt.Sprintf("stack: no decoder for %s", v.Type()))
	}
}

// scalar returns the text of a scalar node, reporting any other shape.
func (d *decoder) scalar(n *Node, path, want string) (string, bool) {
	if n.Kind != ScalarNode {
		d.errorf(n, path, "expected %s, got %s", want, n.Kind)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) decodeSecret(n *Node, v reflect.Value, path string) {
	s, ok := d.scalar(n, path, "a string")
	if !ok {
		return
	}
	ref := n.Ref
	if !n.Secret {
		ref = ""
	}
	v.Set(reflect.ValueOf(Secret{value: &s, ref: ref, unresolved: n.Secret && strings.Contains(s, unresolvedSecret)}))
}

func (d *decoder) decodeSlice(n *Node, v reflect.Value, path string) {
	if n.Kind != SequenceNode {
		d.errorf(n, path, "expected a list, got %s", n.Kind)
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Values), len(n.Values))
	for i, item := range n.Values {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *Node, v reflect.Value, path string) {
	if n.Kind != MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", n.Kind)
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Keys))
	seen := map[string]*Node{}
	for i, k := range n.Keys {
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, joinPath(path, k.Value), "duplicate key %q (first at line %d)", k.Value, prev.Pos.Line)
			continue
		}
		seen[k.Value] = k
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(n.Values[i], e, joinPath(path, k.Value))
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// field describes one decodable struct field.
type field struct {
	name     string
	index    []int
	required bool
	doc      string
}

// fieldCache memoises fieldsOf: struct tags are parsed once per type, not per value.
var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists the decodable fields of a struct type, flattening `yaml:",inline"` ones.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	fs := structFields(t)
	fieldCache.Store(t, fs)
	return fs
}

func structFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			for _, sub := range fieldsOf(f.Type) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		out = append(out, field{
			name:     name,
			index:    []int{i},
			required: strings.Contains(f.Tag.Get("tocsin"), "required"),
			doc:      f.Tag.Get("doc"),
		})
	}
	return out
}

func (d *decoder) decodeStruct(n *Node, v reflect.Value, path string) {
	d.decodeStructExcept(n, v, path, nil)
}

// decodeStructExcept decodes a mapping into a struct, ignoring the keys in skip (which
// the caller decodes itself).
func (d *decoder) decodeStructExcept(n *Node, v reflect.Value, path string, skip map[string]bool) {
	if n.Kind != MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", n.Kind)
		return
	}
	fields := fieldsOf(v.Type())
	byName := make(map[string]field, len(fields))
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		byName[f.name] = f
		names = append(names, f.name)
	}
	seen := map[string]*Node{}
	for i, k := range n.Keys {
		if skip[k.Value] {
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, joinPath(path, k.Value), "duplicate key %q (first at line %d)", k.Value, prev.Pos.Line)
			continue
		}
		seen[k.Value] = k
		f, ok := byName[k.Value]
		if !ok {
			d.errorf(k, joinPath(path, k.Value), "unknown field %q%s", k.Value, suggest(k.Value, names))
			continue
		}
		d.decode(n.Values[i], v.FieldByIndex(f.index), joinPath(path, k.Value))
	}
	for _, f := range fields {
		if !f.required || skip[f.name] {
			continue
		}
		if seen[f.name] == nil {
			d.errorf(n, joinPath(path, f.name), "missing required field %q", f.name)
		} else if v := n.Get(f.name); v.Kind == NullNode {
			d.errorf(v, joinPath(path, f.name), "%q is required and must not be null", f.name)
		}
	}
}

func joinPath(path, key string) string {
	switch {
	case path == "":
		return key
	case key == "":
		return path
	}
	return path + "." + key
}

// suggest returns ` (did you mean "x"?)` for the closest candidate, or "".
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if dist := levenshtein(strings.ToLower(s), strings.ToLower(c)); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
