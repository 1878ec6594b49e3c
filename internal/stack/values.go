package stack

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Duration is a time span written as Go durations plus days: "10s", "5m", "1h30m", "7d".
type Duration time.Duration

// ParseDuration parses a stack duration. Negative durations are rejected.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("expected a duration such as 30s, 5m or 7d, got an empty value")
	}
	total := time.Duration(0)
	rest := s
	// A leading "Nd" part is days; the remainder is a Go duration.
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.Atoi(rest[:i])
		if err == nil {
			if days > 100_000 {
				return 0, fmt.Errorf("duration %q is too long", s)
			}
			total = time.Duration(days) * 24 * time.Hour
			rest = rest[i+1:]
		}
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("expected a duration such as 30s, 5m or 7d, got %q", s)
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("duration %q must not be negative", s)
	}
	return Duration(total), nil
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String renders the duration in the shortest stack form ("7d", "1h30m", "45s", "250ms").
func (d Duration) String() string {
	t := time.Duration(d)
	if t == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := t / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			t -= n * u.size
		}
	}
	if t > 0 {
		fmt.Fprintf(&b, "%dns", t)
	}
	return b.String()
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }
func (d Duration) MarshalYAML() (any, error)    { return d.String(), nil }

func (d *Duration) decodeScalar(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Secret holds a value that came from ${env:…}, ${file:…} or a secret field. It prints as
// <secret> in every format tocsin writes (fmt, JSON, YAML, slog); Reveal is the only way out.
type Secret struct {
	// value is behind a pointer so that fmt, which cannot call String on a Secret kept
	// in an unexported field, prints an address rather than the value.
	value      *string
	ref        string // the text before interpolation, e.g. ${env:SLACK_URL}
	unresolved bool   // loaded with SkipSecrets: the value is unknown
}

// NewSecret makes a secret from a value, e.g. in tests.
func NewSecret(value string) Secret { return Secret{value: &value} }

// Reveal returns the secret value. Call it only where the value is used on the wire.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// Ref returns the expression the secret came from (safe to print), or "" for a literal.
func (s Secret) Ref() string { return s.ref }

// Resolved reports whether the value is known (false when loaded with SkipSecrets).
func (s Secret) Resolved() bool { return !s.unresolved }

// IsZero reports whether no secret was given.
func (s Secret) IsZero() bool { return s.Reveal() == "" && s.ref == "" && !s.unresolved }

const masked = "<secret>"

func (s Secret) String() string               { return masked }
func (s Secret) GoString() string             { return masked }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(masked) }
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(masked) }
func (s Secret) MarshalYAML() (any, error)    { return masked, nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(masked), nil }

// Raw is a free-form YAML value kept as a tree (event patterns, filter policies). It
// marshals to the equivalent JSON.
type Raw struct{ Node *Node }

// Value converts the tree to plain Go values (map[string]any, []any, string, float64,
// bool, nil) following the YAML tags.
func (r Raw) Value() any { return plain(r.Node) }

func (r Raw) MarshalJSON() ([]byte, error) { return json.Marshal(r.Value()) }
func (r Raw) MarshalYAML() (any, error)    { return r.Value(), nil }

func plain(n *Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case NullNode:
		return nil
	case SequenceNode:
		out := make([]any, len(n.Values))
		for i, v := range n.Values {
			out[i] = plain(v)
		}
		return out
	case MappingNode:
		out := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			out[k.Value] = plain(n.Values[i])
		}
		return out
	}
	switch n.Tag {
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case "!!bool":
		if b, err := strconv.ParseBool(n.Value); err == nil {
			return b
		}
	}
	if n.Secret {
		return masked
	}
	return n.Value
}
