package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/event/schedule"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Subject is what a notification is about, as silences and windows see it.
type Subject struct {
	Alarm      string            // the alarm (template) name; "" for events
	Name       string            // the alarm instance name
	Dimensions map[string]string // the instance's dimensions
	Event      []byte            // the event (an alarm's state-change event, or a routed event)
}

// Matchers say what a silence mutes; every one given must match. Alarm and dimension
// values are globs (* any run of characters, ? one character).
type Matchers struct {
	Alarm        string            `json:"alarm,omitempty"`
	Dimensions   map[string]string `json:"dimensions,omitempty"`
	EventPattern json.RawMessage   `json:"event_pattern,omitempty"`
}

// Matcher is compiled Matchers.
type Matcher struct {
	m       Matchers
	pattern *pattern.Pattern
}

// ErrNoMatchers is returned for a silence that would mute everything by accident.
var ErrNoMatchers = errors.New("a silence needs at least one matcher: alarm, dimensions or event_pattern")

// Compile checks and compiles matchers. Errors name the field at fault.
func (m Matchers) Compile() (*Matcher, error) {
	if m.Alarm == "" && len(m.Dimensions) == 0 && len(m.EventPattern) == 0 {
		return nil, ErrNoMatchers
	}
	c := &Matcher{m: m}
	if len(m.EventPattern) > 0 {
		p, err := pattern.Compile(m.EventPattern)
		if err != nil {
			return nil, fmt.Errorf("event_pattern: %w", err)
		}
		c.pattern = p
	}
	return c, nil
}

// Match reports whether the subject is muted by these matchers.
func (c *Matcher) Match(s *Subject) bool {
	if c.m.Alarm != "" && (s.Alarm == "" || !metric.MatchGlob(c.m.Alarm, s.Alarm) && !metric.MatchGlob(c.m.Alarm, s.Name)) {
		return false
	}
	for k, glob := range c.m.Dimensions {
		v, ok := s.Dimensions[k]
		if !ok || !metric.MatchGlob(glob, v) {
			return false
		}
	}
	if c.pattern != nil {
		if len(s.Event) == 0 {
			return false
		}
		ok, err := c.pattern.Match(s.Event)
		return err == nil && ok
	}
	return true
}

// Window is a compiled maintenance window.
type Window struct {
	Name       string
	start, end time.Time // one-off
	sched      schedule.Schedule
	length     time.Duration
	loc        *time.Location
	alarms     []string
}

// CompileWindow compiles a stack maintenance window.
func CompileWindow(name string, w *stack.MaintenanceWindow) (*Window, error) {
	out := &Window{Name: name, alarms: w.Alarms, loc: time.UTC}
	if w.Timezone != "" {
		loc, err := time.LoadLocation(w.Timezone)
		if err != nil {
			return nil, err
		}
		out.loc = loc
	}
	if w.Schedule == "" {
		var err error
		if out.start, err = time.Parse(time.RFC3339, w.Start); err != nil {
			return nil, err
		}
		if out.end, err = time.Parse(time.RFC3339, w.End); err != nil {
			return nil, err
		}
		return out, nil
	}
	sched, err := schedule.Parse(w.Schedule, time.Time{})
	if err != nil {
		return nil, err
	}
	out.sched, out.length = sched, w.Duration.Std()
	return out, nil
}

// Active reports whether the window is open at now. A recurring window's cron runs on
// the wall clock of its time zone: it is evaluated on local time read as if it were UTC
// (so a window across a daylight-saving change is off by the change).
func (w *Window) Active(now time.Time) bool {
	if w.sched == nil {
		return !now.Before(w.start) && now.Before(w.end)
	}
	wall := now.In(w.loc)
	y, mo, d := wall.Date()
	local := time.Date(y, mo, d, wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	start := w.sched.Next(local.Add(-w.length))
	return !start.IsZero() && !start.After(local)
}

// Covers reports whether the window applies to the subject: an alarm matching one of its
// globs (windows mute alarms, never routed events, as silences' alarm matchers do).
func (w *Window) Covers(s *Subject) bool {
	if s.Alarm == "" {
		return false
	}
	for _, g := range w.alarms {
		if metric.MatchGlob(g, s.Alarm) || metric.MatchGlob(g, s.Name) {
			return true
		}
	}
	return false
}

// Mutes is what is muted at one moment in one environment: the active silences and the
// maintenance windows.
type Mutes struct {
	silences []activeSilence
	windows  []*Window
}

type activeSilence struct {
	id    int64
	until time.Time
	m     *Matcher
}

// NewMutes compiles the silences of env active at now (a silence whose matchers no
// longer compile is skipped: the API validated it when it was added).
func NewMutes(silences []store.Silence, env string, windows []*Window, now time.Time) *Mutes {
	m := &Mutes{}
	for _, s := range silences {
		if s.Environment != env || now.Before(s.StartsAt) || !now.Before(s.EndsAt) {
			continue
		}
		var ms Matchers
		if json.Unmarshal(s.Matchers, &ms) != nil {
			continue
		}
		if c, err := ms.Compile(); err == nil {
			m.silences = append(m.silences, activeSilence{id: s.ID, until: s.EndsAt, m: c})
		}
	}
	for _, w := range windows {
		if w.Active(now) {
			m.windows = append(m.windows, w)
		}
	}
	return m
}

// By returns what mutes the subject ("silence/ID" or "maintenance/NAME"), or "".
func (m *Mutes) By(s *Subject) string {
	if m == nil {
		return ""
	}
	for _, sl := range m.silences {
		if sl.m.Match(s) {
			return "silence/" + strconv.FormatInt(sl.id, 10)
		}
	}
	for _, w := range m.windows {
		if w.Covers(s) {
			return "maintenance/" + w.Name
		}
	}
	return ""
}
