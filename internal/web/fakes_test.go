package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

var testNow = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

const (
	adminToken  = "admin-token-0123456789abcdef"
	readToken   = "reader-token-0123456789abcdef" // read in staging only
	writeToken  = "writer-token-0123456789abcdef" // read+write in staging and production
	ingestToken = "ingest-token-0123456789abcdef" // may read nothing
)

func fakeAuth(token string) (string, map[string][]string, bool, bool) {
	switch token {
	case adminToken:
		return "admin", nil, true, true
	case readToken:
		return "reader", map[string][]string{"staging": {"read"}}, false, true
	case writeToken:
		return "deployer", map[string][]string{"staging": {"read", "write"}, "production": {"read", "write"}}, false, true
	case ingestToken:
		return "shipper", map[string][]string{"staging": {"ingest"}}, false, true
	}
	return "", nil, false, false
}

// fakeAlarms is an alarm engine with fixed instances per environment.
type fakeAlarms struct {
	mu    sync.Mutex
	defs  map[string]map[string]any // env → alarm → definition
	insts map[string][]engine.Instance
	hist  []store.HistoryItem
	set   []string // "env alarm instance state reason"
}

func (f *fakeAlarms) Instances(env string, flt engine.Filter) []engine.Instance {
	var out []engine.Instance
	for _, in := range f.insts[env] {
		if strings.HasPrefix(in.Alarm, flt.Prefix) && (flt.State == "" || in.State == flt.State) {
			out = append(out, in)
		}
	}
	return out
}

func (f *fakeAlarms) Alarm(env, name string) (any, []engine.Instance, bool) {
	def, ok := f.defs[env][name]
	if !ok {
		return nil, nil, false
	}
	var out []engine.Instance
	for _, in := range f.insts[env] {
		if in.Alarm == name {
			out = append(out, in)
		}
	}
	return def, out, true
}

func (f *fakeAlarms) State(env, name string) (eval.State, bool) {
	for _, in := range f.insts[env] {
		if engine.InstanceName(in.Alarm, in.Instance) == name {
			return in.State, true
		}
	}
	return "", false
}

func (f *fakeAlarms) History(ctx context.Context, env, alarm string, instance *string, from, to time.Time, limit int) ([]store.HistoryItem, error) {
	var out []store.HistoryItem
	for _, h := range f.hist {
		if h.Environment == env && h.Alarm == alarm && (instance == nil || *instance == h.Instance) {
			out = append(out, h)
		}
	}
	return out, nil
}

func (f *fakeAlarms) SetState(ctx context.Context, env, name, instance string, state eval.State, reason string) error {
	if _, ok := f.defs[env][name]; !ok {
		return engine.ErrNoAlarm
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = append(f.set, fmt.Sprintf("%s %s %s %s %s", env, name, instance, state, reason))
	return nil
}

// fakeStore keeps incidents, silences and the rest in memory.
type fakeStore struct {
	mu          sync.Mutex
	incidents   []store.Incident
	timeline    []store.TimelineEntry
	outbox      []store.OutboxMessage
	silences    []store.Silence
	annotations []store.Annotation
	events      []store.EventRecord // newest first
	// eventQueries counts ListEvents calls.
	eventQueries int
}

func (f *fakeStore) ListIncidents(ctx context.Context, q store.IncidentQuery) ([]store.Incident, error) {
	var out []store.Incident
	for _, in := range f.incidents {
		if in.Environment == q.Environment && (len(q.States) == 0 || contains(q.States, in.State)) {
			out = append(out, in)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (f *fakeStore) GetIncident(ctx context.Context, env string, id int64) (store.Incident, error) {
	for _, in := range f.incidents {
		if in.Environment == env && in.ID == id {
			return in, nil
		}
	}
	return store.Incident{}, store.ErrNotFound
}

func (f *fakeStore) Timeline(ctx context.Context, id int64) ([]store.TimelineEntry, error) {
	var out []store.TimelineEntry
	for _, e := range f.timeline {
		if e.IncidentID == id {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) ListOutbox(ctx context.Context, q store.OutboxQuery) ([]store.OutboxMessage, error) {
	var out []store.OutboxMessage
	for _, m := range f.outbox {
		if m.Environment == q.Environment && (q.IncidentID == 0 || m.IncidentID == q.IncidentID) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeStore) ListSilences(ctx context.Context, env string, now time.Time, expired bool, limit int) ([]store.Silence, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Silence
	for _, s := range f.silences {
		if s.Environment == env && (expired || now.Before(s.EndsAt)) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) AddSilence(ctx context.Context, s store.Silence) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.ID = int64(len(f.silences) + 1)
	f.silences = append(f.silences, s)
	return s.ID, nil
}

func (f *fakeStore) ExpireSilence(ctx context.Context, env string, id int64, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.silences {
		if f.silences[i].Environment == env && f.silences[i].ID == id {
			f.silences[i].EndsAt = now
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeStore) ListAnnotations(ctx context.Context, q store.AnnotationQuery) ([]store.Annotation, error) {
	return f.annotations, nil
}

// ListEvents filters events as the store does; f.events are kept newest first (by
// time, then seq).
func (f *fakeStore) ListEvents(ctx context.Context, q store.EventQuery) ([]store.EventRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.eventQueries++
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []store.EventRecord
	for _, e := range f.events {
		if e.Environment != q.Environment || !q.From.IsZero() && e.Time.Before(q.From) || !q.To.IsZero() && !e.Time.Before(q.To) ||
			q.Source != "" && e.Source != q.Source || q.BeforeSeq > 0 && e.Seq >= q.BeforeSeq {
			continue
		}
		if out = append(out, e); len(out) == limit {
			break
		}
	}
	return out, nil
}

func (f *fakeStore) GetEvent(ctx context.Context, env, id string) (store.EventRecord, error) {
	for _, e := range f.events {
		if e.Environment == env && e.ID == id {
			return e, nil
		}
	}
	return store.EventRecord{}, store.ErrNotFound
}

type fakeNotifier struct {
	mu      sync.Mutex
	calls   []string
	changed int
}

func (f *fakeNotifier) Acknowledge(ctx context.Context, env string, id int64, by string) (store.Incident, error) {
	return f.act("ack", env, id, by)
}

func (f *fakeNotifier) Resolve(ctx context.Context, env string, id int64, by string) (store.Incident, error) {
	return f.act("resolve", env, id, by)
}

func (f *fakeNotifier) act(what, env string, id int64, by string) (store.Incident, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == 99 {
		return store.Incident{}, notify.ErrIncidentClosed
	}
	f.calls = append(f.calls, fmt.Sprintf("%s %s %d %s", what, env, id, by))
	return store.Incident{ID: id, Environment: env}, nil
}

func (f *fakeNotifier) Flapping(env, name string) (bool, time.Time) {
	return name == "cpu-high", testNow.Add(-time.Hour)
}

func (f *fakeNotifier) SilencesChanged() { f.mu.Lock(); f.changed++; f.mu.Unlock() }

// fakeMetrics returns one point per period with every statistic asked for.
type fakeMetrics struct{ queries []metricstore.Query }

func (f *fakeMetrics) Statistics(ctx context.Context, q metricstore.Query) ([]metricstore.Result, error) {
	f.queries = append(f.queries, q)
	var dps []metricstore.Datapoint
	for t := q.Start; t.Before(q.End); t = t.Add(q.Period) {
		vals := map[string]float64{}
		for i, st := range q.Statistics {
			vals[st.String()] = float64(i) + float64(t.Unix()%100)
		}
		dps = append(dps, metricstore.Datapoint{Timestamp: t, Values: vals})
	}
	return []metricstore.Result{{Dims: q.Dims, Datapoints: dps}}, nil
}

const evil = `<script>alert("x")</script>`

// jsonEvil is evil inside a JSON string (as a producer may send it: < unescaped).
const jsonEvil = `<script>alert(\"x\")</script>`

func fixture() (*fakeAlarms, *fakeStore, *fakeNotifier, *fakeMetrics) {
	th := 80.0
	cpu := &stack.Alarm{Metric: stack.MetricRef{Namespace: "App", Name: "CPU", Dimensions: map[string]string{"Service": "api"}},
		Statistic: "p99", Period: stack.Duration(time.Minute), EvaluationPeriods: 3, Threshold: &th, Comparison: "GreaterThanThreshold"}
	disk := &stack.Alarm{Metric: stack.MetricRef{Namespace: "Host", Name: "Disk", Dimensions: map[string]string{"Host": "*"}},
		Statistic: "Maximum", Period: stack.Duration(5 * time.Minute), EvaluationPeriods: 1, Threshold: &th, Comparison: "GreaterThanThreshold"}
	dps := []eval.Datapoint{{Timestamp: testNow.Add(-3 * time.Minute), Value: 91, Present: true, SampleCount: 4, Minimum: 10, Average: 50, Maximum: 91, Breaching: true},
		{Timestamp: testNow.Add(-2 * time.Minute), Value: 95, Present: true, SampleCount: 4, Minimum: 12, Average: 55, Maximum: 95, Breaching: true}}
	a := &fakeAlarms{
		defs: map[string]map[string]any{
			"staging":    {"cpu-high": cpu, "disk-full": disk},
			"production": {"cpu-high": cpu},
		},
		insts: map[string][]engine.Instance{
			"staging": {
				{Alarm: "cpu-high", Dims: []metric.Dim{{Name: "Service", Value: "api"}}, State: eval.Alarm, Reason: "Threshold Crossed: " + evil,
					TransitionAt: testNow.Add(-90 * time.Minute), Datapoints: dps},
				{Alarm: "disk-full", Instance: "Host=db1", Dims: []metric.Dim{{Name: "Host", Value: "db1"}}, State: eval.OK, Reason: "fine", TransitionAt: testNow.Add(-time.Hour)},
				{Alarm: "disk-full", Instance: "Host=db2", Dims: []metric.Dim{{Name: "Host", Value: "db2"}}, State: eval.InsufficientData, Reason: "no data"},
			},
			"production": {{Alarm: "cpu-high", State: eval.OK, Reason: "fine"}},
		},
		hist: []store.HistoryItem{{Environment: "staging", Alarm: "cpu-high", At: testNow.Add(-90 * time.Minute), Type: "StateUpdate",
			Summary: "Alarm updated from OK to ALARM", Data: []byte(`{"oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed: 3 of 3"}}`)}},
	}
	s := &fakeStore{
		incidents: []store.Incident{
			{ID: 7, Environment: "staging", Key: "cpu-high", Source: "alarm", Policy: "oncall", Title: "CPU " + evil, State: store.IncidentOpen, OpenedAt: testNow.Add(-80 * time.Minute)},
			{ID: 99, Environment: "staging", Key: "event:deploy", Source: "event", Title: "old", State: store.IncidentResolved, OpenedAt: testNow.Add(-48 * time.Hour)},
		},
		timeline: []store.TimelineEntry{{IncidentID: 7, At: testNow.Add(-80 * time.Minute), Kind: "opened", Text: "opened by cpu-high"}},
		outbox: []store.OutboxMessage{{ID: 1, Environment: "staging", IncidentID: 7, Topic: "oncall-chat", Channel: "slack", Subscription: "slack#0",
			State: store.OutboxSent, Attempts: 1, CreatedAt: testNow.Add(-79 * time.Minute)}},
		silences: []store.Silence{{ID: 1, Environment: "staging", Matchers: []byte(`{"alarm":"disk-*"}`), StartsAt: testNow.Add(-time.Hour),
			EndsAt: testNow.Add(time.Hour), CreatedBy: "admin", Comment: "migration " + evil}},
		annotations: []store.Annotation{{Environment: "staging", Time: testNow.Add(-2 * time.Hour), Text: "deploy v1.2 " + evil}},
		events: []store.EventRecord{
			{Seq: 2, ID: "ev-2", Environment: "staging", Source: "deploy", DetailType: "Deployment succeeded", Time: testNow.Add(-2 * time.Hour),
				Ingested: testNow.Add(-2 * time.Hour), Rules: []string{"annotate"},
				Body: []byte(`{"id":"ev-2","source":"deploy","detail-type":"Deployment succeeded","detail":{"version":"v1.2","note":"` + jsonEvil + `"}}`)},
			{Seq: 1, ID: "ev-1", Environment: "staging", Source: "shop", DetailType: "Order " + evil, Time: testNow.Add(-3 * time.Hour),
				Ingested: testNow.Add(-3 * time.Hour), Body: []byte(`{"id":"ev-1","source":"shop","detail-type":"Order ` + jsonEvil + `","detail":{"total":12}}`)},
		},
	}
	return a, s, &fakeNotifier{}, &fakeMetrics{}
}

type harness struct {
	t        *testing.T
	ui       *UI
	alarms   *fakeAlarms
	store    *fakeStore
	notifier *fakeNotifier
	metrics  *fakeMetrics
}

func newHarness(t *testing.T, mod func(*Options)) *harness {
	a, s, n, m := fixture()
	opts := Options{Authenticate: fakeAuth, Environments: func() []string { return []string{"staging", "production"} },
		Alarms: a, Store: s, Notifier: n, Metrics: m, Now: func() time.Time { return testNow },
		LastReload: func() (store.ReloadRecord, bool) {
			return store.ReloadRecord{At: testNow.Add(-time.Minute), Trigger: "file-change", OK: false, Errors: []string{"alarms.yaml:3:1: bad " + evil}}, true
		}}
	if mod != nil {
		mod(&opts)
	}
	return &harness{t: t, ui: newUI(opts), alarms: a, store: s, notifier: n, metrics: m}
}

// do sends a request with the session cookie (if any) and returns the response.
func (h *harness) do(method, target, cookie string, form url.Values) *http.Response {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	return rec.Result()
}

// login signs in and returns the session cookie value and the page's CSRF token.
func (h *harness) login(token string) (cookie, csrf string) {
	h.t.Helper()
	res := h.do("POST", "/ui/login", "", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login with %s: status %d, want 303", token, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == CookieName {
			cookie = c.Value
		}
	}
	page := body(h.t, h.do("GET", "/ui/", cookie, nil))
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if cookie == "" || m == nil {
		h.t.Fatalf("no session cookie or CSRF token after login")
	}
	return cookie, m[1]
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
