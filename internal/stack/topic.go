package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"

	"github.com/tocsin/tocsin/internal/event/pattern"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Topic is a named destination with subscriptions, one channel each.
type Topic struct {
	Meta          `yaml:",inline"`
	Subscriptions []Subscription `yaml:"subscriptions,omitempty" json:"subscriptions,omitempty"`
	GroupWait     *Duration      `yaml:"group_wait,omitempty" json:"group_wait,omitempty" doc:"How long the first alarm notification of a group waits for others (default server.notifications.group_wait)."`
	GroupInterval *Duration      `yaml:"group_interval,omitempty" json:"group_interval,omitempty" doc:"How long later changes to a group wait after its last message (default server.notifications.group_interval)."`
	GroupBy       []string       `yaml:"group_by,omitempty" json:"group_by,omitempty" doc:"Group alarms sharing these dimensions instead of by alarm (template) name."`
}

// Subscription delivers a topic's messages through exactly one channel.
type Subscription struct {
	Name           string          `yaml:"name,omitempty" json:"name,omitempty" doc:"Optional label shown in delivery logs."`
	FilterPolicy   *Raw            `yaml:"filter_policy,omitempty" json:"filter_policy,omitempty" doc:"SNS-style filter policy on the message attributes."`
	Email          *EmailChannel   `yaml:"email,omitempty" json:"email,omitempty"`
	Slack          *URLChannel     `yaml:"slack,omitempty" json:"slack,omitempty"`
	Discord        *URLChannel     `yaml:"discord,omitempty" json:"discord,omitempty"`
	Webhook        *WebhookConfig  `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	PagerDuty      *PagerDuty      `yaml:"pagerduty,omitempty" json:"pagerduty,omitempty"`
	SMS            *SMSChannel     `yaml:"sms,omitempty" json:"sms,omitempty"`
	Template       string          `yaml:"template,omitempty" json:"template,omitempty" doc:"Go text/template replacing the channel's default message text; it sees the whole notification."`
	DeliveryPolicy *DeliveryPolicy `yaml:"delivery_policy,omitempty" json:"delivery_policy,omitempty" doc:"SNS-style retry policy (default: 3 retries 20 s apart for HTTP channels; 50 attempts over 6 h for e-mail and SMS)."`
}

// Label names a subscription in logs and the delivery log: its name, or its index.
func (s *Subscription) Label(index int) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("%d", index)
}

// Channel is the kind of channel the subscription uses ("" when none is set).
func (s *Subscription) Channel() string {
	switch {
	case s.Email != nil:
		return "email"
	case s.Slack != nil:
		return "slack"
	case s.Discord != nil:
		return "discord"
	case s.Webhook != nil:
		return "webhook"
	case s.PagerDuty != nil:
		return "pagerduty"
	case s.SMS != nil:
		return "sms"
	}
	return ""
}

// EmailChannel sends e-mail through the server's SMTP settings.
type EmailChannel struct {
	To []string `yaml:"to" json:"to" tocsin:"required" doc:"Recipient addresses."`
}

// URLChannel is a chat webhook (Slack, Discord); the URL is a secret.
type URLChannel struct {
	URL Secret `yaml:"url" json:"url" tocsin:"required"`
}

// WebhookConfig is a JSON POST to any HTTP endpoint.
type WebhookConfig struct {
	URL           Secret            `yaml:"url" json:"url" tocsin:"required"`
	Method        string            `yaml:"method,omitempty" json:"method,omitempty" doc:"POST (default) or PUT."`
	Headers       map[string]Secret `yaml:"headers,omitempty" json:"headers,omitempty"`
	SigningSecret Secret            `yaml:"signing_secret,omitempty" json:"signing_secret,omitzero" doc:"Key for the HMAC-SHA256 signature header."`
}

// PagerDuty sends Events API v2 messages.
type PagerDuty struct {
	RoutingKey Secret `yaml:"routing_key" json:"routing_key" tocsin:"required"`
}

// SMSChannel sends text messages through an HTTP gateway in the Twilio API shape.
type SMSChannel struct {
	To         []string `yaml:"to" json:"to" tocsin:"required" doc:"Phone numbers in E.164 form."`
	From       string   `yaml:"from" json:"from" tocsin:"required"`
	URL        string   `yaml:"url" json:"url" tocsin:"required" doc:"The gateway's messages endpoint."`
	AccountSID string   `yaml:"account_sid,omitempty" json:"account_sid,omitempty"`
	AuthToken  Secret   `yaml:"auth_token,omitempty" json:"auth_token,omitzero"`
}

func (t *Topic) Validate(c *Check) {
	names := map[string]bool{}
	for i := range t.Subscriptions {
		sub := &t.Subscriptions[i]
		field := fmt.Sprintf("subscriptions[%d]", i)
		sub.validate(c, field)
		if l := sub.Label(i); names[l] {
			c.Errorf(field+".name", "duplicate subscription name %q in this topic", l)
		} else {
			names[l] = true
		}
	}
	checkGrouping(c, t.GroupWait, t.GroupInterval)
}

func (s *Subscription) validate(c *Check, field string) {
	set := 0
	for _, present := range []bool{s.Email != nil, s.Slack != nil, s.Discord != nil, s.Webhook != nil, s.PagerDuty != nil, s.SMS != nil} {
		if present {
			set++
		}
	}
	if set != 1 {
		c.Errorf(field, "a subscription needs exactly one channel (email, slack, discord, webhook, pagerduty or sms), got %d", set)
	}
	if s.FilterPolicy != nil && s.FilterPolicy.Node.Kind != MappingNode {
		c.Errorf(field+".filter_policy", "must be a mapping of attribute names to conditions")
	} else if _, err := s.CompileFilter(); err != nil {
		var pe *pattern.Error
		if errors.As(err, &pe) {
			c.Errorf(joinPath(field+".filter_policy", pe.Path), "invalid filter policy: %s", pe.Msg)
		} else {
			c.Errorf(field+".filter_policy", "%v", err)
		}
	}
	checkTemplate(c, field+".template", s.Template)
	if s.DeliveryPolicy != nil {
		s.DeliveryPolicy.validate(c, field+".delivery_policy")
	}
	switch {
	case s.Email != nil:
		if len(s.Email.To) == 0 {
			c.Errorf(field+".email.to", "needs at least one address")
		}
		for i, addr := range s.Email.To {
			if _, err := mail.ParseAddress(addr); err != nil {
				c.Errorf(fmt.Sprintf("%s.email.to[%d]", field, i), "invalid e-mail address %q", addr)
			}
		}
	case s.Slack != nil:
		checkURL(c, field+".slack.url", s.Slack.URL)
	case s.Discord != nil:
		checkURL(c, field+".discord.url", s.Discord.URL)
	case s.Webhook != nil:
		checkURL(c, field+".webhook.url", s.Webhook.URL)
		for name, v := range s.Webhook.Headers {
			if err := CheckHeader(name, v.Reveal()); err != nil {
				c.Errorf(field+".webhook.headers."+name, "%v", err)
			}
		}
		if m := s.Webhook.Method; m != "" {
			c.OneOf(field+".webhook.method", m, "POST", "PUT")
		}
	case s.SMS != nil:
		checkURL(c, field+".sms.url", NewSecret(s.SMS.URL))
		for i, to := range s.SMS.To {
			if !e164.MatchString(to) {
				c.Errorf(fmt.Sprintf("%s.sms.to[%d]", field, i), "phone numbers must be in E.164 form (+14155550100), got %q", to)
			}
		}
	}
}

// CompileFilter compiles the filter policy, in the event-pattern language, over the
// message attributes (nil when there is none).
func (s *Subscription) CompileFilter() (*pattern.Pattern, error) {
	if s.FilterPolicy == nil {
		return nil, nil
	}
	src, err := json.Marshal(s.FilterPolicy.Value())
	if err != nil {
		return nil, err
	}
	return pattern.Compile(src)
}

// reservedHeaders are set by tocsin's webhook channel; a subscription cannot replace them.
var reservedHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Host": true, "Transfer-Encoding": true,
	"Connection": true, "User-Agent": true, "Idempotency-Key": true,
}

// CheckHeader rejects a webhook header that net/http would refuse or that tocsin sets
// itself. It quotes the name (configuration) but never the value (often a token).
func CheckHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return fmt.Errorf("header name %q is not a valid HTTP header name", name)
	}
	canon := textproto.CanonicalMIMEHeaderKey(name)
	if reservedHeaders[canon] || strings.HasPrefix(canon, "X-Tocsin-") {
		return fmt.Errorf("header %s is set by tocsin and cannot be configured", canon)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("the value of header %s contains a line break or NUL", canon)
	}
	return nil
}

// isTokenChar reports whether r may appear in a header name (RFC 9110 token).
func isTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// checkURL validates an http(s) URL held in a secret without printing it.
func checkURL(c *Check, field string, s Secret) {
	if !s.Resolved() {
		return
	}
	u, err := url.Parse(s.Reveal())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Errorf(field, "must be an absolute http or https URL")
	}
}
