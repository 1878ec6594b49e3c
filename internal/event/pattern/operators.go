package pattern

import (
	"fmt"
	"strings"
)

// opKind is the kind of one compiled match value.
type opKind uint8

const (
	opStr         opKind = iota // exact string s
	opNum                       // exact number lo
	opTrue                      // the literal true
	opFalse                     // the literal false
	opNull                      // the literal null
	opPrefix                    // string starting with s
	opSuffix                    // string ending with s
	opFoldEq                    // string equal to s ignoring case (s is folded)
	opFoldPrefix                // string starting with s ignoring case (s is folded)
	opFoldSuffix                // string ending with s ignoring case (s is folded)
	opWildcard                  // string matching w
	opNumeric                   // number within the bounds lo/hi
	opCIDR                      // string IP address inside c
	opAnythingBut               // present value matched by none of not
)

// Bound kinds of a numeric range.
const (
	boundNone = iota
	boundOpen
	boundClosed
)

// op is one compiled match value of a leaf condition.
type op struct {
	kind       opKind
	loOp, hiOp uint8 // numeric bounds: boundNone, boundOpen or boundClosed
	s          string
	lo, hi     float64
	w          *wildcard
	c          *cidrBlock
	not        []op
}

// cond is a leaf condition: the value list of one pattern field, ORed.
type cond struct {
	path   []string // object keys from the event root
	exists int8     // +1 for exists:true, -1 for exists:false, 0 for a value list
	ops    []op
}

// operatorNames are the keys of operator objects; an element of "$or" using one of them as a
// field name makes "$or" an ordinary field name (the event-ruler back-compat rule).
var operatorNames = map[string]bool{"prefix": true, "suffix": true, "equals-ignore-case": true,
	"anything-but": true, "numeric": true, "exists": true, "cidr": true, "wildcard": true}

// matchList compiles the array n of match values at field path fp.
func (c *compiler) matchList(n *node, fp []string, ep []string) (cond, *Error) {
	cd := cond{path: fp}
	if len(n.elems) == 0 {
		return cd, c.errAt(n.off, ep, "empty arrays are not allowed")
	}
	for i, e := range n.elems {
		p := withSeg(ep, fmt.Sprintf("[%d]", i))
		switch e.kind {
		case nString:
			cd.ops = append(cd.ops, op{kind: opStr, s: e.str})
		case nNumber:
			cd.ops = append(cd.ops, op{kind: opNum, lo: e.num})
		case nTrue:
			cd.ops = append(cd.ops, op{kind: opTrue})
		case nFalse:
			cd.ops = append(cd.ops, op{kind: opFalse})
		case nNull:
			cd.ops = append(cd.ops, op{kind: opNull})
		case nArray:
			return cd, c.errAt(e.off, p, "a match value must be a string, number, boolean, null or operator object, not an array")
		case nObject:
			o, exists, err := c.operator(e, p)
			if err != nil {
				return cd, err
			}
			if exists != 0 {
				if len(n.elems) > 1 {
					return cd, c.errAt(e.off, p, "exists must be the only element of its array")
				}
				cd.exists = exists
				continue
			}
			cd.ops = append(cd.ops, o)
		}
	}
	return cd, nil
}

// operator compiles a single-key operator object; exists is ±1 for an exists operator.
func (c *compiler) operator(n *node, ep []string) (o op, exists int8, err *Error) {
	if len(n.members) != 1 {
		if len(n.members) == 0 {
			return o, 0, c.errAt(n.off, ep, "empty match expression: want one operator key")
		}
		return o, 0, c.errAt(n.members[1].keyOff, ep, "only one key allowed in match expression")
	}
	m := n.members[0]
	v := m.val
	p := withSeg(ep, "."+m.key)
	switch m.key {
	case "prefix", "suffix":
		plain, fold := opPrefix, opFoldPrefix
		if m.key == "suffix" {
			plain, fold = opSuffix, opFoldSuffix
		}
		if v.kind == nString {
			return op{kind: plain, s: v.str}, 0, nil
		}
		if v.kind == nObject && len(v.members) == 1 && v.members[0].key == "equals-ignore-case" && v.members[0].val.kind == nString {
			return op{kind: fold, s: foldString(v.members[0].val.str)}, 0, nil
		}
		return o, 0, c.errAt(v.off, p, m.key+` match pattern must be a string or {"equals-ignore-case": string}`)
	case "equals-ignore-case":
		if v.kind != nString {
			return o, 0, c.errAt(v.off, p, "equals-ignore-case match pattern must be a string")
		}
		return op{kind: opFoldEq, s: foldString(v.str)}, 0, nil
	case "anything-but":
		o, err := c.anythingBut(v, p)
		return o, 0, err
	case "numeric":
		o, err := c.numeric(v, p)
		return o, 0, err
	case "exists":
		switch v.kind {
		case nTrue:
			return o, 1, nil
		case nFalse:
			return o, -1, nil
		}
		return o, 0, c.errAt(v.off, p, "exists match pattern must be either true or false")
	case "cidr":
		if v.kind != nString {
			return o, 0, c.errAt(v.off, p, "cidr match pattern must be a string")
		}
		blk, e := parseCIDR(v.str)
		if e != nil {
			return o, 0, c.errAt(v.off, p, e.Error())
		}
		return op{kind: opCIDR, c: blk}, 0, nil
	case "wildcard":
		if v.kind != nString {
			return o, 0, c.errAt(v.off, p, "wildcard match pattern must be a string")
		}
		w, e := parseWildcard(v.str)
		if e != nil {
			return o, 0, c.errAt(v.off, p, e.Error())
		}
		return op{kind: opWildcard, w: w}, 0, nil
	}
	return o, 0, c.errAt(m.keyOff, ep, "unrecognized match type "+m.key)
}

// anythingBut compiles the operand of anything-but: a string, a number, a non-empty list of
// strings or of numbers, or an object {prefix|suffix|equals-ignore-case|wildcard: s or [s…]}.
func (c *compiler) anythingBut(v *node, ep []string) (op, *Error) {
	o := op{kind: opAnythingBut}
	switch v.kind {
	case nString:
		o.not = []op{{kind: opStr, s: v.str}}
		return o, nil
	case nNumber:
		o.not = []op{{kind: opNum, lo: v.num}}
		return o, nil
	case nArray:
		if len(v.elems) == 0 {
			return o, c.errAt(v.off, ep, "anything-but list must not be empty")
		}
		for i, e := range v.elems {
			switch {
			case e.kind != nString && e.kind != nNumber:
				return o, c.errAt(e.off, withSeg(ep, fmt.Sprintf("[%d]", i)), "anything-but list elements must be strings or numbers")
			case e.kind != v.elems[0].kind:
				return o, c.errAt(e.off, withSeg(ep, fmt.Sprintf("[%d]", i)), "mixed type is not supported in an anything-but list: use all strings or all numbers")
			case e.kind == nString:
				o.not = append(o.not, op{kind: opStr, s: e.str})
			default:
				o.not = append(o.not, op{kind: opNum, lo: e.num})
			}
		}
		return o, nil
	case nObject:
		return c.anythingButObject(v, ep)
	}
	return o, c.errAt(v.off, ep, "anything-but must be a string, a number, a list or an object")
}

func (c *compiler) anythingButObject(v *node, ep []string) (op, *Error) {
	o := op{kind: opAnythingBut}
	if len(v.members) != 1 {
		return o, c.errAt(v.off, ep, "anything-but object must have exactly one key: prefix, suffix, equals-ignore-case or wildcard")
	}
	m := v.members[0]
	p := withSeg(ep, "."+m.key)
	var operands []*node
	switch m.val.kind {
	case nString:
		operands = []*node{m.val}
	case nArray:
		if len(m.val.elems) == 0 {
			return o, c.errAt(m.val.off, p, "anything-but "+m.key+" list must not be empty")
		}
		operands = m.val.elems
	default:
		return o, c.errAt(m.val.off, p, "anything-but "+m.key+" must be a string or a list of strings")
	}
	for _, e := range operands {
		if e.kind != nString {
			return o, c.errAt(e.off, p, "anything-but "+m.key+" must be a string or a list of strings")
		}
		switch m.key {
		case "prefix", "suffix":
			if e.str == "" {
				return o, c.errAt(e.off, p, "anything-but "+m.key+" must not be empty")
			}
			k := opPrefix
			if m.key == "suffix" {
				k = opSuffix
			}
			o.not = append(o.not, op{kind: k, s: e.str})
		case "equals-ignore-case":
			o.not = append(o.not, op{kind: opFoldEq, s: foldString(e.str)})
		case "wildcard":
			w, err := parseWildcard(e.str)
			if err != nil {
				return o, c.errAt(e.off, p, err.Error())
			}
			o.not = append(o.not, op{kind: opWildcard, w: w})
		default:
			return o, c.errAt(m.keyOff, ep, "unrecognized anything-but match type "+m.key)
		}
	}
	return o, nil
}

// numericOps maps comparison operators to bound kinds.
var numericOps = map[string]uint8{"<": boundOpen, "<=": boundClosed, ">": boundOpen, ">=": boundClosed, "=": boundClosed}

// numeric compiles ["op", x] or [">"|">=", lo, "<"|"<=", hi].
func (c *compiler) numeric(v *node, ep []string) (op, *Error) {
	o := op{kind: opNumeric}
	if v.kind != nArray {
		return o, c.errAt(v.off, ep, `numeric match pattern must be an array like [">", 0, "<=", 5]`)
	}
	e := v.elems
	switch {
	case len(e) > 4:
		return o, c.errAt(e[4].off, ep, "too many elements in numeric expression")
	case len(e) != 2 && len(e) != 4:
		return o, c.errAt(v.off, ep, "numeric expression must have 2 elements (operator, number) or 4 (lower bound, upper bound)")
	}
	for i := 0; i < len(e); i += 2 {
		name := e[i].str
		if _, ok := numericOps[name]; e[i].kind != nString || !ok {
			return o, c.errAt(e[i].off, withSeg(ep, fmt.Sprintf("[%d]", i)), "unrecognized numeric operator; want one of =, <, <=, >, >=")
		}
		if e[i+1].kind != nNumber {
			return o, c.errAt(e[i+1].off, withSeg(ep, fmt.Sprintf("[%d]", i+1)), "numeric operand must be a number")
		}
	}
	first, x := e[0].str, e[1].num
	switch first {
	case "=":
		o.loOp, o.lo, o.hiOp, o.hi = boundClosed, x, boundClosed, x
	case "<", "<=":
		o.hiOp, o.hi = numericOps[first], x
	default:
		o.loOp, o.lo = numericOps[first], x
	}
	if len(e) == 4 {
		second := e[2].str
		if !strings.HasPrefix(first, ">") || !strings.HasPrefix(second, "<") {
			return o, c.errAt(e[2].off, withSeg(ep, "[2]"), "too many elements in numeric expression: only a lower bound (> or >=) may be followed by an upper bound (< or <=)")
		}
		o.hiOp, o.hi = numericOps[second], e[3].num
		if !(o.lo < o.hi) {
			return o, c.errAt(e[3].off, withSeg(ep, "[3]"), "numeric range is empty: the lower bound must be less than the upper bound")
		}
	}
	return o, nil
}
