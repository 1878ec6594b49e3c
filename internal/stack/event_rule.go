package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/event/schedule"
	"github.com/tocsin/tocsin/internal/event/transform"
)

// EventRule sends matching (and/or scheduled) events to targets.
type EventRule struct {
	Meta         `yaml:",inline"`
	EventPattern *Raw     `yaml:"event_pattern,omitempty" json:"event_pattern,omitempty" doc:"An EventBridge event pattern (docs/events.md)."`
	Schedule     string   `yaml:"schedule,omitempty" json:"schedule,omitempty" doc:"rate(5 minutes) or cron(Minutes Hours Day-of-month Month Day-of-week Year), UTC."`
	State        string   `yaml:"state,omitempty" json:"state,omitempty" doc:"enabled (default) or disabled."`
	Targets      []Target `yaml:"targets" json:"targets" tocsin:"required"`
}

// Target is one destination of a rule: exactly one of topic, escalation_policy, webhook,
// annotate or retire_alarm_instances, optionally with one way of shaping the message.
type Target struct {
	ID                   string         `yaml:"id,omitempty" json:"id,omitempty" doc:"Names the target in deliveries and dead letters (default: its index)."`
	Topic                string         `yaml:"topic,omitempty" json:"topic,omitempty"`
	EscalationPolicy     string         `yaml:"escalation_policy,omitempty" json:"escalation_policy,omitempty"`
	Webhook              *WebhookTarget `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	Annotate             *Annotate      `yaml:"annotate,omitempty" json:"annotate,omitempty"`
	RetireAlarmInstances *Retire        `yaml:"retire_alarm_instances,omitempty" json:"retire_alarm_instances,omitempty"`

	Input            *Raw              `yaml:"input,omitempty" json:"input,omitempty" doc:"Constant JSON sent instead of the event."`
	InputPath        string            `yaml:"input_path,omitempty" json:"input_path,omitempty" doc:"JSONPath selecting the part of the event to send, e.g. $.detail."`
	InputTransformer *InputTransformer `yaml:"input_transformer,omitempty" json:"input_transformer,omitempty"`
	Template         string            `yaml:"template,omitempty" json:"template,omitempty" doc:"Go text/template over the whole event."`
	RetryPolicy      *RetryPolicy      `yaml:"retry_policy,omitempty" json:"retry_policy,omitempty" doc:"Webhooks: how long and how often to retry."`
}

// InputTransformer builds the message from values picked out of the event (EventBridge's
// InputPathsMap and InputTemplate).
type InputTransformer struct {
	InputPaths    map[string]string `yaml:"input_paths,omitempty" json:"input_paths,omitempty" doc:"Placeholder name to a JSONPath into the event."`
	InputTemplate string            `yaml:"input_template" json:"input_template" tocsin:"required" doc:"The message, with <name> placeholders."`
}

// RetryPolicy bounds the retries of a webhook delivery (EventBridge's RetryPolicy).
type RetryPolicy struct {
	MaximumRetryAttempts *int     `yaml:"maximum_retry_attempts,omitempty" json:"maximum_retry_attempts,omitempty" doc:"0 to 185 (default 185)."`
	MaximumEventAge      Duration `yaml:"maximum_event_age,omitempty" json:"maximum_event_age,omitempty" doc:"1m to 24h (default 24h)."`
}

// WebhookTarget posts the event to a URL.
type WebhookTarget struct {
	URL     Secret            `yaml:"url" json:"url" tocsin:"required"`
	Method  string            `yaml:"method,omitempty" json:"method,omitempty"`
	Headers map[string]Secret `yaml:"headers,omitempty" json:"headers,omitempty"`
}

// Annotate turns the event into a marker on graphs (deployments).
type Annotate struct {
	Text       string            `yaml:"text" json:"text" tocsin:"required" doc:"Marker text; <$.json.path> placeholders take values from the event."`
	Tags       map[string]string `yaml:"tags,omitempty" json:"tags,omitempty" doc:"Free labels; values may use <$.json.path> placeholders."`
	Dimensions map[string]string `yaml:"dimensions,omitempty" json:"dimensions,omitempty" doc:"Metric dimensions the marker concerns (values may use placeholders); none = every graph."`
}

// Retire retires the matching instances of an alarm template.
type Retire struct {
	Alarm      string            `yaml:"alarm" json:"alarm" tocsin:"required"`
	Dimensions map[string]string `yaml:"dimensions" json:"dimensions" tocsin:"required" doc:"Dimension name to a JSON path into the event, e.g. $.detail.EC2InstanceId."`
}

// Retry policy bounds and defaults (EventBridge's).
const (
	DefaultRetryAttempts = 185
	DefaultMaxEventAge   = 24 * time.Hour
)

func (r *EventRule) setDefaults() {
	if r.State == "" {
		r.State = "enabled"
	}
}

func (r *EventRule) Validate(c *Check) {
	if r.EventPattern == nil && r.Schedule == "" {
		c.Errorf("", "needs event_pattern or schedule (or both)")
	}
	if r.EventPattern != nil {
		if r.EventPattern.Node.Kind != MappingNode {
			c.Errorf("event_pattern", "must be a mapping (a JSON object), got %s", r.EventPattern.Node.Kind)
		} else if _, err := r.CompilePattern(); err != nil {
			var pe *pattern.Error
			if errors.As(err, &pe) {
				c.Errorf(joinPath("event_pattern", pe.Path), "invalid event pattern: %s", pe.Msg)
			} else {
				c.Errorf("event_pattern", "%v", err)
			}
		}
	}
	if r.Schedule != "" {
		if err := schedule.Validate(r.Schedule); err != nil {
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
	ids := map[string]bool{}
	for i := range r.Targets {
		field := fmt.Sprintf("targets[%d]", i)
		id := r.Targets[i].Name(i)
		if ids[id] {
			c.Errorf(field+".id", "duplicate target id %q", id)
		}
		ids[id] = true
		r.Targets[i].validate(c, field)
	}
}

// CompilePattern compiles the rule's event pattern (nil when it has none).
func (r *EventRule) CompilePattern() (*pattern.Pattern, error) {
	if r.EventPattern == nil {
		return nil, nil
	}
	src, err := json.Marshal(r.EventPattern.Value())
	if err != nil {
		return nil, err
	}
	return pattern.Compile(src)
}

// Name is the target's id, or its index when it has none.
func (t *Target) Name(index int) string {
	if t.ID != "" {
		return t.ID
	}
	return strconv.Itoa(index)
}

// Shaping returns the target's message shaping as a transform spec.
func (t *Target) Shaping() transform.Spec {
	s := transform.Spec{InputPath: t.InputPath, Template: t.Template}
	if t.Input != nil {
		b, _ := json.Marshal(t.Input.Value())
		s.Input = string(b)
	}
	if t.InputTransformer != nil {
		s.InputPaths, s.InputTemplate = t.InputTransformer.InputPaths, t.InputTransformer.InputTemplate
	}
	return s
}

// Shaped reports whether the target shapes its message (else it sends the whole event).
func (t *Target) Shaped() bool {
	return t.Input != nil || t.InputPath != "" || t.InputTransformer != nil || t.Template != ""
}

// Retry returns the target's retry limits with the defaults filled in.
func (t *Target) Retry() (attempts int, maxAge time.Duration) {
	attempts, maxAge = DefaultRetryAttempts, DefaultMaxEventAge
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			attempts = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAge != 0 {
			maxAge = p.MaximumEventAge.Std()
		}
	}
	return attempts, maxAge
}

var targetIDRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

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
	if t.ID != "" && !targetIDRE.MatchString(t.ID) {
		c.Errorf(field+".id", "must be 1-64 characters of letters, digits, '.', '-' or '_', got %q", t.ID)
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
	case t.Annotate != nil:
		for _, s := range append([]string{t.Annotate.Text}, values(t.Annotate.Tags, t.Annotate.Dimensions)...) {
			if _, err := transform.Expand(s, []byte("{}")); err != nil {
				c.Errorf(field+".annotate", "%v", err)
			}
		}
	case t.RetireAlarmInstances != nil:
		c.Ref(field+".retire_alarm_instances.alarm", t.RetireAlarmInstances.Alarm, "alarms")
		for dim, p := range t.RetireAlarmInstances.Dimensions {
			if _, err := transform.ParsePath(p); err != nil || !strings.HasPrefix(p, "$.") {
				c.Errorf(field+".retire_alarm_instances.dimensions."+dim, "must be a JSON path into the event starting with $., got %q", p)
			}
		}
	}
	shaped := t.Shaped()
	if shaped && (t.Annotate != nil || t.RetireAlarmInstances != nil) {
		c.Errorf(field, "annotate and retire_alarm_instances targets take no input, input_path, input_transformer or template")
	} else if shaped {
		if _, err := transform.Compile(t.Shaping()); err != nil {
			reportShaping(c, field, err)
		}
	}
	if p := t.RetryPolicy; p != nil {
		if t.Webhook == nil {
			c.Errorf(field+".retry_policy", "only webhook targets retry")
		}
		if n := p.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 185) {
			c.Errorf(field+".retry_policy.maximum_retry_attempts", "must be 0 to 185, got %d", *n)
		}
		if age := p.MaximumEventAge.Std(); age != 0 && (age < time.Minute || age > 24*time.Hour) {
			c.Errorf(field+".retry_policy.maximum_event_age", "must be 1m to 24h, got %s", age)
		}
	}
}

// reportShaping reports the transform's field errors under the target's own field names.
func reportShaping(c *Check, field string, err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var fe *transform.FieldError
		if errors.As(e, &fe) {
			f := fe.Field
			if strings.HasPrefix(f, "input_paths") || f == "input_template" {
				f = "input_transformer." + f
			}
			c.Errorf(joinPath(field, f), "%s", fe.Msg)
		} else {
			c.Errorf(field, "%v", e)
		}
	}
}

func values(maps ...map[string]string) []string {
	var out []string
	for _, m := range maps {
		for _, v := range m {
			out = append(out, v)
		}
	}
	return out
}
