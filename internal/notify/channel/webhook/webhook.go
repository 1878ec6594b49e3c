// Package webhook sends notifications as JSON to any HTTP endpoint.
//
// The request is a POST, or a PUT when the subscription says method: PUT. Its body is
// the notification as JSON (the fields of notify.Message), or the subscription's
// template output, which must then be valid JSON. Every request carries
//
//	Content-Type: application/json
//	User-Agent: tocsin
//	Idempotency-Key: <message id>      the same on every attempt of one message
//	X-Tocsin-Message-Id: <message id>
//	X-Tocsin-Kind: <alarm | event | incident | flapping | test>
//
// and the subscription's own headers (which cannot replace these).
//
// # Signature
//
// When the subscription has a signing_secret, each attempt is signed with two headers:
//
//	X-Tocsin-Timestamp: <Unix time of the attempt, in seconds>
//	X-Tocsin-Signature: v1=<lowercase hex of HMAC-SHA256(signing_secret, timestamp + "." + body)>
//
// The HMAC covers the timestamp as sent, a full stop, and the raw body bytes. With the
// secret s3cret, timestamp 1773482640 and the body {"id":"msg-0001"}, the signature is
//
//	v1=a08a90ae60f16dc2da24f103f64430db8edde8e5878b5161eef588f9f6faec00
//
// A receiver recomputes it over the body exactly as received (before parsing the JSON),
// compares in constant time, and rejects timestamps more than a few minutes from its own
// clock, so that a captured request cannot be replayed later. A retry is signed afresh.
// Verify does all of this in Go; it also accepts several comma-separated v1= values in
// one header (tocsin sends one).
//
// The URL, header values and signing secret are never logged or put in an error.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tocsin/tocsin/internal/notify"
)

// Send sends m to the endpoint.
func (w *Webhook) Send(ctx context.Context, m *notify.Message) error {
	body, err := w.body(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, w.method, w.url.Reveal(), bytes.NewReader(body))
	if err != nil {
		return &notify.Failure{Code: "CONFIG", Message: "cannot build a request for the webhook URL"}
	}
	for name, value := range w.headers {
		req.Header.Set(name, value.Reveal())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tocsin")
	req.Header.Set("Idempotency-Key", m.ID)
	req.Header.Set("X-Tocsin-Message-Id", m.ID)
	req.Header.Set("X-Tocsin-Kind", m.Kind)
	if secret := w.signing.Reveal(); secret != "" {
		ts := w.now().Unix()
		req.Header.Set(TimestampHeader, strconv.FormatInt(ts, 10))
		req.Header.Set(SignatureHeader, "v1="+sign(secret, ts, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return notify.ClassifyHTTP(0, err, "")
	}
	defer resp.Body.Close()
	got := notify.ReadAnswer(resp)
	return notify.ClassifyResponse(resp, w.now(), w.excerpt(req, got))
}

// body is the message as JSON, or the template output when it is valid JSON.
func (w *Webhook) body(m *notify.Message) ([]byte, error) {
	if w.template == nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			return nil, &notify.Failure{Code: "INTERNAL", Message: "cannot encode the message: " + err.Error()}
		}
		return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
	}
	out, err := notify.Body(m, &notify.Config{Template: w.template})
	if err != nil {
		return nil, &notify.Failure{Code: "TEMPLATE", Message: notify.AsFailure(err).Message, Retryable: false}
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, &notify.Failure{Code: "TEMPLATE", Message: "the template's output is not valid JSON: " + err.Error(), Retryable: false}
	}
	return []byte(out), nil
}

// excerpt is the start of a response body for an error message, with anything secret
// the endpoint may have echoed (URL, header values, signing secret) replaced.
func (w *Webhook) excerpt(req *http.Request, body []byte) string {
	secrets := append(notify.URLSecrets(req), w.signing.Reveal())
	for _, v := range w.headers {
		secrets = append(secrets, v.Reveal())
	}
	return notify.Excerpt(body, secrets...)
}
