package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
)

// Limits of the default text and of what is kept of an answer.
const (
	maxText    = 320      // characters of the default body (two SMS segments)
	maxExcerpt = 200      // bytes of the gateway's error message put into a Failure
	maxAnswer  = 64 << 10 // bytes of an answer read at all
)

// answer is the part of a Twilio-shaped answer tocsin reads: 201 {"sid":"SM…",
// "status":"queued"} on success, {"code":21211,"message":"…","status":400} on failure.
type answer struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Send texts the message to every number. It fails when any number fails; see the package
// documentation for what a retry does.
func (s *SMS) Send(ctx context.Context, m *notify.Message) error {
	body := notify.ShortText(m, maxText)
	if s.template != nil {
		var err error
		if body, err = notify.Body(m, &notify.Config{Template: s.template}); err != nil {
			return err
		}
	}
	type failed struct {
		to string
		f  *notify.Failure
	}
	var fails []failed
	for _, to := range s.to {
		if err := s.post(ctx, m.ID, to, body); err != nil {
			fails = append(fails, failed{to, notify.AsFailure(err)})
		}
	}
	if len(fails) == 0 {
		return nil
	}
	// One failure: as it is. Several: the first retryable one gives the code, and the
	// longest Retry-After holds for the retry (it goes to the same gateway).
	first := fails[0].f
	retry := false
	var wait time.Duration
	parts := make([]string, len(fails))
	for i, x := range fails {
		parts[i] = x.to + ": " + x.f.Error()
		if x.f.Retryable && !retry {
			first, retry = x.f, true
		}
		wait = max(wait, x.f.RetryAfter)
	}
	if len(s.to) == 1 {
		return first
	}
	return &notify.Failure{
		Code:       first.Code,
		Message:    fmt.Sprintf("%d of %d numbers failed (a retry sends to all again): %s", len(fails), len(s.to), strings.Join(parts, "; ")),
		Retryable:  retry,
		RetryAfter: wait,
	}
}

// post sends one text to one number.
func (s *SMS) post(ctx context.Context, id, to, body string) error {
	form := "To=" + url.QueryEscape(to) + "&From=" + url.QueryEscape(s.from) + "&Body=" + url.QueryEscape(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form))
	if err != nil {
		return &notify.Failure{Code: "INTERNAL", Message: "the gateway URL is not valid"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if id != "" {
		req.Header.Set("Idempotency-Key", id+"/"+to)
	}
	if s.accountSID != "" {
		req.SetBasicAuth(s.accountSID, s.authToken.Reveal())
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return notify.ClassifyHTTP(0, err, "")
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return notify.ClassifyResponse(resp, s.now(), s.excerpt(raw))
}

// excerpt is what the gateway said about a failed request — Twilio's message and error
// code, or the raw answer — with the auth token scrubbed, in at most maxExcerpt bytes.
func (s *SMS) excerpt(raw []byte) string {
	str := strings.TrimSpace(string(raw))
	var a answer
	if json.Unmarshal(raw, &a) == nil && a.Message != "" {
		str = a.Message
		if a.Code != 0 {
			str = fmt.Sprintf("%s (error %d)", a.Message, a.Code)
		}
	}
	if tok := s.authToken.Reveal(); tok != "" {
		str = strings.ReplaceAll(str, tok, "<secret>")
	}
	str = strings.Join(strings.Fields(str), " ")
	if len(str) <= maxExcerpt {
		return str
	}
	cut := maxExcerpt - len("…")
	for cut > 0 && !utf8.RuneStart(str[cut]) {
		cut--
	}
	return str[:cut] + "…"
}
