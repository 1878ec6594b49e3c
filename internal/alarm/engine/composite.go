package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/composite"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/alarm/rule"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// compositeDef is one composite alarm as the engine runs it. Its instance (the only one,
// id "") carries the actions-suppressor state machine, persisted with its state.
type compositeDef struct {
	env, name      string
	expr           *rule.Expr
	actions        stack.Actions
	actionsEnabled bool
	suppressor     string // alarm name, "" for none
	source         *stack.CompositeAlarm
	inst           *instance
	machine        *composite.Actions
}

func newComposite(env string, c *stack.CompositeAlarm) (*compositeDef, error) {
	expr, err := rule.Parse(c.Rule)
	if err != nil {
		return nil, err
	}
	d := &compositeDef{env: env, name: c.Name, expr: expr, actions: c.Actions, actionsEnabled: c.ActionsEnabled == nil || *c.ActionsEnabled,
		source: c, machine: &composite.Actions{}}
	if s := c.ActionsSuppressor; s != nil {
		d.suppressor = s.Alarm
		d.machine.Suppressor = &composite.Suppressor{Wait: s.WaitPeriod.Std(), Extension: s.ExtensionPeriod.Std()}
	}
	return d, nil
}

// configureComposites builds an environment's composites in dependency order (children
// first), keeping states and suppressor timers of those that existed.
func (e *Engine) configureComposites(env *stack.Env, now time.Time) ([]store.AlarmState, []store.HistoryItem, error) {
	old := map[string]*compositeDef{}
	for _, c := range e.comps[env.Name] {
		old[c.name] = c
	}
	byName := map[string]*compositeDef{}
	for _, en := range env.All("composite_alarms") {
		c, err := newComposite(env.Name, en.Resource.(*stack.CompositeAlarm))
		if err != nil {
			return nil, nil, fmt.Errorf("composite alarm %s: %w", en.Name, err)
		}
		byName[c.name] = c
	}
	var order []*compositeDef
	done := map[string]bool{}
	var visit func(c *compositeDef)
	visit = func(c *compositeDef) {
		if done[c.name] {
			return
		}
		done[c.name] = true // stack validation rejects cycles
		for _, ref := range c.expr.Refs() {
			if child := byName[strings.TrimSuffix(ref, composite.AllInstances)]; child != nil {
				visit(child)
			}
		}
		order = append(order, c)
	}
	for _, en := range env.All("composite_alarms") {
		visit(byName[en.Name])
	}
	var saves []store.AlarmState
	var history []store.HistoryItem
	for name, prev := range old {
		if byName[name] == nil { // deleted: forget the state, keep the history
			e.opts.Store.DeleteAlarmStates(context.Background(), env.Name, name, []string{""})
			history = append(history, store.HistoryItem{Environment: env.Name, Alarm: name, At: now, Type: "ConfigurationUpdate",
				Summary: "Composite alarm \"" + name + "\" deleted", Data: compositeConfig("Delete", prev.source)})
		}
	}
	for _, c := range order {
		if prev := old[c.name]; prev != nil {
			c.inst, c.machine.State, c.machine.SuppressorInAlarm = prev.inst, prev.machine.State, prev.machine.SuppressorInAlarm
			c.machine.Pending, c.machine.Timer, c.machine.Deadline = prev.machine.Pending, prev.machine.Timer, prev.machine.Deadline
			if a, b := mustCanonical(prev.source), mustCanonical(c.source); !equalJSON(a, b) {
				history = append(history, store.HistoryItem{Environment: env.Name, Alarm: c.name, At: now, Type: "ConfigurationUpdate",
					Summary: "Composite alarm \"" + c.name + "\" updated", Data: compositeConfig("Update", c.source)})
			}
			continue
		}
		if st, ok := e.loaded[env.Name][stateKey(c.name, "")]; ok {
			c.inst = &instance{state: eval.State(st.State), reason: st.Reason, reasonData: st.ReasonData, updated: st.UpdatedAt, transitioned: st.TransitionAt}
			if len(st.Extra) > 0 {
				json.Unmarshal(st.Extra, c.machine)
			}
			delete(e.loaded[env.Name], stateKey(c.name, ""))
			continue
		}
		c.inst = &instance{state: eval.InsufficientData, reason: eval.InitialReason(), updated: now, transitioned: now}
		c.machine.State = string(eval.InsufficientData)
		saves = append(saves, e.compositeRecord(c))
		history = append(history, store.HistoryItem{Environment: env.Name, Alarm: c.name, At: now, Type: "ConfigurationUpdate",
			Summary: "Composite alarm \"" + c.name + "\" created", Data: compositeConfig("Create", c.source)})
	}
	e.comps[env.Name] = order
	return saves, history, nil
}

func compositeConfig(op string, c *stack.CompositeAlarm) []byte {
	data, _ := json.Marshal(map[string]any{"version": "1.0", "type": op, "alarm": c})
	return data
}

func mustCanonical(r stack.Resource) map[string]any {
	m, _ := stack.Canonical(r)
	return m
}

func (e *Engine) compositeRecord(c *compositeDef) store.AlarmState {
	extra, _ := json.Marshal(c.machine)
	return store.AlarmState{Environment: c.env, Alarm: c.name, State: string(c.inst.state), Reason: c.inst.reason,
		ReasonData: c.inst.reasonData, UpdatedAt: c.inst.updated, TransitionAt: c.inst.transitioned, Extra: extra}
}

// statesOf returns the states of the named alarm of env: one per instance of a metric
// alarm (none for a template without instances), or the composite's.
func (e *Engine) statesOf(env string) composite.StateOf {
	return func(name string) []string {
		if d := e.defs[env][name]; d != nil {
			var out []string
			for _, inst := range e.inst[d] {
				out = append(out, string(inst.state))
			}
			return out
		}
		for _, c := range e.comps[env] {
			if c.name == name {
				return []string{string(c.inst.state)}
			}
		}
		return nil
	}
}

// evaluateComposites decides every composite of every environment after the metric
// alarms (mu held), and runs the suppressor machines' timers.
func (e *Engine) evaluateComposites(now time.Time) ([]store.AlarmState, []store.HistoryItem, []Change) {
	var saves []store.AlarmState
	var history []store.HistoryItem
	var changes []Change
	at := now.UTC()
	for env, comps := range e.comps {
		states := e.statesOf(env)
		for _, c := range comps {
			var act []string
			if c.suppressor != "" {
				inAlarm := false
				for _, s := range states(c.suppressor) {
					inAlarm = inAlarm || s == string(eval.Alarm)
				}
				act = append(act, c.machine.OnSuppressorChange(now, inAlarm)...)
			}
			act = append(act, c.machine.Due(now)...)
			newState, triggering := composite.State(c.expr, states)
			ns := eval.State(newState)
			changed := ns != c.inst.state
			stateChange := -1
			if changed {
				old, prevAt := c.inst.state, c.inst.transitioned
				var trig []map[string]any
				for _, t := range triggering {
					trig = append(trig, map[string]any{"name": t, "state": map[string]any{"value": strings.Join(states(strings.TrimSuffix(t, composite.AllInstances)), ",")}})
				}
				data, _ := json.Marshal(map[string]any{"triggeringAlarms": trig})
				reason := fmt.Sprintf("Rule %s evaluated to %s; triggering alarms: %s", c.source.Rule, map[bool]string{true: "TRUE", false: "FALSE"}[ns == eval.Alarm], strings.Join(triggering, ", "))
				c.inst.state, c.inst.reason, c.inst.reasonData, c.inst.updated, c.inst.transitioned = ns, reason, data, at, at
				act = append(act, c.machine.OnCompositeChange(now, newState)...)
				ch := Change{Env: env, Alarm: c.name, Old: old, New: ns, Reason: reason, ReasonData: data, At: at, PreviousAt: prevAt}
				history = append(history, store.HistoryItem{Environment: env, Alarm: c.name, At: at, Type: "StateUpdate",
					Summary: fmt.Sprintf("Alarm updated from %s to %s", old, ns), Data: data})
				stateChange = len(changes)
				changes = append(changes, ch)
			}
			for _, s := range act {
				if !c.actionsEnabled {
					continue
				}
				targets := actionsFor(c.actions, eval.State(s))
				for _, a := range targets {
					history = append(history, store.HistoryItem{Environment: env, Alarm: c.name, At: at, Type: "Action",
						Summary: fmt.Sprintf("Action for %s: %s notified (see its notifications and incidents)", s, a)})
				}
				switch {
				case len(targets) == 0:
				case stateChange >= 0 && eval.State(s) == ns && changes[stateChange].Actions == nil:
					changes[stateChange].Actions = targets // acted on at once: part of the change
				default:
					changes = append(changes, Change{Env: env, Alarm: c.name, Old: c.inst.state, New: eval.State(s), Reason: c.inst.reason, At: at, Actions: targets, ActionsOnly: true})
				}
			}
			if changed || len(act) > 0 || c.suppressor != "" {
				saves = append(saves, e.compositeRecord(c))
			}
		}
	}
	return saves, history, changes
}

// actionsFor returns the actions of a state.
func actionsFor(a stack.Actions, s eval.State) []string {
	switch s {
	case eval.Alarm:
		return a.Alarm
	case eval.OK:
		return a.OK
	default:
		return a.InsufficientData
	}
}
