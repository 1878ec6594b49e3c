package notifytest

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

// Failure is one way an HTTP channel's send can fail, and how it must be classified.
type Failure struct {
	Name      string
	Handler   http.HandlerFunc // nil: nothing listens
	Code      string
	Retryable bool
	Says      string // part of the error message
}

// Answer is a handler that answers status with body.
func Answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// CommonFailures are the failures every HTTP channel must classify the same way: a long
// 502 answer (its excerpt stays short), nothing listening, and an endpoint slower than
// the deadline.
func CommonFailures() []Failure {
	return []Failure{
		{"bad gateway", Answer(502, strings.Repeat("x", 2000)), "HTTP_502", true, "xxx"},
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
}

// CheckFailures runs each failure against a local server: send posts to the server's
// URL plus path (the credential part) within a 300 ms deadline. Each error must carry
// the expected code, retryability and words, stay short, and name none of secrets (the
// URL with path is always among them).
func CheckFailures(t *testing.T, cases []Failure, path string, send func(ctx context.Context, url string) error, secrets ...string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var srv *httptest.Server
			if c.Handler != nil {
				srv = httptest.NewServer(c.Handler)
				defer srv.Close()
			} else {
				srv = httptest.NewServer(http.NotFoundHandler())
				srv.Close() // the port now refuses connections
			}
			target := srv.URL + path
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := send(ctx, target)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			f := notify.AsFailure(err)
			if f.Code != c.Code || f.Retryable != c.Retryable {
				t.Errorf("got %s retryable=%v, want %s retryable=%v (%v)", f.Code, f.Retryable, c.Code, c.Retryable, err)
			}
			if !strings.Contains(err.Error(), c.Says) {
				t.Errorf("error %q does not say %q", err, c.Says)
			}
			if len(f.Message) > 300 {
				t.Errorf("error message has %d bytes; the response excerpt must stay short", len(f.Message))
			}
			for _, secret := range append([]string{target, path}, secrets...) {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}

// Fail makes a Failure case.
func Fail(name string, h http.HandlerFunc, code string, retryable bool, says string) Failure {
	return Failure{Name: name, Handler: h, Code: code, Retryable: retryable, Says: says}
}
