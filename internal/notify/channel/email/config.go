// Package email sends notifications as e-mail over SMTP: implicit TLS, STARTTLS (required
// when configured) or plain, with AUTH PLAIN when a username is set. A message is
// multipart/alternative: a plain-text part (the subscription's template, or the default
// text) and an HTML part; an alarm message with a graph carries it as an inline PNG
// (multipart/related, cid:graph@tocsin). The SMTP password never appears in an error.
package email

import (
	"errors"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

// Email is one e-mail subscription.
type Email struct {
	smtp     stack.SMTP
	to       []string
	template *template.Template
	now      func() time.Time
}

var (
	_ notify.Channel = (*Email)(nil)
	_ notify.Factory = New
)

// New builds the channel from the server's SMTP settings and the subscription.
func New(cfg notify.Config) (notify.Channel, error) {
	if cfg.Subscription == nil || cfg.Subscription.Email == nil {
		return nil, errors.New("not an e-mail subscription")
	}
	if cfg.SMTP.Host == "" || cfg.SMTP.From == "" {
		return nil, errors.New("e-mail needs server.notifications.smtp.host and server.notifications.smtp.from")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := cfg.SMTP
	if s.TLS == "" {
		s.TLS = "starttls"
	}
	if s.Port == 0 {
		s.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[s.TLS]
	}
	return &Email{smtp: s, to: cfg.Subscription.Email.To, template: cfg.Template, now: now}, nil
}

// String keeps the SMTP password out of %v of the channel.
func (e *Email) String() string { return "email(" + e.smtp.Host + ")" }
