package notify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// silenceTTL is how long the cached list of active silences is used (AddSilence and
// ExpireSilence through the notifier refresh it at once).
const silenceTTL = time.Second

// mutes returns what mutes notifications of env at now.
func (n *Notifier) mutes(ctx context.Context, env string, set *Setup, now time.Time) *Mutes {
	n.silMu.Lock()
	if n.silLoaded.IsZero() || now.Sub(n.silLoaded) > silenceTTL || now.Before(n.silLoaded) {
		if s, err := n.opts.Store.ActiveSilences(ctx, now); err == nil {
			n.silences, n.silLoaded = s, now
		} else {
			n.opts.Log.Error("loading silences", "err", err)
		}
	}
	silences := n.silences
	n.silMu.Unlock()
	return NewMutes(silences, env, set.Windows(env), now)
}

// SilencesChanged makes the next decision reload the silences.
func (n *Notifier) SilencesChanged() {
	n.silMu.Lock()
	n.silLoaded = time.Time{}
	n.silMu.Unlock()
}

// Tick does the timed work: sends groups whose wait is over, walks incidents (escalate,
// resolve, re-open) and releases muted messages whose silence ended. The server calls it
// every second; tests call it with a fake clock.
func (n *Notifier) Tick(ctx context.Context) error {
	set := n.opts.Setup()
	if set == nil {
		return nil
	}
	now := n.opts.Now().UTC()
	return errors.Join(n.flushGroups(ctx, now), n.tickIncidents(ctx, set, now), n.releaseMuted(ctx, set, now))
}

// flushGroups sends every group whose held notices are due as one message.
func (n *Notifier) flushGroups(ctx context.Context, now time.Time) error {
	due, err := n.opts.Store.DueNotices(ctx, now, 5000)
	if err != nil || len(due) == 0 {
		return err
	}
	var errs []error
	for start := 0; start < len(due); {
		end := start + 1
		for end < len(due) && sameGroup(&due[start], &due[end]) {
			end++
		}
		errs = append(errs, n.flush(ctx, due[start:end], now))
		start = end
	}
	if n.opts.Wake != nil {
		n.opts.Wake()
	}
	return errors.Join(errs...)
}

func sameGroup(a, b *store.HeldNotice) bool {
	return a.Environment == b.Environment && a.Topic == b.Topic && a.Subscription == b.Subscription && a.GroupKey == b.GroupKey
}

func (n *Notifier) flush(ctx context.Context, group []store.HeldNotice, now time.Time) error {
	first := &group[0]
	items := make([][]byte, len(group))
	ids := make([]int64, len(group))
	for i := range group {
		items[i], ids[i] = group[i].Item, group[i].ID
	}
	m, err := mergeGroup(items)
	if err != nil {
		return err
	}
	subject := first.Subject
	if len(m.Alarms) > 1 {
		subject = "group/" + first.GroupKey
	}
	row := outboxRow(m, first.Channel, subject, "", now)
	n.groupsMu.Lock()
	delete(n.heldDue, groupID(first.Environment, first.Topic, first.Subscription, first.GroupKey))
	n.groupsMu.Unlock()
	err = n.opts.Store.FlushGroup(ctx, ids, &row, first.GroupKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil // flushed by someone else meanwhile
	}
	return err
}

// releaseMuted looks at muted messages: one whose silence (or window, or flapping) is
// over is sent if what it says is still true — its alarm still in that state, its
// incident still open — and dropped otherwise. Of several muted messages about one
// subject only the newest can be sent.
func (n *Notifier) releaseMuted(ctx context.Context, set *Setup, now time.Time) error {
	muted, err := n.opts.Store.MutedOutbox(ctx, 1000)
	if err != nil || len(muted) == 0 {
		return err
	}
	newest := map[string]int64{}
	for _, m := range muted {
		newest[m.Environment+"\x00"+m.Topic+"\x00"+m.Subscription+"\x00"+m.Subject] = m.ID // oldest first: the last wins
	}
	sent := false
	var errs []error
	for _, row := range muted {
		var m Message
		if json.Unmarshal(row.Message, &m) != nil {
			errs = append(errs, n.opts.Store.ReleaseMuted(ctx, row.ID, now, false))
			continue
		}
		if n.stillMuted(ctx, set, &row, &m, now) {
			continue
		}
		send := newest[row.Environment+"\x00"+row.Topic+"\x00"+row.Subscription+"\x00"+row.Subject] == row.ID && n.stillTrue(ctx, &m, row.MutedBy)
		errs = append(errs, n.opts.Store.ReleaseMuted(ctx, row.ID, now, send))
		sent = sent || send
	}
	if sent && n.opts.Wake != nil {
		n.opts.Wake()
	}
	return errors.Join(errs...)
}

func (n *Notifier) stillMuted(ctx context.Context, set *Setup, row *store.OutboxMessage, m *Message, now time.Time) bool {
	subj := &Subject{Event: m.Event}
	if len(m.Alarms) == 1 {
		a := m.Alarms[0]
		subj = &Subject{Alarm: a.Alarm, Name: a.Name, Dimensions: a.Dimensions, Event: m.Event}
	}
	if row.MutedBy == "flapping" {
		flapping, _ := n.Flapping(m.Environment, subj.Name)
		return flapping
	}
	return n.mutes(ctx, m.Environment, set, now).By(subj) != ""
}

// stillTrue reports whether a held-back message still says something worth hearing: its
// incident is still open, or its alarm still in that state — except OK after a silence or
// window (nobody heard the ALARM it would resolve; after flapping, people did).
func (n *Notifier) stillTrue(ctx context.Context, m *Message, mutedBy string) bool {
	switch {
	case m.Incident != nil:
		inc, err := n.opts.Store.GetIncident(ctx, m.Environment, m.Incident.ID)
		return err == nil && inc.State == store.IncidentOpen && m.Action == ActionTrigger
	case len(m.Alarms) == 1 && n.opts.AlarmState != nil:
		state, ok := n.opts.AlarmState(m.Environment, m.Alarms[0].Name)
		return ok && state == m.Alarms[0].State && (state != "OK" || mutedBy == "flapping")
	}
	return false // events are moments: a muted one stays unsent
}
