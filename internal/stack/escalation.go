package stack

import "fmt"

// EscalationPolicy notifies topics in steps until the incident is acknowledged or resolved.
type EscalationPolicy struct {
	Meta   `yaml:",inline"`
	Steps  []EscalationStep `yaml:"steps" json:"steps" tocsin:"required"`
	Repeat int              `yaml:"repeat,omitempty" json:"repeat,omitempty" doc:"How many times the whole list is repeated after the last step (0–100)."`
	// RepeatAfter is the pause between the last step and the first step of the next pass.
	RepeatAfter *Duration `yaml:"repeat_after,omitempty" json:"repeat_after,omitempty" doc:"Pause after the last step before the steps start again (default: the last step's after, at least 5m)."`
	AckTimeout  *Duration `yaml:"ack_timeout,omitempty" json:"ack_timeout,omitempty" doc:"Re-open an acknowledged incident still unresolved after this long (default: never)."`
	AutoResolve *Duration `yaml:"auto_resolve,omitempty" json:"auto_resolve,omitempty" doc:"Incidents opened by events resolve after this long unless acknowledged first (default 24h)."`
}

// EscalationStep notifies topics once the incident has been open for After.
type EscalationStep struct {
	After  Duration `yaml:"after" json:"after" doc:"Time since the incident opened (0 for at once)."`
	Notify []string `yaml:"notify" json:"notify" tocsin:"required" doc:"Topics to notify."`
}

func (p *EscalationPolicy) Validate(c *Check) {
	if len(p.Steps) == 0 {
		c.Errorf("steps", "needs at least one step")
	}
	for i, s := range p.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		if i > 0 && s.After <= p.Steps[i-1].After {
			c.Errorf(f+".after", "steps must be in increasing order of after (%s is not after %s)", s.After, p.Steps[i-1].After)
		}
		if len(s.Notify) == 0 {
			c.Errorf(f+".notify", "needs at least one topic")
		}
		for j, topic := range s.Notify {
			c.Ref(fmt.Sprintf("%s.notify[%d]", f, j), topic, "topics")
		}
	}
	for name, d := range map[string]*Duration{"repeat_after": p.RepeatAfter, "ack_timeout": p.AckTimeout, "auto_resolve": p.AutoResolve} {
		if d != nil && *d <= 0 {
			c.Errorf(name, "must be positive")
		}
	}
	if p.Repeat < 0 || p.Repeat > 100 {
		c.Errorf("repeat", "must be between 0 and 100, got %d", p.Repeat)
	}
}
