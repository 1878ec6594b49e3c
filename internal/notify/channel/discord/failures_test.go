package discord

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

// TestFailures checks that each way a send fails is classified once and that no error
// names the webhook URL, whose path holds the token.
func TestFailures(t *testing.T) {
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	cases := []struct {
		name      string
		handler   http.HandlerFunc // nil: nothing listens
		code      string
		retryable bool
		says      string // part of the error message
	}{
		{"server error", answer(500, `{"message": "500: Internal Server Error", "code": 0}`), "HTTP_500", true, "Internal Server Error"},
		{"bad gateway", answer(502, strings.Repeat("x", 2000)), "HTTP_502", true, "xxx"},
		{"rate limited", answer(429, `{"message": "You are being rate limited.", "retry_after": 0.5, "global": false}`), "HTTP_429", true, "rate limited"},
		// Discord says which field it disliked; an echo of the path is redacted.
		{"bad embed", answer(400, `{"embeds": ["0"], "path": "`+secretPath+`"}`), "HTTP_400", false, `"path": "<secret>"`},
		{"unknown webhook", answer(404, `{"message": "Unknown Webhook", "code": 10015}`), "HTTP_404", false, "Unknown Webhook"},
		{"forbidden", answer(403, `{"message": "Missing Access", "code": 50001}`), "HTTP_403", false, "Missing Access"},
		{"connection refused", nil, "CONNECTION", true, ""},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			// Slower than the sender's deadline. Having read the body, the server notices
			// the client hanging up and cancels r.Context().
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, "TIMEOUT", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var srv *httptest.Server
			if c.handler != nil {
				srv = httptest.NewServer(c.handler)
				defer srv.Close()
			} else {
				srv = httptest.NewServer(http.NotFoundHandler())
				srv.Close() // the port now refuses connections
			}
			target := srv.URL + secretPath
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := newChannel(t, target, "").Send(ctx, alarmMessage())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			f := notify.AsFailure(err)
			if f.Code != c.code || f.Retryable != c.retryable {
				t.Errorf("got %s retryable=%v, want %s retryable=%v (%v)", f.Code, f.Retryable, c.code, c.retryable, err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			if len(f.Message) > 300 {
				t.Errorf("error message has %d bytes; the response excerpt must stay short", len(f.Message))
			}
			for _, secret := range []string{target, secretPath, "SECRETPATH"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, url := range []string{"", "ftp://hooks.example.com/SECRETPATH", "hooks.example.com/SECRETPATH", "http://[::1/SECRETPATH"} {
		_, err := New(notify.Config{Subscription: subscription(url)})
		if err == nil {
			t.Errorf("New accepted %q", url)
		} else if strings.Contains(err.Error(), "SECRETPATH") {
			t.Errorf("error %q leaks the URL", err)
		}
	}
	if _, err := New(notify.Config{}); err == nil {
		t.Error("New accepted a config without a subscription")
	}
	ch, err := New(notify.Config{Subscription: subscription("https://discord.com" + secretPath)})
	if err != nil || ch.(*Discord).client.Timeout != defaultTimeout {
		t.Errorf("New without a client: %v; want a client with a %s timeout", err, defaultTimeout)
	}
}
