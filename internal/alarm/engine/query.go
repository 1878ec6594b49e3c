package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// Filter selects instances for Instances.
type Filter struct {
	State  eval.State // "" for any
	Prefix string     // alarm name prefix
}

// Instances lists an environment's alarm instances, alarms in ALARM first, then by name.
func (e *Engine) Instances(env string, f Filter) []Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Instance
	for name, d := range e.defs[env] {
		if !strings.HasPrefix(name, f.Prefix) {
			continue
		}
		for _, inst := range e.inst[d] {
			if f.State == "" || inst.state == f.State {
				out = append(out, e.view(d, inst))
			}
		}
	}
	for _, c := range e.comps[env] {
		if strings.HasPrefix(c.name, f.Prefix) && (f.State == "" || c.inst.state == f.State) {
			out = append(out, compositeView(c))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].State == eval.Alarm) != (out[j].State == eval.Alarm) {
			return out[i].State == eval.Alarm
		}
		return InstanceName(out[i].Alarm, out[i].Instance) < InstanceName(out[j].Alarm, out[j].Instance)
	})
	return out
}

// Alarm returns one alarm's definition and instances; ok is false when it does not exist.
func (e *Engine) Alarm(env, name string) (def any, instances []Instance, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.defs[env][name]
	if d == nil {
		for _, c := range e.comps[env] {
			if c.name == name {
				return c.source, []Instance{compositeView(c)}, true
			}
		}
		return nil, nil, false
	}
	for _, inst := range e.inst[d] {
		instances = append(instances, e.view(d, inst))
	}
	sort.Slice(instances, func(i, j int) bool { return instances[i].Instance < instances[j].Instance })
	return d.source, instances, true
}

func (e *Engine) view(d *definition, inst *instance) Instance {
	return Instance{Alarm: d.name, Instance: inst.id, Dims: inst.dims, State: inst.state, Reason: inst.reason,
		ReasonData: json.RawMessage(inst.reasonData), UpdatedAt: inst.updated, TransitionAt: inst.transitioned,
		LastEvaluated: inst.lastEval, Datapoints: append([]eval.Datapoint(nil), inst.datapoints...)} // the next round reuses the memory
}

func compositeView(c *compositeDef) Instance {
	return Instance{Alarm: c.name, State: c.inst.state, Reason: c.inst.reason, ReasonData: json.RawMessage(c.inst.reasonData),
		UpdatedAt: c.inst.updated, TransitionAt: c.inst.transitioned, Composite: true, SuppressedBy: c.machine.SuppressedBy()}
}

// History returns an alarm's history, newest first (it survives the alarm's deletion).
func (e *Engine) History(ctx context.Context, env, alarm string, instance *string, from, to time.Time, limit int) ([]store.HistoryItem, error) {
	return e.opts.Store.ListHistory(ctx, store.HistoryQuery{Environment: env, Alarm: alarm, Instance: instance, From: from, To: to, Limit: limit})
}

// ErrNoAlarm is returned for an unknown alarm or instance.
var ErrNoAlarm = fmt.Errorf("no such alarm")

// SetState sets an instance's state until its next evaluation (like SetAlarmState); the
// actions of the new state run if it differs.
func (e *Engine) SetState(ctx context.Context, env, name, id string, state eval.State, reason string) error {
	e.mu.Lock()
	d := e.defs[env][name]
	var inst *instance
	if d != nil {
		inst = e.inst[d][id]
	}
	if inst == nil {
		if d == nil && id == "" {
			for _, c := range e.comps[env] {
				if c.name == name {
					return e.setCompositeState(ctx, c, state, reason) // unlocks
				}
			}
		}
		e.mu.Unlock()
		return ErrNoAlarm
	}
	now := e.opts.Now().UTC()
	var changes []Change
	var history []store.HistoryItem
	if state != inst.state {
		data, _ := json.Marshal(map[string]any{"version": "1.0", "setBy": "SetAlarmState"})
		ch := &Change{Env: env, Alarm: name, Instance: id, Dims: inst.dims, Old: inst.state, New: state, Reason: reason, ReasonData: data, At: now, PreviousAt: inst.transitioned, Source: d.source}
		if d.actionsEnabled {
			ch.Actions = d.actionsFor(state)
		}
		inst.state, inst.reason, inst.reasonData, inst.updated, inst.transitioned = state, reason, data, now, now
		history = transitionItems(d, inst, ch)
		changes = append(changes, *ch)
	}
	saves := []store.AlarmState{e.record(d, inst)}
	e.mu.Unlock()
	if err := e.opts.Store.SaveAlarmStates(ctx, saves, history); err != nil {
		return err
	}
	if e.opts.OnChange != nil {
		for _, ch := range changes {
			e.opts.OnChange(ch)
		}
	}
	return nil
}

// setCompositeState is SetState for a composite (mu held; it unlocks): the state lasts
// until a child changes state or the next round decides otherwise, and the actions run
// through the suppressor rules like any change.
func (e *Engine) setCompositeState(ctx context.Context, c *compositeDef, state eval.State, reason string) error {
	now := e.opts.Now().UTC()
	var history []store.HistoryItem
	var changes []Change
	if state != c.inst.state {
		data, _ := json.Marshal(map[string]any{"version": "1.0", "setBy": "SetAlarmState"})
		ch := Change{Env: c.env, Alarm: c.name, Old: c.inst.state, New: state, Reason: reason, ReasonData: data, At: now, PreviousAt: c.inst.transitioned}
		c.inst.state, c.inst.reason, c.inst.reasonData, c.inst.updated, c.inst.transitioned = state, reason, data, now, now
		history = append(history, store.HistoryItem{Environment: c.env, Alarm: c.name, At: now, Type: "StateUpdate",
			Summary: fmt.Sprintf("Alarm updated from %s to %s", ch.Old, ch.New), Data: data})
		for _, s := range c.machine.OnCompositeChange(now, string(state)) {
			if c.actionsEnabled && eval.State(s) == state {
				ch.Actions = actionsFor(c.actions, state)
			}
		}
		for _, a := range ch.Actions {
			history = append(history, store.HistoryItem{Environment: c.env, Alarm: c.name, At: now, Type: "Action",
				Summary: fmt.Sprintf("Action for %s: %s notified (see its notifications and incidents)", state, a)})
		}
		changes = append(changes, ch)
	}
	saves := []store.AlarmState{e.compositeRecord(c)}
	e.mu.Unlock()
	if err := e.opts.Store.SaveAlarmStates(ctx, saves, history); err != nil {
		return err
	}
	if e.opts.OnChange != nil {
		for _, ch := range changes {
			e.opts.OnChange(ch)
		}
	}
	return nil
}

// Seed puts an instance in a state without evaluating, recording or acting (test files'
// initial_state). For a template the instance is created from its id (Dim=value,…).
func (e *Engine) Seed(env, name, id string, state eval.State) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.defs[env][name]
	if d == nil {
		for _, c := range e.comps[env] {
			if c.name == name && id == "" {
				c.inst.state, c.inst.reason = state, "Initial state set by the test"
				c.machine.State = string(state)
				return nil
			}
		}
		return ErrNoAlarm
	}
	inst := e.inst[d][id]
	if inst == nil {
		if !d.template {
			return ErrNoAlarm
		}
		var dims []metric.Dim
		for _, part := range strings.Split(id, ",") {
			k, v, _ := strings.Cut(part, "=")
			dims = append(dims, metric.Dim{Name: k, Value: v})
		}
		inst, _ = e.claim(d, id, dims, e.opts.Now())
	}
	inst.state, inst.reason = state, "Initial state set by the test"
	return nil
}

// State returns the current state of an alarm instance named NAME or NAME[instance];
// false when it does not exist (deleted, retired, never seen).
func (e *Engine) State(env, name string) (eval.State, bool) {
	alarm, id := ParseInstanceName(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.defs[env][alarm]; d != nil {
		for _, inst := range e.inst[d] {
			if inst.id == id {
				return inst.state, true
			}
		}
		return "", false
	}
	for _, c := range e.comps[env] {
		if c.name == alarm && id == "" {
			return c.inst.state, true
		}
	}
	return "", false
}
