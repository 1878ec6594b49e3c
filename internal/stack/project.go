package stack

import (
	"fmt"
	"regexp"
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
	Listen           string    `yaml:"listen,omitempty" json:"listen,omitempty" doc:"Address to listen on (default 127.0.0.1:8080; --listen wins)."`
	PublicURL        string    `yaml:"public_url,omitempty" json:"public_url,omitempty" doc:"Base URL used in links sent to people."`
	EvaluationDelay  *Duration `yaml:"evaluation_delay,omitempty" json:"evaluation_delay,omitempty" doc:"Wait after a period closes before alarms evaluate it (default 10s)."`
	HistoryRetention *Duration `yaml:"history_retention,omitempty" json:"history_retention,omitempty" doc:"How long alarm history is kept (default 14d)."`
	ReloadInterval   *Duration `yaml:"reload_interval,omitempty" json:"reload_interval,omitempty" doc:"How often the stack files are checked for changes (default 2s; 0s turns watching off)."`
	LogFormat        string    `yaml:"log_format,omitempty" json:"log_format,omitempty" doc:"text (default) or json."`
	LogLevel         string    `yaml:"log_level,omitempty" json:"log_level,omitempty" doc:"debug, info (default), warn or error."`
}

var envNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

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
	if set.LogFormat != "" && set.LogFormat != "text" && set.LogFormat != "json" {
		s.errorf(lookupPos(n, "server.log_format"), "server.log_format", "must be text or json, got %q", set.LogFormat)
	}
	switch set.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		s.errorf(lookupPos(n, "server.log_level"), "server.log_level", "must be debug, info, warn or error, got %q", set.LogLevel)
	}
}
