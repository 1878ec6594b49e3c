package notify

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	answerLimit  = 512 // bytes of an endpoint's answer read
	excerptLimit = 200 // bytes of it quoted in an error
)

// PostJSON posts body as JSON to url (a webhook URL, itself a credential) with the
// message's idempotency key, and classifies the answer (ClassifyResponse, its Retry-After
// relative to now()). Errors name no part of the URL.
func PostJSON(ctx context.Context, client *http.Client, now func() time.Time, url, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &Failure{Code: "CONFIG", Message: "cannot build a request for the webhook URL"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "tocsin")
	req.Header.Set("Idempotency-Key", id)
	resp, err := client.Do(req)
	if err != nil {
		return ClassifyHTTP(0, err, "")
	}
	defer resp.Body.Close()
	return ClassifyResponse(resp, now(), Excerpt(ReadAnswer(resp), URLSecrets(req)...))
}

// ClassifyResponse is ClassifyHTTP for an answer that arrived: nil for 2xx, else a
// *Failure whose RetryAfter, for a retryable status, is the answer's Retry-After read
// relative to now (see RetryAfter). excerpt is the start of the body, secrets already
// replaced. Every HTTP channel classifies its answers here.
func ClassifyResponse(resp *http.Response, now time.Time, excerpt string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return answered(resp.StatusCode, excerpt, resp.Header.Get("Retry-After"), now)
}

// ReadAnswer reads the start of a response body, enough to quote.
func ReadAnswer(resp *http.Response) []byte {
	got, _ := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
	return got
}

// URLSecrets lists the parts of a request's URL that must not appear in an error.
func URLSecrets(req *http.Request) []string {
	return []string{req.URL.String(), req.URL.EscapedPath(), req.URL.Path, req.URL.RawQuery}
}

// Excerpt is the start of an endpoint's answer for an error message (at most 200 bytes,
// valid UTF-8), with every secret the endpoint may have echoed replaced by <secret>.
func Excerpt(body []byte, secrets ...string) string {
	s := strings.ToValidUTF8(string(body), "")
	for _, v := range secrets {
		if len(v) >= 4 && v != "/" {
			s = strings.ReplaceAll(s, v, "<secret>")
		}
	}
	if len(s) > excerptLimit {
		cut := excerptLimit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.TrimSpace(s)
}
