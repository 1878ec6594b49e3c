package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Webhook sends webhook deliveries. The URL and headers (secrets) are looked up in the
// current configuration at send time, so they are never stored with the delivery.
type Webhook struct {
	Client  *http.Client
	Timeout time.Duration // per attempt (default 10 s)
	Lookup  func(env, rule, target string) (*stack.WebhookTarget, bool)
}

// Send posts the delivery's payload.
func (h *Webhook) Send(ctx context.Context, d *store.Delivery) error {
	t, ok := h.Lookup(d.Environment, d.Rule, d.Target)
	if !ok {
		return &Failure{Code: "NO_RESOURCE", Message: fmt.Sprintf("rule %s has no webhook target %s any more", d.Rule, d.Target)}
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	method := t.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, t.URL.Reveal(), bytes.NewReader(d.Payload))
	if err != nil {
		return &Failure{Code: "INVALID_TARGET", Message: "the webhook URL is not valid"} // the URL may be secret: not quoted
	}
	if json.Valid(d.Payload) {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	req.Header.Set("User-Agent", "tocsin")
	req.Header.Set("X-Tocsin-Event-Id", d.EventID)
	req.Header.Set("X-Tocsin-Rule", d.Rule)
	req.Header.Set("Idempotency-Key", d.EventID+"/"+d.Rule+"/"+d.Target)
	for k, v := range t.Headers {
		req.Header.Set(k, v.Reveal())
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return classifyError(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return classifyStatus(resp.StatusCode)
}

// classifyStatus: 2xx succeeds; 408, 429 and 5xx are worth retrying; other statuses
// will not change by trying again.
func classifyStatus(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		c := "HTTP_" + strconv.Itoa(code)
		if code == http.StatusTooManyRequests {
			c = "THROTTLING"
		}
		return &Failure{Code: c, Message: "the receiver answered " + http.StatusText(code) + " (" + strconv.Itoa(code) + ")", Retryable: true}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &Failure{Code: "NO_PERMISSIONS", Message: "the receiver answered " + strconv.Itoa(code)}
	case code == http.StatusNotFound || code == http.StatusGone:
		return &Failure{Code: "NO_RESOURCE", Message: "the receiver answered " + strconv.Itoa(code)}
	default:
		return &Failure{Code: "HTTP_" + strconv.Itoa(code), Message: "the receiver answered " + strconv.Itoa(code)}
	}
}

// classifyError maps a transport error to a retryable failure. The message leaves out
// the URL, which may be secret.
func classifyError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Failure{Code: "TIMEOUT", Message: "the receiver did not answer in time", Retryable: true}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return &Failure{Code: "CONNECTION", Message: "connection failed: " + op.Err.Error(), Retryable: true}
	}
	return &Failure{Code: "CONNECTION", Message: "the request failed", Retryable: true}
}
