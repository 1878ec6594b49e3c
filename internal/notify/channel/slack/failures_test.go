package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/notifytest"
)

// TestFailures checks that each way a send fails is classified once and that no error
// names the webhook URL, whose path is the credential.
func TestFailures(t *testing.T) {
	cases := append([]notifytest.Failure{
		notifytest.Fail("server error", notifytest.Answer(500, "internal_error"), "HTTP_500", true, "internal_error"),
		notifytest.Fail("rate limited", notifytest.Answer(429, "rate_limited"), "HTTP_429", true, "rate_limited"),
		// Slack says which payload field it disliked; an echo of the path is redacted.
		notifytest.Fail("invalid payload", notifytest.Answer(400, "invalid_payload at "+secretPath), "HTTP_400", false, "invalid_payload at <secret>"),
		notifytest.Fail("no service", notifytest.Answer(404, "no_service"), "HTTP_404", false, "no_service"),
		notifytest.Fail("revoked", notifytest.Answer(410, "channel_is_archived"), "HTTP_410", false, "channel_is_archived"),
	}, notifytest.CommonFailures()...)
	notifytest.CheckFailures(t, cases, secretPath, func(ctx context.Context, url string) error {
		return newChannel(t, url, "").Send(ctx, alarmMessage())
	}, "SECRETPATH")
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, url := range []string{"", "ftp://hooks.example.com/SECRETPATH", "hooks.example.com/SECRETPATH", "http://[::1/SECRETPATH"} {
		_, err := New(notify.Config{Subscription: subscription(url)})
		if err == nil {
			t.Errorf("New accepted %q", url)
		} else if strings.Contains(err.Error(), "SECRETPATH") {
			t.Errorf("error %q leaks the URL", err)
		}
	}
	if _, err := New(notify.Config{}); err == nil {
		t.Error("New accepted a config without a subscription")
	}
	ch, err := New(notify.Config{Subscription: subscription("https://hooks.slack.com" + secretPath)})
	if err != nil || ch.(*Slack).client.Timeout != defaultTimeout {
		t.Errorf("New without a client: %v; want a client with a %s timeout", err, defaultTimeout)
	}
}
