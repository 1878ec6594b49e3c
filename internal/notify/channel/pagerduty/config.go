// Package pagerduty sends notifications to PagerDuty through the Events API v2.
//
// An alarm or incident message becomes an event whose dedup_key is the message's DedupKey
// (stable per alarm instance or incident), so the trigger, acknowledge and resolve of one
// instance act on one PagerDuty alert. The message ID travels as the Idempotency-Key
// header. The routing key is a credential: it is revealed only in the request body and is
// scrubbed from anything PagerDuty echoes back into an error.
//
// This package knows the wire format only; retries, grouping and escalation belong to the
// notifier.
package pagerduty

import (
	"errors"
	"net/http"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// defaultTimeout bounds a send when the notifier gives no client.
const defaultTimeout = 15 * time.Second

// PagerDuty sends events to one PagerDuty service (integration) by its routing key.
type PagerDuty struct {
	key      stack.Secret // the integration's routing key: revealed only on the wire
	url      string       // the Events API v2 endpoint
	client   *http.Client
	template *template.Template // replaces custom_details.text when set
	now      func() time.Time
}

var (
	_ notify.Channel = (*PagerDuty)(nil)
	_ notify.Factory = New
)

// New builds a PagerDuty channel from a subscription with a pagerduty: block. It sends to
// cfg.PagerDutyURL, or to PagerDuty's own endpoint when that is empty.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.PagerDuty == nil {
		return nil, errors.New("pagerduty: the subscription has no pagerduty settings")
	}
	key := cfg.Subscription.PagerDuty.RoutingKey
	if key.Reveal() == "" {
		return nil, errors.New("pagerduty: routing_key is empty or unresolved")
	}
	endpoint := cfg.PagerDutyURL
	if endpoint == "" {
		endpoint = stack.DefaultPagerDutyURL
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &PagerDuty{key: key, url: endpoint, client: client, template: cfg.Template, now: now}, nil
}

// String and GoString name the channel without its fields: fmt prints unexported fields by
// reflection, bypassing stack.Secret's own masking, so printing the struct would reveal
// the routing key.
func (p *PagerDuty) String() string   { return "pagerduty(" + p.url + ")" }
func (p *PagerDuty) GoString() string { return p.String() }
