package slack

import (
	"errors"
	"net/http"
	"net/url"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// defaultTimeout bounds a send when the notifier gives no client.
const defaultTimeout = 15 * time.Second

// Slack posts messages to one Slack incoming webhook.
type Slack struct {
	url      stack.Secret // the webhook URL is a credential: revealed only on the wire
	client   *http.Client
	now      func() time.Time   // reads an HTTP-date Retry-After
	template *template.Template // replaces the text section when set
}

var _ notify.Channel = (*Slack)(nil)

// New builds a Slack channel from a subscription with a slack: block. It satisfies
// notify.Factory.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.Slack == nil {
		return nil, errors.New("slack: the subscription has no slack settings")
	}
	secret := cfg.Subscription.Slack.URL
	// The URL is never echoed: url.Parse's error would quote it.
	if u, err := url.Parse(secret.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("slack: url must be an absolute http or https URL")
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Slack{url: secret, client: client, now: now, template: cfg.Template}, nil
}
