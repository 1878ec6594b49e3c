// Package rules compiles the event rules of every environment into one matcher per
// environment and turns a matched event into what its targets do: annotations to store,
// deliveries to send, alarm instances to retire. It is pure: the pipeline does the I/O.
package rules

import (
	"fmt"
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/event/schedule"
	"github.com/tocsin/tocsin/internal/event/transform"
	"github.com/tocsin/tocsin/internal/stack"
)

// Rule is one compiled event rule of an environment.
type Rule struct {
	Env, Name string
	Pattern   *pattern.Pattern // nil for a schedule-only rule
	Schedule  string           // "" for a pattern-only rule
	Enabled   bool
	Targets   []Target
	Source    *stack.EventRule
}

// Target is one compiled target of a rule.
type Target struct {
	ID    string
	Kind  string                 // topic, escalation_policy, webhook, annotate, retire_alarm_instances
	Shape *transform.Transformer // nil: the whole event
	Spec  *stack.Target
}

// Target kinds.
const (
	KindTopic      = "topic"
	KindEscalation = "escalation_policy"
	KindWebhook    = "webhook"
	KindAnnotate   = "annotate"
	KindRetire     = "retire_alarm_instances"
	// KindAlarmActions is the built-in target that hands an alarm's state change to the
	// notifier, which runs the alarm's actions (topics, escalation policies).
	KindAlarmActions = "alarm_actions"
)

// AlarmActionsRule is the built-in rule of every environment that routes alarm state
// changes with actions to the notifier: an alarm's actions are shorthand for a rule on
// its state-change events. Its name cannot clash with a stack rule's.
const AlarmActionsRule = "_alarm-actions"

var alarmActionsPattern = func() *pattern.Pattern {
	p, err := pattern.Compile([]byte(`{"source":["tocsin.alarm"],"detail-type":["Alarm State Change","Alarm Actions Released"],"detail":{"actions":[{"exists":true}]}}`))
	if err != nil {
		panic(err)
	}
	return p
}()

// Set is every environment's compiled rules. It is immutable and safe for concurrent use.
type Set struct {
	envs map[string]*envRules
}

type envRules struct {
	rules   []*Rule // sorted by name; a rule's matcher id is its index
	byName  map[string]*Rule
	matcher *pattern.Matcher
}

// Build compiles the rules of envs. The stack has validated them, so an error here means
// a rule the validator let through: it is returned rather than skipped.
func Build(envs []*stack.Env) (*Set, error) {
	s := &Set{envs: map[string]*envRules{}}
	for _, env := range envs {
		er := &envRules{byName: map[string]*Rule{}, matcher: pattern.NewMatcher()}
		builtin := &Rule{Env: env.Name, Name: AlarmActionsRule, Pattern: alarmActionsPattern, Enabled: true,
			Targets: []Target{{ID: "notifier", Kind: KindAlarmActions}}}
		er.matcher.Add(0, builtin.Pattern)
		er.rules = append(er.rules, builtin)
		er.byName[builtin.Name] = builtin
		entries := env.All("event_rules")
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		for _, e := range entries {
			name := e.Name
			r, err := compile(env.Name, e.Resource.(*stack.EventRule))
			if err != nil {
				return nil, fmt.Errorf("environment %s: event rule %s: %w", env.Name, name, err)
			}
			if r.Pattern != nil && r.Enabled {
				er.matcher.Add(len(er.rules), r.Pattern)
			}
			er.rules = append(er.rules, r)
			er.byName[name] = r
		}
		s.envs[env.Name] = er
	}
	return s, nil
}

func compile(env string, src *stack.EventRule) (*Rule, error) {
	p, err := src.CompilePattern()
	if err != nil {
		return nil, err
	}
	r := &Rule{Env: env, Name: src.Name, Pattern: p, Schedule: src.Schedule, Enabled: src.State != "disabled", Source: src}
	for i := range src.Targets {
		t := &src.Targets[i]
		ct := Target{ID: t.Name(i), Kind: kindOf(t), Spec: t}
		if t.Shaped() {
			if ct.Shape, err = transform.Compile(t.Shaping()); err != nil {
				return nil, fmt.Errorf("target %s: %w", ct.ID, err)
			}
		}
		r.Targets = append(r.Targets, ct)
	}
	return r, nil
}

func kindOf(t *stack.Target) string {
	switch {
	case t.Topic != "":
		return KindTopic
	case t.EscalationPolicy != "":
		return KindEscalation
	case t.Webhook != nil:
		return KindWebhook
	case t.Annotate != nil:
		return KindAnnotate
	default:
		return KindRetire
	}
}

// Match appends to dst the enabled rules of env whose pattern matches the event, in name
// order. The event is the envelope's JSON, which must be valid (as Envelope.AppendJSON
// writes it from a decoded or constructed event): it is matched without being validated
// again.
func (s *Set) Match(env string, event []byte, dst []*Rule, ids []int) ([]*Rule, []int, error) {
	er := s.envs[env]
	if er == nil {
		return dst, ids, nil
	}
	ids, err := er.matcher.MatchValid(event, ids[:0])
	if err != nil {
		return dst, ids, err
	}
	for _, id := range ids {
		dst = append(dst, er.rules[id])
	}
	return dst, ids, nil
}

// Rule returns a rule by environment and name.
func (s *Set) Rule(env, name string) (*Rule, bool) {
	if er := s.envs[env]; er != nil {
		r, ok := er.byName[name]
		return r, ok
	}
	return nil, false
}

// Rules returns an environment's rules in name order.
func (s *Set) Rules(env string) []*Rule {
	if er := s.envs[env]; er != nil {
		return er.rules
	}
	return nil
}

// Scheduled returns every enabled rule with a schedule, of every environment.
func (s *Set) Scheduled() []*Rule {
	var out []*Rule
	envs := make([]string, 0, len(s.envs))
	for e := range s.envs {
		envs = append(envs, e)
	}
	sort.Strings(envs)
	for _, e := range envs {
		for _, r := range s.envs[e].rules {
			if r.Enabled && r.Schedule != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// ParseSchedule parses the rule's schedule; rate schedules start at anchor.
func (r *Rule) ParseSchedule(anchor time.Time) (schedule.Schedule, error) {
	return schedule.Parse(r.Schedule, anchor)
}

// ARN is the rule's resource name in the events it produces.
func (r *Rule) ARN() string { return "tocsin:" + r.Env + ":rule/" + r.Name }
