package discord

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

// Discord posts messages to one Discord webhook.
type Discord struct {
	url      stack.Secret // the webhook URL holds its token: revealed only on the wire
	client   *http.Client
	now      func() time.Time   // reads an HTTP-date Retry-After
	template *template.Template // replaces the embed's text when set
}

var _ notify.Channel = (*Discord)(nil)

// New builds a Discord channel from a subscription with a discord: block. It satisfies
// notify.Factory.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.Discord == nil {
		return nil, errors.New("discord: the subscription has no discord settings")
	}
	secret := cfg.Subscription.Discord.URL
	// The URL is never echoed: url.Parse's error would quote it.
	if u, err := url.Parse(secret.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("discord: url must be an absolute http or https URL")
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Discord{url: secret, client: client, now: now, template: cfg.Template}, nil
}
