package rules

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/event/transform"
	"github.com/tocsin/tocsin/internal/store"
)

// Retirement is a retire_alarm_instances target's request.
type Retirement struct {
	Env, Alarm string
	Dimensions map[string]string
	Rule       string
	EventID    string
}

// Actions is what the targets of matched rules do with a batch of events.
type Actions struct {
	Annotations []store.Annotation
	Deliveries  []store.Delivery
	Retirements []Retirement
	Failures    []error // targets that could not shape their message (logged, counted)
}

// Event is what targets need to know about the event being applied.
type Event struct {
	ID, Env string
	Time    time.Time
	JSON    []byte // the whole envelope
}

// Apply adds what r's targets do with ev to a.
func (r *Rule) Apply(ev Event, now time.Time, a *Actions) {
	ctx := transform.Context{RuleName: r.Name, RuleARN: r.ARN(), IngestionTime: now}
	for i := range r.Targets {
		t := &r.Targets[i]
		switch t.Kind {
		case KindAnnotate:
			an, err := annotation(t, ev, r.Name)
			if err != nil {
				a.Failures = append(a.Failures, fmt.Errorf("rule %s target %s: %w", r.Name, t.ID, err))
				continue
			}
			a.Annotations = append(a.Annotations, an)
		case KindRetire:
			dims := map[string]string{}
			for name, path := range t.Spec.RetireAlarmInstances.Dimensions {
				p, err := transform.ParsePath(path)
				if err != nil {
					continue
				}
				if v, ok := p.Get(ev.JSON); ok {
					dims[name] = transform.Raw(v)
				}
			}
			if len(dims) < len(t.Spec.RetireAlarmInstances.Dimensions) {
				a.Failures = append(a.Failures, fmt.Errorf("rule %s target %s: the event lacks a dimension value", r.Name, t.ID))
				continue
			}
			a.Retirements = append(a.Retirements, Retirement{Env: ev.Env, Alarm: t.Spec.RetireAlarmInstances.Alarm, Dimensions: dims, Rule: r.Name, EventID: ev.ID})
		default:
			payload := ev.JSON
			if t.Shape != nil {
				out, _, err := t.Shape.Apply(ev.JSON, ctx)
				if err != nil {
					a.Failures = append(a.Failures, fmt.Errorf("rule %s target %s: %w", r.Name, t.ID, err))
					continue
				}
				payload = out
			}
			a.Deliveries = append(a.Deliveries, delivery(t, ev, r.Name, payload, now))
		}
	}
}

// annotation builds the marker of an annotate target, expanding <$.path> placeholders.
func annotation(t *Target, ev Event, rule string) (store.Annotation, error) {
	spec := t.Spec.Annotate
	text, err := transform.Expand(spec.Text, ev.JSON)
	if err != nil {
		return store.Annotation{}, err
	}
	expand := func(m map[string]string) (map[string]string, error) {
		out := make(map[string]string, len(m))
		for k, v := range m {
			x, err := transform.Expand(v, ev.JSON)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	tags, err := expand(spec.Tags)
	if err != nil {
		return store.Annotation{}, err
	}
	dims, err := expand(spec.Dimensions)
	if err != nil {
		return store.Annotation{}, err
	}
	return store.Annotation{Environment: ev.Env, Time: ev.Time, Text: text, Tags: tags, Dimensions: dims, EventID: ev.ID, Rule: rule}, nil
}

// delivery is the outbox record of a target that sends: a webhook, or a topic, escalation
// policy or alarm's actions handed to the notifier (their Destination names the topic or
// policy, as {"name": …}).
func delivery(t *Target, ev Event, rule string, payload []byte, now time.Time) store.Delivery {
	d := store.Delivery{Environment: ev.Env, Rule: rule, Target: t.ID, Kind: t.Kind, EventID: ev.ID, Payload: payload, FirstAt: now, NextAt: now,
		MaxAttempts: 185, MaxAge: 24 * time.Hour}
	if t.Spec == nil {
		return d
	}
	d.MaxAttempts, d.MaxAge = t.Spec.Retry()
	switch t.Kind {
	case KindTopic:
		d.Destination, _ = json.Marshal(map[string]string{"name": t.Spec.Topic})
	case KindEscalation:
		d.Destination, _ = json.Marshal(map[string]string{"name": t.Spec.EscalationPolicy})
	}
	return d
}
