package notify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// inbox is a channel that records what it is sent, and can be told to fail.
type inbox struct {
	mu   sync.Mutex
	got  []notify.Message
	fail error
}

func (b *inbox) Send(_ context.Context, m *notify.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.got = append(b.got, *m)
	return nil
}

func (b *inbox) take() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.got
	b.got = nil
	return out
}

func (b *inbox) setFail(err error) { b.mu.Lock(); b.fail = err; b.mu.Unlock() }

// harness is a notifier over a real SQLite store with a stack whose webhook
// subscriptions all deliver to inboxes, one per topic.
type harness struct {
	t      *testing.T
	ctx    context.Context
	db     *sqlite.DB
	clock  *clock
	n      *notify.Notifier
	boxes  map[string]*inbox // by topic
	states map[string]string // alarm instance → state, for AlarmState
	smu    sync.Mutex
	set    *notify.Setup
	st     *stack.Stack // for use
}

const harnessTopics = `
topics:
  - name: chat
    group_wait: 30s
    group_interval: 5m
    subscriptions:
      - webhook: {url: "https://chat.example.com/hook"}
  - name: email
    subscriptions:
      - webhook: {url: "https://email.example.com/hook"}
  - name: sms
    subscriptions:
      - webhook: {url: "https://sms.example.com/hook"}
  - name: critical-only
    subscriptions:
      - webhook: {url: "https://crit.example.com/hook"}
        filter_policy: {state: [ALARM], alarm: [{prefix: "db-"}]}
escalation_policies:
  - name: oncall
    steps:
      - {after: 0m, notify: [chat]}
      - {after: 10m, notify: [email]}
      - {after: 30m, notify: [sms]}
    ack_timeout: 1h
  - name: events
    auto_resolve: 2h
    steps:
      - {after: 0m, notify: [email]}
maintenance_windows:
  - name: nightly-batch
    schedule: cron(0 2 * * ? *)
    duration: 1h
    alarms: ["batch-*"]
`

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"tocsin.yaml": "environments: [production]\nserver:\n  notifications:\n    flapping: {changes: 4, window: 1h}\n",
		"topics.yaml": harnessTopics,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatalf("stack: %v", diags.Errors().Strings())
	}
	h := &harness{t: t, ctx: context.Background(), clock: &clock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)},
		boxes: map[string]*inbox{}, states: map[string]string{}}
	for _, name := range []string{"chat", "email", "sms", "critical-only"} {
		h.boxes[name] = &inbox{}
	}
	factories := notify.Factories{"webhook": func(cfg notify.Config) (notify.Channel, error) {
		switch cfg.Subscription.Webhook.URL.Reveal() {
		case "https://chat.example.com/hook":
			return h.boxes["chat"], nil
		case "https://email.example.com/hook":
			return h.boxes["email"], nil
		case "https://sms.example.com/hook":
			return h.boxes["sms"], nil
		}
		return h.boxes["critical-only"], nil
	}}
	set, err := notify.Build(st.Envs, st.Project.Server.Notifications, "https://tocsin.example.com", factories, h.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	h.set, h.st = set, st
	h.db, err = sqlite.Open(h.ctx, filepath.Join(dir, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	h.n = notify.New(notify.Options{Store: h.db, Setup: func() *notify.Setup { return h.set }, Now: h.clock.Now,
		AckLinks: notify.AckLinks{Key: []byte("0123456789abcdef0123456789abcdef")}, AlarmState: h.alarmState,
		Jitter: func() float64 { return 0 }})
	return h
}

// use rebuilds the setup with other channel factories (before the first send).
func (h *harness) use(factories notify.Factories) {
	h.t.Helper()
	set, err := notify.Build(h.st.Envs, h.st.Project.Server.Notifications, "https://tocsin.example.com", factories, h.clock.Now)
	if err != nil {
		h.t.Fatal(err)
	}
	h.set = set
}

func (h *harness) alarmState(env, name string) (string, bool) {
	h.smu.Lock()
	defer h.smu.Unlock()
	s, ok := h.states[name]
	return s, ok
}

// change routes an alarm state change with actions through the notifier, the way the
// event pipeline's built-in rule hands it over.
func (h *harness) change(alarm, instance string, dims map[string]string, from, to string, actions ...string) {
	h.t.Helper()
	var md []metric.Dim
	for k, v := range dims {
		md = append(md, metric.Dim{Name: k, Value: v})
	}
	threshold := 90.0
	ch := engine.Change{Env: "production", Alarm: alarm, Instance: instance, Dims: md, Old: eval.State(from), New: eval.State(to),
		Reason:     "Threshold Crossed: 3 datapoints were greater than the threshold (90.0).",
		ReasonData: json.RawMessage(`{"version":"1.0","evaluatedDatapoints":[{"timestamp":"x","sampleCount":5,"value":97,"minimum":91,"average":95,"maximum":97}]}`),
		At:         h.clock.Now(), Actions: actions,
		Source: &stack.Alarm{Metric: stack.MetricRef{Namespace: "System", Name: "DiskUsed"}, Statistic: "Maximum", Threshold: &threshold,
			Comparison: "GreaterThanThreshold", Period: stack.Duration(time.Minute), EvaluationPeriods: 3}}
	ev, err := ch.Event()
	if err != nil {
		h.t.Fatal(err)
	}
	h.smu.Lock()
	h.states[engine.InstanceName(alarm, instance)] = to
	h.smu.Unlock()
	h.route(store.Delivery{Environment: "production", Rule: rules.AlarmActionsRule, Target: "notifier", Kind: notify.DeliveryAlarmActions,
		EventID: ev.ID, Payload: mustJSON(h.t, ev)})
}

// route stores a delivery as the pipeline does and hands it to the notifier.
func (h *harness) route(d store.Delivery) {
	h.t.Helper()
	now := h.clock.Now()
	d.FirstAt, d.NextAt, d.MaxAttempts, d.MaxAge = now, now, 185, 24*time.Hour
	if err := h.db.AppendEvents(h.ctx, nil, nil, []store.Delivery{d}); err != nil {
		h.t.Fatal(err)
	}
	due, err := h.db.DueDeliveries(h.ctx, now, 10)
	if err != nil || len(due) != 1 {
		h.t.Fatalf("due deliveries: %v %d", err, len(due))
	}
	if err := h.n.Route(h.ctx, &due[0]); err != nil {
		h.t.Fatalf("route: %v", err)
	}
}

// step moves the clock, ticks and drains the outbox.
func (h *harness) step(d time.Duration) {
	h.t.Helper()
	h.clock.Add(d)
	if err := h.n.Tick(h.ctx); err != nil {
		h.t.Fatalf("tick: %v", err)
	}
	for {
		n, err := h.n.Drain(h.ctx)
		if err != nil {
			h.t.Fatalf("drain: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
