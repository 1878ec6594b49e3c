package stack

import (
	"fmt"
	"sort"
	"strings"
)

// Severity tells an error (the stack is invalid) from a lint warning (it is valid).
type Severity int

const (
	Error Severity = iota
	Warning
)

// Diagnostic is one problem found in a stack, printed as FILE:LINE:COL: path: message.
type Diagnostic struct {
	Pos      Pos
	Path     string // e.g. alarms[broker-errors].statistic; "" for file-level problems
	Message  string
	Severity Severity
	Env      string // set when the problem exists only in some environments
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Env != "" {
		fmt.Fprintf(&b, " (in environment %s)", d.Env)
	}
	return b.String()
}

// Diagnostics is the list of problems of one load.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(Error) }

// Warnings returns only the warnings.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(Warning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Strings formats every diagnostic.
func (ds Diagnostics) Strings() []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// normalize sorts by position and merges a problem found in every environment into one
// line without an environment, so a mistake in a shared file is reported once.
func (ds Diagnostics) normalize(envCount int) Diagnostics {
	type key struct {
		pos      Pos
		path     string
		msg      string
		severity Severity
	}
	envs := map[key][]string{}
	var order []key
	for _, d := range ds {
		k := key{d.Pos, d.Path, d.Message, d.Severity}
		if _, seen := envs[k]; !seen {
			order = append(order, k)
		}
		if d.Env != "" && !contains(envs[k], d.Env) {
			envs[k] = append(envs[k], d.Env)
		} else if d.Env == "" {
			envs[k] = append(envs[k], "")
		}
	}
	var out Diagnostics
	for _, k := range order {
		es := envs[k]
		env := strings.Join(es, ", ")
		if contains(es, "") || len(es) >= envCount {
			env = ""
		}
		out = append(out, Diagnostic{Pos: k.pos, Path: k.path, Message: k.msg, Severity: k.severity, Env: env})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// sink collects diagnostics for one environment.
type sink struct {
	env   string
	diags Diagnostics
	// failed holds the paths whose text could not be read (interpolated or decoded);
	// validation stays quiet about them so one mistake gives one message.
	failed map[string]bool
}

// fail reports an error at path and marks the path as unreadable.
func (s *sink) fail(pos Pos, path, format string, args ...any) {
	if s.failed == nil {
		s.failed = map[string]bool{}
	}
	s.failed[path] = true
	s.errorf(pos, path, format, args...)
}

func (s *sink) errorf(pos Pos, path, format string, args ...any) {
	s.diags = append(s.diags, Diagnostic{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...), Env: s.env})
}

func (s *sink) warnf(pos Pos, path, format string, args ...any) {
	s.diags = append(s.diags, Diagnostic{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...), Severity: Warning, Env: s.env})
}
