package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// defaultTimeout bounds a send when the notifier gives no client.
const defaultTimeout = 15 * time.Second

// Webhook sends messages as JSON to one HTTP endpoint.
type Webhook struct {
	url      stack.Secret // may carry a token: revealed only on the wire
	method   string
	headers  map[string]stack.Secret // canonical names; values revealed only on the wire
	signing  stack.Secret
	client   *http.Client
	template *template.Template // its output, valid JSON, replaces the body when set
	now      func() time.Time
}

var _ notify.Channel = (*Webhook)(nil)

// New builds a webhook channel from a subscription with a webhook: block. It satisfies
// notify.Factory. Errors name the offending setting, never a URL or header value.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.Webhook == nil {
		return nil, errors.New("webhook: the subscription has no webhook settings")
	}
	wc := cfg.Subscription.Webhook
	// url.Parse's error would quote the URL, so it is not wrapped.
	if u, err := url.Parse(wc.URL.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook: url must be an absolute http or https URL")
	}
	w := &Webhook{url: wc.URL, signing: wc.SigningSecret, client: cfg.Client, template: cfg.Template, now: cfg.Now,
		headers: make(map[string]stack.Secret, len(wc.Headers))}
	switch m := strings.ToUpper(wc.Method); m {
	case "":
		w.method = http.MethodPost
	case http.MethodPost, http.MethodPut:
		w.method = m
	default:
		return nil, fmt.Errorf("webhook: method must be POST or PUT, got %q", wc.Method)
	}
	for name, value := range wc.Headers {
		if err := checkHeader(name, value.Reveal()); err != nil {
			return nil, err
		}
		w.headers[http.CanonicalHeaderKey(name)] = value
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: defaultTimeout}
	}
	if w.now == nil {
		w.now = time.Now
	}
	return w, nil
}

// checkHeader applies the stack's rule for configured headers (stack.CheckHeader).
func checkHeader(name, value string) error {
	if err := stack.CheckHeader(name, value); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}
