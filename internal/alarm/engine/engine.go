package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Options configure an Engine.
type Options struct {
	Metrics *metricstore.Store // required
	Store   store.Alarms       // required: states and history
	Now     func() time.Time   // default time.Now
	Logger  *slog.Logger
	// EvaluationDelay is the default wait after a period closes (default 10s; NoDelay
	// for none).
	EvaluationDelay time.Duration
	// OnChange is told of every state change of an evaluation round as soon as the round
	// has decided, before the round is persisted: after a crash in between, the change is
	// decided and reported again (at least once). Changes made through SetState are
	// reported after they are persisted.
	OnChange func(Change)
}

// NoDelay asks for no evaluation delay (Options.EvaluationDelay's zero value means the default).
const NoDelay = time.Duration(-1)

// Change is one state change of an alarm instance.
type Change struct {
	Env, Alarm, Instance string
	Dims                 []metric.Dim
	Old, New             eval.State
	Reason               string
	ReasonData           json.RawMessage
	At                   time.Time
	PreviousAt           time.Time // when the previous state began
	// DueAt is when the evaluation that decided the change was due (the end of its newest
	// slot plus the evaluation delay); zero for states set through the API.
	DueAt   time.Time
	Actions []string // topics or escalation policies of the new state (when enabled)
	// ActionsOnly marks a composite's actions released later (after a suppressor's wait
	// or extension period) rather than a state change.
	ActionsOnly bool
	Source      *stack.Alarm // nil for composite alarms
}

// Instance is the state of one alarm instance, as the API shows it.
type Instance struct {
	Alarm, Instance string
	Dims            []metric.Dim
	State           eval.State
	Reason          string
	ReasonData      json.RawMessage
	UpdatedAt       time.Time
	TransitionAt    time.Time
	LastEvaluated   time.Time
	Datapoints      []eval.Datapoint
	Composite       bool
	SuppressedBy    string // composites: WaitPeriod, ExtensionPeriod or Alarm while actions are held
}

type instance struct {
	id           string
	dims         []metric.Dim
	stream       *metricstore.Stream
	state        eval.State
	reason       string
	reasonData   []byte
	updated      time.Time
	transitioned time.Time
	lastEval     time.Time // the last evaluation instant (end of the newest slot)
	datapoints   []eval.Datapoint
}

// Engine evaluates the alarms of several environments.
type Engine struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	defs    map[string]map[string]*definition // env → alarm → definition
	comps   map[string][]*compositeDef        // env → composites, children first
	inst    map[*definition]map[string]*instance
	loaded  map[string]map[string]store.AlarmState // persisted states not yet claimed
	nextDue time.Time                              // when Cycle next has work
}

// New returns an engine with no alarms; call Configure.
func New(opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case opts.EvaluationDelay == 0:
		opts.EvaluationDelay = 10 * time.Second
	case opts.EvaluationDelay < 0:
		opts.EvaluationDelay = 0
	}
	return &Engine{opts: opts, log: opts.Logger, defs: map[string]map[string]*definition{}, comps: map[string][]*compositeDef{}, inst: map[*definition]map[string]*instance{}, loaded: map[string]map[string]store.AlarmState{}}
}

func stateKey(alarm, instance string) string { return alarm + "\x00" + instance }

// Configure applies each environment's alarms (after a reload or a runtime change).
// Instances keep their state across reconfiguration; a new alarm starts in
// INSUFFICIENT_DATA ("Unchecked: Initial alarm creation"); a removed alarm's states are
// forgotten (its history stays).
func (e *Engine) Configure(ctx context.Context, envs []*stack.Env) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Now().UTC()
	var saves []store.AlarmState
	var history []store.HistoryItem
	seen := map[string]bool{}
	for _, env := range envs {
		seen[env.Name] = true
		if _, ok := e.loaded[env.Name]; !ok {
			states, err := e.opts.Store.LoadAlarmStates(ctx, env.Name)
			if err != nil {
				return err
			}
			m := map[string]store.AlarmState{}
			for _, st := range states {
				m[stateKey(st.Alarm, st.Instance)] = st
			}
			e.loaded[env.Name] = m
		}
		old := e.defs[env.Name]
		next := map[string]*definition{}
		for _, en := range env.All("alarms") {
			d, err := newDefinition(env.Name, en.Resource.(*stack.Alarm), e.opts.EvaluationDelay)
			if err != nil {
				return fmt.Errorf("alarm %s: %w", en.Name, err)
			}
			next[d.name] = d
			prev := old[d.name]
			switch {
			case prev != nil:
				e.inst[d] = e.inst[prev] // keep instances and their states
				delete(e.inst, prev)
				if !sameConfig(prev, d) {
					history = append(history, e.configItem(d, "", now, "Alarm \""+d.name+"\" updated"))
				}
			default:
				e.inst[d] = map[string]*instance{}
				if !d.template {
					inst, created := e.claim(d, "", nil, now)
					if created {
						saves = append(saves, e.record(d, inst))
						history = append(history, e.configItem(d, "", now, "Alarm \""+d.name+"\" created"))
					}
				}
			}
		}
		for name, d := range old {
			if next[name] == nil {
				for id := range e.inst[d] {
					e.opts.Store.DeleteAlarmStates(ctx, env.Name, name, []string{id})
				}
				history = append(history, e.configItem(d, "", now, "Alarm \""+name+"\" deleted"))
				delete(e.inst, d)
			}
		}
		e.defs[env.Name] = next
		cs, ch, err := e.configureComposites(env, now)
		if err != nil {
			return err
		}
		saves, history = append(saves, cs...), append(history, ch...)
	}
	for name := range e.defs {
		if !seen[name] {
			delete(e.defs, name)
			delete(e.comps, name)
		}
	}
	e.nextDue = time.Time{} // evaluate new alarms at once
	return e.opts.Store.SaveAlarmStates(ctx, saves, history)
}

// claim returns the instance id of d, restoring its persisted state or creating it in
// INSUFFICIENT_DATA; created reports the latter.
func (e *Engine) claim(d *definition, id string, dims []metric.Dim, now time.Time) (*instance, bool) {
	if inst := e.inst[d][id]; inst != nil {
		return inst, false
	}
	inst := &instance{id: id, dims: dims}
	created := true
	if st, ok := e.loaded[d.env][stateKey(d.name, id)]; ok {
		inst.state, inst.reason, inst.reasonData = eval.State(st.State), st.Reason, st.ReasonData
		inst.updated, inst.transitioned = st.UpdatedAt, st.TransitionAt
		delete(e.loaded[d.env], stateKey(d.name, id))
		created = false
	} else {
		inst.state, inst.reason = eval.InsufficientData, eval.InitialReason()
		inst.updated, inst.transitioned = now, now
	}
	e.inst[d][id] = inst
	return inst, created
}

func (e *Engine) record(d *definition, inst *instance) store.AlarmState {
	return store.AlarmState{Environment: d.env, Alarm: d.name, Instance: inst.id, State: string(inst.state), Reason: inst.reason,
		ReasonData: inst.reasonData, UpdatedAt: inst.updated, TransitionAt: inst.transitioned}
}

func (e *Engine) configItem(d *definition, id string, at time.Time, summary string) store.HistoryItem {
	data, _ := json.Marshal(map[string]any{"version": "1.0", "type": "Update", "updatedAlarm": d.source})
	return store.HistoryItem{Environment: d.env, Alarm: d.name, Instance: id, At: at, Type: "ConfigurationUpdate", Summary: summary, Data: data}
}

func equalJSON(a, b map[string]any) bool { return reflect.DeepEqual(a, b) }

// sortedDefs returns the definitions in a stable order.
func (e *Engine) sortedDefs() []*definition {
	var out []*definition
	for _, m := range e.defs {
		for _, d := range m {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].env != out[j].env {
			return out[i].env < out[j].env
		}
		return out[i].name < out[j].name
	})
	return out
}
