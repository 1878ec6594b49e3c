package slack

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
)

const (
	readLimit    = 512 // bytes of the response read
	excerptLimit = 200 // bytes of the response quoted in an error
)

// post sends body as JSON to the webhook and classifies the answer. Errors name neither
// the URL nor any part of it: a Slack webhook URL is the credential.
func (s *Slack) post(ctx context.Context, id string, body []byte) error {
	target := s.url.Reveal()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &notify.Failure{Code: "CONFIG", Message: "cannot build a request for the webhook URL"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "tocsin")
	req.Header.Set("Idempotency-Key", id)
	resp, err := s.client.Do(req)
	if err != nil {
		return notify.ClassifyHTTP(0, err, "")
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	return notify.ClassifyHTTP(resp.StatusCode, nil, excerpt(got, secretsOf(req)))
}

// secretsOf lists what must not appear in an error: the URL and its path and query.
func secretsOf(req *http.Request) []string {
	return []string{req.URL.String(), req.URL.EscapedPath(), req.URL.Path, req.URL.RawQuery}
}

// excerpt is the start of a response body for an error message, with anything secret
// the endpoint may have echoed replaced.
func excerpt(body []byte, secrets []string) string {
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
