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
	// RetryAfter is the wait the failure must carry (notify.Failure.RetryAfter).
	RetryAfter time.Duration
}

// Answer is a handler that answers status with body.
func Answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// AnswerRetryAfter is a handler that answers status with body and a Retry-After header.
func AnswerRetryAfter(status int, retryAfter, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// RetryAfterFailures are the answers with a Retry-After header every HTTP channel must
// read the same way (notify.ClassifyResponse): delta-seconds on a 429, a wait beyond the
// cap, garbage (ignored, not quoted), and a header on a status that is not retried.
func RetryAfterFailures() []Failure {
	return []Failure{
		{"429 with Retry-After", AnswerRetryAfter(429, "120", "slow down"), "HTTP_429", true, "Retry-After 2m0s", 2 * time.Minute},
		{"503 with Retry-After a day", AnswerRetryAfter(503, "86400", "maintenance"), "HTTP_503", true, "Retry-After capped at 1h0m0s", notify.MaxRetryAfter},
		{"429 with a garbage Retry-After", AnswerRetryAfter(429, "tomorrow-ish", "slow down"), "HTTP_429", true, "429 Too Many Requests", 0},
		{"400 with Retry-After", AnswerRetryAfter(400, "120", "bad"), "HTTP_400", false, "400 Bad Request", 0},
	}
}

// CommonFailures are the failures every HTTP channel must classify the same way: a long
// 502 answer (its excerpt stays short), nothing listening, an endpoint slower than the
// deadline, and the RetryAfterFailures.
func CommonFailures() []Failure {
	return append([]Failure{
		{"bad gateway", Answer(502, strings.Repeat("x", 2000)), "HTTP_502", true, "xxx", 0},
		{"connection refused", nil, "CONNECTION", true, "", 0},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			// Slower than the sender's deadline. Having read the body, the server notices
			// the client hanging up and cancels r.Context().
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, "TIMEOUT", true, "", 0},
	}, RetryAfterFailures()...)
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
			if f.Code != c.Code || f.Retryable != c.Retryable || f.RetryAfter != c.RetryAfter {
				t.Errorf("got %s retryable=%v retry-after=%s, want %s retryable=%v retry-after=%s (%v)",
					f.Code, f.Retryable, f.RetryAfter, c.Code, c.Retryable, c.RetryAfter, err)
			}
			if !strings.Contains(err.Error(), c.Says) {
				t.Errorf("error %q does not say %q", err, c.Says)
			}
			if len(f.Message) > 300 {
				t.Errorf("error message has %d bytes; the response excerpt must stay short", len(f.Message))
			}
			if strings.Contains(err.Error(), "tomorrow-ish") {
				t.Errorf("error %q quotes the Retry-After header", err)
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
