package webhook

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
// names the URL, a header value or the signing secret.
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
		{"server error", answer(500, "upstream exploded"), "HTTP_500", true, "upstream exploded"},
		{"bad gateway", answer(502, strings.Repeat("x", 2000)), "HTTP_502", true, "xxx"},
		{"rate limited", answer(429, "slow down"), "HTTP_429", true, "slow down"},
		// A receiver echoing what it got: the URL, the token and the secret are redacted.
		{"echo", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			io.WriteString(w, "bad request to "+r.URL.String()+" with "+r.Header.Get("Authorization")+" for "+signingSecret)
		}, "HTTP_400", false, "bad request to <secret> with <secret> for <secret>"},
		{"not found", answer(404, "no such hook"), "HTTP_404", false, "no such hook"},
		{"conflict", answer(409, "duplicate"), "HTTP_409", false, "duplicate"},
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
			err := newChannel(t, config(target), "").Send(ctx, alarmMessage())
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
			for _, secret := range []string{target, secretPath, "SECRETPATH", signingSecret, "HEADERSECRET"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}
