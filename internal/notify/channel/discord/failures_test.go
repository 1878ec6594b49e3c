package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/notifytest"
)

// TestFailures checks that each way a send fails is classified once and that no error
// names the webhook URL, whose path holds the token.
func TestFailures(t *testing.T) {
	cases := append([]notifytest.Failure{
		notifytest.Fail("server error", notifytest.Answer(500, `{"message": "500: Internal Server Error", "code": 0}`), "HTTP_500", true, "Internal Server Error"),
		notifytest.Fail("rate limited", notifytest.Answer(429, `{"message": "You are being rate limited.", "retry_after": 0.5, "global": false}`), "HTTP_429", true, "rate limited"),
		// Discord says which field it disliked; an echo of the path is redacted.
		notifytest.Fail("bad embed", notifytest.Answer(400, `{"embeds": ["0"], "path": "`+secretPath+`"}`), "HTTP_400", false, `"path": "<secret>"`),
		notifytest.Fail("unknown webhook", notifytest.Answer(404, `{"message": "Unknown Webhook", "code": 10015}`), "HTTP_404", false, "Unknown Webhook"),
		notifytest.Fail("forbidden", notifytest.Answer(403, `{"message": "Missing Access", "code": 50001}`), "HTTP_403", false, "Missing Access"),
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
	ch, err := New(notify.Config{Subscription: subscription("https://discord.com" + secretPath)})
	if err != nil || ch.(*Discord).client.Timeout != defaultTimeout {
		t.Errorf("New without a client: %v; want a client with a %s timeout", err, defaultTimeout)
	}
}
