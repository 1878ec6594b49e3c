package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// NotifyStore is what RunNotifications needs: the notifier's store, and the event outbox
// whose deliveries Enqueue consumes.
type NotifyStore interface {
	store.Notifications
	store.Events
}

// RunNotifications is the contract suite of store.Notifications. open must return an
// empty store, which the caller closes (t.Cleanup). WithReopen enables the persistence
// subtest.
func RunNotifications(t *testing.T, open func(t *testing.T) NotifyStore, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	t.Run("enqueue", func(t *testing.T) { testEnqueue(t, open(t)) })
	t.Run("fan-out once", func(t *testing.T) { testFanOutOnce(t, open(t)) })
	t.Run("duplicate key", func(t *testing.T) { testOutboxDuplicate(t, open(t)) })
	t.Run("held notices", func(t *testing.T) { testHeldNotices(t, open(t)) })
	t.Run("flush group", func(t *testing.T) { testFlushGroup(t, open(t)) })
	t.Run("due outbox", func(t *testing.T) { testDueOutbox(t, open(t)) })
	t.Run("attempts", func(t *testing.T) { testAttempts(t, open(t)) })
	t.Run("attempt batches", func(t *testing.T) { testAttemptBatches(t, open(t)) })
	t.Run("list outbox", func(t *testing.T) { testListOutbox(t, open(t)) })
	t.Run("replay", func(t *testing.T) { testReplayOutbox(t, open(t)) })
	t.Run("muted", func(t *testing.T) { testMuted(t, open(t)) })
	t.Run("depth", func(t *testing.T) { testOutboxDepth(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testPruneNotifications(t, open(t)) })
	t.Run("reopen", func(t *testing.T) {
		if o.storage == nil {
			t.Skip("backend passed no storetest.WithReopen")
		}
		testNotificationsReopen(t, o.storage(t))
	})
}

// sameBlob reports whether a stored blob came back byte for byte, an empty one as nil.
func sameBlob(got, want []byte) bool {
	if len(want) == 0 {
		return got == nil
	}
	return bytes.Equal(got, want)
}

// outboxMsg is a pending message of env, created and due at minute(i).
func outboxMsg(env, key string, i int) store.OutboxMessage {
	return store.OutboxMessage{
		Key: key, Environment: env, Topic: "ops", Subscription: "slack-ops", Channel: "slack",
		Subject: "cpu-high/InstanceId=i-1", Message: []byte(fmt.Sprintf(`{"id":%q,"n":%d}`, key, i)),
		State: store.OutboxPending, CreatedAt: minute(i), NextAt: minute(i),
	}
}

// muted returns m muted by by (muted messages are not due: NextAt zero).
func muted(m store.OutboxMessage, by string) store.OutboxMessage {
	m.State, m.MutedBy, m.NextAt = store.OutboxMuted, by, time.Time{}
	return m
}

func heldNotice(env, topic, sub, group string, due int) store.HeldNotice {
	return store.HeldNotice{
		Environment: env, Topic: topic, Subscription: sub, Channel: "email", GroupKey: group,
		Subject: "disk/" + group, DueAt: minute(due), CreatedAt: minute(due).Add(-10 * time.Second),
		Item: []byte(fmt.Sprintf(`{"group":%q,"due":%d}`, group, due)),
	}
}

func diffOutbox(got, want store.OutboxMessage) string {
	if got.ID != want.ID || got.Key != want.Key || got.Environment != want.Environment || got.Topic != want.Topic ||
		got.Subscription != want.Subscription || got.Channel != want.Channel || got.Subject != want.Subject ||
		got.IncidentID != want.IncidentID || !sameBlob(got.Message, want.Message) || got.State != want.State ||
		got.MutedBy != want.MutedBy || !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.NextAt, want.NextAt) ||
		got.Attempts != want.Attempts || got.LastError != want.LastError || got.ErrorCode != want.ErrorCode ||
		!sameTime(got.FinishedAt, want.FinishedAt) {
		return fmt.Sprintf("got  %+v (message %q)\nwant %+v (message %q, times in UTC, empty message nil)", got, got.Message, want, want.Message)
	}
	return ""
}

func outboxKeys(ms []store.OutboxMessage) []string {
	var keys []string
	for _, m := range ms {
		keys = append(keys, m.Key)
	}
	return keys
}

func checkOutbox(t *testing.T, what string, got []store.OutboxMessage, err error, want ...store.OutboxMessage) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, outboxKeys(got), outboxKeys(want))
	}
	for i := range want {
		if d := diffOutbox(got[i], want[i]); d != "" {
			t.Errorf("%s[%d]:\n%s", what, i, d)
		}
	}
}

func checkDueOutbox(t *testing.T, s store.Notifications, now time.Time, limit int, want ...store.OutboxMessage) {
	t.Helper()
	got, err := s.DueOutbox(t.Context(), now, limit)
	checkOutbox(t, fmt.Sprintf("DueOutbox(%s, %d)", now.UTC(), limit), got, err, want...)
}

func checkListOutbox(t *testing.T, s store.Notifications, q store.OutboxQuery, want ...store.OutboxMessage) {
	t.Helper()
	got, err := s.ListOutbox(t.Context(), q)
	checkOutbox(t, fmt.Sprintf("ListOutbox(%+v)", q), got, err, want...)
}

func checkGetOutbox(t *testing.T, s store.Notifications, want store.OutboxMessage) {
	t.Helper()
	got, err := s.GetOutbox(t.Context(), want.Environment, want.ID)
	if err != nil {
		t.Fatalf("GetOutbox(%s, %d): %v", want.Environment, want.ID, err)
	}
	if d := diffOutbox(got, want); d != "" {
		t.Errorf("GetOutbox(%s, %d):\n%s", want.Environment, want.ID, d)
	}
}

func checkNextOutbox(t *testing.T, s store.Notifications, want time.Time, wantOK bool) {
	t.Helper()
	got, ok, err := s.NextOutboxAt(t.Context())
	if err != nil || ok != wantOK || (ok && !sameTime(got, want)) || (!ok && !got.IsZero()) {
		t.Errorf("NextOutboxAt = %s, %v, %v; want %s, %v", got, ok, err, want.UTC(), wantOK)
	}
}

func checkNextNotice(t *testing.T, s store.Notifications, want time.Time, wantOK bool) {
	t.Helper()
	got, ok, err := s.NextNoticeAt(t.Context())
	if err != nil || ok != wantOK || (ok && !sameTime(got, want)) || (!ok && !got.IsZero()) {
		t.Errorf("NextNoticeAt = %s, %v, %v; want %s, %v", got, ok, err, want.UTC(), wantOK)
	}
}

func checkDepth(t *testing.T, s store.Notifications, wantN int, wantOldest time.Time) {
	t.Helper()
	n, oldest, err := s.OutboxDepth(t.Context())
	if err != nil || n != wantN || !(oldest.Equal(wantOldest) && (oldest.IsZero() || oldest.Location() == time.UTC)) {
		t.Errorf("OutboxDepth = %d, %s, %v; want %d, %s", n, oldest, err, wantN, wantOldest.UTC())
	}
}

func enqueue(t *testing.T, s store.Notifications, from int64, notices []store.HeldNotice, msgs []store.OutboxMessage) {
	t.Helper()
	var froms []int64
	if from != 0 {
		froms = []int64{from}
	}
	if err := s.Enqueue(t.Context(), froms, notices, msgs); err != nil {
		t.Fatalf("Enqueue(%d, %d notices, %v): %v", from, len(notices), outboxKeys(msgs), err)
	}
}

func diffNotice(got, want store.HeldNotice) string {
	if got.ID != want.ID || got.Environment != want.Environment || got.Topic != want.Topic ||
		got.Subscription != want.Subscription || got.Channel != want.Channel || got.GroupKey != want.GroupKey ||
		got.Subject != want.Subject || !sameTime(got.DueAt, want.DueAt) || !sameTime(got.CreatedAt, want.CreatedAt) ||
		!sameBlob(got.Item, want.Item) {
		return fmt.Sprintf("got  %+v (item %q)\nwant %+v (item %q, times in UTC, empty item nil)", got, got.Item, want, want.Item)
	}
	return ""
}

func checkDueNotices(t *testing.T, s store.Notifications, now time.Time, limit int, want ...store.HeldNotice) {
	t.Helper()
	got, err := s.DueNotices(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("DueNotices(%s, %d): %v", now.UTC(), limit, err)
	}
	if len(got) != len(want) {
		ids := func(ns []store.HeldNotice) (out []int64) {
			for _, n := range ns {
				out = append(out, n.ID)
			}
			return out
		}
		t.Fatalf("DueNotices(%s, %d) = IDs %v, want %v", now.UTC(), limit, ids(got), ids(want))
	}
	for i := range want {
		if d := diffNotice(got[i], want[i]); d != "" {
			t.Errorf("DueNotices(%s, %d)[%d]:\n%s", now.UTC(), limit, i, d)
		}
	}
}

func testEnqueue(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	checkDueOutbox(t, s, minute(1000), 0)
	checkNextOutbox(t, s, time.Time{}, false)
	checkNextNotice(t, s, time.Time{}, false)
	checkDepth(t, s, 0, time.Time{})
	if err := s.Enqueue(ctx, nil, nil, nil); err != nil {
		t.Fatalf("Enqueue of nothing: %v", err)
	}

	full := outboxMsg("prod", "k-full", 1)
	full.IncidentID, full.Attempts, full.LastError, full.ErrorCode = 42, 2, "HTTP_503: busy", "HTTP_503"
	noMessage := outboxMsg("prod", "k-nil", 2)
	noMessage.Message = nil
	emptyMessage := outboxMsg("staging", "k-empty", 3)
	emptyMessage.Message = []byte{}
	mut := muted(outboxMsg("prod", "k-muted", 4), "silence/7")
	msgs := []store.OutboxMessage{full, noMessage, emptyMessage, mut}
	n0 := heldNotice("prod", "ops", "mail", "alarm:disk", 5)
	n1 := heldNotice("prod", "ops", "mail", "alarm:disk", 6)
	n1.Item = nil
	notices := []store.HeldNotice{n0, n1}
	enqueue(t, s, 0, notices, msgs)
	seen := map[int64]bool{}
	for _, m := range msgs {
		if m.ID <= 0 || seen[m.ID] {
			t.Fatalf("message IDs not filled in or not distinct: %v", msgs)
		}
		seen[m.ID] = true
	}
	if notices[0].ID <= 0 || notices[1].ID <= 0 || notices[0].ID == notices[1].ID {
		t.Fatalf("notice IDs not filled in or not distinct: %d, %d", notices[0].ID, notices[1].ID)
	}
	for _, m := range msgs {
		checkGetOutbox(t, s, m) // times in UTC, blobs byte for byte, empty ones nil, zero times zero
	}
	checkDueNotices(t, s, minute(100), 0, notices...)
	checkDueOutbox(t, s, minute(100), 0, msgs[0], msgs[1], msgs[2])

	for _, key := range []struct {
		env string
		id  int64
	}{{"staging", msgs[0].ID}, {"prod", msgs[2].ID}, {"prod", msgs[3].ID + 1000}} {
		if _, err := s.GetOutbox(ctx, key.env, key.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetOutbox(%s, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
	}

	// Invalid messages fail the whole call before anything is stored.
	noEnv, noKey, badState := outboxMsg("", "k-x", 7), outboxMsg("prod", "", 7), outboxMsg("prod", "k-y", 7)
	badState.State = "queued"
	for name, m := range map[string]store.OutboxMessage{"no environment": noEnv, "no key": noKey, "unknown state": badState} {
		batch := []store.OutboxMessage{outboxMsg("prod", "k-ok-"+name, 7), m}
		if err := s.Enqueue(ctx, nil, []store.HeldNotice{heldNotice("prod", "ops", "mail", "g", 7)}, batch); err == nil {
			t.Errorf("Enqueue with a message with %s succeeded, want an error", name)
		}
	}
	if err := s.Enqueue(ctx, nil, []store.HeldNotice{heldNotice("", "ops", "mail", "g", 7)}, nil); err == nil {
		t.Error("Enqueue with a notice without environment succeeded, want an error")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Enqueue(canceled, nil, nil, []store.OutboxMessage{outboxMsg("prod", "k-canceled", 7)}); !errors.Is(err, context.Canceled) {
		t.Errorf("Enqueue with canceled context: err = %v, want context.Canceled", err)
	}
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, msgs[3], msgs[1], msgs[0])
	checkDueNotices(t, s, minute(100), 0, notices...)
}

func testFanOutOnce(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	ds := []store.Delivery{delivery("prod", "to-topic", 0), delivery("prod", "to-nobody", 1), delivery("prod", "dup", 2)}
	for i := range ds {
		ds[i].Kind = "topic"
	}
	appendEvents(t, s, nil, nil, ds)

	first := []store.OutboxMessage{outboxMsg("prod", "fan-1", 1), outboxMsg("prod", "fan-2", 1)}
	held := []store.HeldNotice{heldNotice("prod", "ops", "mail", "g", 2)}
	enqueue(t, s, ds[0].ID, held, first)
	checkPending(t, s, 2)
	checkDue(t, s, minute(100), 10, ds[1], ds[2])

	// The same fan-out again (a retry after a crash): the delivery is gone, nothing is stored.
	again := []store.OutboxMessage{outboxMsg("prod", "fan-1-again", 1)}
	heldAgain := []store.HeldNotice{heldNotice("prod", "ops", "mail", "g", 3)}
	if err := s.Enqueue(ctx, []int64{ds[0].ID}, heldAgain, again); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Enqueue from delivery %d: err = %v, want ErrNotFound", ds[0].ID, err)
	}
	if again[0].ID != 0 || heldAgain[0].ID != 0 {
		t.Errorf("failed Enqueue filled in IDs: %d, %d", again[0].ID, heldAgain[0].ID)
	}
	if err := s.Enqueue(ctx, []int64{ds[0].ID}, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("empty Enqueue from a consumed delivery: err = %v, want ErrNotFound", err)
	}
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, first[1], first[0])
	checkDueNotices(t, s, minute(100), 0, held...)

	// A fan-out to no subscription still consumes its delivery.
	enqueue(t, s, ds[1].ID, nil, nil)
	checkPending(t, s, 1)

	// A failing fan-out (duplicate key) keeps its delivery for the next try.
	dup := []store.OutboxMessage{outboxMsg("prod", "fan-new", 4), outboxMsg("prod", "fan-1", 4)}
	if err := s.Enqueue(ctx, []int64{ds[2].ID}, nil, dup); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("Enqueue with a stored key: err = %v, want ErrDuplicate", err)
	}
	checkPending(t, s, 1)
	checkDue(t, s, minute(100), 10, ds[2])
	enqueue(t, s, ds[2].ID, nil, dup[:1])
	checkPending(t, s, 0)
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, dup[0], first[1], first[0])

	// Several fan-outs in one call: all their deliveries go, or none (one gone, or one
	// repeated, fails the call with ErrNotFound and stores nothing).
	batch := []store.Delivery{delivery("staging", "a", 5), delivery("staging", "b", 6), delivery("staging", "c", 7)}
	appendEvents(t, s, nil, nil, batch)
	for name, ids := range map[string][]int64{
		"one gone":     {batch[0].ID, ds[0].ID, batch[1].ID},
		"one repeated": {batch[0].ID, batch[1].ID, batch[0].ID},
	} {
		msgs := []store.OutboxMessage{outboxMsg("staging", "batch-"+name, 5)}
		if err := s.Enqueue(ctx, ids, nil, msgs); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Enqueue from deliveries with %s: err = %v, want ErrNotFound", name, err)
		}
	}
	checkPending(t, s, 3)
	checkListOutbox(t, s, store.OutboxQuery{Environment: "staging"})
	both := []store.OutboxMessage{outboxMsg("staging", "batch-a", 5), outboxMsg("staging", "batch-b", 6)}
	if err := s.Enqueue(ctx, []int64{batch[1].ID, batch[0].ID}, nil, both); err != nil {
		t.Fatalf("Enqueue from two deliveries: %v", err)
	}
	checkDue(t, s, minute(100), 10, batch[2])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "staging"}, both[1], both[0])
}

func testOutboxDuplicate(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	stored := []store.OutboxMessage{outboxMsg("prod", "same", 0)}
	enqueue(t, s, 0, nil, stored)
	inOtherEnv := outboxMsg("staging", "same", 1) // keys are unique across environments
	for name, batch := range map[string][]store.OutboxMessage{
		"already stored":          {outboxMsg("prod", "new-1", 1), outboxMsg("prod", "same", 1)},
		"stored in another env":   {inOtherEnv},
		"repeated in the batch":   {outboxMsg("prod", "twice", 1), outboxMsg("prod", "new-2", 1), outboxMsg("prod", "twice", 2)},
		"repeated, muted and not": {outboxMsg("prod", "new-3", 1), muted(outboxMsg("prod", "new-3", 1), "silence/1")},
	} {
		notices := []store.HeldNotice{heldNotice("prod", "ops", "mail", "g", 1)}
		err := s.Enqueue(ctx, nil, notices, batch)
		if !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("%s: Enqueue err = %v, want ErrDuplicate", name, err)
		}
		if batch[0].ID != 0 || notices[0].ID != 0 {
			t.Errorf("%s: failed Enqueue filled in IDs", name)
		}
	}
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, stored...)
	checkListOutbox(t, s, store.OutboxQuery{Environment: "staging"})
	checkDueNotices(t, s, minute(100), 0)
	checkDepth(t, s, 1, minute(0))
}

func testHeldNotices(t *testing.T, s NotifyStore) {
	// Enqueued out of order; due ones come group by group: (Environment, Topic,
	// Subscription, GroupKey), then ID.
	n := []store.HeldNotice{
		heldNotice("prod", "ops", "mail", "alarm:disk", 3),   // 0
		heldNotice("prod", "ops", "mail", "alarm:cpu", 2),    // 1
		heldNotice("prod", "db", "mail", "alarm:disk", 1),    // 2
		heldNotice("dev", "ops", "mail", "alarm:disk", 4),    // 3
		heldNotice("prod", "ops", "chat", "alarm:disk", 2),   // 4
		heldNotice("prod", "ops", "mail", "alarm:disk", 1),   // 5: same group as 0, later ID
		heldNotice("prod", "ops", "mail", "alarm:disk", 9),   // 6: not due yet
		heldNotice("prod", "ops", "mail", "alarm:cpu", 2),    // 7
		heldNotice("prod", "ops", "mail", "Alarm:disk", 100), // 8: not due
	}
	enqueue(t, s, 0, n[:4], nil)
	enqueue(t, s, 0, n[4:], nil)
	checkNextNotice(t, s, minute(1), true)
	checkDueNotices(t, s, minute(1).Add(-time.Nanosecond), 0)
	checkDueNotices(t, s, minute(1), 0, n[2], n[5])
	checkDueNotices(t, s, minute(4), 0, n[3], n[2], n[4], n[1], n[7], n[0], n[5])
	checkDueNotices(t, s, minute(4), 3, n[3], n[2], n[4])

	// The default limit is 1000.
	var bulk []store.HeldNotice
	for i := range 1001 {
		bulk = append(bulk, heldNotice("bulk", "t", "s", fmt.Sprintf("g%04d", i), -1))
	}
	enqueue(t, s, 0, bulk, nil)
	got, err := s.DueNotices(t.Context(), minute(0), 0)
	if err != nil || len(got) != 1000 || got[0].ID != bulk[0].ID || got[999].ID != bulk[999].ID {
		t.Errorf("DueNotices without limit returned %d notices, %v; want the default 1000, first ones first", len(got), err)
	}
	checkNextNotice(t, s, minute(-1), true)
}

func testFlushGroup(t *testing.T, s NotifyStore) {
	ctx := t.Context()
	n := []store.HeldNotice{
		heldNotice("prod", "ops", "mail", "alarm:disk", 1),
		heldNotice("prod", "ops", "mail", "alarm:disk", 1),
		heldNotice("prod", "ops", "mail", "alarm:cpu", 1),
	}
	enqueue(t, s, 0, n, nil)
	checkLastSent := func(group string, want time.Time, wantOK bool) {
		t.Helper()
		got, ok, err := s.GroupLastSent(ctx, "prod", "ops", "mail", group)
		if err != nil || ok != wantOK || (ok && !sameTime(got, want)) {
			t.Errorf("GroupLastSent(%s) = %s, %v, %v; want %s, %v", group, got, ok, err, want.UTC(), wantOK)
		}
	}
	checkLastSent("alarm:disk", time.Time{}, false)

	groupMsg := func(key string, i int) store.OutboxMessage {
		m := outboxMsg("prod", key, i)
		m.Subscription, m.Channel, m.Subject = "mail", "email", "alarm:disk"
		return m
	}
	msg := groupMsg("group-disk-1", 2)
	gone := n[2].ID + 1000
	if err := s.FlushGroup(ctx, []int64{n[0].ID, n[1].ID, gone}, &msg, "alarm:disk"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FlushGroup with a missing notice: err = %v, want ErrNotFound", err)
	}
	if msg.ID != 0 {
		t.Errorf("failed FlushGroup filled in the message ID %d", msg.ID)
	}
	checkDueNotices(t, s, minute(10), 0, n[2], n[0], n[1])
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"})
	checkLastSent("alarm:disk", time.Time{}, false)

	if err := s.FlushGroup(ctx, []int64{n[0].ID, n[1].ID}, &msg, "alarm:disk"); err != nil {
		t.Fatalf("FlushGroup: %v", err)
	}
	if msg.ID <= 0 {
		t.Fatalf("FlushGroup did not fill in the message ID")
	}
	checkDueNotices(t, s, minute(10), 0, n[2])
	checkGetOutbox(t, s, msg)
	checkDueOutbox(t, s, minute(10), 0, msg)
	checkLastSent("alarm:disk", minute(2), true)
	checkLastSent("alarm:cpu", time.Time{}, false)
	if _, ok, err := s.GroupLastSent(ctx, "staging", "ops", "mail", "alarm:disk"); ok || err != nil {
		t.Errorf("GroupLastSent of another environment = %v, %v; want false", ok, err)
	}

	// Flushed notices are gone: flushing them again fails and changes nothing.
	late := groupMsg("group-disk-2", 5)
	if err := s.FlushGroup(ctx, []int64{n[0].ID}, &late, "alarm:disk"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FlushGroup of flushed notices: err = %v, want ErrNotFound", err)
	}
	checkLastSent("alarm:disk", minute(2), true)
	// A duplicate key keeps the notices.
	dup := groupMsg("group-disk-1", 6)
	if err := s.FlushGroup(ctx, []int64{n[2].ID}, &dup, "alarm:cpu"); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("FlushGroup with a stored key: err = %v, want ErrDuplicate", err)
	}
	checkDueNotices(t, s, minute(10), 0, n[2])
	checkLastSent("alarm:cpu", time.Time{}, false)

	// A later flush (no notices left to remove is fine) moves the group's last send.
	next := groupMsg("group-disk-3", 7)
	if err := s.FlushGroup(ctx, nil, &next, "alarm:disk"); err != nil {
		t.Fatalf("FlushGroup without notices: %v", err)
	}
	checkLastSent("alarm:disk", minute(7), true)
	checkListOutbox(t, s, store.OutboxQuery{Environment: "prod"}, next, msg)
}

func testDueOutbox(t *testing.T, s NotifyStore) {
	m := []store.OutboxMessage{
		outboxMsg("prod", "a", 3),    // 0
		outboxMsg("staging", "b", 1), // 1
		outboxMsg("prod", "c", 2),    // 2
		outboxMsg("prod", "d", 1),    // 3: same NextAt as 1, later ID
		muted(outboxMsg("prod", "e", 0), "maintenance/upgrade"),
		outboxMsg("prod", "f", 0), // 5: finished, not due
		outboxMsg("prod", "g", 50),
	}
	m[5].State, m[5].FinishedAt = store.OutboxSent, minute(0)
	enqueue(t, s, 0, nil, m[:3])
	enqueue(t, s, 0, nil, m[3:])
	checkNextOutbox(t, s, minute(1), true)
	checkDueOutbox(t, s, minute(1).Add(-time.Nanosecond), 0)
	checkDueOutbox(t, s, minute(1), 0, m[1], m[3])
	checkDueOutbox(t, s, minute(3), 0, m[1], m[3], m[2], m[0])
	checkDueOutbox(t, s, minute(3), 3, m[1], m[3], m[2])

	var bulk []store.OutboxMessage
	for i := range 101 {
		bulk = append(bulk, outboxMsg("bulk", fmt.Sprintf("bulk-%03d", i), -10))
	}
	enqueue(t, s, 0, nil, bulk)
	got, err := s.DueOutbox(t.Context(), minute(0), 0)
	if err != nil || len(got) != 100 || got[0].Key != "bulk-000" || got[99].Key != "bulk-099" {
		t.Errorf("DueOutbox without limit returned %d messages, %v; want the default 100 in ID order", len(got), err)
	}
	checkNextOutbox(t, s, minute(-10), true)
}
