package webhook

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/tocsin/tocsin/internal/notify/notifytest"
)

// TestFailures checks that each way a send fails is classified once and that no error
// names the URL, a header value or the signing secret.
func TestFailures(t *testing.T) {
	cases := append([]notifytest.Failure{
		notifytest.Fail("server error", notifytest.Answer(500, "upstream exploded"), "HTTP_500", true, "upstream exploded"),
		notifytest.Fail("rate limited", notifytest.Answer(429, "slow down"), "HTTP_429", true, "slow down"),
		// A receiver echoing what it got: the URL, the token and the secret are redacted.
		notifytest.Fail("echo", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			io.WriteString(w, "bad request to "+r.URL.String()+" with "+r.Header.Get("Authorization")+" for "+signingSecret)
		}, "HTTP_400", false, "bad request to <secret> with <secret> for <secret>"),
		notifytest.Fail("not found", notifytest.Answer(404, "no such hook"), "HTTP_404", false, "no such hook"),
		notifytest.Fail("conflict", notifytest.Answer(409, "duplicate"), "HTTP_409", false, "duplicate"),
	}, notifytest.CommonFailures()...)
	notifytest.CheckFailures(t, cases, secretPath, func(ctx context.Context, url string) error {
		return newChannel(t, config(url), "").Send(ctx, alarmMessage())
	}, "SECRETPATH", signingSecret, "HEADERSECRET")
}
