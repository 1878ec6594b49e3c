package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Errors of incident transitions (the API maps them to 4xx).
var (
	ErrIncidentClosed = errors.New("the incident is already resolved")
	ErrNoPolicy       = errors.New("the incident's escalation policy no longer exists")
)

// openIncident opens an incident for key under policy, and notifies its first step when
// that is due at once. An incident already open for the key only gains a timeline entry.
func (n *Notifier) openIncident(ctx context.Context, set *Setup, env, policy, source, key string, m *Message, subj *Subject) error {
	pol := set.Policy(env, policy)
	now := n.opts.Now().UTC()
	body, _ := json.Marshal(m)
	inc := store.Incident{Environment: env, Key: key, Policy: policy, Source: source, Title: m.Title, State: store.IncidentOpen,
		OpenedAt: now, Message: body, UpdatedAt: now}
	if source == "event" {
		inc.AutoResolveAt = now.Add(pol.AutoResolve.Or(24 * time.Hour))
	}
	Escalation{pol}.Start(&inc, now)
	n.mu.Lock()
	defer n.mu.Unlock()
	got, created, err := n.opts.Store.OpenIncident(ctx, inc, store.TimelineEntry{At: now, Kind: "opened", Text: m.Title + "\n" + m.Text})
	if err != nil {
		return err
	}
	if !created {
		return n.opts.Store.AppendTimeline(ctx, []store.TimelineEntry{{IncidentID: got.ID, At: now, Kind: "state", Text: m.Title}})
	}
	if len(m.Annotations) > 0 { // what changed just before: deployments near the breach
		var notes []store.TimelineEntry
		for _, a := range m.Annotations {
			notes = append(notes, store.TimelineEntry{IncidentID: got.ID, At: a.Time, Kind: "annotation", Text: a.Text})
		}
		if err := n.opts.Store.AppendTimeline(ctx, notes); err != nil {
			return err
		}
	}
	if n.opts.Publish != nil {
		n.opts.Publish(env, "Incident Opened", map[string]any{"incident": got.ID, "policy": policy, "key": key, "title": m.Title})
	}
	return n.escalate(ctx, set, &got, now)
}

// escalate notifies every step of inc that is due at now and stores the incident.
func (n *Notifier) escalate(ctx context.Context, set *Setup, inc *store.Incident, now time.Time) error {
	pol := set.Policy(inc.Environment, inc.Policy)
	if pol == nil {
		return ErrNoPolicy
	}
	var b batch
	var entries []store.TimelineEntry
	for i := 0; Due(inc, now) && i < 100; i++ {
		step, cycle := inc.Step, inc.Cycle
		topics := Escalation{pol}.Advance(inc)
		m, subj, err := n.incidentMessage(set, inc, step, cycle, ActionTrigger, "")
		if err != nil {
			return err
		}
		var notified []string
		for _, name := range topics {
			if t := set.Topic(inc.Environment, name); t != nil {
				n.fanout(ctx, set, t, m, subj, false, now, &b)
				notified = append(notified, name)
				inc.Notified = addName(inc.Notified, name)
			}
		}
		entries = append(entries, store.TimelineEntry{IncidentID: inc.ID, At: now, Kind: "notified",
			Text: fmt.Sprintf("Step %d (pass %d): notified %s", step+1, cycle+1, strings.Join(notified, ", "))})
	}
	inc.UpdatedAt = now
	if err := n.opts.Store.UpdateIncident(ctx, *inc, entries, b.msgs); err != nil {
		return err
	}
	if len(b.msgs) > 0 && n.opts.Wake != nil {
		n.opts.Wake()
	}
	return nil
}

// incidentMessage is the message about an incident: what it is about, with the incident
// and, while it is open, a signed acknowledge link.
func (n *Notifier) incidentMessage(set *Setup, inc *store.Incident, step, cycle int, action, by string) (*Message, *Subject, error) {
	var m Message
	if err := json.Unmarshal(inc.Message, &m); err != nil {
		return nil, nil, fmt.Errorf("incident %d: %w", inc.ID, err)
	}
	subj := &Subject{Event: m.Event}
	if len(m.Alarms) == 1 {
		a := m.Alarms[0]
		subj = &Subject{Alarm: a.Alarm, Name: a.Name, Dimensions: a.Dimensions, Event: m.Event}
	}
	m.Kind, m.Action = KindIncident, action
	m.Incident = &IncidentRef{ID: inc.ID, Policy: inc.Policy, State: inc.State, Step: step, Cycle: cycle, Opened: inc.OpenedAt, By: by, Subject: inc.Key}
	m.Links.Incident = incidentURL(set.PublicURL, inc)
	switch action {
	case ActionTrigger:
		ttl := set.Settings.AckLinkTTL.Or(stack.DefaultAckLinkTTL)
		m.Links.Acknowledge = n.opts.AckLinks.URL(set.PublicURL, inc.Environment, inc.ID, n.opts.Now().Add(ttl))
		m.Title = fmt.Sprintf("[incident %d] %s", inc.ID, inc.Title)
		if step > 0 || cycle > 0 {
			m.Title = fmt.Sprintf("[incident %d, escalated: step %d] %s", inc.ID, step+1, inc.Title)
		}
	case ActionAcknowledge:
		m.Title = fmt.Sprintf("[incident %d] acknowledged by %s: %s", inc.ID, by, inc.Title)
		m.Text = fmt.Sprintf("%s acknowledged incident %d at %s; escalation has stopped.", by, inc.ID, n.opts.Now().UTC().Format("15:04 UTC"))
		m.Graph = nil
	case ActionResolve:
		m.State = "OK"
		m.Title = fmt.Sprintf("[incident %d] resolved: %s", inc.ID, inc.Title)
		m.Text = fmt.Sprintf("Incident %d is resolved (%s), %s after it opened.", inc.ID, by, Ago(inc.OpenedAt, n.opts.Now()))
		m.Graph = nil
	}
	return &m, subj, nil
}

func incidentURL(publicURL string, inc *store.Incident) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + "/ui/environments/" + inc.Environment + "/incidents/" + strconv.FormatInt(inc.ID, 10)
}

func addName(list []string, name string) []string {
	for _, s := range list {
		if s == name {
			return list
		}
	}
	return append(list, name)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Acknowledge stops an incident's escalation (an event incident resolves instead). The
// topics notified so far hear who acknowledged it.
func (n *Notifier) Acknowledge(ctx context.Context, env string, id int64, by string) (store.Incident, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	inc, err := n.opts.Store.GetIncident(ctx, env, id)
	if err != nil {
		return inc, err
	}
	if inc.State == store.IncidentResolved {
		return inc, ErrIncidentClosed
	}
	if inc.Source == "event" { // an event has no OK to wait for: acknowledging closes it
		err := n.resolve(ctx, n.opts.Setup(), &inc, "acknowledged by "+by, by)
		return inc, err
	}
	if inc.State == store.IncidentAcknowledged {
		return inc, nil
	}
	set := n.opts.Setup()
	now := n.opts.Now().UTC()
	inc.State, inc.AckedAt, inc.AckedBy, inc.NextAt = store.IncidentAcknowledged, now, by, time.Time{}
	if pol := set.Policy(env, inc.Policy); pol != nil && pol.AckTimeout != nil {
		inc.AckDeadline = now.Add(pol.AckTimeout.Std())
	}
	return inc, n.tell(ctx, set, &inc, ActionAcknowledge, by, store.TimelineEntry{IncidentID: id, At: now, Kind: "acknowledged", Text: "Acknowledged by " + by})
}

// Resolve closes an incident by hand.
func (n *Notifier) Resolve(ctx context.Context, env string, id int64, by string) (store.Incident, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	inc, err := n.opts.Store.GetIncident(ctx, env, id)
	if err != nil {
		return inc, err
	}
	if inc.State == store.IncidentResolved {
		return inc, ErrIncidentClosed
	}
	err = n.resolve(ctx, n.opts.Setup(), &inc, "resolved by "+by, by)
	return inc, err
}

// resolveByKey resolves the active incident about key, if any (an alarm back to OK).
func (n *Notifier) resolveByKey(ctx context.Context, set *Setup, env, key, why, by string) error {
	active, err := n.opts.Store.ActiveIncidents(ctx)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range active {
		if inc := &active[i]; inc.Environment == env && inc.Key == key {
			return n.resolve(ctx, set, inc, why, by)
		}
	}
	return nil
}

// noteByKey adds a state line to the timeline of the active incident about key, if any.
func (n *Notifier) noteByKey(ctx context.Context, env, key string, at time.Time, text string) error {
	active, err := n.opts.Store.ActiveIncidents(ctx)
	if err != nil {
		return err
	}
	for _, inc := range active {
		if inc.Environment == env && inc.Key == key {
			return n.opts.Store.AppendTimeline(ctx, []store.TimelineEntry{{IncidentID: inc.ID, At: at, Kind: "state", Text: text}})
		}
	}
	return nil
}

// resolve closes inc; everyone notified hears about it. Call with n.mu held.
func (n *Notifier) resolve(ctx context.Context, set *Setup, inc *store.Incident, why, by string) error {
	now := n.opts.Now().UTC()
	inc.State, inc.ResolvedAt, inc.ResolvedBy, inc.NextAt, inc.AckDeadline = store.IncidentResolved, now, by, time.Time{}, time.Time{}
	if n.opts.Publish != nil {
		n.opts.Publish(inc.Environment, "Incident Resolved", map[string]any{"incident": inc.ID, "policy": inc.Policy, "key": inc.Key, "why": why})
	}
	return n.tell(ctx, set, inc, ActionResolve, why, store.TimelineEntry{IncidentID: inc.ID, At: now, Kind: "resolved", Text: "Resolved: " + why})
}

// tell stores inc with entry and sends action's message to every topic notified so far.
func (n *Notifier) tell(ctx context.Context, set *Setup, inc *store.Incident, action, by string, entry store.TimelineEntry) error {
	now := n.opts.Now().UTC()
	inc.UpdatedAt = now
	var b batch
	if m, subj, err := n.incidentMessage(set, inc, inc.Step, inc.Cycle, action, by); err == nil {
		for _, name := range inc.Notified {
			if t := set.Topic(inc.Environment, name); t != nil {
				n.fanout(ctx, set, t, m, subj, false, now, &b)
			}
		}
	}
	if err := n.opts.Store.UpdateIncident(ctx, *inc, []store.TimelineEntry{entry}, b.msgs); err != nil {
		return err
	}
	if len(b.msgs) > 0 && n.opts.Wake != nil {
		n.opts.Wake()
	}
	return nil
}

// tickIncidents resolves incidents whose alarm is OK (or gone) or whose auto-resolve
// time passed, re-opens acknowledged ones past their ack timeout, and escalates.
func (n *Notifier) tickIncidents(ctx context.Context, set *Setup, now time.Time) error {
	active, err := n.opts.Store.ActiveIncidents(ctx)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var errs []error
	for i := range active {
		inc := &active[i]
		var err error
		switch {
		case inc.Source == "alarm" && n.alarmCleared(inc):
			err = n.resolve(ctx, set, inc, "alarm returned to OK", "tocsin")
		case !inc.AutoResolveAt.IsZero() && !now.Before(inc.AutoResolveAt):
			err = n.resolve(ctx, set, inc, "auto-resolved", "tocsin")
		case inc.State == store.IncidentAcknowledged && !inc.AckDeadline.IsZero() && !now.Before(inc.AckDeadline):
			pol := set.Policy(inc.Environment, inc.Policy)
			if pol == nil {
				continue
			}
			inc.State, inc.AckDeadline = store.IncidentOpen, time.Time{}
			Escalation{pol}.Start(inc, now)
			if err = n.opts.Store.AppendTimeline(ctx, []store.TimelineEntry{{IncidentID: inc.ID, At: now, Kind: "reopened",
				Text: "Re-opened: still unresolved " + pol.AckTimeout.String() + " after it was acknowledged"}}); err == nil {
				err = n.escalate(ctx, set, inc, now)
			}
		case Due(inc, now):
			err = n.escalate(ctx, set, inc, now)
		}
		if err != nil && !errors.Is(err, ErrNoPolicy) {
			errs = append(errs, fmt.Errorf("incident %d: %w", inc.ID, err))
		}
	}
	return errors.Join(errs...)
}

// alarmCleared reports whether an alarm incident's alarm is OK or no longer exists.
func (n *Notifier) alarmCleared(inc *store.Incident) bool {
	if n.opts.AlarmState == nil {
		return false
	}
	state, ok := n.opts.AlarmState(inc.Environment, inc.Key)
	return !ok || state == "OK"
}
