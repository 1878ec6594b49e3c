package sms

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/notifytest"
	"github.com/tocsin/tocsin/internal/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "t0k3n-s3cr3t-fedcba9876543210"
	from       = "+14155550100"
	alice      = "+14155550111"
	bob        = "+442071838750"
	path       = "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
)

var t0 = time.Date(2025, 3, 4, 10, 4, 0, 0, time.UTC)

// alarmMessage has a text too long for an SMS and an acknowledge link.
func alarmMessage() *notify.Message {
	return &notify.Message{
		ID:          "01JNM8Q3ZK6V4T7X2B9C5D8E1F",
		Kind:        notify.KindIncident,
		Environment: "production",
		Time:        t0,
		Title:       "ALARM: disk-space[InstanceId=i-1] in production",
		Text: "disk-space[InstanceId=i-1] went from OK to ALARM: Maximum 97% > 90% (min 91%, avg 94.25%, max 97%). " +
			"Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0). " +
			"The incident escalates to the next step of policy ops-oncall in 10 minutes unless somebody acknowledges it. " +
			"Recent changes: deploy api v1.42.0 at 09:52 UTC.",
		State: "ALARM",
		Links: notify.Links{
			Alarm:       "https://tocsin.example.com/alarms/disk-space",
			Acknowledge: "https://tocsin.example.com/ack/k7Qm2x",
		},
	}
}

// request is what the fake gateway received.
type request struct {
	path, user, pass string
	header           http.Header
	form             string
}

// gateway is a fake Twilio: status[number] answers a number (201 when not set).
type gateway struct {
	mu     sync.Mutex
	got    []request
	status map[string]int
	answer string // the body of a failure
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	user, pass, _ := r.BasicAuth()
	g.mu.Lock()
	g.got = append(g.got, request{path: r.URL.Path, user: user, pass: pass, header: r.Header.Clone(), form: string(body)})
	g.mu.Unlock()
	vals, _ := url.ParseQuery(string(body))
	w.Header().Set("Content-Type", "application/json")
	if st := g.status[vals.Get("To")]; st != 0 {
		w.WriteHeader(st)
		io.WriteString(w, g.answer)
		return
	}
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)
}

func newGateway(t *testing.T, status map[string]int, answer string) (*gateway, string) {
	g := &gateway{status: status, answer: answer}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv.URL + path
}

func newChannel(t *testing.T, endpoint string, sid string, tmpl *template.Template, to ...string) notify.Channel {
	t.Helper()
	ch, err := New(notify.Config{
		Subscription: &stack.Subscription{SMS: &stack.SMSChannel{
			To: to, From: from, URL: endpoint, AccountSID: sid, AuthToken: stack.NewSecret(authToken),
		}},
		Template: tmpl,
		Client:   &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func golden(t *testing.T, name string, got []request) {
	t.Helper()
	var out bytes.Buffer
	for _, r := range got {
		fmt.Fprintf(&out, "POST %s\n", r.path)
		fmt.Fprintf(&out, "Basic-Auth: %s:%s\n", r.user, r.pass)
		for _, h := range []string{"Content-Type", "Idempotency-Key"} {
			fmt.Fprintf(&out, "%s: %s\n", h, r.header.Get(h))
		}
		vals, _ := url.ParseQuery(r.form)
		fmt.Fprintf(&out, "\n%s\n-- decoded: To=%s From=%s Body:\n%s\n\n", r.form, vals.Get("To"), vals.Get("From"), vals.Get("Body"))
	}
	file := filepath.Join("testdata", name+".golden.txt")
	if *update {
		if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", file, out.Bytes(), want)
	}
}

func TestSingle(t *testing.T) {
	g, endpoint := newGateway(t, nil, "")
	m := alarmMessage()
	if err := newChannel(t, endpoint, accountSID, nil, alice).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(g.got) != 1 {
		t.Fatalf("%d requests, want 1", len(g.got))
	}
	golden(t, "single", g.got)

	r := g.got[0]
	if r.user != accountSID || r.pass != authToken {
		t.Errorf("basic auth %q:%q", r.user, r.pass)
	}
	if !strings.HasPrefix(r.form, "To=") {
		t.Errorf("form %q does not start with To=", r.form)
	}
	vals, err := url.ParseQuery(r.form)
	if err != nil {
		t.Fatal(err)
	}
	if vals.Get("To") != alice || vals.Get("From") != from {
		t.Errorf("To %q From %q", vals.Get("To"), vals.Get("From"))
	}
	body := vals.Get("Body")
	ack := "\nAck: " + m.Links.Acknowledge
	text, ok := strings.CutSuffix(body, ack)
	if !ok {
		t.Fatalf("the acknowledge link is not at the end of the body:\n%s", body)
	}
	if !strings.HasPrefix(text, m.Title+"\n") || !strings.HasSuffix(text, "…") {
		t.Errorf("the text is not the title and the cut words:\n%s", text)
	}
	if n := len([]rune(text)); n > maxText {
		t.Errorf("the text before the link has %d characters, want at most %d", n, maxText)
	}
}

func TestTwoNumbers(t *testing.T) {
	g, endpoint := newGateway(t, nil, "")
	m := alarmMessage()
	m.Text = "Maximum 97% > 90%."
	if err := newChannel(t, endpoint, accountSID, nil, alice, bob).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	golden(t, "two", g.got)
	if len(g.got) != 2 {
		t.Fatalf("%d requests, want 2", len(g.got))
	}
	for i, to := range []string{alice, bob} {
		if k := g.got[i].header.Get("Idempotency-Key"); k != m.ID+"/"+to {
			t.Errorf("request %d: Idempotency-Key %q, want %q", i, k, m.ID+"/"+to)
		}
	}
}

func TestTemplateAndNoAuth(t *testing.T) {
	g, endpoint := newGateway(t, nil, "")
	tmpl := template.Must(template.New("t").Parse("{{.State}} {{.Environment}}: {{.Links.Acknowledge}}"))
	if err := newChannel(t, endpoint, "", tmpl, alice).Send(context.Background(), alarmMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	vals, _ := url.ParseQuery(g.got[0].form)
	if want := "ALARM production: https://tocsin.example.com/ack/k7Qm2x"; vals.Get("Body") != want {
		t.Errorf("Body %q, want %q", vals.Get("Body"), want)
	}
	if g.got[0].header.Get("Authorization") != "" {
		t.Error("basic auth sent without an account SID")
	}

	bad := template.Must(template.New("t").Parse("{{.NoSuchField}}"))
	err := newChannel(t, endpoint, "", bad, alice).Send(context.Background(), alarmMessage())
	if f := notify.AsFailure(err); err == nil || f.Code != "TEMPLATE" || f.Retryable {
		t.Errorf("a failing template gave %v, want a TEMPLATE failure that is not retryable", err)
	}
	if len(g.got) != 1 {
		t.Error("a text was sent although the template failed")
	}
}

func TestFailures(t *testing.T) {
	// The gateway's answer echoes the auth token, to check that it is scrubbed.
	twilio400 := `{"code":21211,"message":"The 'To' number is not a valid phone number (token ` + authToken + `).","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`
	for _, tc := range []struct {
		name      string
		to        []string
		status    map[string]int
		answer    string
		code      string
		retryable bool
		contains  string
	}{
		{"400", []string{alice}, map[string]int{alice: 400}, twilio400, "HTTP_400", false, "not a valid phone number (token <secret>). (error 21211)"},
		{"401", []string{alice}, map[string]int{alice: 401}, `{"code":20003,"message":"Authenticate","status":401}`, "HTTP_401", false, "Authenticate (error 20003)"},
		{"429", []string{alice}, map[string]int{alice: 429}, `{"code":20429,"message":"Too Many Requests","status":429}`, "HTTP_429", true, "Too Many Requests"},
		{"500", []string{alice}, map[string]int{alice: 500}, "oops " + authToken, "HTTP_500", true, "oops <secret>"},
		{"long answer", []string{alice}, map[string]int{alice: 502}, strings.Repeat("y", 1000), "HTTP_502", true, strings.Repeat("y", 100)},
		{"one of two, not retryable", []string{alice, bob}, map[string]int{bob: 400}, twilio400, "HTTP_400", false, "1 of 2 numbers failed (a retry sends to all again): " + bob + ": HTTP_400"},
		{"two of two, one retryable", []string{alice, bob}, map[string]int{alice: 400, bob: 503}, twilio400, "HTTP_503", true, "2 of 2 numbers failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, endpoint := newGateway(t, tc.status, tc.answer)
			err := newChannel(t, endpoint, accountSID, nil, tc.to...).Send(context.Background(), alarmMessage())
			checkFailure(t, err, tc.code, tc.retryable)
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not say %q", err, tc.contains)
			}
			if len(g.got) != len(tc.to) {
				t.Errorf("%d requests for %d numbers: a failure stopped the others", len(g.got), len(tc.to))
			}
			if f := notify.AsFailure(err); len(f.Message) > 300*len(tc.to) {
				t.Errorf("failure message of %d bytes: the answer is not cut", len(f.Message))
			}
		})
	}

	// A Twilio-shaped gateway's 429 and 503 may carry a Retry-After: read as for every
	// HTTP channel.
	notifytest.CheckFailures(t, notifytest.RetryAfterFailures(), path, func(ctx context.Context, url string) error {
		return newChannel(t, url, accountSID, nil, alice).Send(ctx, alarmMessage())
	}, authToken)

	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		endpoint := srv.URL + path
		srv.Close()
		err := newChannel(t, endpoint, accountSID, nil, alice, bob).Send(context.Background(), alarmMessage())
		checkFailure(t, err, "CONNECTION", true)
		if strings.Contains(err.Error(), accountSID) {
			t.Errorf("the error quotes the URL: %q", err)
		}
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
		err := newChannel(t, srv.URL+path, accountSID, nil, alice).Send(ctx, alarmMessage())
		checkFailure(t, err, "TIMEOUT", true)
	})
}

// When several numbers fail, the retry waits for the longest Retry-After the gateway gave.
func TestTwoNumbersRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		vals, _ := url.ParseQuery(string(body))
		if vals.Get("To") == alice {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	err := newChannel(t, srv.URL+path, accountSID, nil, alice, bob).Send(context.Background(), alarmMessage())
	checkFailure(t, err, "HTTP_429", true)
	if f := notify.AsFailure(err); f.RetryAfter != 2*time.Minute {
		t.Errorf("RetryAfter %s, want the longer 2m0s (%v)", f.RetryAfter, err)
	}
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
	if strings.Contains(err.Error(), authToken) {
		t.Errorf("the error leaks the auth token: %q", err)
	}
}

func TestNew(t *testing.T) {
	for name, s := range map[string]*stack.SMSChannel{
		"no numbers": {From: from, URL: "https://api.twilio.com" + path},
		"no from":    {To: []string{alice}, URL: "https://api.twilio.com" + path},
		"bad url":    {To: []string{alice}, From: from, URL: "api.twilio.com" + path},
	} {
		if _, err := New(notify.Config{Subscription: &stack.Subscription{SMS: s}}); err == nil {
			t.Errorf("%s: New accepted it", name)
		} else if strings.Contains(err.Error(), accountSID) {
			t.Errorf("%s: the error quotes the URL: %v", name, err)
		}
	}
	if _, err := New(notify.Config{Subscription: &stack.Subscription{}}); err == nil {
		t.Error("New accepted a subscription without sms settings")
	}
	ch := newChannel(t, "https://api.twilio.com"+path, accountSID, nil, alice)
	for _, format := range []string{"%v", "%+v", "%#v"} {
		if s := fmt.Sprintf(format, ch); strings.Contains(s, authToken) {
			t.Errorf("%s of the channel prints the auth token", format)
		}
	}
}
