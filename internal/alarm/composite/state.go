package composite

import (
	"strconv"
	"strings"

	"github.com/tocsin/tocsin/internal/alarm/rule"
)

// AllInstances is the suffix that turns a reference to an alarm template
// into "every instance": ALARM(disk[*]) (quotes optional) is true when every
// instance of disk is in ALARM, while ALARM(disk) is true when any one is.
// The parser reads the suffix as part of the name, so the rule grammar is
// unchanged; State strips it before asking the resolver. Alarm names ending
// in "[*]" are therefore reserved.
const AllInstances = "[*]"

// StateOf returns the current states of the named alarm: one for a plain
// alarm or a single template instance (NAME[Dim=value,…]), one per instance
// for a template, none for a template that has no instance yet. The name is
// a rule reference as written (name or ARN) without the AllInstances suffix.
//
// An empty answer reads as one instance in INSUFFICIENT_DATA: like an alarm
// before its first evaluation, a template without instances has no data. So
// ALARM(t) and OK(t) are false and INSUFFICIENT_DATA(t) is true, in the any
// and the all form alike; in particular ALARM(t[*]) is never vacuously true.
type StateOf func(name string) []string

// State evaluates the rule: "ALARM" when it is TRUE, otherwise "OK" (spec
// A5), together with the children whose states decided that result, for
// reasonData's triggeringAlarms (A4.7).
//
// A child is listed when one of its references decides the result: every
// operand of an AND that is TRUE or an OR that is FALSE decides it, and so
// does each operand of an AND that is FALSE or an OR that is TRUE that has
// the chain's value; NOT passes through. Changing the state of children
// outside the list cannot change the result. So for
// ALARM(A) AND NOT ALARM(B) with A in ALARM and B in OK both A and B are
// listed, and for an OK result the list names the children that keep it OK.
// Names are as passed to the resolver (a template's name, not its
// instances'), distinct, in order of first appearance in the rule; nil when
// the rule is TRUE or FALSE outright.
//
// The boolean result is rule.Expr.Eval's: State only decides, per reference,
// whether the referenced child (or template) satisfies it.
func State(expr *rule.Expr, states StateOf) (state string, triggering []string) {
	ev := newEvaluation(expr, states)
	shadow := ev.shadow(expr)
	result := shadow.Eval(ev.lookupFn)
	ev.witness(shadow, result)
	if result {
		return rule.StateAlarm, ev.triggering
	}
	return rule.StateOK, ev.triggering
}

// evaluation is one call of State. It replaces each reference of the rule by
// a leaf whose "alarm" is the leaf's index and whose truth is decided here,
// so that rule.Expr.Eval combines them.
type evaluation struct {
	states     StateOf
	lookupFn   func(key string) string // ev.lookup, bound once
	leaves     []leaf
	resolved   map[string][]string
	triggering []string
	// nodes and args hold the shadow tree; their capacity is exact, so
	// appending never moves them.
	nodes []rule.Expr
	args  []*rule.Expr
}

type leaf struct {
	name  string // resolver name: the reference without AllInstances
	state string // the state the reference tests
	holds bool
}

var noInstance = []string{rule.StateInsufficientData}

func newEvaluation(expr *rule.Expr, states StateOf) *evaluation {
	var nodes, args, refs int
	var count func(e *rule.Expr)
	count = func(e *rule.Expr) {
		nodes++
		args += len(e.Args)
		if e.Op == rule.OpState {
			refs++
		}
		for _, a := range e.Args {
			count(a)
		}
	}
	count(expr)
	ev := &evaluation{
		states:   states,
		leaves:   make([]leaf, 0, refs),
		resolved: make(map[string][]string, refs),
		nodes:    make([]rule.Expr, 0, nodes),
		args:     make([]*rule.Expr, 0, args),
	}
	ev.lookupFn = ev.lookup
	return ev
}

// shadow copies e with each reference replaced by a leaf.
func (ev *evaluation) shadow(e *rule.Expr) *rule.Expr {
	n := rule.Expr{Op: e.Op, State: e.State}
	switch e.Op {
	case rule.OpState:
		name, all := strings.CutSuffix(e.Alarm, AllInstances)
		l := leaf{name: name, state: e.State, holds: quantify(ev.resolve(name), e.State, all)}
		ev.leaves = append(ev.leaves, l)
		n.Alarm = strconv.Itoa(len(ev.leaves) - 1)
	case rule.OpNot, rule.OpAnd, rule.OpOr:
		start := len(ev.args)
		ev.args = ev.args[:start+len(e.Args)]
		n.Args = ev.args[start : start+len(e.Args) : start+len(e.Args)]
		for i, a := range e.Args {
			n.Args[i] = ev.shadow(a)
		}
	}
	ev.nodes = append(ev.nodes, n)
	return &ev.nodes[len(ev.nodes)-1]
}

// resolve asks the resolver once per name and call.
func (ev *evaluation) resolve(name string) []string {
	if s, ok := ev.resolved[name]; ok {
		return s
	}
	s := ev.states(name)
	if len(s) == 0 {
		s = noInstance
	}
	ev.resolved[name] = s
	return s
}

// quantify reports whether any (or, with all, every) state equals want.
func quantify(states []string, want string, all bool) bool {
	for _, s := range states {
		if all && s != want {
			return false
		}
		if !all && s == want {
			return true
		}
	}
	return all
}

// lookup is the state function given to rule.Expr.Eval on the shadow tree:
// a leaf "is in" the state it tests exactly when it holds.
func (ev *evaluation) lookup(key string) string {
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(ev.leaves) || !ev.leaves[i].holds {
		return ""
	}
	return ev.leaves[i].state
}

// witness records the children that make the shadow node e evaluate to
// want; e must evaluate to want.
func (ev *evaluation) witness(e *rule.Expr, want bool) {
	switch e.Op {
	case rule.OpState:
		i, _ := strconv.Atoi(e.Alarm)
		ev.trigger(ev.leaves[i].name)
	case rule.OpNot:
		ev.witness(e.Args[0], !want)
	case rule.OpAnd, rule.OpOr:
		// AND TRUE and OR FALSE: every operand has the value want and
		// all of them are needed. AND FALSE and OR TRUE: each operand
		// with the value want decides on its own.
		for _, a := range e.Args {
			if a.Eval(ev.lookupFn) == want {
				ev.witness(a, want)
			}
		}
	}
}

func (ev *evaluation) trigger(name string) {
	for _, n := range ev.triggering {
		if n == name {
			return
		}
	}
	ev.triggering = append(ev.triggering, name)
}
