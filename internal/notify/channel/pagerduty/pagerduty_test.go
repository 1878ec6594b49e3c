package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/notifytest"
	"github.com/tocsin/tocsin/internal/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const routingKey = "R0UT1NG-KEY-s3cr3t-0123456789abcdef"

var t0 = time.Date(2025, 3, 4, 10, 4, 0, 0, time.UTC)

func num(v float64) *float64 { return &v }

func diskItem(instance string, maxV float64) notify.AlarmItem {
	return notify.AlarmItem{
		Name:          "disk-space[InstanceId=" + instance + "]",
		Alarm:         "disk-space",
		Instance:      "InstanceId=" + instance,
		Dimensions:    map[string]string{"InstanceId": instance},
		State:         "ALARM",
		PreviousState: "OK",
		Since:         t0,
		Reason:        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0).",
		Metric:        "System/Linux/DiskSpaceUtilization",
		Statistic:     "Maximum",
		Comparison:    "GreaterThanThreshold",
		Threshold:     num(90),
		Unit:          "Percent",
		Min:           num(91),
		Avg:           num(94.25),
		Max:           num(maxV),
		Samples:       3,
		URL:           "https://tocsin.example.com/alarms/disk-space?instance=" + instance,
	}
}

// alarmMessage is one alarm instance going into ALARM, with numbers, an annotation and links.
func alarmMessage() *notify.Message {
	return &notify.Message{
		ID:          "01JNM8Q3ZK6V4T7X2B9C5D8E1F",
		Kind:        notify.KindAlarm,
		Environment: "production",
		Topic:       "ops",
		Time:        t0,
		Title:       "ALARM: disk-space[InstanceId=i-1] in production",
		Text:        "disk-space[InstanceId=i-1] went from OK to ALARM: Maximum 97% > 90% (min 91%, avg 94.25%, max 97%).",
		State:       "ALARM",
		Alarms:      []notify.AlarmItem{diskItem("i-1", 97)},
		Annotations: []notify.Annotation{{Time: t0.Add(-12 * time.Minute), Text: "deploy api v1.42.0"}},
		Links: notify.Links{
			Alarm:       "https://tocsin.example.com/alarms/disk-space?instance=InstanceId%3Di-1",
			Acknowledge: "https://tocsin.example.com/ack/abc123",
		},
		DedupKey: "production/alarm/disk-space[InstanceId=i-1]",
		Action:   notify.ActionTrigger,
	}
}

func groupMessage() *notify.Message {
	m := alarmMessage()
	m.ID = "01JNM8Q3ZK6V4T7X2B9C5D8E2G"
	m.Title = "ALARM: 3 instances of disk-space in production"
	m.Text = "3 instances of disk-space went from OK to ALARM."
	m.Alarms = []notify.AlarmItem{diskItem("i-1", 97), diskItem("i-2", 95.5), diskItem("i-3", 99)}
	m.Links = notify.Links{Alarm: "https://tocsin.example.com/alarms/disk-space"}
	m.DedupKey = "production/alarm/disk-space"
	return m
}

func withAction(m *notify.Message, action string) *notify.Message {
	m.Action = action
	return m
}

// request is what the fake PagerDuty received.
type request struct {
	header http.Header
	body   []byte
}

// fakePagerDuty answers every event with status and body, and records the requests.
func fakePagerDuty(t *testing.T, status int, answer string) (*httptest.Server, *[]request) {
	t.Helper()
	var got []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost {
			t.Errorf("method %s, want POST", r.Method)
		}
		got = append(got, request{header: r.Header.Clone(), body: body})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

const accepted = `{"status":"success","message":"Event processed","dedup_key":"production/alarm/disk-space[InstanceId=i-1]"}`

func newChannel(t *testing.T, url string, tmpl *template.Template) notify.Channel {
	t.Helper()
	ch, err := New(notify.Config{
		Subscription: &stack.Subscription{PagerDuty: &stack.PagerDuty{RoutingKey: stack.NewSecret(routingKey)}},
		Template:     tmpl,
		PagerDutyURL: url,
		Client:       &http.Client{Timeout: 5 * time.Second},
		Now:          func() time.Time { return t0.Add(time.Minute) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("the body is not JSON: %v\n%s", err, body)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, out.Bytes(), want)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *notify.Message
	}{
		{"trigger", alarmMessage()},
		{"acknowledge", withAction(alarmMessage(), notify.ActionAcknowledge)},
		{"resolve", withAction(alarmMessage(), notify.ActionResolve)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := fakePagerDuty(t, http.StatusAccepted, accepted)
			if err := newChannel(t, srv.URL, nil).Send(context.Background(), tc.m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(*got) != 1 {
				t.Fatalf("%d requests, want 1", len(*got))
			}
			req := (*got)[0]
			if ct := req.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if k := req.header.Get("Idempotency-Key"); k != tc.m.ID {
				t.Errorf("Idempotency-Key %q, want %q", k, tc.m.ID)
			}
			golden(t, tc.name, req.body)

			var ev map[string]any
			if err := json.Unmarshal(req.body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev["routing_key"] != routingKey || ev["dedup_key"] != tc.m.DedupKey || ev["event_action"] != tc.m.Action {
				t.Errorf("routing_key/dedup_key/event_action wrong: %v", ev)
			}
			if tc.m.Action != notify.ActionTrigger && len(ev) != 3 {
				t.Errorf("an %s carries %d fields, want routing_key, event_action and dedup_key only", tc.m.Action, len(ev))
			}
		})
	}
}

// A group of instances is one PagerDuty event per instance with the instance's own
// dedup key, so that each instance's later resolve closes its alert.
func TestGroupIsOneEventPerInstance(t *testing.T) {
	srv, got := fakePagerDuty(t, http.StatusAccepted, accepted)
	m := groupMessage()
	m.Alarms[1].State = "OK"
	if err := newChannel(t, srv.URL, nil).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(*got) != 3 {
		t.Fatalf("%d requests, want 3", len(*got))
	}
	keys := map[string]string{}
	for i, req := range *got {
		var ev map[string]any
		if err := json.Unmarshal(req.body, &ev); err != nil {
			t.Fatal(err)
		}
		keys[ev["dedup_key"].(string)] = ev["event_action"].(string)
		if k := req.header.Get("Idempotency-Key"); k != fmt.Sprintf("%s/%d", m.ID, i) {
			t.Errorf("request %d: Idempotency-Key %q", i, k)
		}
	}
	for i, a := range m.Alarms {
		want := notify.ActionTrigger
		if i == 1 {
			want = notify.ActionResolve
		}
		if got := keys[notify.DedupKey("production", a.Name)]; got != want {
			t.Errorf("%s: %q, want %q (all %v)", a.Name, got, want, keys)
		}
	}
}

// sent sends m to a fake PagerDuty and returns the event it received.
func sent(t *testing.T, tmpl *template.Template, m *notify.Message) event {
	t.Helper()
	srv, got := fakePagerDuty(t, http.StatusAccepted, accepted)
	if err := newChannel(t, srv.URL, tmpl).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var ev event
	if err := json.Unmarshal((*got)[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestTriggerFields(t *testing.T) {
	m := alarmMessage()
	m.Action = ""
	m.DedupKey = ""
	m.Title = strings.Repeat("é", 1500)
	m.State = "INSUFFICIENT_DATA"
	ev := sent(t, nil, m)
	if ev.EventAction != "trigger" {
		t.Errorf("event_action %q, want trigger by default", ev.EventAction)
	}
	if ev.DedupKey != m.ID {
		t.Errorf("dedup_key %q, want the message ID", ev.DedupKey)
	}
	if n := utf8.RuneCountInString(ev.Payload.Summary); n != 1024 || !strings.HasSuffix(ev.Payload.Summary, "…") {
		t.Errorf("summary of %d characters, want 1024 ending in …", n)
	}
	if ev.Payload.Severity != "warning" {
		t.Errorf("severity %q for INSUFFICIENT_DATA, want warning", ev.Payload.Severity)
	}

	m = alarmMessage()
	m.Kind, m.State, m.Environment, m.Alarms, m.Time = notify.KindEvent, "", "", nil, time.Time{}
	ev = sent(t, nil, m)
	if p := ev.Payload; p.Severity != "info" || p.Source != "tocsin" || p.Component != "" || p.Class != "event" || p.Timestamp != "2025-03-04T10:05:00Z" {
		t.Errorf("event payload %+v: want info, source tocsin, no component, class event, timestamp from Now", p)
	}
}

func TestTemplate(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse("{{.Title}} — {{len .Alarms}} alarm(s)"))
	ev := sent(t, tmpl, alarmMessage())
	if want := "ALARM: disk-space[InstanceId=i-1] in production — 1 alarm(s)"; ev.Payload.CustomDetails.Text != want {
		t.Errorf("custom_details.text %q, want %q", ev.Payload.CustomDetails.Text, want)
	}

	bad := template.Must(template.New("t").Parse("{{.NoSuchField}}"))
	srv, got := fakePagerDuty(t, http.StatusAccepted, accepted)
	err := newChannel(t, srv.URL, bad).Send(context.Background(), alarmMessage())
	if f := notify.AsFailure(err); err == nil || f.Code != "TEMPLATE" || f.Retryable {
		t.Errorf("a failing template gave %v, want a TEMPLATE failure that is not retryable", err)
	}
	if len(*got) != 0 {
		t.Error("an event was sent although the template failed")
	}
}

func TestUnknownAction(t *testing.T) {
	srv, got := fakePagerDuty(t, http.StatusAccepted, accepted)
	err := newChannel(t, srv.URL, nil).Send(context.Background(), withAction(alarmMessage(), "snooze"))
	if f := notify.AsFailure(err); err == nil || f.Retryable {
		t.Errorf("an unknown action gave %v, want a failure that is not retryable", err)
	}
	if len(*got) != 0 {
		t.Error("an event with an unknown action was sent")
	}
}

func TestFailures(t *testing.T) {
	// PagerDuty's 400 echoes the routing key here, to check that it is scrubbed.
	badRequest := fmt.Sprintf(`{"status":"invalid event","message":"Event object is invalid","errors":["'payload.severity' is missing or blank","routing key %s is unknown"]}`, routingKey)
	for _, tc := range []struct {
		name      string
		status    int
		answer    string
		code      string
		retryable bool
		contains  string
	}{
		{"400", http.StatusBadRequest, badRequest, "HTTP_400", false, "Event object is invalid: 'payload.severity' is missing or blank"},
		{"400 not JSON", http.StatusBadRequest, "bad\n  request " + routingKey, "HTTP_400", false, "bad request <secret>"},
		{"400 long", http.StatusBadRequest, `{"message":"` + strings.Repeat("x", 500) + `"}`, "HTTP_400", false, strings.Repeat("x", 100)},
		{"429", http.StatusTooManyRequests, `{"status":"throttle event","message":"Requests for this service are arriving too quickly."}`, "HTTP_429", true, "arriving too quickly"},
		{"500", http.StatusInternalServerError, "", "HTTP_500", true, "500"},
		{"503", http.StatusServiceUnavailable, "<html>down</html>", "HTTP_503", true, "down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := fakePagerDuty(t, tc.status, tc.answer)
			err := newChannel(t, srv.URL, nil).Send(context.Background(), alarmMessage())
			checkFailure(t, err, tc.code, tc.retryable)
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not say %q", err, tc.contains)
			}
			if f := notify.AsFailure(err); len(f.Message) > 300 {
				t.Errorf("failure message of %d bytes: PagerDuty's answer is not cut", len(f.Message))
			}
		})
	}

	// PagerDuty's 429 and 503 may carry a Retry-After: read as for every HTTP channel.
	notifytest.CheckFailures(t, notifytest.RetryAfterFailures(), "/v2/enqueue", func(ctx context.Context, url string) error {
		return newChannel(t, url, nil).Send(ctx, alarmMessage())
	}, routingKey)

	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		err := newChannel(t, url, nil).Send(context.Background(), alarmMessage())
		checkFailure(t, err, "CONNECTION", true)
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := newChannel(t, srv.URL, nil).Send(ctx, alarmMessage())
		checkFailure(t, err, "TIMEOUT", true)
	})
}

func checkFailure(t *testing.T, err error, code string, retryable bool) {
	t.Helper()
	var f *notify.Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %v (%T) is not a *notify.Failure", err, err)
	}
	if f.Code != code || f.Retryable != retryable {
		t.Errorf("failure %q retryable=%v, want %s retryable=%v", err, f.Retryable, code, retryable)
	}
	if strings.Contains(err.Error(), routingKey) {
		t.Errorf("the error leaks the routing key: %q", err)
	}
}

func TestNew(t *testing.T) {
	if _, err := New(notify.Config{Subscription: &stack.Subscription{}}); err == nil {
		t.Error("New accepted a subscription without pagerduty settings")
	}
	if _, err := New(notify.Config{Subscription: &stack.Subscription{PagerDuty: &stack.PagerDuty{}}}); err == nil {
		t.Error("New accepted an empty routing key")
	}
	ch, err := New(notify.Config{Subscription: &stack.Subscription{PagerDuty: &stack.PagerDuty{RoutingKey: stack.NewSecret(routingKey)}}})
	if err != nil {
		t.Fatal(err)
	}
	pd := ch.(*PagerDuty)
	if pd.url != "https://events.pagerduty.com/v2/enqueue" {
		t.Errorf("default endpoint %q", pd.url)
	}
	for _, format := range []string{"%v", "%+v", "%#v"} {
		if s := fmt.Sprintf(format, pd); strings.Contains(s, routingKey) {
			t.Errorf("%s of the channel prints the routing key", format)
		}
	}
}
