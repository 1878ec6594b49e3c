package stack

import (
	"fmt"
	"net/mail"
	"text/template"
	"time"
)

// Notifications are the notifier's server-wide settings.
type Notifications struct {
	SMTP          SMTP      `yaml:"smtp,omitempty" json:"smtp,omitzero" doc:"The SMTP server e-mail subscriptions send through."`
	PagerDutyURL  string    `yaml:"pagerduty_url,omitempty" json:"pagerduty_url,omitempty" doc:"PagerDuty Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue)."`
	Timeout       *Duration `yaml:"timeout,omitempty" json:"timeout,omitempty" doc:"How long one delivery attempt may take (default 15s)."`
	GroupWait     *Duration `yaml:"group_wait,omitempty" json:"group_wait,omitempty" doc:"How long the first notification of a group waits for others (default 10s; topics may override)."`
	GroupInterval *Duration `yaml:"group_interval,omitempty" json:"group_interval,omitempty" doc:"How long later changes to a group wait after its last message (default 1m; topics may override)."`
	Flapping      Flapping  `yaml:"flapping,omitempty" json:"flapping,omitzero" doc:"When an alarm counts as flapping."`
	AckLinkTTL    *Duration `yaml:"ack_link_ttl,omitempty" json:"ack_link_ttl,omitempty" doc:"How long acknowledge links in messages stay valid (default 24h)."`
	Retention     *Duration `yaml:"retention,omitempty" json:"retention,omitempty" doc:"How long sent and dead notifications and their delivery log, resolved incidents with their timelines, and ended silences are kept (default 14d)."`
}

// SMTP is how e-mail leaves tocsin.
type SMTP struct {
	Host     string `yaml:"host,omitempty" json:"host,omitempty"`
	Port     int    `yaml:"port,omitempty" json:"port,omitempty" doc:"Default 587 (starttls), 465 (tls) or 25 (none)."`
	TLS      string `yaml:"tls,omitempty" json:"tls,omitempty" doc:"starttls (default), tls or none."`
	Username string `yaml:"username,omitempty" json:"username,omitempty"`
	Password Secret `yaml:"password,omitempty" json:"password,omitzero"`
	From     string `yaml:"from,omitempty" json:"from,omitempty" doc:"Sender address, e.g. tocsin@example.com."`
	// InsecureSkipVerify accepts any certificate (test servers only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty" json:"insecure_skip_verify,omitempty" doc:"Accept any TLS certificate (test servers only)."`
}

// Flapping: an alarm instance that changes state more than Changes times within Window is
// flapping; one message says so instead of one per change.
type Flapping struct {
	Changes int       `yaml:"changes,omitempty" json:"changes,omitempty" doc:"State changes allowed within the window (default 6; 0 keeps the default, -1 turns detection off)."`
	Window  *Duration `yaml:"window,omitempty" json:"window,omitempty" doc:"The window (default 1h)."`
}

// DeliveryPolicy is SNS's HTTP delivery retry policy (spec C5), in snake case.
type DeliveryPolicy struct {
	MinDelayTarget     int    `yaml:"min_delay_target,omitempty" json:"min_delay_target,omitempty" doc:"Seconds, 1…max_delay_target (default 20)."`
	MaxDelayTarget     int    `yaml:"max_delay_target,omitempty" json:"max_delay_target,omitempty" doc:"Seconds, min_delay_target…3600 (default 20)."`
	NumRetries         *int   `yaml:"num_retries,omitempty" json:"num_retries,omitempty" doc:"Total retries of all phases, 0–100 (default 3)."`
	NumNoDelayRetries  int    `yaml:"num_no_delay_retries,omitempty" json:"num_no_delay_retries,omitempty"`
	NumMinDelayRetries int    `yaml:"num_min_delay_retries,omitempty" json:"num_min_delay_retries,omitempty"`
	NumMaxDelayRetries int    `yaml:"num_max_delay_retries,omitempty" json:"num_max_delay_retries,omitempty"`
	BackoffFunction    string `yaml:"backoff_function,omitempty" json:"backoff_function,omitempty" doc:"linear (default), arithmetic, geometric or exponential."`
}

// Defaults of the notifier.
var (
	DefaultNotifyTimeout  = 15 * time.Second
	DefaultGroupWait      = 10 * time.Second
	DefaultGroupInterval  = time.Minute
	DefaultFlapChanges    = 6
	DefaultFlapWindow     = time.Hour
	DefaultAckLinkTTL     = 24 * time.Hour
	DefaultNotifyRetained = 14 * 24 * time.Hour
	DefaultPagerDutyURL   = "https://events.pagerduty.com/v2/enqueue"
)

// Or returns d, or def when d is nil.
func (d *Duration) Or(def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.Std()
}

func validateNotifications(s *sink, n *Node, nt *Notifications) {
	const f = "server.notifications"
	at := func(field string) Pos { return lookupPos(n, f+"."+field) }
	if t := nt.SMTP.TLS; t != "" && t != "starttls" && t != "tls" && t != "none" {
		s.errorf(at("smtp.tls"), f+".smtp.tls", "must be starttls, tls or none, got %q", t)
	}
	if p := nt.SMTP.Port; p < 0 || p > 65535 {
		s.errorf(at("smtp.port"), f+".smtp.port", "must be a TCP port (1–65535), got %d", p)
	}
	if from := nt.SMTP.From; from != "" {
		if _, err := mail.ParseAddress(from); err != nil {
			s.errorf(at("smtp.from"), f+".smtp.from", "invalid e-mail address %q", from)
		}
	}
	for name, d := range map[string]*Duration{"timeout": nt.Timeout, "ack_link_ttl": nt.AckLinkTTL, "retention": nt.Retention, "flapping.window": nt.Flapping.Window} {
		if d != nil && *d <= 0 {
			s.errorf(at(name), f+"."+name, "must be positive")
		}
	}
	for name, d := range map[string]*Duration{"group_wait": nt.GroupWait, "group_interval": nt.GroupInterval} {
		if d != nil && *d < 0 {
			s.errorf(at(name), f+"."+name, "must not be negative")
		}
	}
	if c := nt.Flapping.Changes; c < -1 {
		s.errorf(at("flapping.changes"), f+".flapping.changes", "must be -1 (off), 0 (default) or a positive count, got %d", c)
	}
}

// validate checks a delivery policy against SNS's limits (spec C5).
func (p *DeliveryPolicy) validate(c *Check, field string) {
	minD, maxD := p.MinDelayTarget, p.MaxDelayTarget
	if minD == 0 {
		minD = 20
	}
	if maxD == 0 {
		maxD = max(20, minD)
	}
	if minD < 1 || minD > maxD {
		c.Errorf(field+".min_delay_target", "must be between 1 and max_delay_target (%d), got %d", maxD, minD)
	}
	if maxD > 3600 {
		c.Errorf(field+".max_delay_target", "must be at most 3600 seconds, got %d", maxD)
	}
	retries := 3
	if p.NumRetries != nil {
		retries = *p.NumRetries
	}
	if retries < 0 || retries > 100 {
		c.Errorf(field+".num_retries", "must be between 0 and 100, got %d", retries)
	}
	for name, v := range map[string]int{"num_no_delay_retries": p.NumNoDelayRetries, "num_min_delay_retries": p.NumMinDelayRetries, "num_max_delay_retries": p.NumMaxDelayRetries} {
		if v < 0 {
			c.Errorf(field+"."+name, "must not be negative, got %d", v)
		}
	}
	if fixed := p.NumNoDelayRetries + p.NumMinDelayRetries + p.NumMaxDelayRetries; fixed > retries {
		c.Errorf(field+".num_retries", "must be at least the sum of the no-delay, min-delay and max-delay retries (%d), got %d", fixed, retries)
	}
	if b := p.BackoffFunction; b != "" {
		c.OneOf(field+".backoff_function", b, "linear", "arithmetic", "geometric", "exponential")
	}
}

// CompileTemplate parses a subscription's message template.
func CompileTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Parse(text)
}

func checkTemplate(c *Check, field, text string) {
	if text == "" {
		return
	}
	if _, err := CompileTemplate(field, text); err != nil {
		c.Errorf(field, "invalid template: %v", err)
	}
}

func checkGrouping(c *Check, wait, interval *Duration) {
	if wait != nil && *wait < 0 {
		c.Errorf("group_wait", "must not be negative")
	}
	if interval != nil && *interval < 0 {
		c.Errorf("group_interval", "must not be negative")
	}
}

// checkEmailSettings reports e-mail subscriptions when the server has no SMTP server to
// send them through: the subscription would never deliver.
func checkEmailSettings(s *sink, st *Stack) {
	smtp := st.Project.Server.Notifications.SMTP
	if smtp.Host != "" && smtp.From != "" {
		return
	}
	seen := map[string]bool{}
	for _, env := range st.Envs {
		for _, en := range env.All("topics") {
			for i, sub := range en.Resource.(*Topic).Subscriptions {
				path := fmt.Sprintf("%s.subscriptions[%d].email", resourcePath(en.Kind, en.Name), i)
				if sub.Email == nil || seen[path] {
					continue
				}
				seen[path] = true
				s.errorf(lookupPos(en.node, fmt.Sprintf("subscriptions[%d].email", i)), path,
					"e-mail needs an SMTP server: set server.notifications.smtp.host and server.notifications.smtp.from")
			}
		}
	}
}
