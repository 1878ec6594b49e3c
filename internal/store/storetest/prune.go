package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tocsin/tocsin/internal/store"
)

// The retention of incidents and silences: what PruneIncidents and PruneSilences delete,
// and what they must keep whatever its age.

// pruneCase is an incident and its timeline as stored.
type pruneCase struct {
	inc      store.Incident
	timeline []store.TimelineEntry
}

// incidentAbout is a pending outbox message about inc, created at minute(i).
func incidentAbout(inc store.Incident, key string, i int) store.OutboxMessage {
	m := outboxMsg(inc.Environment, key, i)
	m.IncidentID, m.Subject = inc.ID, fmt.Sprintf("incident/%d", inc.ID)
	return m
}

func testPruneIncidents(t *testing.T, s IncidentStore) {
	ctx := t.Context()
	cutoff := minute(100)
	open := func(env, key string, i int) *pruneCase {
		t.Helper()
		inc, e0 := openIncident(t, s, incident(env, key, i), entry("opened", i))
		return &pruneCase{inc: inc, timeline: []store.TimelineEntry{e0}}
	}
	// resolve resolves c at minute(at), storing msgs (about c) with the resolution; their
	// IDs are filled in.
	resolve := func(c *pruneCase, at int, msgs ...store.OutboxMessage) []store.OutboxMessage {
		t.Helper()
		c.inc.State, c.inc.ResolvedAt, c.inc.ResolvedBy, c.inc.UpdatedAt = store.IncidentResolved, minute(at), "tocsin", minute(at)
		es := []store.TimelineEntry{entry("notified", at-1), entry("resolved", at)}
		updateIncident(t, s, c.inc, es, msgs)
		c.timeline = append(c.timeline, es...)
		return msgs
	}
	finish := func(m store.OutboxMessage, state string, at int) store.OutboxMessage {
		t.Helper()
		m.State, m.Attempts, m.FinishedAt = state, 1, minute(at)
		record(t, s, m, store.DeliveryAttempt{Attempt: 1, At: minute(at), Outcome: state})
		return m
	}

	// Open and acknowledged incidents are kept however old (their ResolvedAt is the zero time).
	openOld := open("prod", "open-old", 0)
	acked := open("prod", "acked-old", 1)
	acked.inc.State, acked.inc.AckedAt, acked.inc.AckedBy, acked.inc.UpdatedAt = store.IncidentAcknowledged, minute(2), "alice", minute(2)
	updateIncident(t, s, acked.inc, nil, nil)

	// Resolved before the cutoff: pruned with every line of their timelines.
	old := open("prod", "resolved-old", 3)
	note := []store.TimelineEntry{entry("annotation", 4)}
	note[0].IncidentID = old.inc.ID
	if err := s.AppendTimeline(ctx, note); err != nil {
		t.Fatal(err)
	}
	resolve(old, 10)
	stagingOld := open("staging", "resolved-old", 5)
	resolve(stagingOld, 20)
	// Its messages finished before the cutoff: nothing holds it.
	sentEarly := open("prod", "sent-early", 12)
	early := resolve(sentEarly, 30, incidentAbout(sentEarly.inc, "early-sent", 30), incidentAbout(sentEarly.inc, "early-dead", 30))
	early[0], early[1] = finish(early[0], store.OutboxSent, 40), finish(early[1], store.OutboxDead, 50)

	// Kept: resolved at or after the cutoff, or about a message PruneNotifications keeps.
	edge := open("prod", "resolved-at-cutoff", 6)
	resolve(edge, 100)
	recent := open("prod", "resolved-recently", 7)
	resolve(recent, 150)
	pending := open("prod", "pending-message", 8)
	resolve(pending, 30, incidentAbout(pending.inc, "held-pending", 30))
	mutedInc := open("staging", "muted-message", 9)
	resolve(mutedInc, 30, muted(incidentAbout(mutedInc.inc, "held-muted", 30), "silence/1"))
	sentLate := open("prod", "sent-late", 11)
	late := resolve(sentLate, 30, incidentAbout(sentLate.inc, "late-sent", 30))
	finish(late[0], store.OutboxSent, 120)

	n, err := s.PruneIncidents(ctx, cutoff)
	if err != nil || n != 3 {
		t.Fatalf("PruneIncidents(minute 100) = %d, %v; want 3 incidents deleted", n, err)
	}
	for _, c := range []*pruneCase{old, stagingOld, sentEarly} {
		if _, err := s.GetIncident(ctx, c.inc.Environment, c.inc.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetIncident of pruned %s: err = %v, want ErrNotFound", c.inc.Key, err)
		}
		checkTimeline(t, s, c.inc.ID) // the timeline went with it
	}
	kept := []*pruneCase{openOld, acked, edge, recent, pending, mutedInc, sentLate}
	for _, c := range kept {
		checkIncident(t, s, c.inc)
		checkTimeline(t, s, c.inc.ID, c.timeline...)
	}
	for _, m := range early { // the outbox is left to PruneNotifications
		checkGetOutbox(t, s, m)
	}
	active, err := s.ActiveIncidents(ctx)
	checkIncidents(t, "ActiveIncidents after the prune", active, err, openOld.inc, acked.inc)
	list, err := s.ListIncidents(ctx, store.IncidentQuery{Environment: "staging"})
	checkIncidents(t, "ListIncidents(staging) after the prune", list, err, mutedInc.inc)
	if n, err := s.PruneIncidents(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("PruneIncidents again = %d, %v; want 0", n, err)
	}

	// Later, once the sent message is pruned too, its incident goes; pending and muted
	// messages still hold theirs.
	later := minute(200)
	if _, err := s.PruneNotifications(ctx, later); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneIncidents(ctx, later); err != nil || n != 3 {
		t.Fatalf("PruneIncidents(minute 200) = %d, %v; want 3 (at the old cutoff, recent, sent late)", n, err)
	}
	for _, c := range kept[:2] {
		checkIncident(t, s, c.inc)
	}
	for _, c := range kept[4:6] {
		checkIncident(t, s, c.inc)
		checkTimeline(t, s, c.inc.ID, c.timeline...)
	}
	for _, c := range []*pruneCase{edge, recent, sentLate} {
		if _, err := s.GetIncident(ctx, c.inc.Environment, c.inc.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetIncident of pruned %s: err = %v, want ErrNotFound", c.inc.Key, err)
		}
		checkTimeline(t, s, c.inc.ID)
	}
}

func testPruneSilences(t *testing.T, s store.Silences) {
	ctx := t.Context()
	now, cutoff := minute(200), minute(100)
	ss := []store.Silence{
		silence("prod", 0, 50),         // 0: expired before the cutoff: pruned
		silence("prod", 0, 500),        // 1: ended early, before the cutoff: pruned
		silence("staging", 10, 90),     // 2: expired before the cutoff: pruned
		silence("prod", 300, 400),      // 3: a future one ended before the cutoff (never starts): pruned
		silence("prod", 0, 100),        // 4: ended at the cutoff: kept
		silence("prod", 0, 150),        // 5: ended since the cutoff: kept
		silence("prod", 0, 300),        // 6: active: kept
		silence("staging", -1000, 900), // 7: active, started long before the cutoff: kept
		silence("prod", 250, 400),      // 8: future: kept
	}
	addSilences(t, s, ss)
	for _, i := range []int{1, 3} {
		if err := s.ExpireSilence(ctx, ss[i].Environment, ss[i].ID, minute(60)); err != nil {
			t.Fatal(err)
		}
		ss[i].EndsAt = minute(60)
	}

	n, err := s.PruneSilences(ctx, cutoff)
	if err != nil || n != 4 {
		t.Fatalf("PruneSilences(minute 100) = %d, %v; want 4 silences deleted", n, err)
	}
	for _, x := range ss[:4] {
		if _, err := s.GetSilence(ctx, x.Environment, x.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSilence of pruned silence %d (%s to %s): err = %v, want ErrNotFound", x.ID, x.StartsAt, x.EndsAt, err)
		}
	}
	got, err := s.ListSilences(ctx, "", now, true, 0)
	checkSilences(t, "ListSilences(expired) after the prune", got, err, ss[8], ss[7], ss[6], ss[5], ss[4])
	got, err = s.ActiveSilences(ctx, now)
	checkSilences(t, "ActiveSilences after the prune", got, err, ss[6], ss[7])
	if n, err := s.PruneSilences(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("PruneSilences again = %d, %v; want 0", n, err)
	}
}
