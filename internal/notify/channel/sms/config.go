// Package sms sends text messages through an HTTP SMS gateway in the Twilio API shape: one
// form POST (To, From, Body) per recipient to the gateway's messages endpoint, with HTTP
// basic auth (account SID : auth token) when an account SID is set.
//
// A message goes to every number of the subscription in turn. When some numbers fail the
// send fails as a whole (retryable if any of the failures is), and the retry sends to every
// number again: the channel keeps no memory of who already has the message. To let a
// gateway drop the repeats, each request carries the header
// Idempotency-Key: <message ID>/<number>. Twilio ignores that header, so behind Twilio a
// partial failure that is retried texts the numbers that did get it once more.
//
// The auth token is a credential: it travels only in the Authorization header and is
// scrubbed from anything the gateway echoes back into an error.
package sms

import (
	"errors"
	"net/http"
	"net/url"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// defaultTimeout bounds each request when the notifier gives no client.
const defaultTimeout = 15 * time.Second

// SMS sends text messages to a list of phone numbers through one gateway.
type SMS struct {
	to         []string // E.164 numbers
	from       string
	url        string // the gateway's messages endpoint
	accountSID string
	authToken  stack.Secret // revealed only in the Authorization header
	client     *http.Client
	now        func() time.Time   // reads an HTTP-date Retry-After
	template   *template.Template // replaces the default short text when set
}

var (
	_ notify.Channel = (*SMS)(nil)
	_ notify.Factory = New
)

// New builds an SMS channel from a subscription with an sms: block. It satisfies
// notify.Factory.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.SMS == nil {
		return nil, errors.New("sms: the subscription has no sms settings")
	}
	s := cfg.Subscription.SMS
	if len(s.To) == 0 {
		return nil, errors.New("sms: to needs at least one phone number")
	}
	if s.From == "" {
		return nil, errors.New("sms: from is empty")
	}
	// The URL may carry an account ID: it is not quoted in the error.
	if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("sms: url must be an absolute http or https URL")
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &SMS{
		to:         append([]string(nil), s.To...),
		from:       s.From,
		url:        s.URL,
		accountSID: s.AccountSID,
		authToken:  s.AuthToken,
		client:     client,
		now:        now,
		template:   cfg.Template,
	}, nil
}

// String and GoString name the channel without its fields: fmt prints unexported fields by
// reflection, bypassing stack.Secret's own masking, so printing the struct would reveal
// the auth token.
func (s *SMS) String() string   { return "sms(" + s.from + ")" }
func (s *SMS) GoString() string { return s.String() }
