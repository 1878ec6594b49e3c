package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/store"
)

// routeAlarm handles an alarm state change: its actions' topics hear about it (unless it
// flaps), its actions' escalation policies open incidents on ALARM, and an OK change
// resolves the instance's incident at once.
func (n *Notifier) routeAlarm(ctx context.Context, set *Setup, d *store.Delivery, b *batch) error {
	ch, err := ParseAlarmChange(d.Payload)
	if err != nil {
		return &Failure{Code: "BAD_EVENT", Message: err.Error()}
	}
	now := n.opts.Now().UTC()
	switch ch.Item.State {
	case "OK":
		if err := n.resolveByKey(ctx, set, ch.Env, ch.Item.Name, "alarm returned to OK", "tocsin"); err != nil {
			return err
		}
	case "INSUFFICIENT_DATA": // neither trouble nor recovery: the incident's timeline says so
		if err := n.noteByKey(ctx, ch.Env, ch.Item.Name, ch.Item.Since, AlarmMessage(ch, "").Title); err != nil {
			return err
		}
	}
	if len(ch.Actions) == 0 {
		return nil
	}
	msg := AlarmMessage(ch, set.PublicURL)
	n.decorate(ctx, ch, msg)
	verdict := n.flaps.Observe(flapKey(ch.Env, ch.Item.Name), now)
	if verdict == StartsFlapping && n.opts.Publish != nil {
		n.opts.Publish(ch.Env, "Alarm Flapping", map[string]any{"alarmName": ch.Item.Name, "alarm": ch.Item.Alarm,
			"changes": n.flaps.Changes, "window": n.flaps.Window.String()})
	}
	for _, action := range ch.Actions {
		if pol := set.Policy(ch.Env, action); pol != nil {
			if ch.Item.State == "ALARM" {
				if err := n.openIncident(ctx, set, ch.Env, action, "alarm", ch.Item.Name, msg, &ch.Subject); err != nil {
					return err
				}
			}
			continue
		}
		t := set.Topic(ch.Env, action)
		if t == nil {
			continue // removed by a reload since the change was decided
		}
		switch verdict {
		case StartsFlapping:
			n.fanout(ctx, set, t, flappingMessage(msg, n.flaps), &ch.Subject, false, now, b)
			n.fanout(ctx, set, t, msg, &ch.Subject, false, now, b, "flapping")
		case StillFlapping:
			n.fanout(ctx, set, t, msg, &ch.Subject, false, now, b, "flapping")
		default:
			n.fanout(ctx, set, t, msg, &ch.Subject, true, now, b)
		}
	}
	return nil
}

// decorate adds the deployments near the change and the graph.
func (n *Notifier) decorate(ctx context.Context, ch *AlarmChange, m *Message) {
	at := ch.Item.Since
	window := max(ch.Period*10, time.Hour)
	ans, err := n.opts.Store.ListAnnotations(ctx, store.AnnotationQuery{Environment: ch.Env, From: at.Add(-window), To: at.Add(time.Minute),
		Dimensions: ch.Item.Dimensions, Limit: 50})
	if err == nil {
		for i := max(0, len(ans)-5); i < len(ans); i++ {
			m.Annotations = append(m.Annotations, Annotation{Time: ans[i].Time, Text: ans[i].Text})
		}
	}
	if n.opts.Graph != nil && ch.Item.State == "ALARM" {
		m.Graph = n.opts.Graph(ctx, ch)
	}
}

func flappingMessage(m *Message, f *Flaps) *Message {
	fm := *m
	fm.Kind, fm.Action, fm.State = KindFlapping, ActionTrigger, "ALARM"
	a := m.Alarms[0]
	fm.Title = fmt.Sprintf("FLAPPING: %s in %s", a.Name, m.Environment)
	fm.Text = fmt.Sprintf("%s changed state more than %d times within %s; it is now %s. Further changes are held back until it settles.",
		a.Name, f.Changes, f.Window, a.State)
	fm.Graph = nil
	return &fm
}

// routeEventToTopic sends an event (as its rule target shaped it) to a topic.
func (n *Notifier) routeEventToTopic(ctx context.Context, set *Setup, d *store.Delivery, b *batch) error {
	name, err := destination(d)
	if err != nil {
		return err
	}
	t := set.Topic(d.Environment, name)
	if t == nil {
		return &Failure{Code: "NO_RESOURCE", Message: "no topic " + name + " in " + d.Environment}
	}
	now := n.opts.Now().UTC()
	if isAlarmEvent(d.Payload) {
		if ch, err := ParseAlarmChange(d.Payload); err == nil {
			msg := AlarmMessage(ch, set.PublicURL)
			n.decorate(ctx, ch, msg)
			n.fanout(ctx, set, t, msg, &ch.Subject, true, now, b)
			return nil
		}
	}
	msg := EventMessage(d.Environment, d.Rule, d.EventID, d.Payload, now)
	n.fanout(ctx, set, t, msg, &Subject{Event: d.Payload}, false, now, b)
	return nil
}

// routeEventToPolicy opens (or adds to) the incident of an event rule: one incident per
// rule at a time.
func (n *Notifier) routeEventToPolicy(ctx context.Context, set *Setup, d *store.Delivery, b *batch) error {
	name, err := destination(d)
	if err != nil {
		return err
	}
	if set.Policy(d.Environment, name) == nil {
		return &Failure{Code: "NO_RESOURCE", Message: "no escalation policy " + name + " in " + d.Environment}
	}
	msg := EventMessage(d.Environment, d.Rule, d.EventID, d.Payload, n.opts.Now().UTC())
	return n.openIncident(ctx, set, d.Environment, name, "event", "event:"+d.Rule, msg, &Subject{Event: d.Payload})
}

// isAlarmEvent reports whether a payload is an alarm state-change event (a cheap look
// first: most routed events are not).
func isAlarmEvent(b []byte) bool {
	if !bytes.Contains(b, []byte(`"tocsin.alarm"`)) {
		return false
	}
	var env struct {
		Source string `json:"source"`
	}
	return json.Unmarshal(b, &env) == nil && env.Source == "tocsin.alarm"
}

// EventMessage is the message about an event routed by a rule: its envelope's words
// when the payload is an event, else the shaped payload itself.
func EventMessage(env, rule, eventID string, payload []byte, now time.Time) *Message {
	m := &Message{Kind: KindEvent, Environment: env, Time: now, Event: json.RawMessage(payload), DedupKey: "tocsin/" + env + "/event/" + eventID}
	var ev struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Time       time.Time       `json:"time"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	var text string
	switch {
	case json.Unmarshal(payload, &ev) == nil && ev.Source != "" && ev.DetailType != "":
		m.Title = fmt.Sprintf("%s (%s) in %s", ev.DetailType, ev.Source, env)
		m.Time = ev.Time.UTC()
		var b strings.Builder
		fmt.Fprintf(&b, "Rule %s matched an event from %s at %s.", rule, ev.Source, m.Time.Format("2006-01-02 15:04:05 UTC"))
		if len(ev.Resources) > 0 {
			fmt.Fprintf(&b, "\nResources: %s", strings.Join(ev.Resources, ", "))
		}
		b.WriteString("\n")
		b.WriteString(indent(ev.Detail))
		text = b.String()
	case json.Unmarshal(payload, &text) == nil:
		m.Title = firstLine(text, fmt.Sprintf("%s: rule %s", env, rule))
	default:
		m.Title = fmt.Sprintf("Rule %s matched an event in %s", rule, env)
		text = indent(payload)
	}
	m.Text = text
	return m
}

func indent(b []byte) string {
	var out strings.Builder
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	enc, _ := json.MarshalIndent(v, "", "  ")
	out.Write(enc)
	return out.String()
}

func firstLine(s, fallback string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if line == "" {
		return fallback
	}
	if len(line) > 120 {
		line = line[:117] + "…"
	}
	return line
}

// newKey is a fresh idempotency key.
func newKey() string { return event.NewID() }
