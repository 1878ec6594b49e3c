package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a slow, obviously-correct reference matcher used to check the real one: it
// decodes with encoding/json, flattens events into (path, value, trail) leaves and evaluates
// patterns by brute force over every combination of leaves. It assumes the pattern compiled.

var (
	errNotObject = errors.New("reference: event is not an object")
	// errTooCostly reports a brute-force search too large to run; callers skip the input.
	errTooCostly = errors.New("reference: too many combinations to try")
)

// refMaxCombinations bounds the brute-force search of one branch.
const refMaxCombinations = 1 << 20

// refLeaf is one flattened event leaf.
type refLeaf struct {
	path  string // keys joined by "\x00"
	val   any    // string, json.Number, bool or nil
	trail []refPos
}

// refPos is the element index of one array enclosing the leaf's nearest object.
type refPos struct{ array, idx int }

// refMatch reports whether event matches pattern, by brute force.
func refMatch(pattern, event []byte) (bool, error) {
	pat, err := refDecode(pattern)
	if err != nil {
		return false, err
	}
	ev, err := refDecode(event)
	if err != nil {
		return false, err
	}
	if _, isObj := ev.(map[string]any); !isObj {
		return false, errNotObject
	}
	var leaves []refLeaf
	arrays := 0
	refFlatten(ev, nil, nil, nil, &arrays, &leaves)
	costly := false
	for _, branch := range refBranches(pat.(map[string]any), nil) {
		ok, err := refBranchMatches(branch, leaves)
		if ok {
			return true, nil
		}
		costly = costly || err != nil
	}
	if costly {
		return false, errTooCostly
	}
	return false, nil
}

func refDecode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// refFlatten walks v. pending holds the positions in arrays entered since the nearest object;
// they join the trail of that object's leaves only when an object is entered.
func refFlatten(v any, path []string, trail, pending []refPos, arrays *int, out *[]refLeaf) {
	switch x := v.(type) {
	case map[string]any:
		t := append(append([]refPos{}, trail...), pending...)
		for k, c := range x {
			refFlatten(c, append(append([]string{}, path...), k), t, nil, arrays, out)
		}
	case []any:
		id := *arrays
		*arrays++
		for i, c := range x {
			p := append(append([]refPos{}, pending...), refPos{id, i})
			refFlatten(c, path, trail, p, arrays, out)
		}
	default:
		if len(path) > 0 {
			*out = append(*out, refLeaf{path: strings.Join(path, "\x00"), val: x, trail: trail})
		}
	}
}

// refCond is one leaf condition of a reference branch.
type refCond struct {
	path   string
	values []any // the pattern's array elements
}

// refBranches expands pattern object o (at path prefix) into its conjunctions.
func refBranches(o map[string]any, prefix []string) [][]refCond {
	out := [][]refCond{nil}
	for k, v := range o {
		var alts [][]refCond
		switch x := v.(type) {
		case []any:
			if k == "$or" && refIsOr(x) {
				for _, alt := range x {
					alts = append(alts, refBranches(alt.(map[string]any), prefix)...)
				}
			} else {
				p := append(append([]string{}, prefix...), k)
				alts = [][]refCond{{{path: strings.Join(p, "\x00"), values: x}}}
			}
		case map[string]any:
			alts = refBranches(x, append(append([]string{}, prefix...), k))
		}
		var next [][]refCond
		for _, a := range out {
			for _, b := range alts {
				next = append(next, append(append([]refCond{}, a...), b...))
			}
		}
		out = next
	}
	return out
}

func refIsOr(x []any) bool {
	for _, e := range x {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		for k := range m {
			switch k {
			case "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr", "wildcard":
				return false
			}
		}
	}
	return true
}

// refBranchMatches tries every choice of one matching leaf per condition.
func refBranchMatches(conds []refCond, leaves []refLeaf) (bool, error) {
	var choices [][]refLeaf
	for _, c := range conds {
		var at, ok []refLeaf
		for _, l := range leaves {
			if l.path == c.path {
				at = append(at, l)
			}
		}
		if ex, isExists := refExists(c.values); isExists {
			if !ex {
				if len(at) > 0 {
					return false, nil
				}
				continue
			}
			ok = at
		} else {
			for _, l := range at {
				for _, v := range c.values {
					if refValueMatches(v, l.val) {
						ok = append(ok, l)
						break
					}
				}
			}
		}
		if len(ok) == 0 {
			return false, nil
		}
		choices = append(choices, ok)
	}
	combinations := 1
	for _, c := range choices {
		if combinations *= len(c); combinations > refMaxCombinations {
			return false, errTooCostly
		}
	}
	var try func(i int, chosen []refLeaf) bool
	try = func(i int, chosen []refLeaf) bool {
		if i == len(choices) {
			return true
		}
		for _, l := range choices[i] {
			good := true
			for _, c := range chosen {
				if !refCompatible(l.trail, c.trail) {
					good = false
					break
				}
			}
			if good && try(i+1, append(chosen, l)) {
				return true
			}
		}
		return false
	}
	return try(0, nil), nil
}

func refExists(values []any) (exists, ok bool) {
	if len(values) != 1 {
		return false, false
	}
	m, isMap := values[0].(map[string]any)
	if !isMap {
		return false, false
	}
	e, has := m["exists"]
	if !has {
		return false, false
	}
	return e.(bool), true
}

// refCompatible: two trails agree on the index of every array they both lie in.
func refCompatible(a, b []refPos) bool {
	for _, x := range a {
		for _, y := range b {
			if x.array == y.array && x.idx != y.idx {
				return false
			}
		}
	}
	return true
}

func refNum(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, _ := strconv.ParseFloat(string(n), 64)
	return f, true
}

// refValueMatches reports whether pattern element p matches event value v.
func refValueMatches(p, v any) bool {
	switch x := p.(type) {
	case string:
		s, ok := v.(string)
		return ok && s == x
	case json.Number:
		a, _ := refNum(x)
		b, ok := refNum(v)
		return ok && a == b
	case bool:
		b, ok := v.(bool)
		return ok && b == x
	case nil:
		return v == nil
	case map[string]any:
		for k, arg := range x {
			return refOperator(k, arg, v)
		}
	}
	return false
}

func refOperator(k string, arg, v any) bool {
	s, isStr := v.(string)
	switch k {
	case "prefix", "suffix":
		if !isStr {
			return false
		}
		if m, ok := arg.(map[string]any); ok {
			p := m["equals-ignore-case"].(string)
			for i := 0; i <= len(s); i++ {
				part, at := s[:i], i // a prefix ends at i
				if k == "suffix" {
					part, at = s[len(s)-i:], len(s)-i // a suffix starts at len(s)-i
				}
				if (at == len(s) || utf8.RuneStart(s[at])) && strings.EqualFold(part, p) {
					return true
				}
			}
			return false
		}
		if k == "prefix" {
			return strings.HasPrefix(s, arg.(string))
		}
		return strings.HasSuffix(s, arg.(string))
	case "equals-ignore-case":
		return isStr && strings.EqualFold(s, arg.(string))
	case "wildcard":
		return isStr && refGlob(arg.(string), s)
	case "cidr":
		pfx, err := netip.ParsePrefix(arg.(string))
		if err != nil || !isStr {
			return false
		}
		a, err := netip.ParseAddr(s)
		return err == nil && pfx.Masked().Contains(a)
	case "numeric":
		return refNumeric(arg.([]any), v)
	case "anything-but":
		return refAnythingBut(arg, v)
	}
	return false
}

// refNumeric evaluates a numeric operand list, like [">", 0, "<=", 5], on v.
func refNumeric(ops []any, v any) bool {
	f, ok := refNum(v)
	if !ok {
		return false
	}
	for i := 0; i < len(ops); i += 2 {
		b, _ := refNum(ops[i+1])
		var r bool
		switch ops[i].(string) {
		case "=":
			r = f == b
		case "<":
			r = f < b
		case "<=":
			r = f <= b
		case ">":
			r = f > b
		case ">=":
			r = f >= b
		}
		if !r {
			return false
		}
	}
	return true
}

// refAnythingBut evaluates an anything-but operand on v (which is present).
func refAnythingBut(arg, v any) bool {
	switch a := arg.(type) {
	case []any:
		for _, x := range a {
			if refValueMatches(x, v) {
				return false
			}
		}
		return true
	case map[string]any:
		for op, operand := range a {
			list, isList := operand.([]any)
			if !isList {
				list = []any{operand}
			}
			for _, x := range list {
				if refOperator(op, x, v) {
					return false
				}
			}
		}
		return true
	}
	return !refValueMatches(arg, v)
}

// refGlob matches s against a wildcard by dynamic programming over bytes.
func refGlob(pat, s string) bool {
	var toks []int // a byte, or -1 for '*'
	for i := 0; i < len(pat); i++ {
		switch {
		case pat[i] == '\\':
			i++
			toks = append(toks, int(pat[i]))
		case pat[i] == '*':
			toks = append(toks, -1)
		default:
			toks = append(toks, int(pat[i]))
		}
	}
	// m[j] reports whether toks[:i] matches s[:j]
	m := make([]bool, len(s)+1)
	m[0] = true
	for _, t := range toks {
		next := make([]bool, len(s)+1)
		for j := 0; j <= len(s); j++ {
			if t == -1 {
				next[j] = m[j] || (j > 0 && next[j-1])
			} else {
				next[j] = j > 0 && m[j-1] && int(s[j-1]) == t
			}
		}
		m = next
	}
	return m[len(s)]
}
