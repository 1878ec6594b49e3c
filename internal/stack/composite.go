package stack

import (
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/rule"
)

// CompositeAlarm is a boolean rule over other alarms' states (spec A5).
type CompositeAlarm struct {
	Meta              `yaml:",inline"`
	Rule              string      `yaml:"rule" json:"rule" tocsin:"required" doc:"ALARM(x), OK(x), INSUFFICIENT_DATA(x), AND, OR, NOT, TRUE, FALSE and parentheses."`
	ActionsEnabled    *bool       `yaml:"actions_enabled,omitempty" json:"actions_enabled,omitempty"`
	Actions           Actions     `yaml:"actions,omitempty" json:"actions,omitempty"`
	ActionsSuppressor *Suppressor `yaml:"actions_suppressor,omitempty" json:"actions_suppressor,omitempty" doc:"An alarm whose ALARM state suppresses this composite's actions."`
}

// Suppressor is a composite alarm's actions suppressor.
type Suppressor struct {
	Alarm           string   `yaml:"alarm" json:"alarm" tocsin:"required"`
	WaitPeriod      Duration `yaml:"wait_period" json:"wait_period" tocsin:"required"`
	ExtensionPeriod Duration `yaml:"extension_period" json:"extension_period" tocsin:"required"`
}

func (a *CompositeAlarm) Validate(c *Check) {
	if len(a.Description) > 1024 {
		c.Errorf("description", "must be at most 1024 characters, got %d", len(a.Description))
	}
	if a.Rule != "" {
		expr, err := rule.Parse(a.Rule)
		if err != nil {
			c.Errorf("rule", "%v", err)
		} else {
			for _, ref := range expr.Refs() {
				// NAME[*] means every instance of the template NAME.
				c.Ref("rule", strings.TrimSuffix(ref, "[*]"), "alarms", "composite_alarms")
			}
		}
	}
	a.Actions.validate(c, "actions")
	if s := a.ActionsSuppressor; s != nil {
		c.Ref("actions_suppressor.alarm", s.Alarm, "alarms", "composite_alarms")
		for _, p := range []struct {
			field string
			d     Duration
		}{{"wait_period", s.WaitPeriod}, {"extension_period", s.ExtensionPeriod}} {
			if p.d.Std()%time.Second != 0 {
				c.Errorf(fmt.Sprintf("actions_suppressor.%s", p.field), "must be whole seconds, got %s", p.d)
			}
		}
	}
}
