package stack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// EventRule sends matching (or scheduled) events to targets. The events issue gives the
// pattern its full validation and matching; the stack checks shape and references.
type EventRule struct {
	Meta         `yaml:",inline"`
	EventPattern *Raw     `yaml:"event_pattern,omitempty" json:"event_pattern,omitempty" doc:"An EventBridge event pattern."`
	Schedule     string   `yaml:"schedule,omitempty" json:"schedule,omitempty" doc:"rate(5 minutes) or cron(Minutes Hours Day-of-month Month Day-of-week Year)."`
	State        string   `yaml:"state,omitempty" json:"state,omitempty" doc:"enabled (default) or disabled."`
	Targets      []Target `yaml:"targets" json:"targets" tocsin:"required"`
}

// Target is one destination of a rule; exactly one field is set.
type Target struct {
	Topic                string         `yaml:"topic,omitempty" json:"topic,omitempty"`
	EscalationPolicy     string         `yaml:"escalation_policy,omitempty" json:"escalation_policy,omitempty"`
	Webhook              *WebhookTarget `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	Annotate             *Annotate      `yaml:"annotate,omitempty" json:"annotate,omitempty"`
	RetireAlarmInstances *Retire        `yaml:"retire_alarm_instances,omitempty" json:"retire_alarm_instances,omitempty"`
}

// WebhookTarget posts the event to a URL.
type WebhookTarget struct {
	URL     Secret            `yaml:"url" json:"url" tocsin:"required"`
	Method  string            `yaml:"method,omitempty" json:"method,omitempty"`
	Headers map[string]Secret `yaml:"headers,omitempty" json:"headers,omitempty"`
}

// Annotate turns the event into a marker on graphs (deployments).
type Annotate struct {
	Text string            `yaml:"text" json:"text" tocsin:"required" doc:"Marker text; may use <path> placeholders from the event."`
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
}

// Retire retires the matching instances of an alarm template.
type Retire struct {
	Alarm      string            `yaml:"alarm" json:"alarm" tocsin:"required"`
	Dimensions map[string]string `yaml:"dimensions" json:"dimensions" tocsin:"required" doc:"Dimension name to a JSON path into the event, e.g. $.detail.EC2InstanceId."`
}

func (r *EventRule) setDefaults() {
	if r.State == "" {
		r.State = "enabled"
	}
}

func (r *EventRule) Validate(c *Check) {
	switch {
	case r.EventPattern == nil && r.Schedule == "":
		c.Errorf("", "needs event_pattern or schedule")
	case r.EventPattern != nil && r.Schedule != "":
		c.Errorf("schedule", "give event_pattern or schedule, not both")
	case r.EventPattern != nil && r.EventPattern.Node.Kind != MappingNode:
		c.Errorf("event_pattern", "must be a mapping (a JSON object), got %s", r.EventPattern.Node.Kind)
	case r.Schedule != "":
		if err := ValidateSchedule(r.Schedule); err != nil {
			c.Errorf("schedule", "%v", err)
		}
	}
	c.OneOf("state", r.State, "enabled", "disabled")
	if len(r.Targets) == 0 {
		c.Errorf("targets", "needs at least one target")
	}
	if len(r.Targets) > 5 {
		c.Errorf("targets", "at most 5 targets per rule, got %d", len(r.Targets))
	}
	for i := range r.Targets {
		r.Targets[i].validate(c, fmt.Sprintf("targets[%d]", i))
	}
}

func (t *Target) validate(c *Check, field string) {
	set := 0
	for _, present := range []bool{t.Topic != "", t.EscalationPolicy != "", t.Webhook != nil, t.Annotate != nil, t.RetireAlarmInstances != nil} {
		if present {
			set++
		}
	}
	if set != 1 {
		c.Errorf(field, "a target needs exactly one of topic, escalation_policy, webhook, annotate or retire_alarm_instances, got %d", set)
	}
	switch {
	case t.Topic != "":
		c.Ref(field+".topic", t.Topic, "topics")
	case t.EscalationPolicy != "":
		c.Ref(field+".escalation_policy", t.EscalationPolicy, "escalation_policies")
	case t.Webhook != nil:
		checkURL(c, field+".webhook.url", t.Webhook.URL)
		if t.Webhook.Method != "" {
			c.OneOf(field+".webhook.method", t.Webhook.Method, "POST", "PUT")
		}
	case t.RetireAlarmInstances != nil:
		c.Ref(field+".retire_alarm_instances.alarm", t.RetireAlarmInstances.Alarm, "alarms")
		for dim, p := range t.RetireAlarmInstances.Dimensions {
			if !strings.HasPrefix(p, "$.") {
				c.Errorf(field+".retire_alarm_instances.dimensions."+dim, "must be a JSON path into the event starting with $., got %q", p)
			}
		}
	}
}

var rateRE = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// ValidateSchedule checks EventBridge schedule expressions: rate(N unit) and six-field
// cron(Minutes Hours Day-of-month Month Day-of-week Year).
func ValidateSchedule(s string) error {
	if m := rateRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return fmt.Errorf("rate value must be a positive integer, got %q", m[1])
		}
		if singular := !strings.HasSuffix(m[2], "s"); singular != (n == 1) {
			return fmt.Errorf("use %q with 1 and the plural with larger values", strings.TrimSuffix(m[2], "s"))
		}
		return nil
	}
	if strings.HasPrefix(s, "rate(") {
		return fmt.Errorf("invalid rate expression %q: want rate(N minute|minutes|hour|hours|day|days)", s)
	}
	body, ok := strings.CutPrefix(s, "cron(")
	if !ok || !strings.HasSuffix(body, ")") {
		return fmt.Errorf("invalid schedule %q: want rate(…) or cron(…)", s)
	}
	fields := strings.Fields(strings.TrimSuffix(body, ")"))
	if len(fields) != 6 {
		return fmt.Errorf("cron expressions have 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got %d", len(fields))
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return fmt.Errorf("exactly one of day-of-month and day-of-week must be ?")
	}
	return nil
}
