package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
)

// Channel sends a message to one subscription's endpoint. Send returns nil on success or
// an error that Classify turns into a *Failure (channels return *Failure themselves when
// they know better). Send must honour ctx's deadline.
type Channel interface {
	Send(ctx context.Context, m *Message) error
}

// Config is what a channel is built from.
type Config struct {
	Subscription *stack.Subscription
	// Template, when not nil, replaces the channel's default body text (the subscription's
	// template:). It executes with the *Message as data.
	Template *template.Template
	SMTP     stack.SMTP   // the server's e-mail settings
	Client   *http.Client // for HTTP channels; its Timeout is the per-channel timeout
	// PagerDutyURL is the Events API v2 endpoint (tests point it at a local server).
	PagerDutyURL string
	Now          func() time.Time
}

// Factory builds a channel; it fails when the subscription cannot work (a bad template).
type Factory func(cfg Config) (Channel, error)

// Failure is a failed send, classified once: Retryable failures are tried again under the
// delivery policy, the others go to the dead letters at once.
type Failure struct {
	Code      string // HTTP_503, TIMEOUT, CONNECTION, SMTP_550, TEMPLATE, …
	Message   string
	Retryable bool
	// RetryAfter is how long the endpoint asked to be left alone (its Retry-After), at
	// most MaxRetryAfter; 0 when it did not ask. The sender waits at least this long
	// before the next attempt, within the policy's attempts.
	RetryAfter time.Duration
}

func (f *Failure) Error() string { return f.Code + ": " + f.Message }

// AsFailure classifies any error; an error that is not a *Failure is retryable.
func AsFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Failure{Code: "TIMEOUT", Message: "no answer in time", Retryable: true}
	}
	return &Failure{Code: "INTERNAL", Message: err.Error(), Retryable: true}
}

// ClassifyHTTP turns an HTTP exchange into nil (2xx) or a *Failure: 5xx, 408, 425 and
// 429, timeouts and connection errors are retryable; other statuses are not. body is a
// short excerpt of the response for the message (never the request, which may hold
// secrets). Having no headers it reads no Retry-After: a channel that got an answer
// classifies it with ClassifyResponse.
func ClassifyHTTP(status int, err error, body string) error {
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return &Failure{Code: "TIMEOUT", Message: "no answer in time", Retryable: true}
		}
		return &Failure{Code: "CONNECTION", Message: redactURL(err), Retryable: true}
	}
	if status >= 200 && status < 300 {
		return nil
	}
	return answered(status, body, "", time.Time{})
}

// answered is the failure of a non-2xx answer. retryAfter is the answer's Retry-After
// header ("" when none), read relative to now and kept for a retryable status only; the
// message gives the wait as parsed, never the header as sent.
func answered(status int, body, retryAfter string, now time.Time) *Failure {
	f := &Failure{Code: fmt.Sprintf("HTTP_%d", status), Retryable: retryableStatus(status)}
	f.Message = fmt.Sprintf("the endpoint answered %d %s", status, http.StatusText(status))
	if f.Retryable {
		var capped bool
		if f.RetryAfter, capped = parseRetryAfter(retryAfter, now); capped {
			f.Message += ", Retry-After capped at " + MaxRetryAfter.String()
		} else if f.RetryAfter > 0 {
			f.Message += ", Retry-After " + f.RetryAfter.String()
		}
	}
	if body != "" {
		f.Message += ": " + body
	}
	return f
}

func retryableStatus(status int) bool {
	return status >= 500 || status == 408 || status == 425 || status == 429
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// redactURL drops the URL from a net/http client error: webhook URLs are secrets.
func redactURL(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return "the request failed"
}
