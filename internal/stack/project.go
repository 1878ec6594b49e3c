package stack

import (
	"fmt"
	"regexp"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Project is tocsin.yaml: the environments, shared variables and server settings.
type Project struct {
	Environments []string       `yaml:"environments" json:"environments" tocsin:"required" doc:"The environment names, e.g. [ci, staging, production]."`
	Variables    map[string]Raw `yaml:"variables,omitempty" json:"variables,omitempty" doc:"Values for ${name}; environment overlays may redefine them."`
	Server       Settings       `yaml:"server,omitempty" json:"server,omitempty" doc:"Server settings."`
}

// Settings are the server's settings from tocsin.yaml. Zero values mean the defaults
// documented on each field.
type Settings struct {
	Listen           string        `yaml:"listen,omitempty" json:"listen,omitempty" doc:"Address to listen on (default 127.0.0.1:8080; --listen wins)."`
	PublicURL        string        `yaml:"public_url,omitempty" json:"public_url,omitempty" doc:"Base URL used in links sent to people."`
	EvaluationDelay  *Duration     `yaml:"evaluation_delay,omitempty" json:"evaluation_delay,omitempty" doc:"Wait after a period closes before alarms evaluate it (default 10s)."`
	HistoryRetention *Duration     `yaml:"history_retention,omitempty" json:"history_retention,omitempty" doc:"How long alarm history is kept (default 14d)."`
	ReloadInterval   *Duration     `yaml:"reload_interval,omitempty" json:"reload_interval,omitempty" doc:"How often the stack files are checked for changes (default 2s; 0s turns watching off)."`
	LogFormat        string        `yaml:"log_format,omitempty" json:"log_format,omitempty" doc:"text (default) or json."`
	LogLevel         string        `yaml:"log_level,omitempty" json:"log_level,omitempty" doc:"debug, info (default), warn or error."`
	Metrics          Metrics       `yaml:"metrics,omitempty" json:"metrics,omitempty" doc:"The metric store."`
	StatsD           []StatsD      `yaml:"statsd,omitempty" json:"statsd,omitempty" doc:"StatsD listeners, one per environment."`
	Events           Events        `yaml:"events,omitempty" json:"events,omitempty" doc:"The event store and event deliveries."`
	Notifications    Notifications `yaml:"notifications,omitempty" json:"notifications,omitzero" doc:"E-mail, delivery timeouts, grouping and flapping."`
	Demo             *Demo         `yaml:"demo,omitempty" json:"demo,omitempty" doc:"The quickstart's synthetic feed (never in a real stack)."`
	UI               UI            `yaml:"ui,omitempty" json:"ui,omitzero" doc:"The web UI."`
}

// UI are the web UI's settings.
type UI struct {
	AnonymousRead bool `yaml:"anonymous_read,omitempty" json:"anonymous_read,omitempty" doc:"Let anyone who reaches the server read every environment's pages without signing in (forms still need a session). Default false. Read at start only."`
}

// Demo turns on the demo feed: synthetic traffic (Demo/Shop metrics, a latency spike and a
// deployment every 5 minutes) written into one environment.
type Demo struct {
	Environment string `yaml:"environment" json:"environment" tocsin:"required" doc:"The environment the feed writes into."`
}

// Events are the event store's and the delivery worker's settings.
type Events struct {
	Retention      *Duration `yaml:"retention,omitempty" json:"retention,omitempty" doc:"How long events and annotations are kept (default 14d)."`
	WebhookTimeout *Duration `yaml:"webhook_timeout,omitempty" json:"webhook_timeout,omitempty" doc:"How long one webhook attempt may take (default 10s)."`
}

// Metrics are the metric store's settings.
type Metrics struct {
	HotWindow          *Duration `yaml:"hot_window,omitempty" json:"hot_window,omitempty" doc:"How far back buckets stay in memory, where alarms evaluate from (default 10m; at most retention.high_resolution)."`
	CheckpointInterval *Duration `yaml:"checkpoint_interval,omitempty" json:"checkpoint_interval,omitempty" doc:"How often buckets are written to the store and the log trimmed (default 10s)."`
	Retention          Retention `yaml:"retention,omitempty" json:"retention,omitempty" doc:"How long each resolution is kept before it is rolled up (default: CloudWatch's 3h, 15d, 63d, 455d)."`
}

// Retention is the age limit of each stored resolution.
type Retention struct {
	HighResolution *Duration `yaml:"high_resolution,omitempty" json:"high_resolution,omitempty" doc:"1-second data (default 3h), then rolled up to 60 s."`
	Minute         *Duration `yaml:"minute,omitempty" json:"minute,omitempty" doc:"60-second data (default 15d), then rolled up to 5 min."`
	FiveMinute     *Duration `yaml:"five_minute,omitempty" json:"five_minute,omitempty" doc:"5-minute data (default 63d), then rolled up to 1 h."`
	Hour           *Duration `yaml:"hour,omitempty" json:"hour,omitempty" doc:"1-hour data (default 455d), then deleted."`
}

// StatsD is one StatsD listener; its data belongs to one environment (StatsD has no
// authentication, so keep listeners on trusted networks).
type StatsD struct {
	Environment       string    `yaml:"environment" json:"environment" tocsin:"required" doc:"The environment the data belongs to."`
	UDP               string    `yaml:"udp,omitempty" json:"udp,omitempty" doc:"UDP address, e.g. 127.0.0.1:8125."`
	TCP               string    `yaml:"tcp,omitempty" json:"tcp,omitempty" doc:"TCP address (newline-delimited lines)."`
	Namespace         string    `yaml:"namespace,omitempty" json:"namespace,omitempty" doc:"Metric namespace (default StatsD)."`
	FlushInterval     *Duration `yaml:"flush_interval,omitempty" json:"flush_interval,omitempty" doc:"Aggregation interval (default 10s)."`
	StorageResolution int       `yaml:"storage_resolution,omitempty" json:"storage_resolution,omitempty" doc:"1 or 60 (default 60)."`
}

var envNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Defaults of the metric store (spec A7 for retention).
var (
	DefaultHotWindow          = 10 * time.Minute
	DefaultCheckpointInterval = 10 * time.Second
	DefaultRetention          = [4]time.Duration{3 * time.Hour, 15 * 24 * time.Hour, 63 * 24 * time.Hour, 455 * 24 * time.Hour}
)

// Durations returns the retention of 1 s, 60 s, 300 s and 3600 s data, defaults applied.
func (r Retention) Durations() [4]time.Duration {
	out := DefaultRetention
	for i, d := range []*Duration{r.HighResolution, r.Minute, r.FiveMinute, r.Hour} {
		if d != nil {
			out[i] = d.Std()
		}
	}
	return out
}

func validateMetrics(s *sink, n *Node, m *Metrics) {
	ret := m.Retention.Durations()
	names := []string{"high_resolution", "minute", "five_minute", "hour"}
	for i := range ret {
		f := "server.metrics.retention." + names[i]
		switch {
		case ret[i] <= 0:
			s.errorf(lookupPos(n, f), f, "must be positive")
		case i > 0 && ret[i] < ret[i-1]:
			s.errorf(lookupPos(n, f), f, "must be at least %s (%s's retention)", Duration(ret[i-1]), names[i-1])
		}
	}
	if m.HotWindow != nil && (m.HotWindow.Std() < time.Minute || m.HotWindow.Std() > ret[0]) {
		s.errorf(lookupPos(n, "server.metrics.hot_window"), "server.metrics.hot_window", "must be between 1m and the high-resolution retention (%s)", Duration(ret[0]))
	}
	if m.CheckpointInterval != nil && m.CheckpointInterval.Std() < time.Second {
		s.errorf(lookupPos(n, "server.metrics.checkpoint_interval"), "server.metrics.checkpoint_interval", "must be at least 1s")
	}
}

func (p *Project) validate(s *sink, n *Node) {
	seen := map[string]bool{}
	for i, e := range p.Environments {
		f := fmt.Sprintf("environments[%d]", i)
		if !envNameRE.MatchString(e) {
			s.errorf(lookupPos(n, f), f, "invalid environment name %q: use lower-case letters, digits and -, starting with a letter", e)
		}
		if seen[e] {
			s.errorf(lookupPos(n, f), f, "duplicate environment %q", e)
		}
		seen[e] = true
	}
	if len(p.Environments) == 0 && n.Get("environments") != nil {
		s.errorf(lookupPos(n, "environments"), "environments", "needs at least one environment")
	}
	for name, v := range p.Variables {
		if !varNameRE.MatchString(name) {
			s.errorf(lookupPos(n, "variables."+name), "variables."+name, "invalid variable name %q", name)
		}
		if v.Node.Kind != ScalarNode {
			s.errorf(v.Node.Pos, "variables."+name, "a variable must be a scalar (string, number or boolean), got %s", v.Node.Kind)
		}
	}
	set := p.Server
	validateMetrics(s, n, &set.Metrics)
	validateNotifications(s, n, &set.Notifications)
	if d := set.Demo; d != nil && d.Environment != "" && !contains(p.Environments, d.Environment) {
		s.errorf(lookupPos(n, "server.demo.environment"), "server.demo.environment", "unknown environment %q%s", d.Environment, suggest(d.Environment, p.Environments))
	}
	for i, l := range set.StatsD {
		f := fmt.Sprintf("server.statsd[%d]", i)
		if l.Environment != "" && !contains(p.Environments, l.Environment) {
			s.errorf(lookupPos(n, f+".environment"), f+".environment", "unknown environment %q%s", l.Environment, suggest(l.Environment, p.Environments))
		}
		if l.UDP == "" && l.TCP == "" {
			s.errorf(lookupPos(n, f), f, "give udp, tcp or both")
		}
		if l.Namespace != "" {
			if err := metric.ValidateNamespace(l.Namespace); err != nil {
				s.errorf(lookupPos(n, f+".namespace"), f+".namespace", "%v", err)
			}
		}
		if r := l.StorageResolution; r != 0 && r != 1 && r != 60 {
			s.errorf(lookupPos(n, f+".storage_resolution"), f+".storage_resolution", "must be 1 or 60, got %d", r)
		}
	}
	if set.LogFormat != "" && set.LogFormat != "text" && set.LogFormat != "json" {
		s.errorf(lookupPos(n, "server.log_format"), "server.log_format", "must be text or json, got %q", set.LogFormat)
	}
	switch set.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		s.errorf(lookupPos(n, "server.log_level"), "server.log_level", "must be debug, info, warn or error, got %q", set.LogLevel)
	}
}
