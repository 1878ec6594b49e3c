package stack

import (
	"fmt"
	"regexp"
	"strings"
)

// Resource is one named, kinded definition in a stack (an alarm, a topic…).
type Resource interface {
	// Common returns the fields every resource has.
	Common() *Meta
	// Validate reports problems through c and records references to other resources.
	Validate(c *Check)
}

// defaulter is implemented by resources that fill defaults after decoding (so `render`
// and the API show the values that apply).
type defaulter interface{ setDefaults() }

// Meta holds the fields every resource has.
type Meta struct {
	Name        string   `yaml:"name" json:"name" tocsin:"required" doc:"Unique name within the kind."`
	Description string   `yaml:"description,omitempty" json:"description,omitempty" doc:"Free text shown in notifications and the UI."`
	Only        []string `yaml:"only,omitempty" json:"only,omitempty" doc:"Environments this resource exists in (requires reason)."`
	Except      []string `yaml:"except,omitempty" json:"except,omitempty" doc:"Environments this resource is left out of (requires reason)."`
	Reason      string   `yaml:"reason,omitempty" json:"reason,omitempty" doc:"Why the resource differs between environments."`
}

// Common implements Resource for every type that embeds Meta.
func (m *Meta) Common() *Meta { return m }

// Kind describes one resource kind: its key in stack files and how to make a value.
type Kind struct {
	Name     string // the key in stack files, plural: "alarms"
	Singular string // for messages: "alarm"
	Doc      string
	New      func() Resource
}

// kinds is the one table of resource kinds. A new kind (log rules, checks) is a type
// implementing Resource in its own file plus one line here; the loader, validator,
// parity, schema and API pick it up from this table.
var kinds = []*Kind{
	{Name: "alarms", Singular: "alarm", Doc: "Metric alarms with CloudWatch semantics.", New: func() Resource { return new(Alarm) }},
	{Name: "composite_alarms", Singular: "composite alarm", Doc: "Boolean rules over other alarms' states.", New: func() Resource { return new(CompositeAlarm) }},
	{Name: "topics", Singular: "topic", Doc: "Named destinations with subscriptions (channels).", New: func() Resource { return new(Topic) }},
	{Name: "escalation_policies", Singular: "escalation policy", Doc: "Steps of topics with delays, repeated until acknowledged.", New: func() Resource { return new(EscalationPolicy) }},
	{Name: "event_rules", Singular: "event rule", Doc: "Event patterns or schedules with targets.", New: func() Resource { return new(EventRule) }},
	{Name: "maintenance_windows", Singular: "maintenance window", Doc: "Scheduled periods that mute matching notifications.", New: func() Resource { return new(MaintenanceWindow) }},
	{Name: "tokens", Singular: "token", Doc: "API tokens scoped to the environment they are declared in.", New: func() Resource { return new(Token) }},
}

// Kinds returns the registered kinds in their canonical order.
func Kinds() []*Kind { return kinds }

// KindByName returns the kind with the given plural name, or nil.
func KindByName(name string) *Kind {
	for _, k := range kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func kindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Name
	}
	return out
}

var resourceNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}$`)

// validateName checks a resource name: 1–255 characters, letters, digits and _ . : / -.
func validateName(name string) error {
	if !resourceNameRE.MatchString(name) {
		return fmt.Errorf("invalid name %q: use 1–255 letters, digits and _ . : / - (starting with a letter or digit)", name)
	}
	return nil
}

// Ref is a reference from one resource to another, checked after every resource of an
// environment is known.
type Ref struct {
	Field string   // path relative to the referring resource
	Name  string   // referenced name
	Kinds []string // the kinds the name may belong to
	Pos   Pos
}

// Check is what a resource's Validate reports through.
type Check struct {
	sink     *sink
	node     *Node
	path     string
	env      string
	envNames []string
	refs     []Ref
}

// Env returns the environment being validated.
func (c *Check) Env() string { return c.env }

// Errorf reports an error at the field (a path relative to the resource, e.g.
// "metric.namespace" or "actions.alarm[1]"); "" means the resource itself.
func (c *Check) Errorf(field, format string, args ...any) {
	path := joinPath(c.path, field)
	if c.sink.failed[path] {
		return
	}
	c.sink.errorf(c.pos(field), path, format, args...)
}

// Warnf reports a lint warning at the field.
func (c *Check) Warnf(field, format string, args ...any) {
	c.sink.warnf(c.pos(field), joinPath(c.path, field), format, args...)
}

// Ref records that field names a resource of one of kinds.
func (c *Check) Ref(field, name string, kinds ...string) {
	c.refs = append(c.refs, Ref{Field: field, Name: name, Kinds: kinds, Pos: c.pos(field)})
}

// OneOf reports an error unless value is one of allowed.
func (c *Check) OneOf(field, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	c.Errorf(field, "must be one of %s, got %q%s", strings.Join(allowed, ", "), value, suggest(value, allowed))
	return false
}

func (c *Check) pos(field string) Pos {
	return lookupPos(c.node, field)
}

// lookupPos finds the node at a relative path ("a.b[2].c"), falling back to the deepest
// ancestor that exists.
func lookupPos(n *Node, path string) Pos {
	if n == nil {
		return Pos{}
	}
	for _, part := range splitPath(path) {
		var next *Node
		if part.index >= 0 {
			if n.Kind == SequenceNode && part.index < len(n.Values) {
				next = n.Values[part.index]
			}
		} else if n.Kind == MappingNode {
			for i, k := range n.Keys {
				if k.Value == part.key {
					next = n.Values[i]
				}
			}
		}
		if next == nil {
			return n.Pos
		}
		n = next
	}
	return n.Pos
}

type pathPart struct {
	key   string
	index int
}

func splitPath(path string) []pathPart {
	var out []pathPart
	for _, seg := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(seg, "[")
		if key != "" {
			out = append(out, pathPart{key: key, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			var i int
			fmt.Sscanf(num, "%d", &i)
			out = append(out, pathPart{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}
