package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// IncidentStore is what RunIncidents needs: incidents, and the outbox that UpdateIncident
// writes to.
type IncidentStore interface {
	store.Incidents
	store.Notifications
}

// RunIncidents is the contract suite of store.Incidents. open must return an empty
// store, which the caller closes (t.Cleanup).
func RunIncidents(t *testing.T, open func(t *testing.T) IncidentStore) {
	t.Run("open", func(t *testing.T) { testOpenIncident(t, open(t)) })
	t.Run("update", func(t *testing.T) { testUpdateIncident(t, open(t)) })
	t.Run("timeline", func(t *testing.T) { testTimeline(t, open(t)) })
	t.Run("list", func(t *testing.T) { testListIncidents(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testPruneIncidents(t, open(t)) })
}

func incident(env, key string, i int) store.Incident {
	return store.Incident{
		Environment: env, Key: key, Policy: "page-oncall", Source: "alarm", Title: key + " is in ALARM",
		State: store.IncidentOpen, OpenedAt: minute(i), Step: 0, NextAt: minute(i), Notified: []string{"ops"},
		Message: []byte(fmt.Sprintf(`{"kind":"alarm","subject":%q}`, key)), UpdatedAt: minute(i),
	}
}

func diffIncident(got, want store.Incident) string {
	if got.ID != want.ID || got.Environment != want.Environment || got.Key != want.Key || got.Policy != want.Policy ||
		got.Source != want.Source || got.Title != want.Title || got.State != want.State ||
		!sameTime(got.OpenedAt, want.OpenedAt) || !sameTime(got.AckedAt, want.AckedAt) || got.AckedBy != want.AckedBy ||
		!sameTime(got.ResolvedAt, want.ResolvedAt) || got.ResolvedBy != want.ResolvedBy || got.Step != want.Step ||
		got.Cycle != want.Cycle || !sameTime(got.NextAt, want.NextAt) || !sameTime(got.AckDeadline, want.AckDeadline) ||
		!sameTime(got.AutoResolveAt, want.AutoResolveAt) || !slices.Equal(got.Notified, want.Notified) ||
		(len(want.Notified) == 0 && got.Notified != nil) || !sameBlob(got.Message, want.Message) ||
		!sameTime(got.UpdatedAt, want.UpdatedAt) {
		return fmt.Sprintf("got  %+v (message %q)\nwant %+v (message %q; times in UTC, empty Notified and Message nil)",
			got, got.Message, want, want.Message)
	}
	return ""
}

func checkIncident(t *testing.T, s store.Incidents, want store.Incident) {
	t.Helper()
	got, err := s.GetIncident(t.Context(), want.Environment, want.ID)
	if err != nil {
		t.Fatalf("GetIncident(%s, %d): %v", want.Environment, want.ID, err)
	}
	if d := diffIncident(got, want); d != "" {
		t.Errorf("GetIncident(%s, %d):\n%s", want.Environment, want.ID, d)
	}
}

func checkIncidents(t *testing.T, what string, got []store.Incident, err error, want ...store.Incident) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	ids := func(is []store.Incident) (out []int64) {
		for _, i := range is {
			out = append(out, i.ID)
		}
		return out
	}
	if len(got) != len(want) {
		t.Fatalf("%s = IDs %v, want %v", what, ids(got), ids(want))
	}
	for i := range want {
		if d := diffIncident(got[i], want[i]); d != "" {
			t.Errorf("%s[%d]:\n%s", what, i, d)
		}
	}
}

func diffEntry(got, want store.TimelineEntry) string {
	if got.ID != want.ID || got.IncidentID != want.IncidentID || !sameTime(got.At, want.At) || got.Kind != want.Kind ||
		got.Text != want.Text || !sameBlob(got.Data, want.Data) {
		return fmt.Sprintf("got  %+v (data %q)\nwant %+v (data %q; time in UTC, empty data nil)", got, got.Data, want, want.Data)
	}
	return ""
}

func checkTimeline(t *testing.T, s store.Incidents, incidentID int64, want ...store.TimelineEntry) {
	t.Helper()
	got, err := s.Timeline(t.Context(), incidentID)
	if err != nil {
		t.Fatalf("Timeline(%d): %v", incidentID, err)
	}
	if len(got) != len(want) {
		t.Fatalf("Timeline(%d) returned %d entries, want %d:\n%+v", incidentID, len(got), len(want), got)
	}
	for i := range want {
		if d := diffEntry(got[i], want[i]); d != "" {
			t.Errorf("Timeline(%d)[%d]:\n%s", incidentID, i, d)
		}
	}
}

func entry(kind string, i int) store.TimelineEntry {
	return store.TimelineEntry{At: minute(i), Kind: kind, Text: fmt.Sprintf("%s at minute %d", kind, i),
		Data: []byte(fmt.Sprintf(`{"minute":%d}`, i))}
}

// openIncident opens inc, which must be new, and returns it as stored with the entry.
func openIncident(t *testing.T, s store.Incidents, inc store.Incident, e store.TimelineEntry) (store.Incident, store.TimelineEntry) {
	t.Helper()
	got, opened, err := s.OpenIncident(t.Context(), inc, e)
	if err != nil || !opened {
		t.Fatalf("OpenIncident(%s/%s) = %v, %v; want a new incident", inc.Environment, inc.Key, opened, err)
	}
	if got.ID <= 0 {
		t.Fatalf("OpenIncident returned ID %d", got.ID)
	}
	inc.ID, inc.State = got.ID, store.IncidentOpen
	if d := diffIncident(got, inc); d != "" {
		t.Errorf("OpenIncident returned:\n%s", d)
	}
	tl, err := s.Timeline(t.Context(), got.ID)
	if err != nil || len(tl) != 1 {
		t.Fatalf("Timeline of a new incident = %+v, %v; want its first entry", tl, err)
	}
	e.ID, e.IncidentID = tl[0].ID, got.ID
	if d := diffEntry(tl[0], e); d != "" {
		t.Errorf("first timeline entry:\n%s", d)
	}
	return inc, e
}

func testOpenIncident(t *testing.T, s IncidentStore) {
	ctx := t.Context()
	if got, err := s.ActiveIncidents(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ActiveIncidents of an empty store = %+v, %v", got, err)
	}
	in := incident("prod", "cpu-high/InstanceId=i-1", 0)
	in.State = "" // OpenIncident stores it open whatever the caller says
	in.Notified, in.Message = nil, nil
	first, e0 := openIncident(t, s, in, entry("opened", 0))
	checkIncident(t, s, first)

	// The same key while open: the stored incident comes back, nothing is stored.
	dup := incident("prod", "cpu-high/InstanceId=i-1", 1)
	dup.Title = "another title"
	got, opened, err := s.OpenIncident(ctx, dup, entry("opened", 1))
	if err != nil || opened {
		t.Fatalf("OpenIncident of an open key = %v, %v; want the existing incident and false", opened, err)
	}
	if d := diffIncident(got, first); d != "" {
		t.Errorf("OpenIncident of an open key returned:\n%s", d)
	}
	checkTimeline(t, s, first.ID, e0)

	// Keys are per environment.
	staging, _ := openIncident(t, s, incident("staging", "cpu-high/InstanceId=i-1", 2), entry("opened", 2))
	if staging.ID == first.ID {
		t.Fatalf("incidents of two environments share ID %d", first.ID)
	}

	// Acknowledged still counts as active.
	acked := first
	acked.State, acked.AckedAt, acked.AckedBy, acked.UpdatedAt = store.IncidentAcknowledged, minute(3), "alice", minute(3)
	updateIncident(t, s, acked, nil, nil)
	got, opened, err = s.OpenIncident(ctx, dup, entry("opened", 4))
	if err != nil || opened || diffIncident(got, acked) != "" {
		t.Fatalf("OpenIncident of an acknowledged key = %+v, %v, %v; want the acknowledged incident and false", got, opened, err)
	}

	// Once resolved, the key can open a new incident.
	resolved := acked
	resolved.State, resolved.ResolvedAt, resolved.ResolvedBy, resolved.UpdatedAt = store.IncidentResolved, minute(5), "auto", minute(5)
	updateIncident(t, s, resolved, nil, nil)
	second, _ := openIncident(t, s, incident("prod", "cpu-high/InstanceId=i-1", 6), entry("opened", 6))
	if second.ID == first.ID {
		t.Fatalf("a new incident after resolution reused ID %d", second.ID)
	}
	checkIncident(t, s, resolved)
	got2, err := s.ActiveIncidents(ctx)
	checkIncidents(t, "ActiveIncidents", got2, err, staging, second)

	// A resolved incident cannot come back while another of its key is active.
	back := resolved
	back.State, back.ResolvedAt, back.ResolvedBy = store.IncidentOpen, time.Time{}, ""
	if err := s.UpdateIncident(ctx, back, []store.TimelineEntry{entry("reopened", 7)}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("UpdateIncident making a second active incident of a key: err = %v, want ErrDuplicate", err)
	}
	checkIncident(t, s, resolved)
	checkTimeline(t, s, first.ID, e0)

	for name, inc := range map[string]store.Incident{"no environment": incident("", "k", 0), "no key": incident("prod", "", 0)} {
		if _, _, err := s.OpenIncident(ctx, inc, entry("opened", 0)); err == nil {
			t.Errorf("OpenIncident with %s succeeded, want an error", name)
		}
	}
	for _, key := range []struct {
		env string
		id  int64
	}{{"staging", first.ID}, {"prod", staging.ID}, {"prod", second.ID + 1000}} {
		if _, err := s.GetIncident(ctx, key.env, key.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetIncident(%s, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
	}
}

func updateIncident(t *testing.T, s store.Incidents, inc store.Incident, entries []store.TimelineEntry, msgs []store.OutboxMessage) {
	t.Helper()
	if err := s.UpdateIncident(t.Context(), inc, entries, msgs); err != nil {
		t.Fatalf("UpdateIncident(%d → %s): %v", inc.ID, inc.State, err)
	}
}

func testUpdateIncident(t *testing.T, s IncidentStore) {
	ctx := t.Context()
	inc, e0 := openIncident(t, s, incident("prod", "disk-full", 0), entry("opened", 0))

	// Every mutable field changes; the others are kept whatever inc says.
	want := inc
	want.State, want.AckedAt, want.AckedBy = store.IncidentAcknowledged, minute(2), "alice"
	want.Step, want.Cycle, want.NextAt, want.AckDeadline, want.AutoResolveAt = 2, 1, minute(10), minute(32), minute(60)
	want.Notified, want.Message, want.UpdatedAt = []string{"ops", "dba"}, []byte(`{"kind":"incident","step":2}`), minute(2)
	arg := want
	arg.Key, arg.Policy, arg.Source, arg.Title, arg.OpenedAt = "other-key", "other-policy", "event", "other title", minute(99)
	entries := []store.TimelineEntry{entry("notified", 1), entry("acknowledged", 2)}
	entries[1].Data = nil
	pageOps := outboxMsg("prod", "inc-page-ops", 1)
	pageDBA := outboxMsg("prod", "inc-page-dba", 1)
	pageOps.IncidentID, pageDBA.IncidentID = inc.ID, inc.ID
	pageOps.Subject, pageDBA.Subject = fmt.Sprintf("incident/%d", inc.ID), fmt.Sprintf("incident/%d", inc.ID)
	msgs := []store.OutboxMessage{pageOps, pageDBA}
	updateIncident(t, s, arg, entries, msgs)
	checkIncident(t, s, want)
	for i, e := range entries {
		if e.ID <= 0 || e.IncidentID != inc.ID {
			t.Fatalf("entry %d filled in with ID %d, IncidentID %d; want a new ID and %d", i, e.ID, e.IncidentID, inc.ID)
		}
	}
	if msgs[0].ID <= 0 || msgs[1].ID <= 0 {
		t.Fatalf("outbox IDs not filled in: %d, %d", msgs[0].ID, msgs[1].ID)
	}
	checkTimeline(t, s, inc.ID, e0, entries[0], entries[1])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod", IncidentID: inc.ID}, msgs[1], msgs[0])
	checkDueOutbox(t, s, minute(1), 0, msgs[0], msgs[1])

	// Empty Notified and Message come back nil.
	want.Notified, want.Message, want.UpdatedAt = []string{}, []byte{}, minute(3)
	updateIncident(t, s, want, nil, nil)
	want.Notified, want.Message = nil, nil
	checkIncident(t, s, want)

	// All or nothing: a duplicate outbox key leaves the incident, its timeline and the outbox as they were.
	failed := want
	failed.State, failed.ResolvedAt, failed.UpdatedAt = store.IncidentResolved, minute(4), minute(4)
	bad := []store.TimelineEntry{entry("resolved", 4)}
	badMsgs := []store.OutboxMessage{outboxMsg("prod", "inc-resolved", 4), outboxMsg("prod", "inc-page-ops", 4)}
	if err := s.UpdateIncident(ctx, failed, bad, badMsgs); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("UpdateIncident with a stored outbox key: err = %v, want ErrDuplicate", err)
	}
	if bad[0].ID != 0 || badMsgs[0].ID != 0 {
		t.Errorf("failed UpdateIncident filled in IDs: %d, %d", bad[0].ID, badMsgs[0].ID)
	}
	checkIncident(t, s, want)
	checkTimeline(t, s, inc.ID, e0, entries[0], entries[1])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, msgs[1], msgs[0])

	// Absent, or of another environment: ErrNotFound and nothing stored.
	for name, x := range map[string]store.Incident{"absent": {ID: inc.ID + 1000, Environment: "prod", State: store.IncidentOpen},
		"of another environment": {ID: inc.ID, Environment: "staging", State: store.IncidentResolved}} {
		err := s.UpdateIncident(ctx, x, []store.TimelineEntry{entry("state", 5)}, []store.OutboxMessage{outboxMsg("prod", "inc-x", 5)})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateIncident of an incident %s: err = %v, want ErrNotFound", name, err)
		}
	}
	bogus := want
	bogus.State = "snoozed"
	if err := s.UpdateIncident(ctx, bogus, nil, nil); err == nil {
		t.Error("UpdateIncident with an unknown state succeeded, want an error")
	}
	checkIncident(t, s, want)
	checkTimeline(t, s, inc.ID, e0, entries[0], entries[1])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, msgs[1], msgs[0])
}

func testTimeline(t *testing.T, s IncidentStore) {
	ctx := t.Context()
	a, a0 := openIncident(t, s, incident("prod", "a", 0), entry("opened", 0))
	b, b0 := openIncident(t, s, incident("staging", "b", 0), entry("opened", 0))
	checkTimeline(t, s, b.ID+1000) // unknown incident: no entries

	// Appended out of time order, with a tie: listed by At, then ID.
	more := []store.TimelineEntry{entry("notified", 5), entry("annotation", 2), entry("failed", 5), entry("muted", 3)}
	for i := range more {
		more[i].IncidentID = a.ID
	}
	more[3].IncidentID = b.ID
	more[1].Data = nil
	if err := s.AppendTimeline(ctx, more); err != nil {
		t.Fatalf("AppendTimeline: %v", err)
	}
	for i, e := range more {
		if e.ID <= 0 || slices.ContainsFunc(more[:i], func(x store.TimelineEntry) bool { return x.ID == e.ID }) {
			t.Fatalf("AppendTimeline did not fill in distinct IDs: %+v", more)
		}
	}
	checkTimeline(t, s, a.ID, a0, more[1], more[0], more[2])
	checkTimeline(t, s, b.ID, b0, more[3])
	if err := s.AppendTimeline(ctx, nil); err != nil {
		t.Errorf("AppendTimeline of nothing: %v", err)
	}

	// An entry for a missing incident fails the whole call.
	orphan := []store.TimelineEntry{entry("annotation", 1), entry("annotation", 1)}
	orphan[0].IncidentID, orphan[1].IncidentID = a.ID, b.ID+1000
	if err := s.AppendTimeline(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AppendTimeline for a missing incident: err = %v, want ErrNotFound", err)
	}
	if orphan[0].ID != 0 {
		t.Errorf("failed AppendTimeline filled in ID %d", orphan[0].ID)
	}
	checkTimeline(t, s, a.ID, a0, more[1], more[0], more[2])

	// UpdateIncident's entries join the same order.
	upd := []store.TimelineEntry{entry("acknowledged", 4)}
	a.State, a.UpdatedAt = store.IncidentAcknowledged, minute(4)
	updateIncident(t, s, a, upd, nil)
	checkTimeline(t, s, a.ID, a0, more[1], upd[0], more[0], more[2])
}

func testListIncidents(t *testing.T, s IncidentStore) {
	ctx := t.Context()
	if _, err := s.ListIncidents(ctx, store.IncidentQuery{}); err == nil {
		t.Error("ListIncidents without environment succeeded, want an error")
	}
	var inc []store.Incident
	for i, env := range []string{"prod", "prod", "staging", "prod", "prod"} {
		x, _ := openIncident(t, s, incident(env, fmt.Sprintf("k%d", i), i), entry("opened", i))
		inc = append(inc, x)
	}
	inc[1].State, inc[1].AckedAt, inc[1].AckedBy = store.IncidentAcknowledged, minute(6), "bob"
	inc[3].State, inc[3].ResolvedAt, inc[3].ResolvedBy = store.IncidentResolved, minute(7), "carol"
	updateIncident(t, s, inc[1], nil, nil)
	updateIncident(t, s, inc[3], nil, nil)
	list := func(q store.IncidentQuery, want ...store.Incident) {
		t.Helper()
		got, err := s.ListIncidents(ctx, q)
		checkIncidents(t, fmt.Sprintf("ListIncidents(%+v)", q), got, err, want...)
	}
	list(store.IncidentQuery{Environment: "prod"}, inc[4], inc[3], inc[1], inc[0])
	list(store.IncidentQuery{Environment: "staging"}, inc[2])
	list(store.IncidentQuery{Environment: "dev"})
	list(store.IncidentQuery{Environment: "prod", States: []string{store.IncidentOpen}}, inc[4], inc[0])
	list(store.IncidentQuery{Environment: "prod", States: []string{store.IncidentAcknowledged, store.IncidentResolved}}, inc[3], inc[1])
	list(store.IncidentQuery{Environment: "prod", BeforeID: inc[3].ID}, inc[1], inc[0])
	list(store.IncidentQuery{Environment: "prod", Limit: 2}, inc[4], inc[3])
	list(store.IncidentQuery{Environment: "prod", States: []string{store.IncidentOpen, store.IncidentAcknowledged}, BeforeID: inc[4].ID, Limit: 1}, inc[1])

	got, err := s.ActiveIncidents(ctx)
	checkIncidents(t, "ActiveIncidents", got, err, inc[0], inc[1], inc[2], inc[4])

	for i := range 101 {
		openIncident(t, s, incident("bulk", fmt.Sprintf("b%03d", i), i), entry("opened", i))
	}
	if got, err := s.ListIncidents(ctx, store.IncidentQuery{Environment: "bulk"}); err != nil || len(got) != 100 || got[0].Key != "b100" {
		t.Errorf("ListIncidents without limit returned %d incidents, %v; want the default 100, newest first", len(got), err)
	}
}

// RunSilences is the contract suite of store.Silences. open must return an empty store,
// which the caller closes (t.Cleanup).
func RunSilences(t *testing.T, open func(t *testing.T) store.Silences) {
	t.Run("silences", func(t *testing.T) { testSilences(t, open(t)) })
	t.Run("expire", func(t *testing.T) { testExpireSilence(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testPruneSilences(t, open(t)) })
}

func silence(env string, from, to int) store.Silence {
	return store.Silence{Environment: env, Matchers: []byte(fmt.Sprintf(`[{"name":"alarm","value":"disk-%d"}]`, from)),
		StartsAt: minute(from), EndsAt: minute(to), CreatedBy: "alice", Comment: "maintenance", CreatedAt: minute(from - 1)}
}

func diffSilence(got, want store.Silence) string {
	if got.ID != want.ID || got.Environment != want.Environment || !sameBlob(got.Matchers, want.Matchers) ||
		!sameTime(got.StartsAt, want.StartsAt) || !sameTime(got.EndsAt, want.EndsAt) || got.CreatedBy != want.CreatedBy ||
		got.Comment != want.Comment || !sameTime(got.CreatedAt, want.CreatedAt) {
		return fmt.Sprintf("got  %+v (matchers %q)\nwant %+v (matchers %q; times in UTC, empty matchers nil)", got, got.Matchers, want, want.Matchers)
	}
	return ""
}

func checkSilences(t *testing.T, what string, got []store.Silence, err error, want ...store.Silence) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s returned %d silences, want %d:\n%+v", what, len(got), len(want), got)
	}
	for i := range want {
		if d := diffSilence(got[i], want[i]); d != "" {
			t.Errorf("%s[%d]:\n%s", what, i, d)
		}
	}
}

func addSilences(t *testing.T, s store.Silences, ss []store.Silence) {
	t.Helper()
	for i := range ss {
		id, err := s.AddSilence(t.Context(), ss[i])
		if err != nil {
			t.Fatalf("AddSilence: %v", err)
		}
		if id <= 0 || slices.ContainsFunc(ss[:i], func(x store.Silence) bool { return x.ID == id }) {
			t.Fatalf("AddSilence returned %d, want a new positive ID", id)
		}
		ss[i].ID = id
	}
}

func testSilences(t *testing.T, s store.Silences) {
	ctx := t.Context()
	ss := []store.Silence{
		silence("prod", 0, 10),    // 0: active at 5
		silence("staging", 2, 8),  // 1: active at 5
		silence("prod", 6, 20),    // 2: future at 5
		silence("prod", -10, 5),   // 3: ended at 5 (EndsAt = now)
		silence("prod", 5, 30),    // 4: starts at 5: active
		silence("staging", -5, 1), // 5: ended
	}
	ss[1].Matchers = nil
	ss[2].Matchers = []byte{}
	addSilences(t, s, ss)
	for _, x := range ss {
		got, err := s.GetSilence(ctx, x.Environment, x.ID)
		if err != nil || diffSilence(got, x) != "" {
			t.Errorf("GetSilence(%s, %d) = %+v, %v; want\n%s", x.Environment, x.ID, got, err, diffSilence(got, x))
		}
	}
	for _, key := range []struct {
		env string
		id  int64
	}{{"staging", ss[0].ID}, {"prod", ss[1].ID}, {"prod", ss[5].ID + 1000}, {"", ss[0].ID}} {
		if _, err := s.GetSilence(ctx, key.env, key.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSilence(%q, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
	}
	if _, err := s.AddSilence(ctx, silence("", 0, 1)); err == nil {
		t.Error("AddSilence without environment succeeded, want an error")
	}

	now := minute(5)
	list := func(env string, expired bool, limit int, want ...store.Silence) {
		t.Helper()
		got, err := s.ListSilences(ctx, env, now, expired, limit)
		checkSilences(t, fmt.Sprintf("ListSilences(%q, expired %v, %d)", env, expired, limit), got, err, want...)
	}
	list("prod", false, 0, ss[4], ss[2], ss[0]) // newest (ID) first; future ones included
	list("prod", true, 0, ss[4], ss[3], ss[2], ss[0])
	list("staging", false, 0, ss[1])
	list("staging", true, 0, ss[5], ss[1])
	list("", false, 0, ss[4], ss[2], ss[1], ss[0])
	list("", true, 0, ss[5], ss[4], ss[3], ss[2], ss[1], ss[0])
	list("", true, 2, ss[5], ss[4])
	list("dev", true, 0)

	got, err := s.ActiveSilences(ctx, now)
	checkSilences(t, "ActiveSilences(minute 5)", got, err, ss[0], ss[1], ss[4])
	got, err = s.ActiveSilences(ctx, minute(100))
	checkSilences(t, "ActiveSilences(minute 100)", got, err)

	var bulk []store.Silence
	for range 101 {
		bulk = append(bulk, silence("bulk", 0, 100))
	}
	addSilences(t, s, bulk)
	if got, err := s.ListSilences(ctx, "bulk", now, false, 0); err != nil || len(got) != 100 || got[0].ID != bulk[100].ID {
		t.Errorf("ListSilences without limit returned %d silences, %v; want the default 100, newest first", len(got), err)
	}
}

func testExpireSilence(t *testing.T, s store.Silences) {
	ctx := t.Context()
	ss := []store.Silence{silence("prod", 0, 10), silence("prod", 0, 3), silence("staging", 0, 10), silence("prod", 20, 30)}
	addSilences(t, s, ss)
	check := func(want store.Silence) {
		t.Helper()
		got, err := s.GetSilence(ctx, want.Environment, want.ID)
		if err != nil || diffSilence(got, want) != "" {
			t.Errorf("GetSilence(%d) = %+v, %v; want\n%s", want.ID, got, err, diffSilence(got, want))
		}
	}
	now := minute(5)
	if err := s.ExpireSilence(ctx, "prod", ss[0].ID, now); err != nil {
		t.Fatalf("ExpireSilence: %v", err)
	}
	ss[0].EndsAt = now
	check(ss[0])
	// Only ever shortens: an earlier end, or the one just set, stays.
	for _, x := range []store.Silence{ss[0], ss[1]} {
		if err := s.ExpireSilence(ctx, "prod", x.ID, minute(8)); err != nil {
			t.Errorf("ExpireSilence of an ended silence: %v", err)
		}
		check(x)
	}
	// A future silence expired now never starts.
	if err := s.ExpireSilence(ctx, "prod", ss[3].ID, now); err != nil {
		t.Fatal(err)
	}
	ss[3].EndsAt = now
	check(ss[3])
	for _, key := range []struct {
		env string
		id  int64
	}{{"staging", ss[0].ID}, {"prod", ss[2].ID}, {"prod", ss[3].ID + 1000}} {
		if err := s.ExpireSilence(ctx, key.env, key.id, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ExpireSilence(%s, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
	}
	check(ss[2])
	got, err := s.ActiveSilences(ctx, now)
	checkSilences(t, "ActiveSilences after expiry", got, err, ss[2])
	got, err = s.ListSilences(ctx, "prod", now, false, 0)
	checkSilences(t, "ListSilences after expiry", got, err)
	got, err = s.ListSilences(ctx, "prod", now, true, 0)
	checkSilences(t, "ListSilences(expired) after expiry", got, err, ss[3], ss[1], ss[0])
}
