package notify

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/stack"
)

// Setup is the notifier's view of one configuration: every environment's topics with
// their ready-to-send channels, escalation policies and maintenance windows. It is built
// once per reload and immutable afterwards.
type Setup struct {
	Settings  stack.Notifications
	PublicURL string
	envs      map[string]*envSetup
}

type envSetup struct {
	topics   map[string]*Topic
	policies map[string]*stack.EscalationPolicy
	windows  []*Window
}

// Topic is a topic with its subscriptions compiled.
type Topic struct {
	Name          string
	Subs          []*Sub
	GroupWait     time.Duration
	GroupInterval time.Duration
	GroupBy       []string
}

// Sub is one subscription, ready to send.
type Sub struct {
	Topic, Label, Kind string
	Spec               *stack.Subscription
	Filter             *pattern.Pattern // nil: everything
	Channel            Channel
	Policy             Policy
}

// Factories maps a channel kind to its constructor (notify/channel's registry).
type Factories map[string]Factory

// Build compiles the notification side of a stack. A subscription whose channel cannot
// be built (a bad template, a missing SMTP server) is an error: never a silent drop.
func Build(envs []*stack.Env, settings stack.Notifications, publicURL string, factories Factories, now func() time.Time) (*Setup, error) {
	s := &Setup{Settings: settings, PublicURL: publicURL, envs: map[string]*envSetup{}}
	// One client for every HTTP channel: connections to an endpoint are kept for the next
	// message (the default of 2 idle connections per host would re-dial under load).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	client := &http.Client{Timeout: settings.Timeout.Or(stack.DefaultNotifyTimeout), Transport: transport}
	for _, env := range envs {
		es := &envSetup{topics: map[string]*Topic{}, policies: map[string]*stack.EscalationPolicy{}}
		for _, e := range env.All("topics") {
			t, err := buildTopic(e.Name, e.Resource.(*stack.Topic), settings, factories, client, now)
			if err != nil {
				return nil, fmt.Errorf("environment %s: topic %s: %w", env.Name, e.Name, err)
			}
			es.topics[e.Name] = t
		}
		for _, e := range env.All("escalation_policies") {
			es.policies[e.Name] = e.Resource.(*stack.EscalationPolicy)
		}
		for _, e := range env.All("maintenance_windows") {
			w, err := CompileWindow(e.Name, e.Resource.(*stack.MaintenanceWindow))
			if err != nil {
				return nil, fmt.Errorf("environment %s: maintenance window %s: %w", env.Name, e.Name, err)
			}
			es.windows = append(es.windows, w)
		}
		s.envs[env.Name] = es
	}
	return s, nil
}

func buildTopic(name string, src *stack.Topic, settings stack.Notifications, factories Factories, client *http.Client, now func() time.Time) (*Topic, error) {
	t := &Topic{Name: name, GroupBy: src.GroupBy,
		GroupWait:     src.GroupWait.Or(settings.GroupWait.Or(stack.DefaultGroupWait)),
		GroupInterval: src.GroupInterval.Or(settings.GroupInterval.Or(stack.DefaultGroupInterval))}
	sort.Strings(t.GroupBy)
	for i := range src.Subscriptions {
		spec := &src.Subscriptions[i]
		sub := &Sub{Topic: name, Label: spec.Label(i), Kind: spec.Channel(), Spec: spec}
		factory := factories[sub.Kind]
		if factory == nil {
			return nil, fmt.Errorf("subscription %s: no %q channel", sub.Label, sub.Kind)
		}
		cfg := Config{Subscription: spec, SMTP: settings.SMTP, Client: client, PagerDutyURL: settings.PagerDutyURL, Now: now}
		if cfg.PagerDutyURL == "" {
			cfg.PagerDutyURL = stack.DefaultPagerDutyURL
		}
		var err error
		if spec.Template != "" {
			if cfg.Template, err = stack.CompileTemplate(sub.Label, spec.Template); err != nil {
				return nil, fmt.Errorf("subscription %s: template: %w", sub.Label, err)
			}
		}
		if sub.Channel, err = factory(cfg); err != nil {
			return nil, fmt.Errorf("subscription %s: %w", sub.Label, err)
		}
		if sub.Filter, err = spec.CompileFilter(); err != nil {
			return nil, fmt.Errorf("subscription %s: filter policy: %w", sub.Label, err)
		}
		sub.Policy = PolicyFor(sub.Kind, spec.DeliveryPolicy)
		t.Subs = append(t.Subs, sub)
	}
	return t, nil
}

// Topic returns a topic of env, or nil.
func (s *Setup) Topic(env, name string) *Topic {
	if es := s.envs[env]; es != nil {
		return es.topics[name]
	}
	return nil
}

// Policy returns an escalation policy of env, or nil.
func (s *Setup) Policy(env, name string) *stack.EscalationPolicy {
	if es := s.envs[env]; es != nil {
		return es.policies[name]
	}
	return nil
}

// Sub returns a subscription by topic and label, or nil.
func (s *Setup) Sub(env, topic, label string) *Sub {
	if t := s.Topic(env, topic); t != nil {
		for _, sub := range t.Subs {
			if sub.Label == label {
				return sub
			}
		}
	}
	return nil
}

// Windows returns env's maintenance windows.
func (s *Setup) Windows(env string) []*Window {
	if es := s.envs[env]; es != nil {
		return es.windows
	}
	return nil
}
