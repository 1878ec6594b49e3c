package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// RunEvents is the contract suite of store.Events. open must return an empty store, which
// the caller closes (t.Cleanup). WithReopen enables the persistence subtest.
func RunEvents(t *testing.T, open func(t *testing.T) store.Events, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	t.Run("list", func(t *testing.T) { testEventList(t, open(t)) })
	t.Run("environments", func(t *testing.T) { testEventEnvironments(t, open(t)) })
	t.Run("atomic", func(t *testing.T) { testEventsAtomic(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testEventPrune(t, open(t)) })
	t.Run("annotations", func(t *testing.T) { testAnnotations(t, open(t)) })
	t.Run("deliveries", func(t *testing.T) { testDeliveries(t, open(t)) })
	t.Run("dead letters", func(t *testing.T) { testDeadLetters(t, open(t)) })
	t.Run("reopen", func(t *testing.T) {
		if o.storage == nil {
			t.Skip("backend passed no storetest.WithReopen")
		}
		testEventsReopen(t, o.storage(t))
	})
}

// minute returns at(0) plus i minutes, in a non-UTC zone.
func minute(i int) time.Time { return at(0).Add(time.Duration(i) * time.Minute) }

func event(env, id, source string, i int) store.EventRecord {
	return store.EventRecord{
		ID: id, Environment: env, Source: source, DetailType: "Order Placed",
		Time: minute(i), Ingested: minute(i).Add(1500 * time.Millisecond),
		Body:  []byte(fmt.Sprintf(`{"id":%q,"source":%q,"detail":{"n":%d}}`, id, source, i)),
		Rules: []string{"to-" + source},
	}
}

func diffEvent(got, want store.EventRecord) string {
	if got.Seq != want.Seq || got.ID != want.ID || got.Environment != want.Environment || got.Source != want.Source ||
		got.DetailType != want.DetailType || !sameTime(got.Time, want.Time) || !sameTime(got.Ingested, want.Ingested) ||
		!bytes.Equal(got.Body, want.Body) || !slices.Equal(got.Rules, want.Rules) {
		return fmt.Sprintf("got  %+v (body %s)\nwant %+v (body %s, times in UTC)", got, got.Body, want, want.Body)
	}
	return ""
}

func appendEvents(t *testing.T, s store.Events, events []store.EventRecord, anns []store.Annotation, ds []store.Delivery) {
	t.Helper()
	if err := s.AppendEvents(t.Context(), events, anns, ds); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
}

func checkEvents(t *testing.T, s store.Events, q store.EventQuery, want ...store.EventRecord) {
	t.Helper()
	got, err := s.ListEvents(t.Context(), q)
	if err != nil {
		t.Fatalf("ListEvents(%+v): %v", q, err)
	}
	if len(got) != len(want) {
		ids := func(es []store.EventRecord) (out []string) {
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		t.Fatalf("ListEvents(%+v) = %v, want %v", q, ids(got), ids(want))
	}
	for i := range want {
		if d := diffEvent(got[i], want[i]); d != "" {
			t.Errorf("ListEvents(%+v)[%d]:\n%s", q, i, d)
		}
	}
}

func testEventList(t *testing.T, s store.Events) {
	checkEvents(t, s, store.EventQuery{Environment: "prod"})
	if _, err := s.ListEvents(t.Context(), store.EventQuery{}); err == nil {
		t.Error("ListEvents without environment succeeded, want an error")
	}
	// e2 and e3 share a time: the later appended (higher Seq) comes first.
	e := []store.EventRecord{event("prod", "e0", "a", 2), event("prod", "e1", "a", 0), event("prod", "e2", "a", 1),
		event("prod", "e3", "a", 1), event("prod", "e4", "b", 3), event("prod", "e5", "a", 4)}
	e[1].Rules, e[1].Body = nil, nil
	appendEvents(t, s, e[:2], nil, nil)
	appendEvents(t, s, e[2:], nil, nil)
	for i := range e {
		if e[i].Seq <= 0 || (i > 0 && e[i].Seq <= e[i-1].Seq) {
			t.Fatalf("Seq not filled in increasing order: %d after %d", e[i].Seq, e[max(i-1, 0)].Seq)
		}
	}
	checkEvents(t, s, store.EventQuery{Environment: "prod"}, e[5], e[4], e[0], e[3], e[2], e[1])
	checkEvents(t, s, store.EventQuery{Environment: "prod", From: minute(1), To: minute(3)}, e[0], e[3], e[2])
	checkEvents(t, s, store.EventQuery{Environment: "prod", From: minute(3)}, e[5], e[4])
	checkEvents(t, s, store.EventQuery{Environment: "prod", To: minute(1)}, e[1])
	checkEvents(t, s, store.EventQuery{Environment: "prod", Source: "b"}, e[4])
	checkEvents(t, s, store.EventQuery{Environment: "prod", Source: "c"})
	checkEvents(t, s, store.EventQuery{Environment: "prod", BeforeSeq: e[3].Seq}, e[0], e[2], e[1])
	checkEvents(t, s, store.EventQuery{Environment: "prod", Limit: 2}, e[5], e[4])
	checkEvents(t, s, store.EventQuery{Environment: "prod", Source: "a", BeforeSeq: e[5].Seq, From: minute(1), Limit: 2}, e[0], e[3])
	// The (time, seq) cursor continues the list's own order: e0 arrived before e2 and e3
	// but is newer, so after e0 come e3 and e2 (a Seq cursor alone would skip them).
	checkEvents(t, s, store.EventQuery{Environment: "prod", BeforeTime: e[0].Time, BeforeSeq: e[0].Seq}, e[3], e[2], e[1])
	checkEvents(t, s, store.EventQuery{Environment: "prod", BeforeTime: e[3].Time, BeforeSeq: e[3].Seq}, e[2], e[1])

	// A large batch: every Seq filled in and matching what is stored.
	big := make([]store.EventRecord, 300)
	for i := range big {
		big[i] = event("bulk", fmt.Sprintf("b%03d", i), "a", i%7)
	}
	appendEvents(t, s, big, nil, nil)
	for i, want := range big {
		if i > 0 && want.Seq <= big[i-1].Seq {
			t.Fatalf("big batch: Seq %d after %d", want.Seq, big[i-1].Seq)
		}
		got, err := s.GetEvent(t.Context(), "bulk", want.ID)
		if err != nil {
			t.Fatalf("GetEvent(bulk, %s): %v", want.ID, err)
		}
		if d := diffEvent(got, want); d != "" {
			t.Fatalf("GetEvent(bulk, %s):\n%s", want.ID, d)
		}
	}
	if got, err := s.ListEvents(t.Context(), store.EventQuery{Environment: "bulk"}); err != nil || len(got) != 100 {
		t.Errorf("ListEvents without limit returned %d events, %v; want the default 100", len(got), err)
	}
}

func testEventEnvironments(t *testing.T, s store.Events) {
	ctx := t.Context()
	prod, staging := event("prod", "same-id", "a", 0), event("staging", "same-id", "a", 1)
	staging.Body = []byte(`{"env":"staging"}`)
	other := event("staging", "other", "a", 2)
	appendEvents(t, s, []store.EventRecord{prod, staging}, nil, nil)
	appendEvents(t, s, []store.EventRecord{other}, nil, nil)
	events, _ := s.ListEvents(ctx, store.EventQuery{Environment: "staging"})
	if len(events) != 2 || events[0].ID != "other" || events[1].ID != "same-id" || string(events[1].Body) != `{"env":"staging"}` {
		t.Fatalf("ListEvents(staging) = %+v, want other, same-id (staging's)", events)
	}
	got, err := s.GetEvent(ctx, "prod", "same-id")
	if err != nil || got.Environment != "prod" || !bytes.Equal(got.Body, prod.Body) {
		t.Errorf("GetEvent(prod, same-id) = %+v, %v; want prod's event", got, err)
	}
	for _, key := range [][2]string{{"prod", "other"}, {"dev", "same-id"}, {"prod", "never"}} {
		if _, err := s.GetEvent(ctx, key[0], key[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent(%s, %s): err = %v, want ErrNotFound", key[0], key[1], err)
		}
	}
	checkEvents(t, s, store.EventQuery{Environment: "dev"})
}

// testEventsAtomic checks that a failing AppendEvents stores nothing of its batch.
func testEventsAtomic(t *testing.T, s store.Events) {
	ctx := t.Context()
	first := []store.EventRecord{event("prod", "a", "src", 0)}
	appendEvents(t, s, first, nil, nil)

	fresh := func(n int) []store.EventRecord {
		var es []store.EventRecord
		for i := range n {
			es = append(es, event("prod", fmt.Sprintf("new-%d", i), "src", i+1))
		}
		return es
	}
	stored := fresh(150)
	stored[140] = event("prod", "a", "src", 5) // already stored, in a later part of a big batch
	repeated := append(fresh(3), event("prod", "new-1", "src", 9))
	for name, events := range map[string][]store.EventRecord{"already stored": stored, "repeated in batch": repeated} {
		anns := []store.Annotation{annotation("prod", nil, 1)}
		ds := []store.Delivery{delivery("prod", "r", 1)}
		err := s.AppendEvents(ctx, events, anns, ds)
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("%s: AppendEvents err = %v, want ErrDuplicate", name, err)
		}
		if events[0].Seq != 0 || anns[0].ID != 0 || ds[0].ID != 0 {
			t.Errorf("%s: failed AppendEvents filled in Seq/IDs: %d, %d, %d", name, events[0].Seq, anns[0].ID, ds[0].ID)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.AppendEvents(canceled, fresh(2), nil, []store.Delivery{delivery("prod", "r", 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendEvents with canceled context: err = %v, want context.Canceled", err)
	}
	bad := fresh(2)
	bad[1].ID = ""
	if err := s.AppendEvents(ctx, bad, nil, nil); err == nil {
		t.Error("AppendEvents with an event without id succeeded, want an error")
	}
	checkEvents(t, s, store.EventQuery{Environment: "prod"}, first...)
	if anns, err := s.ListAnnotations(ctx, store.AnnotationQuery{Environment: "prod"}); err != nil || len(anns) != 0 {
		t.Errorf("annotations after failed appends = %+v, %v; want none", anns, err)
	}
	if n, err := s.PendingDeliveries(ctx); err != nil || n != 0 {
		t.Errorf("PendingDeliveries after failed appends = %d, %v; want 0", n, err)
	}
	// The same ids are accepted once the duplicate is gone.
	appendEvents(t, s, fresh(3), nil, nil)
}

func testEventPrune(t *testing.T, s store.Events) {
	ctx := t.Context()
	var events []store.EventRecord
	for i := range 5 {
		events = append(events, event("prod", fmt.Sprintf("p%d", i), "a", i))
	}
	events = append(events, event("staging", "s0", "a", 0), event("staging", "s1", "a", 1))
	anns := []store.Annotation{annotation("prod", nil, 0), annotation("prod", nil, 2), annotation("staging", nil, 1), annotation("staging", nil, 3)}
	appendEvents(t, s, events, anns, []store.Delivery{delivery("prod", "r", 0)})

	n, err := s.PruneEvents(ctx, minute(2))
	if err != nil || n != 4 {
		t.Fatalf("PruneEvents(minute 2) = %d, %v; want 4 events deleted", n, err)
	}
	checkEvents(t, s, store.EventQuery{Environment: "prod"}, events[4], events[3], events[2])
	checkEvents(t, s, store.EventQuery{Environment: "staging"})
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "prod"}, anns[1])
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "staging"}, anns[3])
	if _, err := s.GetEvent(ctx, "prod", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEvent of a pruned event: err = %v, want ErrNotFound", err)
	}
	if n, err := s.PendingDeliveries(ctx); err != nil || n != 1 {
		t.Errorf("PendingDeliveries after prune = %d, %v; want 1 (deliveries are not pruned)", n, err)
	}
	if n, err := s.PruneEvents(ctx, minute(2)); err != nil || n != 0 {
		t.Errorf("PruneEvents again = %d, %v; want 0", n, err)
	}
}

func annotation(env string, dims map[string]string, i int) store.Annotation {
	return store.Annotation{
		Environment: env, Time: minute(i), Text: fmt.Sprintf("deploy %d", i),
		Tags: map[string]string{"team": "ops", "n": fmt.Sprint(i)}, Dimensions: dims,
		EventID: fmt.Sprintf("ev-%d", i), Rule: "deploys",
	}
}

func diffAnnotation(got, want store.Annotation) string {
	if got.ID != want.ID || got.Environment != want.Environment || !sameTime(got.Time, want.Time) || got.Text != want.Text ||
		!maps.Equal(got.Tags, want.Tags) || !maps.Equal(got.Dimensions, want.Dimensions) ||
		got.EventID != want.EventID || got.Rule != want.Rule {
		return fmt.Sprintf("got  %+v\nwant %+v (time in UTC)", got, want)
	}
	return ""
}

func checkAnnotations(t *testing.T, s store.Events, q store.AnnotationQuery, want ...store.Annotation) {
	t.Helper()
	got, err := s.ListAnnotations(t.Context(), q)
	if err != nil {
		t.Fatalf("ListAnnotations(%+v): %v", q, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListAnnotations(%+v) returned %d annotations, want %d:\n%+v", q, len(got), len(want), got)
	}
	for i := range want {
		if d := diffAnnotation(got[i], want[i]); d != "" {
			t.Errorf("ListAnnotations(%+v)[%d]:\n%s", q, i, d)
		}
	}
}

func testAnnotations(t *testing.T, s store.Events) {
	i1 := map[string]string{"InstanceId": "i-1"}
	i1sda := map[string]string{"InstanceId": "i-1", "Device": "sda"}
	i2 := map[string]string{"InstanceId": "i-2"}
	a := []store.Annotation{annotation("prod", i1sda, 2), annotation("prod", nil, 0), annotation("prod", i1, 1),
		annotation("prod", i2, 3), annotation("prod", map[string]string{}, 4), annotation("staging", nil, 0)}
	a[2].EventID, a[2].Rule, a[2].Tags = "", "", nil // made through the API
	appendEvents(t, s, nil, a[:3], nil)
	appendEvents(t, s, nil, a[3:], nil)
	ids := map[int64]bool{}
	for _, x := range a {
		if x.ID <= 0 || ids[x.ID] {
			t.Fatalf("annotation IDs not filled in or not distinct: %+v", a)
		}
		ids[x.ID] = true
	}
	q := func(dims map[string]string) store.AnnotationQuery {
		return store.AnnotationQuery{Environment: "prod", Dimensions: dims}
	}
	checkAnnotations(t, s, q(nil), a[1], a[2], a[0], a[3], a[4])
	checkAnnotations(t, s, q(map[string]string{}), a[1], a[4])
	checkAnnotations(t, s, q(map[string]string{"InstanceId": "i-1"}), a[1], a[2], a[4])
	checkAnnotations(t, s, q(map[string]string{"InstanceId": "i-1", "Device": "sda", "Extra": "x"}), a[1], a[2], a[0], a[4])
	checkAnnotations(t, s, q(map[string]string{"InstanceId": "i-1", "Device": "sdb"}), a[1], a[2], a[4])
	checkAnnotations(t, s, q(map[string]string{"Device": "sda"}), a[1], a[4])
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "prod", From: minute(1), To: minute(3)}, a[2], a[0])
	// The limit counts matching annotations, not the rows read.
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "prod", Dimensions: i2, Limit: 2}, a[1], a[3])
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "prod", Limit: 2}, a[1], a[2])
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "staging", Dimensions: i1}, a[5])
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "dev"})
}

func delivery(env, rule string, next int) store.Delivery {
	return store.Delivery{
		Environment: env, Rule: rule, Target: "0", Kind: "webhook", EventID: fmt.Sprintf("ev-%s-%d", rule, next),
		Payload:     []byte(fmt.Sprintf(`{"rule":%q}`, rule)),
		Destination: []byte(`{"url":"https://hooks.example/x","headers":{"Authorization":"Bearer s3cret"}}`),
		FirstAt:     minute(next).Add(-time.Second), NextAt: minute(next),
		MaxAttempts: 185, MaxAge: 24 * time.Hour,
	}
}

func diffDelivery(got, want store.Delivery) string {
	if got.ID != want.ID || got.Environment != want.Environment || got.Rule != want.Rule || got.Target != want.Target ||
		got.Kind != want.Kind || got.EventID != want.EventID || !bytes.Equal(got.Payload, want.Payload) ||
		!bytes.Equal(got.Destination, want.Destination) || got.Attempts != want.Attempts ||
		!sameTime(got.FirstAt, want.FirstAt) || !sameTime(got.NextAt, want.NextAt) || got.LastError != want.LastError ||
		got.MaxAttempts != want.MaxAttempts || got.MaxAge != want.MaxAge {
		return fmt.Sprintf("got  %+v\nwant %+v (times in UTC)", got, want)
	}
	return ""
}

func checkDue(t *testing.T, s store.Events, now time.Time, limit int, want ...store.Delivery) {
	t.Helper()
	got, err := s.DueDeliveries(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("DueDeliveries(%s, %d): %v", now, limit, err)
	}
	if len(got) != len(want) {
		t.Fatalf("DueDeliveries(%s, %d) returned %d deliveries, want %d:\n%+v", now, limit, len(got), len(want), got)
	}
	for i := range want {
		if d := diffDelivery(got[i], want[i]); d != "" {
			t.Errorf("DueDeliveries(%s, %d)[%d]:\n%s", now, limit, i, d)
		}
	}
}

func checkNext(t *testing.T, s store.Events, want time.Time, wantOK bool) {
	t.Helper()
	got, ok, err := s.NextDeliveryAt(t.Context())
	if err != nil || ok != wantOK || (ok && !sameTime(got, want)) {
		t.Errorf("NextDeliveryAt = %s, %v, %v; want %s, %v", got, ok, err, want.UTC(), wantOK)
	}
}

func checkPending(t *testing.T, s store.Events, want int) {
	t.Helper()
	if n, err := s.PendingDeliveries(t.Context()); err != nil || n != want {
		t.Errorf("PendingDeliveries = %d, %v; want %d", n, err, want)
	}
}

func testDeliveries(t *testing.T, s store.Events) {
	ctx := t.Context()
	checkNext(t, s, time.Time{}, false)
	checkPending(t, s, 0)
	checkDue(t, s, minute(100), 10)
	d := []store.Delivery{delivery("prod", "r0", 2), delivery("prod", "r1", 0), delivery("staging", "r2", 1)}
	d[2].Kind, d[2].Target, d[2].MaxAttempts, d[2].MaxAge = "topic", "alerts", 3, time.Minute+500*time.Millisecond
	appendEvents(t, s, []store.EventRecord{event("prod", "ev", "a", 0)}, nil, d)
	if d[0].ID <= 0 || d[1].ID <= 0 || d[2].ID <= 0 || d[0].ID == d[1].ID || d[1].ID == d[2].ID || d[0].ID == d[2].ID {
		t.Fatalf("delivery IDs not filled in or not distinct: %d %d %d", d[0].ID, d[1].ID, d[2].ID)
	}
	checkNext(t, s, minute(0), true)
	checkPending(t, s, 3)
	checkDue(t, s, minute(0).Add(-time.Nanosecond), 10)
	checkDue(t, s, minute(1), 10, d[1], d[2]) // NextAt ≤ now, every environment
	checkDue(t, s, minute(100), 2, d[1], d[2])
	checkDue(t, s, minute(100), 0, d[1], d[2], d[0])

	d[1].Attempts, d[1].NextAt, d[1].LastError = 1, minute(3), "HTTP 500: upstream unavailable"
	if err := s.RetryDelivery(ctx, d[1]); err != nil {
		t.Fatalf("RetryDelivery: %v", err)
	}
	checkNext(t, s, minute(1), true)
	checkDue(t, s, minute(2), 10, d[2], d[0])
	checkDue(t, s, minute(3), 10, d[2], d[0], d[1])

	if err := s.FinishDelivery(ctx, d[2].ID); err != nil {
		t.Fatalf("FinishDelivery: %v", err)
	}
	checkPending(t, s, 2)
	checkDue(t, s, minute(3), 10, d[0], d[1])
	if err := s.FinishDelivery(ctx, d[2].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishDelivery of a finished delivery: err = %v, want ErrNotFound", err)
	}
	gone := d[2]
	gone.Attempts = 5
	if err := s.RetryDelivery(ctx, gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetryDelivery of a finished delivery: err = %v, want ErrNotFound", err)
	}
	checkPending(t, s, 2)
}

func diffDeadLetter(got, want store.DeadLetter) string {
	if d := diffDelivery(got.Delivery, want.Delivery); d != "" {
		return d
	}
	if got.ErrorCode != want.ErrorCode || got.ErrorMessage != want.ErrorMessage ||
		got.ExhaustedCondition != want.ExhaustedCondition || !sameTime(got.DeadAt, want.DeadAt) {
		return fmt.Sprintf("got  %+v\nwant %+v (times in UTC)", got, want)
	}
	return ""
}

func checkDeadLetters(t *testing.T, s store.Events, env string, limit int, want ...store.DeadLetter) {
	t.Helper()
	got, err := s.ListDeadLetters(t.Context(), env, limit)
	if err != nil {
		t.Fatalf("ListDeadLetters(%s, %d): %v", env, limit, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListDeadLetters(%s, %d) returned %d, want %d:\n%+v", env, limit, len(got), len(want), got)
	}
	for i := range want {
		if d := diffDeadLetter(got[i], want[i]); d != "" {
			t.Errorf("ListDeadLetters(%s, %d)[%d]:\n%s", env, limit, i, d)
		}
	}
}

// kill moves d to the dead letters after attempts failed ones, dead at minute(dead).
func kill(t *testing.T, s store.Events, d store.Delivery, attempts, dead int, condition string) store.DeadLetter {
	t.Helper()
	d.Attempts, d.NextAt, d.LastError = attempts, minute(dead+1), fmt.Sprintf("attempt %d: HTTP 500", attempts)
	dl := store.DeadLetter{Delivery: d, ErrorCode: "HTTP_500", ErrorMessage: "Internal Server Error",
		ExhaustedCondition: condition, DeadAt: minute(dead)}
	if err := s.KillDelivery(t.Context(), dl); err != nil {
		t.Fatalf("KillDelivery(%d): %v", d.ID, err)
	}
	return dl
}

func testDeadLetters(t *testing.T, s store.Events) {
	ctx := t.Context()
	d := []store.Delivery{delivery("prod", "r0", 0), delivery("prod", "r1", 1), delivery("staging", "r2", 2)}
	appendEvents(t, s, nil, nil, d)
	checkDeadLetters(t, s, "prod", 10)

	dl0 := kill(t, s, d[0], 185, 5, "MaximumRetryAttempts")
	dl1 := kill(t, s, d[1], 1, 6, "") // not retryable
	dl1.ErrorCode, dl1.ErrorMessage = "HTTP_500", "Internal Server Error"
	checkPending(t, s, 1)
	checkDue(t, s, minute(100), 10, d[2])
	checkDeadLetters(t, s, "prod", 10, dl1, dl0)
	checkDeadLetters(t, s, "prod", 1, dl1)
	checkDeadLetters(t, s, "staging", 10)

	missing := store.DeadLetter{Delivery: d[0], DeadAt: minute(7)}
	wrongEnv := store.DeadLetter{Delivery: d[2], DeadAt: minute(7)}
	wrongEnv.Environment = "prod"
	for name, dl := range map[string]store.DeadLetter{"already dead": missing, "other environment": wrongEnv} {
		if err := s.KillDelivery(ctx, dl); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("KillDelivery(%s): err = %v, want ErrNotFound", name, err)
		}
	}
	checkPending(t, s, 1)

	for _, key := range []struct {
		env string
		id  int64
	}{{"staging", dl0.ID}, {"prod", d[2].ID}, {"prod", dl1.ID + 1000}} {
		if _, err := s.ReplayDeadLetter(ctx, key.env, key.id, minute(8)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReplayDeadLetter(%s, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
		if err := s.DeleteDeadLetter(ctx, key.env, key.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteDeadLetter(%s, %d): err = %v, want ErrNotFound", key.env, key.id, err)
		}
	}
	checkDeadLetters(t, s, "prod", 10, dl1, dl0)

	now := time.Date(2026, 3, 14, 20, 0, 0, 1000, time.FixedZone("UTC-5", -5*60*60))
	replayed, err := s.ReplayDeadLetter(ctx, "prod", dl0.ID, now)
	if err != nil {
		t.Fatalf("ReplayDeadLetter: %v", err)
	}
	want := d[0]
	want.ID, want.Attempts, want.FirstAt, want.NextAt, want.LastError = replayed.ID, 0, now, now, ""
	if replayed.ID <= 0 || replayed.ID == dl0.ID || replayed.ID == d[2].ID {
		t.Errorf("replayed delivery has ID %d, want a new one", replayed.ID)
	}
	if diff := diffDelivery(replayed, want); diff != "" {
		t.Errorf("ReplayDeadLetter:\n%s", diff)
	}
	checkPending(t, s, 2)
	checkDue(t, s, now, 10, d[2], want)
	checkDeadLetters(t, s, "prod", 10, dl1)
	if _, err := s.ReplayDeadLetter(ctx, "prod", dl0.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReplayDeadLetter twice: err = %v, want ErrNotFound", err)
	}

	if err := s.DeleteDeadLetter(ctx, "prod", dl1.ID); err != nil {
		t.Fatalf("DeleteDeadLetter: %v", err)
	}
	if err := s.DeleteDeadLetter(ctx, "prod", dl1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteDeadLetter twice: err = %v, want ErrNotFound", err)
	}
	// The replayed delivery can die again, under its new ID.
	again := kill(t, s, want, 3, 9, "MaximumEventAgeInSeconds")
	checkDeadLetters(t, s, "prod", 0, again)
	checkPending(t, s, 1)
}

func testEventsReopen(t *testing.T, openSame func() store.Store) {
	ctx := t.Context()
	s := openSame()
	ev := event("prod", "kept", "a", 0)
	ann := annotation("prod", map[string]string{"InstanceId": "i-1"}, 0)
	d := []store.Delivery{delivery("prod", "pending", 1), delivery("prod", "dead", 2)}
	events, anns := []store.EventRecord{ev}, []store.Annotation{ann}
	appendEvents(t, s, events, anns, d)
	dl := kill(t, s, d[1], 2, 3, "MaximumRetryAttempts")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openSame()
	defer s.Close()
	if got, err := s.GetEvent(ctx, "prod", "kept"); err != nil || diffEvent(got, events[0]) != "" {
		t.Errorf("GetEvent after reopen = %+v, %v; want %+v", got, err, events[0])
	}
	checkAnnotations(t, s, store.AnnotationQuery{Environment: "prod"}, anns[0])
	checkDue(t, s, minute(100), 10, d[0])
	checkDeadLetters(t, s, "prod", 10, dl)
	next := []store.EventRecord{event("prod", "next", "a", 1)}
	appendEvents(t, s, next, nil, nil)
	if next[0].Seq <= events[0].Seq {
		t.Errorf("Seq after reopen = %d, want more than %d", next[0].Seq, events[0].Seq)
	}
	if err := s.AppendEvents(ctx, []store.EventRecord{event("prod", "kept", "a", 2)}, nil, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("AppendEvents of a stored id after reopen: err = %v, want ErrDuplicate", err)
	}
}
