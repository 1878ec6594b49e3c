package rule

import "strings"

// Child-alarm states a rule can test.
const (
	StateAlarm            = "ALARM"
	StateOK               = "OK"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// Op is the kind of an Expr node.
type Op uint8

const (
	OpTrue  Op = iota + 1 // TRUE
	OpFalse               // FALSE
	OpState               // ALARM(x), OK(x) or INSUFFICIENT_DATA(x)
	OpNot                 // NOT a
	OpAnd                 // a AND b AND …
	OpOr                  // a OR b OR …
)

// Expr is a node of a parsed rule.
//
// A chain of one operator (a AND b AND c) is a single node with every
// operand in Args, left to right; a parenthesised operand stays a node of
// its own, so (a AND b) AND c has two AND nodes. Parentheses around a
// single operand leave no trace.
type Expr struct {
	Op Op
	// State is StateAlarm, StateOK or StateInsufficientData (OpState only).
	State string
	// Alarm is the child alarm name or ARN exactly as written, without
	// quotes (OpState only).
	Alarm string
	// Args holds the operand of OpNot (one) or of OpAnd/OpOr (two or more).
	Args []*Expr
}

// Refs returns the distinct child alarms the rule reads, in order of first
// appearance. Names and ARNs are compared as written.
func (e *Expr) Refs() []string {
	var refs []string
	seen := map[string]bool{}
	e.walk(func(n *Expr) {
		if n.Op == OpState && !seen[n.Alarm] {
			seen[n.Alarm] = true
			refs = append(refs, n.Alarm)
		}
	})
	return refs
}

// walk visits e and its descendants in source order.
func (e *Expr) walk(visit func(*Expr)) {
	visit(e)
	for _, a := range e.Args {
		a.walk(visit)
	}
}

// Eval evaluates the rule. state returns the current state of a child
// alarm ("OK", "ALARM" or "INSUFFICIENT_DATA"); ALARM(x) is true exactly
// when state(x) is "ALARM", and likewise for OK and INSUFFICIENT_DATA.
// AND and OR stop at the first operand that decides the result.
func (e *Expr) Eval(state func(name string) string) bool {
	switch e.Op {
	case OpTrue:
		return true
	case OpState:
		return state(e.Alarm) == e.State
	case OpNot:
		return !e.Args[0].Eval(state)
	case OpAnd:
		for _, a := range e.Args {
			if !a.Eval(state) {
				return false
			}
		}
		return true
	case OpOr:
		for _, a := range e.Args {
			if a.Eval(state) {
				return true
			}
		}
		return false
	}
	return false // OpFalse
}

// String renders the rule canonically: keywords upper-case, single spaces,
// every AND/OR chain in parentheses, and alarm names quoted only when they
// must be (whitespace or parentheses inside). The result of String on a
// parsed Expr re-parses to an equal tree; it may, however, exceed the length
// and element limits that the original text met, since it adds parentheses.
func (e *Expr) String() string {
	var b strings.Builder
	e.render(&b)
	return b.String()
}

func (e *Expr) render(b *strings.Builder) {
	switch e.Op {
	case OpTrue:
		b.WriteString("TRUE")
	case OpFalse:
		b.WriteString("FALSE")
	case OpState:
		b.WriteString(e.State)
		b.WriteByte('(')
		b.WriteString(quoteName(e.Alarm))
		b.WriteByte(')')
	case OpNot:
		b.WriteString("NOT ")
		e.Args[0].render(b)
	case OpAnd, OpOr:
		sep := " AND "
		if e.Op == OpOr {
			sep = " OR "
		}
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(sep)
			}
			a.render(b)
		}
		b.WriteByte(')')
	}
}

// quoteName quotes name when it cannot be written bare. A name holding a
// '"' can only have come from an unquoted reference (quotes have no escape),
// so it is written bare.
func quoteName(name string) string {
	if strings.Contains(name, `"`) {
		return name
	}
	if name == "" || strings.ContainsAny(name, "() \t\n\r\f\v") {
		return `"` + name + `"`
	}
	return name
}
