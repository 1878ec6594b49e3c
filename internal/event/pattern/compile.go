package pattern

import (
	"fmt"
	"slices"
	"sync"
)

// maxCombinations bounds the number of conjunctions a pattern's $or expand to.
const maxCombinations = 1000

// Pattern is one compiled event pattern; immutable and safe for concurrent use.
type Pattern struct {
	branches [][]cond // the pattern in disjunctive normal form: one conjunction per $or combination
	canon    string

	once   sync.Once
	single *Matcher
}

// Compile parses and validates an event pattern. Errors are *Error.
func Compile(src []byte) (*Pattern, error) {
	if len(src) > maxPatternBytes {
		return nil, newError(src, maxPatternBytes, "",
			fmt.Sprintf("pattern is %d bytes, more than the limit of %d", len(src), maxPatternBytes))
	}
	root, perr := parseJSON(src)
	if perr != nil {
		return nil, perr
	}
	c := &compiler{src: src}
	if root.kind != nObject {
		return nil, c.errAt(root.off, nil, "a pattern must be a JSON object")
	}
	e, err := c.object(root, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Pattern{branches: expand(e), canon: string(appendCanonical(nil, root))}, nil
}

// Validate reports whether src is a valid event pattern, as Compile does.
func Validate(src []byte) error {
	_, err := Compile(src)
	return err
}

// String returns the pattern as canonical compact JSON: duplicate keys resolved (the last
// wins), members sorted by key, no white space.
func (p *Pattern) String() string { return p.canon }

// Match reports whether the raw JSON object event matches the pattern. The error is an
// *Error when the event is not valid JSON or not an object. The first call builds a
// one-pattern Matcher that the Pattern keeps; to match many patterns, use a Matcher.
func (p *Pattern) Match(event []byte) (bool, error) {
	p.once.Do(func() {
		m := NewMatcher()
		m.Add(0, p)
		m.index()
		p.single = m
	})
	var buf [1]int
	ids, err := p.single.Match(event, buf[:0])
	return len(ids) > 0, err
}

// expr is a compiled object: a conjunction of leaf conditions and of $or groups.
type expr struct {
	conds []cond
	ors   [][]*expr
	count int // the number of conjunctions it expands to, saturated above maxCombinations
}

// compiler turns the parsed tree of a pattern into conditions.
type compiler struct {
	src []byte
}

func (c *compiler) errAt(off int, ep []string, msg string) *Error {
	return newError(c.src, off, renderPath(ep), msg)
}

// withSeg returns ep extended by one rendered segment, never sharing ep's backing array.
func withSeg(ep []string, seg string) []string {
	return append(slices.Clip(ep), seg)
}

// object compiles a pattern object at field path fp (ep is its rendered error path).
func (c *compiler) object(n *node, fp, ep []string) (*expr, *Error) {
	if len(n.members) == 0 {
		return nil, c.errAt(n.off, ep, "empty objects are not allowed")
	}
	e := &expr{count: 1}
	for _, m := range n.members {
		p := withSeg(ep, "."+m.key)
		switch {
		case m.key == "$or" && isOrList(m.val):
			alts, count, err := c.or(m.val, fp, p)
			if err != nil {
				return nil, err
			}
			e.ors = append(e.ors, alts)
			e.count = mulSat(e.count, count)
		case m.val.kind == nObject:
			sub, err := c.object(m.val, withSeg(fp, m.key), p)
			if err != nil {
				return nil, err
			}
			e.conds = append(e.conds, sub.conds...)
			e.ors = append(e.ors, sub.ors...)
			e.count = mulSat(e.count, sub.count)
		case m.val.kind == nArray:
			cd, err := c.matchList(m.val, withSeg(fp, m.key), p)
			if err != nil {
				return nil, err
			}
			e.conds = append(e.conds, cd)
		default:
			return nil, c.errAt(m.val.off, p, quote(m.key)+" must be an object or an array")
		}
	}
	if e.count > maxCombinations {
		return nil, c.errAt(n.off, ep, fmt.Sprintf("the $or in this object make more than %d combinations", maxCombinations))
	}
	return e, nil
}

// isOrList reports whether the value of a "$or" member is an $or list. It is not — and "$or"
// is then an ordinary field name, as in event-ruler — when it is not an array or when an
// element is not an object or uses an operator name as a key.
func isOrList(v *node) bool {
	if v.kind != nArray {
		return false
	}
	for _, e := range v.elems {
		if e.kind != nObject {
			return false
		}
		for _, m := range e.members {
			if operatorNames[m.key] {
				return false
			}
		}
	}
	return true
}

// or compiles the alternatives of an $or list.
func (c *compiler) or(v *node, fp, ep []string) ([]*expr, int, *Error) {
	if len(v.elems) < 2 {
		return nil, 0, c.errAt(v.off, ep, "$or must have at least 2 alternatives")
	}
	alts := make([]*expr, 0, len(v.elems))
	count := 0
	for i, el := range v.elems {
		sub, err := c.object(el, fp, withSeg(ep, fmt.Sprintf("[%d]", i)))
		if err != nil {
			return nil, 0, err
		}
		alts = append(alts, sub)
		count = min(count+sub.count, maxCombinations+1)
	}
	return alts, count, nil
}

func mulSat(a, b int) int {
	if a > maxCombinations || b > maxCombinations || a*b > maxCombinations {
		return maxCombinations + 1
	}
	return a * b
}

// expand turns e into disjunctive normal form: one condition list per combination of $or
// alternatives.
func expand(e *expr) [][]cond {
	out := [][]cond{slices.Clone(e.conds)}
	for _, alts := range e.ors {
		var next [][]cond
		for _, base := range out {
			for _, alt := range alts {
				for _, sub := range expand(alt) {
					next = append(next, append(slices.Clip(base), sub...))
				}
			}
		}
		out = next
	}
	return out
}
