package stack

import (
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event/schedule"
)

// MaintenanceWindow mutes notifications of matching alarms, once (start/end) or on a
// schedule (cron + duration).
type MaintenanceWindow struct {
	Meta     `yaml:",inline"`
	Start    string    `yaml:"start,omitempty" json:"start,omitempty" doc:"RFC 3339 start of a one-off window."`
	End      string    `yaml:"end,omitempty" json:"end,omitempty" doc:"RFC 3339 end of a one-off window."`
	Schedule string    `yaml:"schedule,omitempty" json:"schedule,omitempty" doc:"cron(…) start of a recurring window."`
	Duration *Duration `yaml:"duration,omitempty" json:"duration,omitempty" doc:"Length of a recurring window."`
	Timezone string    `yaml:"timezone,omitempty" json:"timezone,omitempty" doc:"IANA time zone of the schedule (default UTC)."`
	Alarms   []string  `yaml:"alarms" json:"alarms" tocsin:"required" doc:"Alarm names or globs: * matches any run of characters, ? one character (* for all)."`
}

func (w *MaintenanceWindow) Validate(c *Check) {
	oneOff := w.Start != "" || w.End != ""
	recurring := w.Schedule != "" || w.Duration != nil
	switch {
	case oneOff && recurring:
		c.Errorf("schedule", "give start and end, or schedule and duration, not both")
	case oneOff:
		start, err1 := time.Parse(time.RFC3339, w.Start)
		end, err2 := time.Parse(time.RFC3339, w.End)
		if err1 != nil {
			c.Errorf("start", "must be an RFC 3339 time such as 2026-01-02T03:00:00Z, got %q", w.Start)
		}
		if err2 != nil {
			c.Errorf("end", "must be an RFC 3339 time such as 2026-01-02T05:00:00Z, got %q", w.End)
		}
		if err1 == nil && err2 == nil && !end.After(start) {
			c.Errorf("end", "must be after start")
		}
	case recurring:
		if w.Schedule == "" {
			c.Errorf("schedule", "a recurring window needs a schedule")
		} else if !strings.HasPrefix(w.Schedule, "cron(") {
			c.Errorf("schedule", "a window starts on a cron(…) schedule, got %q", w.Schedule)
		} else if err := schedule.Validate(w.Schedule); err != nil {
			c.Errorf("schedule", "%v", err)
		}
		if w.Duration == nil || *w.Duration == 0 {
			c.Errorf("duration", "a recurring window needs a positive duration")
		}
	default:
		c.Errorf("", "needs start and end, or schedule and duration")
	}
	if w.Timezone != "" {
		if _, err := time.LoadLocation(w.Timezone); err != nil {
			c.Errorf("timezone", "unknown time zone %q", w.Timezone)
		}
	}
	for i, a := range w.Alarms {
		if a == "" {
			c.Errorf(fmt.Sprintf("alarms[%d]", i), "must not be empty (use * for every alarm)")
		}
	}
}
