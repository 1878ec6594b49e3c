package notify

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// fanout sends m to every subscription of t whose filter policy accepts it: muted
// subscriptions get a muted record, groupable alarm messages wait for their group, the
// rest go to the outbox at once. forceMute (e.g. "flapping") mutes regardless of
// silences.
func (n *Notifier) fanout(ctx context.Context, set *Setup, t *Topic, m *Message, subj *Subject, groupable bool, now time.Time, b *batch, forceMute ...string) {
	attrs := Attributes(m, t.Name)
	mutedBy := ""
	if len(forceMute) > 0 {
		mutedBy = forceMute[0]
	} else {
		mutedBy = n.mutes(ctx, m.Environment, set, now).By(subj)
	}
	for _, sub := range t.Subs {
		if sub.Filter != nil {
			if ok, err := sub.Filter.Match(attrs); err != nil || !ok {
				continue
			}
		}
		one := *m
		one.Topic, one.Subscription = t.Name, sub.Label
		subject := subjectKey(&one)
		if mutedBy == "" && groupable && len(one.Alarms) == 1 {
			if due, held := n.holdUntil(ctx, t, sub, &one, now); held {
				item, _ := json.Marshal(&one)
				b.held = append(b.held, store.HeldNotice{Environment: one.Environment, Topic: t.Name, Subscription: sub.Label,
					Channel: sub.Kind, GroupKey: GroupKey(t, &one.Alarms[0]), Subject: subject, DueAt: due, CreatedAt: now, Item: item})
				continue
			}
		}
		if mutedBy != "" && one.Event == nil {
			one.Event = subj.Event // kept so that an event_pattern silence still matches at release
		}
		b.msgs = append(b.msgs, outboxRow(&one, sub.Kind, subject, mutedBy, now))
	}
}

// outboxRow makes the outbox record of a message, giving it its idempotency key.
func outboxRow(m *Message, channel, subject, mutedBy string, now time.Time) store.OutboxMessage {
	m.ID = newKey()
	body, _ := json.Marshal(m)
	row := store.OutboxMessage{Key: m.ID, Environment: m.Environment, Topic: m.Topic, Subscription: m.Subscription, Channel: channel,
		Subject: subject, Message: body, State: store.OutboxPending, CreatedAt: now, NextAt: now}
	if m.Incident != nil {
		row.IncidentID = m.Incident.ID
	}
	if mutedBy != "" {
		row.State, row.MutedBy, row.NextAt = store.OutboxMuted, mutedBy, time.Time{}
	}
	return row
}

// subjectKey is what an outbox row is about: "incident/ID", the alarm instance, or the
// event.
func subjectKey(m *Message) string {
	switch {
	case m.Incident != nil:
		return "incident/" + itoa(m.Incident.ID)
	case len(m.Alarms) == 1:
		return m.Alarms[0].Name
	}
	return strings.TrimPrefix(m.DedupKey, "tocsin/"+m.Environment+"/")
}

// GroupKey is the group of an alarm notification on a topic: its alarm (template) name,
// or the values of the topic's group_by dimensions.
func GroupKey(t *Topic, a *AlarmItem) string {
	if len(t.GroupBy) == 0 {
		return "alarm:" + a.Alarm
	}
	var b strings.Builder
	b.WriteString("by:")
	for i, d := range t.GroupBy {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(d + "=" + a.Dimensions[d])
	}
	return b.String()
}

// holdUntil decides whether a groupable message waits, and until when: a new group waits
// group_wait; a group sent within group_interval waits for the interval's end; notices
// joining a group that already waits share its due time.
func (n *Notifier) holdUntil(ctx context.Context, t *Topic, sub *Sub, m *Message, now time.Time) (time.Time, bool) {
	key := groupID(m.Environment, t.Name, sub.Label, GroupKey(t, &m.Alarms[0]))
	n.groupsMu.Lock()
	defer n.groupsMu.Unlock()
	if due, ok := n.heldDue[key]; ok && due.After(now) {
		return due, true
	}
	due := now.Add(t.GroupWait)
	if last, ok, err := n.opts.Store.GroupLastSent(ctx, m.Environment, t.Name, sub.Label, GroupKey(t, &m.Alarms[0])); err == nil && ok {
		if next := last.Add(t.GroupInterval); next.After(due) {
			due = next
		}
	}
	if !due.After(now) {
		return time.Time{}, false
	}
	n.heldDue[key] = due
	return due, true
}

func groupID(env, topic, sub, key string) string {
	return env + "\x00" + topic + "\x00" + sub + "\x00" + key
}

// Attributes are the message attributes filter policies see: environment, kind, state,
// topic, alarm, one "dimension.NAME" per dimension, and an event's source and
// detail-type.
func Attributes(m *Message, topic string) []byte {
	a := map[string]any{"environment": m.Environment, "kind": m.Kind, "topic": topic}
	if m.State != "" {
		a["state"] = m.State
	}
	if len(m.Alarms) > 0 {
		it := m.Alarms[0]
		a["alarm"] = it.Alarm
		a["alarm_name"] = it.Name
		for k, v := range it.Dimensions {
			a["dimension."+k] = v
		}
	}
	if len(m.Event) > 0 {
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
		}
		if json.Unmarshal(m.Event, &ev) == nil && ev.Source != "" {
			a["source"], a["detail-type"] = ev.Source, ev.DetailType
		}
	}
	b, _ := json.Marshal(a)
	return b
}

// mergeGroup turns held notices into one message: the latest change of each instance,
// in name order.
func mergeGroup(items [][]byte) (*Message, error) {
	var first *Message
	latest := map[string]AlarmItem{}
	for _, raw := range items {
		var m Message
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		if first == nil {
			first = &m
		}
		for _, a := range m.Alarms {
			latest[a.Name] = a
		}
		if len(m.Annotations) > len(first.Annotations) {
			first.Annotations = m.Annotations
		}
	}
	out := *first
	out.Alarms = out.Alarms[:0:0]
	for _, a := range latest {
		out.Alarms = append(out.Alarms, a)
	}
	sort.Slice(out.Alarms, func(i, j int) bool { return out.Alarms[i].Name < out.Alarms[j].Name })
	if len(out.Alarms) > 1 {
		out.Graph, out.DedupKey = nil, "tocsin/"+out.Environment+"/group/"+out.Alarms[0].Alarm
		out.Links.Alarm, _, _ = strings.Cut(out.Links.Alarm, "?") // the template's page
	}
	out.State = worstState(out.Alarms)
	if out.State == "OK" {
		out.Action = ActionResolve
	} else {
		out.Action = ActionTrigger
	}
	Describe(&out)
	return &out, nil
}
