package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// The contract of the outbox's send side: attempts, listing, replay, muted messages,
// depth, pruning and persistence.

func diffAttempt(got, want store.DeliveryAttempt) string {
	if got.ID != want.ID || got.OutboxID != want.OutboxID || got.Environment != want.Environment ||
		got.Attempt != want.Attempt || !sameTime(got.At, want.At) || got.Duration != want.Duration ||
		got.Outcome != want.Outcome || got.ErrorCode != want.ErrorCode || got.Error != want.Error {
		return fmt.Sprintf("got  %+v\nwant %+v (time in UTC)", got, want)
	}
	return ""
}

func checkAttempts(t *testing.T, s store.Notifications, env string, outboxID int64, limit int, want ...store.DeliveryAttempt) {
	t.Helper()
	got, err := s.ListAttempts(t.Context(), env, outboxID, limit)
	if err != nil {
		t.Fatalf("ListAttempts(%s, %d, %d): %v", env, outboxID, limit, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListAttempts(%s, %d, %d) returned %d attempts, want %d:\n%+v", env, outboxID, limit, len(got), len(want), got)
	}
	for i := range want {
		if d := diffAttempt(got[i], want[i]); d != "" {
			t.Errorf("ListAttempts(%s, %d, %d)[%d]:\n%s", env, outboxID, limit, i, d)
		}
	}
}

// record stores an attempt on m (already updated by the caller) and returns it as logged.
func record(t *testing.T, s store.Notifications, m store.OutboxMessage, a store.DeliveryAttempt) store.DeliveryAttempt {
	t.Helper()
	if err := s.RecordAttempts(t.Context(), []store.OutboxMessage{m}, []*store.DeliveryAttempt{&a}); err != nil {
		t.Fatalf("RecordAttempts(%d, %s): %v", m.ID, m.State, err)
	}
	if a.ID <= 0 || a.OutboxID != m.ID || a.Environment != m.Environment {
		t.Fatalf("RecordAttempts filled in ID %d, OutboxID %d, Environment %q; want a new ID, %d, %q",
			a.ID, a.OutboxID, a.Environment, m.ID, m.Environment)
	}
	return a
}

func testAttempts(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	m := []store.OutboxMessage{outboxMsg("prod", "m0", 0), outboxMsg("prod", "m1", 0), outboxMsg("staging", "m2", 0)}
	enqueue(t, s, 0, nil, m)

	// pending → retry → sent
	m0 := m[0]
	m0.Attempts, m0.NextAt, m0.LastError, m0.ErrorCode = 1, minute(5), "HTTP_503: Service Unavailable", "HTTP_503"
	a1 := record(t, s, m0, store.DeliveryAttempt{Attempt: 1, At: minute(0), Duration: 1500 * time.Millisecond,
		Outcome: "retry", ErrorCode: "HTTP_503", Error: "Service Unavailable"})
	checkGetOutbox(t, s, m0)
	checkDueOutbox(t, s, minute(1), 0, m[1], m[2])
	checkNextOutbox(t, s, minute(0), true)
	checkDueOutbox(t, s, minute(5), 0, m[1], m[2], m0)

	m0.State, m0.Attempts, m0.FinishedAt = store.OutboxSent, 2, minute(5).Add(time.Second)
	m0.LastError, m0.ErrorCode = "", ""
	a2 := record(t, s, m0, store.DeliveryAttempt{Attempt: 2, At: minute(5), Duration: 80 * time.Millisecond, Outcome: "sent"})
	checkGetOutbox(t, s, m0)
	checkDueOutbox(t, s, minute(100), 0, m[1], m[2])

	// pending → dead
	m1 := m[1]
	m1.State, m1.Attempts, m1.FinishedAt = store.OutboxDead, 1, minute(1)
	m1.LastError, m1.ErrorCode = "HTTP_404: Not Found", "HTTP_404"
	a3 := record(t, s, m1, store.DeliveryAttempt{Attempt: 1, At: minute(1), Duration: time.Millisecond,
		Outcome: "dead", ErrorCode: "HTTP_404", Error: "Not Found"})
	checkGetOutbox(t, s, m1)
	checkDueOutbox(t, s, minute(100), 0, m[2])
	checkNextOutbox(t, s, minute(0), true)
	a4 := record(t, s, m[2], store.DeliveryAttempt{Attempt: 1, At: minute(2), Outcome: "retry", ErrorCode: "TIMEOUT", Error: "no answer in time"})

	checkAttempts(t, s, "prod", m0.ID, 0, a2, a1)
	checkAttempts(t, s, "prod", m1.ID, 0, a3)
	checkAttempts(t, s, "prod", 0, 0, a3, a2, a1)
	checkAttempts(t, s, "prod", 0, 2, a3, a2)
	checkAttempts(t, s, "staging", 0, 0, a4)
	checkAttempts(t, s, "staging", m0.ID, 0) // another environment's message
	checkAttempts(t, s, "dev", 0, 0)

	// A missing message: nothing logged.
	ghost := m0
	ghost.ID = m[2].ID + 1000
	a := store.DeliveryAttempt{Attempt: 1, At: minute(3), Outcome: "sent"}
	if err := s.RecordAttempts(ctx, []store.OutboxMessage{ghost}, []*store.DeliveryAttempt{&a}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordAttempts of a missing message: err = %v, want ErrNotFound", err)
	}
	if a.ID != 0 {
		t.Errorf("failed RecordAttempts filled in ID %d", a.ID)
	}
	bad := m[2]
	bad.State = "delivered"
	if err := s.RecordAttempts(ctx, []store.OutboxMessage{bad}, []*store.DeliveryAttempt{&store.DeliveryAttempt{Attempt: 2, At: minute(3), Outcome: "sent"}}); err == nil {
		t.Error("RecordAttempts with an unknown state succeeded, want an error")
	}
	checkGetOutbox(t, s, m[2])
	checkAttempts(t, s, "prod", 0, 0, a3, a2, a1)
	checkAttempts(t, s, "staging", 0, 0, a4)

	// The default limit is 100.
	for i := range 101 {
		record(t, s, m[2], store.DeliveryAttempt{Attempt: i + 2, At: minute(3), Outcome: "retry"})
	}
	if got, err := s.ListAttempts(ctx, "staging", m[2].ID, 0); err != nil || len(got) != 100 || got[0].Attempt != 102 {
		t.Errorf("ListAttempts without limit returned %d attempts, %v; want the default 100, newest first", len(got), err)
	}
}

// testAttemptBatches checks RecordAttempts with several messages: all in one
// transaction, in order, and nothing stored when one message is absent.
func testAttemptBatches(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	m := []store.OutboxMessage{outboxMsg("prod", "b0", 0), outboxMsg("staging", "b1", 0), outboxMsg("prod", "b2", 0)}
	enqueue(t, s, 0, nil, m)
	if err := s.RecordAttempts(ctx, nil, nil); err != nil {
		t.Errorf("RecordAttempts of nothing: %v", err)
	}

	// A batch with an absent message: nothing changes, nothing is logged.
	ghost := m[2]
	ghost.ID += 1000
	sent := func(x store.OutboxMessage, n int) store.OutboxMessage {
		x.State, x.Attempts, x.FinishedAt = store.OutboxSent, n, minute(2)
		return x
	}
	as := []*store.DeliveryAttempt{{Attempt: 1, At: minute(2), Outcome: "sent"}, {Attempt: 1, At: minute(2), Outcome: "sent"}}
	if err := s.RecordAttempts(ctx, []store.OutboxMessage{sent(m[0], 1), sent(ghost, 1)}, as); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RecordAttempts with an absent message: err = %v, want ErrNotFound", err)
	}
	if as[0].ID != 0 {
		t.Errorf("failed RecordAttempts filled in ID %d", as[0].ID)
	}
	checkGetOutbox(t, s, m[0])
	checkAttempts(t, s, "prod", 0, 0)

	for name, call := range map[string]func() error{
		"fewer attempts than messages": func() error {
			return s.RecordAttempts(ctx, []store.OutboxMessage{sent(m[0], 1), sent(m[1], 1)}, as[:1])
		},
		"a nil attempt": func() error {
			return s.RecordAttempts(ctx, []store.OutboxMessage{sent(m[0], 1)}, []*store.DeliveryAttempt{nil})
		},
	} {
		if err := call(); err == nil {
			t.Errorf("RecordAttempts with %s succeeded, want an error", name)
		}
	}
	checkGetOutbox(t, s, m[0])

	// Messages of several environments, and two attempts on one message, in one call:
	// applied in order.
	retry := m[0]
	retry.Attempts, retry.NextAt, retry.LastError, retry.ErrorCode = 1, minute(1), "TIMEOUT: no answer in time", "TIMEOUT"
	ms := []store.OutboxMessage{retry, sent(m[1], 1), sent(m[0], 2)}
	as = []*store.DeliveryAttempt{
		{Attempt: 1, At: minute(0), Duration: 15 * time.Second, Outcome: "retry", ErrorCode: "TIMEOUT", Error: "no answer in time"},
		{Attempt: 1, At: minute(1), Duration: time.Second, Outcome: "sent"},
		{Attempt: 2, At: minute(2), Duration: time.Second, Outcome: "sent"},
	}
	if err := s.RecordAttempts(ctx, ms, as); err != nil {
		t.Fatalf("RecordAttempts: %v", err)
	}
	for i, a := range as {
		if a.ID <= 0 || a.OutboxID != ms[i].ID || a.Environment != ms[i].Environment ||
			(i > 0 && a.ID <= as[i-1].ID) {
			t.Fatalf("attempt %d filled in with ID %d, OutboxID %d, Environment %q", i, a.ID, a.OutboxID, a.Environment)
		}
	}
	checkGetOutbox(t, s, ms[2]) // the later attempt wins
	checkGetOutbox(t, s, ms[1])
	checkAttempts(t, s, "prod", m[0].ID, 0, *as[2], *as[0])
	checkAttempts(t, s, "staging", 0, 0, *as[1])
	checkDueOutbox(t, s, minute(100), 0, m[2])
}

func testListOutbox(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	if _, err := s.ListOutbox(ctx, store.OutboxQuery{}); err == nil {
		t.Error("ListOutbox without environment succeeded, want an error")
	}
	m := []store.OutboxMessage{
		outboxMsg("prod", "l0", 0),
		outboxMsg("prod", "l1", 1),
		outboxMsg("staging", "l2", 2),
		outboxMsg("prod", "l3", 3),
		muted(outboxMsg("prod", "l4", 4), "silence/1"),
		outboxMsg("prod", "l5", 5),
	}
	m[1].IncidentID, m[3].IncidentID, m[5].IncidentID = 7, 7, 8
	m[1].Subject, m[3].Subject, m[5].Subject = "incident/7", "incident/7", "incident/8"
	m[3].State, m[3].FinishedAt = store.OutboxDead, minute(9)
	enqueue(t, s, 0, nil, m)
	prod := func(q store.OutboxQuery) store.OutboxQuery { q.Environment = "prod"; return q }
	checkListOutbox(t, s, prod(store.OutboxQuery{}), m[5], m[4], m[3], m[1], m[0])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "staging"}, m[2])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "dev"})
	checkListOutbox(t, s, prod(store.OutboxQuery{State: store.OutboxPending}), m[5], m[1], m[0])
	checkListOutbox(t, s, prod(store.OutboxQuery{State: store.OutboxMuted}), m[4])
	checkListOutbox(t, s, prod(store.OutboxQuery{State: store.OutboxSent}))
	checkListOutbox(t, s, prod(store.OutboxQuery{IncidentID: 7}), m[3], m[1])
	checkListOutbox(t, s, prod(store.OutboxQuery{Subject: "incident/8"}), m[5])
	checkListOutbox(t, s, prod(store.OutboxQuery{Subject: "incident"})) // exact, not a prefix
	checkListOutbox(t, s, prod(store.OutboxQuery{IncidentID: 7, State: store.OutboxDead}), m[3])
	checkListOutbox(t, s, prod(store.OutboxQuery{BeforeID: m[4].ID}), m[3], m[1], m[0])
	checkListOutbox(t, s, prod(store.OutboxQuery{Limit: 2}), m[5], m[4])
	// Paging with the cursor walks every message once.
	var pages []store.OutboxMessage
	q := prod(store.OutboxQuery{Limit: 2})
	for range 10 {
		page, err := s.ListOutbox(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, page...)
		q.BeforeID = page[len(page)-1].ID
	}
	if got, want := outboxKeys(pages), outboxKeys([]store.OutboxMessage{m[5], m[4], m[3], m[1], m[0]}); !slices.Equal(got, want) {
		t.Errorf("paging = %v, want %v", got, want)
	}

	var bulk []store.OutboxMessage
	for i := range 101 {
		bulk = append(bulk, outboxMsg("bulk", fmt.Sprintf("bulk-%03d", i), i))
	}
	enqueue(t, s, 0, nil, bulk)
	got, err := s.ListOutbox(ctx, store.OutboxQuery{Environment: "bulk"})
	if err != nil || len(got) != 100 || got[0].Key != "bulk-100" {
		t.Errorf("ListOutbox without limit returned %d messages, %v; want the default 100, newest first", len(got), err)
	}
}

func testReplayOutbox(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	m := []store.OutboxMessage{outboxMsg("prod", "r0", 0), outboxMsg("prod", "r1", 0), outboxMsg("prod", "r2", 0)}
	enqueue(t, s, 0, nil, m)
	dead := m[0]
	dead.State, dead.Attempts, dead.LastError, dead.ErrorCode, dead.FinishedAt = store.OutboxDead, 4, "SMTP_550: no such user", "SMTP_550", minute(3)
	a := record(t, s, dead, store.DeliveryAttempt{Attempt: 4, At: minute(3), Outcome: "dead", ErrorCode: "SMTP_550", Error: "no such user"})
	sent := m[1]
	sent.State, sent.Attempts, sent.FinishedAt = store.OutboxSent, 1, minute(1)
	record(t, s, sent, store.DeliveryAttempt{Attempt: 1, At: minute(1), Outcome: "sent"})

	now := time.Date(2026, 3, 14, 20, 0, 0, 1000, time.FixedZone("UTC-5", -5*60*60))
	for _, key := range []struct {
		env string
		id  int64
		why string
	}{{"staging", dead.ID, "another environment"}, {"prod", sent.ID, "sent"}, {"prod", m[2].ID, "pending"},
		{"prod", m[2].ID + 1000, "absent"}} {
		if err := s.ReplayOutbox(ctx, key.env, key.id, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReplayOutbox of a message %s: err = %v, want ErrNotFound", key.why, err)
		}
	}
	checkGetOutbox(t, s, dead)
	checkGetOutbox(t, s, sent)

	if err := s.ReplayOutbox(ctx, "prod", dead.ID, now); err != nil {
		t.Fatalf("ReplayOutbox: %v", err)
	}
	want := dead
	want.State, want.Attempts, want.NextAt, want.LastError, want.ErrorCode, want.FinishedAt = store.OutboxPending, 0, now, "", "", time.Time{}
	checkGetOutbox(t, s, want)
	checkDueOutbox(t, s, now, 0, m[2], want)
	checkAttempts(t, s, "prod", dead.ID, 0, a) // the log stays
	if err := s.ReplayOutbox(ctx, "prod", dead.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReplayOutbox twice: err = %v, want ErrNotFound", err)
	}
}

func testMuted(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	m := []store.OutboxMessage{
		muted(outboxMsg("prod", "mu0", 5), "silence/1"),
		outboxMsg("prod", "p1", 0),
		muted(outboxMsg("staging", "mu2", 1), "maintenance/db-upgrade"),
		muted(outboxMsg("prod", "mu3", 0), "silence/2"),
	}
	enqueue(t, s, 0, nil, m)
	mutedList := func(limit int, want ...store.OutboxMessage) {
		t.Helper()
		got, err := s.MutedOutbox(ctx, limit)
		checkOutbox(t, fmt.Sprintf("MutedOutbox(%d)", limit), got, err, want...)
	}
	mutedList(0, m[0], m[2], m[3]) // oldest (ID) first, every environment
	mutedList(2, m[0], m[2])
	checkDepth(t, s, 1, minute(0))

	now := time.Date(2026, 3, 14, 20, 0, 0, 1000, time.FixedZone("UTC-5", -5*60*60))
	if err := s.ReleaseMuted(ctx, m[0].ID, now, true); err != nil {
		t.Fatalf("ReleaseMuted(send): %v", err)
	}
	sendNow := m[0]
	sendNow.State, sendNow.NextAt = store.OutboxPending, now // MutedBy stays: why it was held
	checkGetOutbox(t, s, sendNow)
	checkDueOutbox(t, s, now, 0, m[1], sendNow)

	if err := s.ReleaseMuted(ctx, m[2].ID, now, false); err != nil {
		t.Fatalf("ReleaseMuted(drop): %v", err)
	}
	dropped := m[2]
	dropped.State, dropped.FinishedAt = store.OutboxDropped, now
	checkGetOutbox(t, s, dropped)
	checkDueOutbox(t, s, now, 0, m[1], sendNow)
	mutedList(0, m[3])

	for name, id := range map[string]int64{"released": m[0].ID, "dropped": m[2].ID, "pending": m[1].ID, "absent": m[3].ID + 1000} {
		for _, send := range []bool{true, false} {
			if err := s.ReleaseMuted(ctx, id, now, send); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ReleaseMuted of a %s message (send %v): err = %v, want ErrNotFound", name, send, err)
			}
		}
	}
	checkGetOutbox(t, s, dropped)
	checkDepth(t, s, 2, minute(0))
	var bulk []store.OutboxMessage
	for i := range 1001 {
		bulk = append(bulk, muted(outboxMsg("bulk", fmt.Sprintf("mb-%04d", i), 0), "silence/9"))
	}
	enqueue(t, s, 0, nil, bulk)
	if got, err := s.MutedOutbox(ctx, 0); err != nil || len(got) != 1000 || got[0].Key != "mu3" {
		t.Errorf("MutedOutbox without limit returned %d messages, %v; want the default 1000, oldest first", len(got), err)
	}
}

func testOutboxDepth(t *testing.T, s NotifyStore) {
	checkDepth(t, s, 0, time.Time{})
	m := []store.OutboxMessage{outboxMsg("prod", "d0", 5), outboxMsg("staging", "d1", 2), outboxMsg("prod", "d2", 7),
		muted(outboxMsg("prod", "d3", 1), "silence/1"), outboxMsg("prod", "d4", 0)}
	m[4].State, m[4].FinishedAt = store.OutboxDead, minute(1)
	m[1].NextAt = minute(20) // age is by CreatedAt, whatever NextAt
	enqueue(t, s, 0, nil, m)
	checkDepth(t, s, 3, minute(2))
	done := m[1]
	done.State, done.Attempts, done.FinishedAt = store.OutboxSent, 1, minute(3)
	record(t, s, done, store.DeliveryAttempt{Attempt: 1, At: minute(3), Outcome: "sent"})
	checkDepth(t, s, 2, minute(5))
}

func testPruneNotifications(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	m := []store.OutboxMessage{
		outboxMsg("prod", "sent-old", 0),
		outboxMsg("prod", "dead-old", 0),
		muted(outboxMsg("staging", "dropped-old", 0), "silence/1"),
		outboxMsg("prod", "sent-new", 0),
		outboxMsg("prod", "pending-old", 0), // pending for ages: kept
		muted(outboxMsg("prod", "muted-old", 0), "silence/1"),
		outboxMsg("prod", "retrying-old", 0),
	}
	enqueue(t, s, 0, nil, m)
	finish := func(i int, state string, at int) store.OutboxMessage {
		t.Helper()
		x := m[i]
		x.State, x.Attempts, x.FinishedAt = state, 1, minute(at)
		record(t, s, x, store.DeliveryAttempt{Attempt: 1, At: minute(at), Outcome: state})
		return x
	}
	finish(0, store.OutboxSent, 1)
	finish(1, store.OutboxDead, 2)
	if err := s.ReleaseMuted(ctx, m[2].ID, minute(3), false); err != nil {
		t.Fatal(err)
	}
	sentNew := finish(3, store.OutboxSent, 10)
	retrying := m[6]
	retrying.Attempts, retrying.NextAt = 1, minute(11)
	retryAttempt := record(t, s, retrying, store.DeliveryAttempt{Attempt: 1, At: minute(1), Outcome: "retry"})

	notices := []store.HeldNotice{heldNotice("prod", "ops", "mail", "old", 0), heldNotice("prod", "ops", "mail", "new", 0)}
	enqueue(t, s, 0, notices, nil)
	oldGroup, newGroup := outboxMsg("prod", "group-old", 1), outboxMsg("prod", "group-new", 10)
	for i, msg := range []*store.OutboxMessage{&oldGroup, &newGroup} {
		if err := s.FlushGroup(ctx, []int64{notices[i].ID}, msg, notices[i].GroupKey); err != nil {
			t.Fatal(err)
		}
	}
	waiting := []store.HeldNotice{heldNotice("prod", "ops", "mail", "old", -100)} // held notices are never pruned
	enqueue(t, s, 0, waiting, nil)

	n, err := s.PruneNotifications(ctx, minute(5))
	if err != nil || n != 3 {
		t.Fatalf("PruneNotifications(minute 5) = %d, %v; want 3 messages deleted", n, err)
	}
	for _, x := range m[:3] {
		if _, err := s.GetOutbox(ctx, x.Environment, x.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetOutbox of pruned %s: err = %v, want ErrNotFound", x.Key, err)
		}
		checkAttempts(t, s, x.Environment, x.ID, 0)
	}
	checkGetOutbox(t, s, sentNew)
	checkGetOutbox(t, s, m[4])
	checkGetOutbox(t, s, m[5])
	checkGetOutbox(t, s, retrying)
	checkAttempts(t, s, "prod", retrying.ID, 0, retryAttempt) // attempts of unfinished messages stay
	if got, err := s.ListAttempts(ctx, "prod", 0, 0); err != nil || len(got) != 2 {
		t.Errorf("attempts left in prod = %d, %v; want 2 (sent-new, retrying-old)", len(got), err)
	}
	if _, ok, err := s.GroupLastSent(ctx, "prod", "ops", "slack-ops", "old"); ok || err != nil {
		t.Errorf("GroupLastSent of a group last sent before the prune = %v, %v; want pruned", ok, err)
	}
	if last, ok, err := s.GroupLastSent(ctx, "prod", "ops", "slack-ops", "new"); !ok || err != nil || !sameTime(last, minute(10)) {
		t.Errorf("GroupLastSent of a recent group = %s, %v, %v; want %s", last, ok, err, minute(10).UTC())
	}
	checkDueNotices(t, s, minute(100), 0, waiting...)
	if n, err := s.PruneNotifications(ctx, minute(5)); err != nil || n != 0 {
		t.Errorf("PruneNotifications again = %d, %v; want 0", n, err)
	}
}

func testNotificationsReopen(t *testing.T, openSame func() store.Store) {
	ctx := t.Context()
	s := openSame()
	ds := []store.Delivery{delivery("prod", "to-topic", 0)}
	appendEvents(t, s, nil, nil, ds)
	m := []store.OutboxMessage{outboxMsg("prod", "keep-pending", 1), muted(outboxMsg("prod", "keep-muted", 2), "silence/3"),
		outboxMsg("prod", "keep-dead", 3)}
	notices := []store.HeldNotice{heldNotice("prod", "ops", "mail", "g", 4)}
	enqueue(t, s, ds[0].ID, notices, m)
	dead := m[2]
	dead.State, dead.Attempts, dead.LastError, dead.ErrorCode, dead.FinishedAt = store.OutboxDead, 1, "HTTP_410: Gone", "HTTP_410", minute(3)
	a := record(t, s, dead, store.DeliveryAttempt{Attempt: 1, At: minute(3), Outcome: "dead", ErrorCode: "HTTP_410", Error: "Gone"})
	group := outboxMsg("prod", "keep-group", 5)
	if err := s.FlushGroup(ctx, nil, &group, "g"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openSame()
	defer s.Close()
	checkDueOutbox(t, s, minute(100), 0, m[0], group)
	got, err := s.MutedOutbox(ctx, 0)
	checkOutbox(t, "MutedOutbox after reopen", got, err, m[1])
	checkGetOutbox(t, s, dead)
	checkAttempts(t, s, "prod", dead.ID, 0, a)
	checkDueNotices(t, s, minute(100), 0, notices...)
	if last, ok, err := s.GroupLastSent(ctx, "prod", "ops", "slack-ops", "g"); !ok || err != nil || !sameTime(last, minute(5)) {
		t.Errorf("GroupLastSent after reopen = %s, %v, %v; want %s", last, ok, err, minute(5).UTC())
	}
	if err := s.Enqueue(ctx, []int64{ds[0].ID}, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Enqueue from the consumed delivery after reopen: err = %v, want ErrNotFound", err)
	}
	if err := s.Enqueue(ctx, nil, nil, []store.OutboxMessage{outboxMsg("prod", "keep-pending", 6)}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Enqueue of a stored key after reopen: err = %v, want ErrDuplicate", err)
	}
}
