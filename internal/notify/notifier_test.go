package notify_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/store"
)

// Forty instances of one template reaching ALARM within group_wait are one message
// listing them all; a later change waits for group_interval.
func TestFortyInstancesAreOneMessage(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("i-%02d", i)
		h.change("disk-space", "InstanceId="+id, map[string]string{"InstanceId": id}, "OK", "ALARM", "chat")
		h.clock.Add(200 * time.Millisecond)
	}
	h.step(0)
	if got := h.boxes["chat"].take(); len(got) != 0 {
		t.Fatalf("sent before group_wait: %d messages", len(got))
	}
	h.step(30 * time.Second)
	got := h.boxes["chat"].take()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	m := got[0]
	if len(m.Alarms) != 40 || m.State != "ALARM" || !strings.Contains(m.Title, "40 instances of disk-space") {
		t.Fatalf("group message: %d alarms, state %s, title %q", len(m.Alarms), m.State, m.Title)
	}
	if !strings.Contains(notify.PlainText(&m), "disk-space[InstanceId=i-39] ALARM") {
		t.Errorf("the text does not list the instances:\n%s", notify.PlainText(&m))
	}
	// One instance recovers a minute later: it waits for the group interval (5m after the send).
	h.step(time.Minute)
	h.change("disk-space", "InstanceId=i-07", map[string]string{"InstanceId": "i-07"}, "ALARM", "OK", "chat")
	h.step(time.Minute)
	if got := h.boxes["chat"].take(); len(got) != 0 {
		t.Fatalf("sent inside group_interval: %v", got[0].Title)
	}
	h.step(3*time.Minute + time.Second)
	got = h.boxes["chat"].take()
	if len(got) != 1 || got[0].Alarms[0].Name != "disk-space[InstanceId=i-07]" || got[0].State != "OK" {
		t.Fatalf("after the interval: %+v", got)
	}
}

// A subscription's filter policy selects messages by their attributes.
func TestFilterPolicy(t *testing.T) {
	h := newHarness(t)
	h.change("api-errors", "", nil, "OK", "ALARM", "critical-only")
	h.change("db-lag", "", nil, "OK", "ALARM", "critical-only")
	h.change("db-cpu", "", nil, "ALARM", "OK", "critical-only")
	h.step(10 * time.Second) // the default group_wait
	got := h.boxes["critical-only"].take()
	if len(got) != 1 || got[0].Alarms[0].Name != "db-lag" {
		t.Fatalf("filter let through %d messages: %+v", len(got), got)
	}
}

// An incident walks chat → e-mail → SMS under the fake clock, stops on acknowledgement,
// re-opens after the ack timeout, and everyone notified hears the resolution.
func TestEscalationWalksAndStopsOnAck(t *testing.T) {
	h := newHarness(t)
	h.change("checkout-latency", "", nil, "OK", "ALARM", "oncall")
	h.step(0)
	chat := h.boxes["chat"].take()
	if len(chat) != 1 || chat[0].Kind != notify.KindIncident || chat[0].Links.Acknowledge == "" {
		t.Fatalf("step 1: %+v", chat)
	}
	inc := chat[0].Incident
	h.step(9 * time.Minute)
	if n := len(h.boxes["email"].take()); n != 0 {
		t.Fatal("e-mail before 10 minutes")
	}
	h.step(time.Minute)
	if got := h.boxes["email"].take(); len(got) != 1 || !strings.Contains(got[0].Title, "escalated: step 2") {
		t.Fatalf("step 2: %+v", got)
	}
	// Acknowledge through the signed link's check, as the /ack page does.
	u, _ := url.Parse(chat[0].Links.Acknowledge)
	env, id, err := h.n.CheckAckLink(u.Query())
	if err != nil || env != "production" || id != inc.ID {
		t.Fatalf("ack link: %v %s %d", err, env, id)
	}
	if _, err := h.n.Acknowledge(h.ctx, env, id, "alice"); err != nil {
		t.Fatal(err)
	}
	h.step(0)
	for _, topic := range []string{"chat", "email"} {
		if got := h.boxes[topic].take(); len(got) != 1 || got[0].Action != notify.ActionAcknowledge || !strings.Contains(got[0].Title, "alice") {
			t.Fatalf("%s did not hear the ack: %+v", topic, got)
		}
	}
	h.step(40 * time.Minute)
	if got := h.boxes["sms"].take(); len(got) != 0 {
		t.Fatal("SMS sent after the acknowledgement")
	}
	// Still unresolved an hour after the ack: it re-opens and escalates from the start.
	h.step(20*time.Minute + time.Second)
	if got := h.boxes["chat"].take(); len(got) != 1 || got[0].Action != notify.ActionTrigger {
		t.Fatalf("not re-opened after the ack timeout: %+v", got)
	}
	h.change("checkout-latency", "", nil, "ALARM", "OK")
	h.step(0)
	for _, topic := range []string{"chat", "email"} {
		got := h.boxes[topic].take()
		if len(got) != 1 || got[0].Action != notify.ActionResolve || got[0].State != "OK" {
			t.Fatalf("%s did not hear the resolution: %+v", topic, got)
		}
	}
	if got := h.boxes["sms"].take(); len(got) != 0 {
		t.Fatal("SMS was never notified, so it must not hear the resolution")
	}
	final, err := h.db.GetIncident(h.ctx, "production", inc.ID)
	if err != nil || final.State != store.IncidentResolved {
		t.Fatalf("incident: %v %+v", err, final)
	}
	timeline, _ := h.db.Timeline(h.ctx, inc.ID)
	var kinds []string
	for _, e := range timeline {
		kinds = append(kinds, e.Kind)
	}
	want := "opened notified sent notified sent acknowledged sent sent reopened notified sent resolved sent sent"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline %v\nwant      %s", kinds, want)
	}
}

// A silence mutes: the message is recorded as muted, and sent when the silence ends
// while the alarm is still in ALARM; a muted message whose alarm recovered is dropped.
func TestSilenceMutesThenReleases(t *testing.T) {
	h := newHarness(t)
	matchers, _ := json.Marshal(notify.Matchers{Alarm: "disk-*"})
	now := h.clock.Now()
	if _, err := h.db.AddSilence(h.ctx, store.Silence{Environment: "production", Matchers: matchers, StartsAt: now, EndsAt: now.Add(time.Hour),
		CreatedBy: "alice", Comment: "disk upgrade", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	h.change("disk-space", "", nil, "OK", "ALARM", "email")
	h.change("disk-io", "", nil, "OK", "ALARM", "email")
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	got := h.boxes["email"].take()
	if len(got) != 1 || got[0].Alarms[0].Name != "api-errors" {
		t.Fatalf("unmuted messages: %+v", got)
	}
	muted, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxMuted})
	if len(muted) != 2 || !strings.HasPrefix(muted[0].MutedBy, "silence/") {
		t.Fatalf("muted records: %+v", muted)
	}
	h.change("disk-io", "", nil, "ALARM", "OK", "email") // recovers during the silence
	h.step(time.Hour)
	got = h.boxes["email"].take()
	if len(got) != 1 || got[0].Alarms[0].Name != "disk-space" || got[0].State != "ALARM" {
		t.Fatalf("after the silence: %+v", got)
	}
	dropped, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxDropped})
	if len(dropped) != 2 {
		t.Fatalf("dropped: %d, want 2 (disk-io's ALARM and OK)", len(dropped))
	}
}

// A maintenance window mutes the alarms it covers while it is open.
func TestMaintenanceWindowMutes(t *testing.T) {
	h := newHarness(t)
	h.clock.now = time.Date(2026, 11, 22, 2, 30, 0, 0, time.UTC)
	h.change("batch-lag", "", nil, "OK", "ALARM", "email")
	h.step(0)
	if got := h.boxes["email"].take(); len(got) != 0 {
		t.Fatal("a message went out during the maintenance window")
	}
	muted, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxMuted})
	if len(muted) != 1 || muted[0].MutedBy != "maintenance/nightly-batch" {
		t.Fatalf("muted: %+v", muted)
	}
	h.step(31 * time.Minute)
	if got := h.boxes["email"].take(); len(got) != 1 {
		t.Fatalf("not released after the window: %d", len(got))
	}
}

// An alarm changing state more than 4 times in an hour is reported once as flapping;
// the flaps themselves are held back.
func TestFlappingIsOneMessage(t *testing.T) {
	h := newHarness(t)
	states := []string{"OK", "ALARM"}
	for i := 0; i < 10; i++ {
		h.change("queue-depth", "", nil, states[i%2], states[(i+1)%2], "email")
		h.step(time.Minute)
	}
	got := h.boxes["email"].take()
	if len(got) != 5 {
		t.Fatalf("%d messages, want 4 changes and 1 flapping notice", len(got))
	}
	if got[4].Kind != notify.KindFlapping || !strings.Contains(got[4].Title, "FLAPPING") {
		t.Fatalf("fifth message: %+v", got[4])
	}
	if on, _ := h.n.Flapping("production", "queue-depth"); !on {
		t.Fatal("no flapping flag")
	}
	// Once it settles, the last held-back change goes out if it is still true.
	h.step(61 * time.Minute)
	got = h.boxes["email"].take()
	if len(got) != 1 || got[0].Kind != notify.KindAlarm || got[0].State != "OK" {
		t.Fatalf("after settling: %+v", got)
	}
}

// A failing endpoint is retried by the policy and becomes a dead letter that can be
// replayed with the same idempotency key.
func TestRetryThenDeadLetterThenReplay(t *testing.T) {
	h := newHarness(t)
	h.boxes["email"].setFail(&notify.Failure{Code: "HTTP_503", Message: "down", Retryable: true})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	for i := 0; i < 3; i++ { // SNS HTTP default: 3 retries 20 s apart
		h.step(20 * time.Second)
	}
	dead, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxDead})
	if len(dead) != 1 || dead[0].Attempts != 4 || dead[0].ErrorCode != "HTTP_503" {
		t.Fatalf("dead letters: %+v", dead)
	}
	attempts, _ := h.db.ListAttempts(h.ctx, "production", dead[0].ID, 0)
	if len(attempts) != 4 || attempts[0].Outcome != "dead" || attempts[3].Outcome != "retry" {
		t.Fatalf("attempts: %+v", attempts)
	}
	h.boxes["email"].setFail(nil)
	if err := h.n.Replay(h.ctx, "production", dead[0].ID); err != nil {
		t.Fatal(err)
	}
	h.step(0)
	got := h.boxes["email"].take()
	if len(got) != 1 || got[0].ID != dead[0].Key {
		t.Fatalf("replay: %+v (key %s)", got, dead[0].Key)
	}
}

// A non-retryable failure is dead at once.
func TestNonRetryableFailureIsDeadAtOnce(t *testing.T) {
	h := newHarness(t)
	h.boxes["email"].setFail(&notify.Failure{Code: "HTTP_404", Message: "gone"})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	dead, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxDead})
	if len(dead) != 1 || dead[0].Attempts != 1 {
		t.Fatalf("dead: %+v", dead)
	}
}

// An event rule's escalation target opens one incident per rule; acknowledging an
// event incident resolves it, and one left alone auto-resolves.
func TestEventIncidents(t *testing.T) {
	h := newHarness(t)
	ev := []byte(`{"version":"0","id":"e1","source":"aws.health","detail-type":"AWS Health Event","time":"2026-11-22T10:00:00Z","resources":[],"detail":{"service":"EC2"},"environment":"production"}`)
	for i := 0; i < 2; i++ {
		h.route(store.Delivery{Environment: "production", Rule: "health", Target: "0", Kind: notify.DeliveryEscalation, EventID: fmt.Sprintf("e%d", i),
			Payload: ev, Destination: []byte(`{"name":"events"}`)})
	}
	h.step(0)
	got := h.boxes["email"].take()
	if len(got) != 1 || !strings.Contains(got[0].Title, "AWS Health Event (aws.health) in production") {
		t.Fatalf("event incident messages: %+v", got)
	}
	open, _ := h.db.ActiveIncidents(h.ctx)
	if len(open) != 1 || open[0].Key != "event:health" {
		t.Fatalf("incidents: %+v", open)
	}
	h.step(2*time.Hour + time.Second)
	if got := h.boxes["email"].take(); len(got) != 1 || got[0].Action != notify.ActionResolve {
		t.Fatalf("auto-resolve: %+v", got)
	}
	if open, _ := h.db.ActiveIncidents(h.ctx); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
}

// Routing the same delivery twice (a retry after a crash) notifies once.
func TestRouteIsOnce(t *testing.T) {
	h := newHarness(t)
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	due, _ := h.db.DueDeliveries(h.ctx, h.clock.Now(), 10)
	if len(due) != 0 {
		t.Fatalf("the routed delivery is still pending: %+v", due)
	}
	h.step(10 * time.Second)
	if got := h.boxes["email"].take(); len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
}

// A silence on the state-change event's fields (event_pattern) holds an alarm's message
// until it ends, like any other silence.
func TestEventPatternSilenceHoldsAlarms(t *testing.T) {
	h := newHarness(t)
	matchers, _ := json.Marshal(notify.Matchers{EventPattern: json.RawMessage(`{"detail":{"alarm":["api-errors"],"state":{"value":["ALARM"]}}}`)})
	now := h.clock.Now()
	if _, err := h.db.AddSilence(h.ctx, store.Silence{Environment: "production", Matchers: matchers, StartsAt: now, EndsAt: now.Add(10 * time.Minute),
		CreatedBy: "alice", Comment: "known", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	for i := 0; i < 5; i++ {
		h.step(time.Minute)
	}
	if got := h.boxes["email"].take(); len(got) != 0 {
		t.Fatalf("sent during the silence: %v", got[0].Title)
	}
	h.step(6 * time.Minute)
	if got := h.boxes["email"].take(); len(got) != 1 || got[0].State != "ALARM" {
		t.Fatalf("after the silence: %+v", got)
	}
}
