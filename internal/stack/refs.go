package stack

import (
	"sort"
	"strings"
)

// checkRefs reports references to resources that do not exist in the environment, and
// cycles among references (a composite alarm that depends on itself).
func checkRefs(env *Env, s *sink) {
	byKey := map[string]*Entry{}
	for _, en := range env.Entries {
		byKey[en.Kind.Name+"\x00"+en.Name] = en
	}
	edges := map[*Entry][]*Entry{}
	for _, en := range env.Entries {
		path := resourcePath(en.Kind, en.Name)
		for _, ref := range en.refs {
			var target *Entry
			for _, k := range ref.Kinds {
				if t := byKey[k+"\x00"+ref.Name]; t != nil {
					target = t
					break
				}
			}
			if target == nil {
				s.errorf(ref.Pos, joinPath(path, ref.Field), "%s %q does not exist%s",
					describeKinds(ref.Kinds), ref.Name, suggest(ref.Name, namesOf(env, ref.Kinds)))
				continue
			}
			edges[en] = append(edges[en], target)
		}
	}
	reportCycles(env, edges, s)
}

func describeKinds(ks []string) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, KindByName(k).Singular)
	}
	return strings.Join(parts, " or ")
}

func namesOf(env *Env, ks []string) []string {
	var out []string
	for _, en := range env.Entries {
		if contains(ks, en.Kind.Name) {
			out = append(out, en.Name)
		}
	}
	sort.Strings(out)
	return out
}

// reportCycles finds each cycle once (depth-first search with colours) and reports it at
// the resource where it was first entered.
func reportCycles(env *Env, edges map[*Entry][]*Entry, s *sink) {
	const (
		white = iota
		grey
		black
	)
	colour := map[*Entry]int{}
	var stack []*Entry
	var visit func(en *Entry)
	visit = func(en *Entry) {
		colour[en] = grey
		stack = append(stack, en)
		for _, next := range edges[en] {
			switch colour[next] {
			case white:
				visit(next)
			case grey:
				start := 0
				for i, e := range stack {
					if e == next {
						start = i
					}
				}
				var names []string
				for _, e := range stack[start:] {
					names = append(names, resourcePath(e.Kind, e.Name))
				}
				names = append(names, resourcePath(next.Kind, next.Name))
				s.errorf(next.Pos, resourcePath(next.Kind, next.Name), "reference cycle: %s", strings.Join(names, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		colour[en] = black
	}
	for _, en := range env.Entries {
		if colour[en] == white {
			visit(en)
		}
	}
}

// mergeInto deep-merges over into base (mappings merge, everything else — lists
// included — is replaced). The name is never changed.
func mergeInto(base, over *Node, path string) {
	for i, k := range over.Keys {
		if path == "" && (k.Value == "name" || k.Value == "reason") {
			continue
		}
		field := joinPath(path, k.Value)
		v := over.Values[i]
		j := -1
		for bi, bk := range base.Keys {
			if bk.Value == k.Value {
				j = bi
			}
		}
		switch {
		case j >= 0 && base.Values[j].Kind == MappingNode && v.Kind == MappingNode:
			mergeInto(base.Values[j], v, field)
		case j >= 0:
			base.Values[j] = v
		default:
			base.Keys = append(base.Keys, k)
			base.Values = append(base.Values, v)
		}
	}
}
