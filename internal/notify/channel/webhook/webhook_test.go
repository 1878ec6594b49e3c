package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const (
	signingSecret = "whsec-SIGNINGSECRET"
	bearer        = "Bearer HEADERSECRET"
)

// request is what the test receiver saw.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// receiver answers with handler after passing each request to the test.
func receiver(t *testing.T, handler http.HandlerFunc) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.URL.Path, r.Header.Clone(), b}
		r.Body = io.NopCloser(bytes.NewReader(b))
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func accepted(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }

// config is a signed webhook subscription with custom headers.
func config(url string) *stack.WebhookConfig {
	return &stack.WebhookConfig{URL: stack.NewSecret(url), SigningSecret: stack.NewSecret(signingSecret),
		Headers: map[string]stack.Secret{"authorization": stack.NewSecret(bearer), "X-Team": stack.NewSecret("ops")}}
}

func newChannel(t *testing.T, wc *stack.WebhookConfig, tmpl string) notify.Channel {
	t.Helper()
	cfg := notify.Config{Subscription: &stack.Subscription{Webhook: wc}, Now: func() time.Time { return t0 }}
	if tmpl != "" {
		cfg.Template = mustTemplate(tmpl)
	}
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestGolden(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			srv, got := receiver(t, accepted)
			if err := newChannel(t, config(srv.URL+secretPath), f.Template).Send(context.Background(), f.Msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			req := <-got
			if f.Template == "" {
				var back notify.Message
				if err := json.Unmarshal(req.body, &back); err != nil || back.ID != f.Msg.ID || len(back.Alarms) != len(f.Msg.Alarms) {
					t.Errorf("the body does not decode to the message: %v", err)
				}
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, req.body, "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, req.body)
			}
			pretty.WriteString("\n")
			golden := filepath.Join("testdata", f.Name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("body differs from %s (go test -update rewrites it):\n%s", golden, pretty.Bytes())
			}
		})
	}
}

func TestHeadersAndMethod(t *testing.T) {
	for _, method := range []string{"", "POST", "put"} {
		t.Run("method "+method, func(t *testing.T) {
			srv, got := receiver(t, accepted)
			wc := config(srv.URL + secretPath)
			wc.Method = method
			ch := newChannel(t, wc, "")
			m := eventMessage()
			var reqs []request
			for range 2 { // a retry sends the same message again
				if err := ch.Send(context.Background(), m); err != nil {
					t.Fatalf("Send: %v", err)
				}
				reqs = append(reqs, <-got)
			}
			want := map[string]string{
				"Authorization": bearer, "X-Team": "ops", "Content-Type": "application/json", "User-Agent": "tocsin",
				"Idempotency-Key": m.ID, "X-Tocsin-Message-Id": m.ID, "X-Tocsin-Kind": notify.KindEvent,
				"X-Tocsin-Timestamp": "1773482640",
			}
			wantMethod := map[string]string{"": "POST", "POST": "POST", "put": "PUT"}[method]
			for i, req := range reqs {
				if req.method != wantMethod || req.path != secretPath {
					t.Errorf("attempt %d: %s %s, want %s %s", i+1, req.method, req.path, wantMethod, secretPath)
				}
				for name, v := range want {
					if got := req.header.Get(name); got != v {
						t.Errorf("attempt %d: %s = %q, want %q", i+1, name, got, v)
					}
				}
			}
			if !bytes.Equal(reqs[0].body, reqs[1].body) || reqs[0].header.Get(SignatureHeader) != reqs[1].header.Get(SignatureHeader) {
				t.Error("two sends of one message at one time differ")
			}
		})
	}
}

func TestTemplateFailures(t *testing.T) {
	for _, tmpl := range []string{"{{.NoSuchField}}", `{"summary": {{.Title}}}`, "not json"} {
		srv, got := receiver(t, accepted)
		err := newChannel(t, config(srv.URL+secretPath), tmpl).Send(context.Background(), alarmMessage())
		if f := notify.AsFailure(err); err == nil || f.Code != "TEMPLATE" || f.Retryable {
			t.Errorf("template %q: got %v, want a non-retryable TEMPLATE failure", tmpl, err)
		}
		if len(got) != 0 {
			t.Errorf("template %q: a request was sent", tmpl)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := func() *stack.WebhookConfig { return config("https://hooks.example.com" + secretPath) }
	cases := map[string]func(*stack.WebhookConfig){
		"no scheme":       func(wc *stack.WebhookConfig) { wc.URL = stack.NewSecret("hooks.example.com" + secretPath) },
		"unparsable":      func(wc *stack.WebhookConfig) { wc.URL = stack.NewSecret("http://[::1" + secretPath) },
		"GET":             func(wc *stack.WebhookConfig) { wc.Method = "GET" },
		"reserved header": func(wc *stack.WebhookConfig) { wc.Headers["idempotency-key"] = stack.NewSecret("x") },
		"tocsin header":   func(wc *stack.WebhookConfig) { wc.Headers["X-Tocsin-Signature"] = stack.NewSecret("x") },
		"bad name":        func(wc *stack.WebhookConfig) { wc.Headers["X Team"] = stack.NewSecret("x") },
		"line break":      func(wc *stack.WebhookConfig) { wc.Headers["X-Token"] = stack.NewSecret("HEADERSECRET\r\nX-Evil: 1") },
	}
	for name, breakIt := range cases {
		wc := good()
		breakIt(wc)
		_, err := New(notify.Config{Subscription: &stack.Subscription{Webhook: wc}})
		if err == nil {
			t.Errorf("%s: New accepted it", name)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error %q leaks a secret", name, err)
		}
	}
	ch, err := New(notify.Config{Subscription: &stack.Subscription{Webhook: good()}})
	if err != nil || ch.(*Webhook).client.Timeout != defaultTimeout {
		t.Errorf("New without a client: %v; want a client with a %s timeout", err, defaultTimeout)
	}
}
