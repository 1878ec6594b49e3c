// Package email sends notifications as e-mail through the server's SMTP settings
// (server.notifications.smtp) to a subscription's addresses.
//
// A message is multipart/alternative: a text/plain part (the subscription's template, or
// notify.PlainText) and an HTML part with a state-coloured bar, the text, the members of
// a group with their numbers, recent changes, link buttons and, when the message has a
// graph, the PNG from package graph as an inline image. Every failure is classified once
// (classify) into a retryable or final *notify.Failure. The SMTP password is a secret:
// it is never put in an error.
package email

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// TLS modes of stack.SMTP.TLS.
const (
	modeSTARTTLS = "starttls"
	modeTLS      = "tls"
	modeNone     = "none"
)

// Email sends messages to a list of addresses through one SMTP server.
type Email struct {
	smtp     stack.SMTP
	host     string // the server's name, also the TLS server name
	addr     string // host:port
	mode     string
	from     *mail.Address
	to       []*mail.Address
	template *template.Template
	now      func() time.Time
}

var (
	_ notify.Channel = (*Email)(nil)
	_ notify.Factory = New
)

// New builds the e-mail channel of cfg.Subscription. It fails when the SMTP settings or
// the subscription's addresses cannot work.
func New(cfg notify.Config) (notify.Channel, error) {
	const f = "server.notifications.smtp"
	s := cfg.SMTP
	if s.Host == "" {
		return nil, fmt.Errorf("%s.host: e-mail subscriptions need an SMTP server", f)
	}
	if s.From == "" {
		return nil, fmt.Errorf("%s.from: e-mail subscriptions need a sender address", f)
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return nil, fmt.Errorf("%s.from: invalid e-mail address %q", f, s.From)
	}
	mode := s.TLS
	if mode == "" {
		mode = modeSTARTTLS
	}
	port := s.Port
	switch mode {
	case modeSTARTTLS:
		port = orDefault(port, 587)
	case modeTLS:
		port = orDefault(port, 465)
	case modeNone:
		port = orDefault(port, 25)
	default:
		return nil, fmt.Errorf("%s.tls: must be starttls, tls or none, got %q", f, s.TLS)
	}
	if cfg.Subscription == nil || cfg.Subscription.Email == nil || len(cfg.Subscription.Email.To) == 0 {
		return nil, fmt.Errorf("email.to: needs at least one address")
	}
	host := strings.TrimSuffix(strings.TrimPrefix(s.Host, "["), "]") // an IPv6 literal as in a URL
	e := &Email{smtp: s, host: host, addr: net.JoinHostPort(host, strconv.Itoa(port)), mode: mode, from: from, template: cfg.Template, now: cfg.Now}
	for i, a := range cfg.Subscription.Email.To {
		to, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("email.to[%d]: invalid e-mail address %q", i, a)
		}
		e.to = append(e.to, to)
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Send renders m and delivers it in one SMTP session. It honours ctx's deadline and
// cancellation; the returned error is nil or a *notify.Failure.
func (e *Email) Send(ctx context.Context, m *notify.Message) error {
	raw, err := e.compose(m)
	if err != nil {
		return err
	}
	return e.classify(ctx, e.deliver(ctx, raw))
}
