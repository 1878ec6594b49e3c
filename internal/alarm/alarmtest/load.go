package alarmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
)

// The file as written, decoded strictly by the stack's decoder.
type rawFile struct {
	Stack           string          `yaml:"stack"`
	Environment     string          `yaml:"environment"`
	Alarms          stack.Raw       `yaml:"alarms"`
	CompositeAlarms stack.Raw       `yaml:"composite_alarms"`
	Start           string          `yaml:"start"`
	EvaluationDelay *stack.Duration `yaml:"evaluation_delay"`
	Tests           []rawTest       `yaml:"tests" tocsin:"required"`
}

type rawTest struct {
	Name         string            `yaml:"name" tocsin:"required"`
	InitialState map[string]string `yaml:"initial_state"`
	Series       []rawSeries       `yaml:"series"`
	Expect       []rawExpect       `yaml:"expect" tocsin:"required"`
}

type rawSeries struct {
	Metric            stack.MetricRef `yaml:"metric" tocsin:"required"`
	Interval          *stack.Duration `yaml:"interval"`
	Values            string          `yaml:"values"`
	Datapoints        []rawDatapoint  `yaml:"datapoints"`
	StorageResolution *int            `yaml:"storage_resolution"`
}

type rawDatapoint struct {
	At              stack.Duration `yaml:"at" tocsin:"required"`
	Value           *float64       `yaml:"value"`
	Values          []float64      `yaml:"values"`
	Counts          []float64      `yaml:"counts"`
	StatisticValues *rawStatSet    `yaml:"statistic_values"`
}

type rawStatSet struct {
	SampleCount float64 `yaml:"sample_count" tocsin:"required"`
	Sum         float64 `yaml:"sum" tocsin:"required"`
	Minimum     float64 `yaml:"minimum" tocsin:"required"`
	Maximum     float64 `yaml:"maximum" tocsin:"required"`
}

type rawExpect struct {
	At             stack.Duration `yaml:"at" tocsin:"required"`
	Alarm          string         `yaml:"alarm" tocsin:"required"`
	State          string         `yaml:"state" tocsin:"required"`
	ReasonContains string         `yaml:"reason_contains"`
}

// Load reads and validates the test file at path. Every problem is reported with its
// position; the file is usable only when the diagnostics hold no error (File is nil
// then). Warnings are lint of the inline alarms (never "no actions": tests need none).
//
// The stack, if any, is loaded for the file's environment with stack.Options{LookupEnv:
// lookupEnv, SkipSecrets: true}: tests notify no one, so ${env:…} and ${file:…} secrets
// (channel URLs, tokens) are not read and need not be present in CI. lookupEnv is thus
// consulted only if a stack ever needs the environment outside secrets; nil means the
// process environment. Only the stack's errors are reported: its warnings belong to
// `tocsin validate`.
func Load(path string, lookupEnv func(string) (string, bool)) (*File, stack.Diagnostics) {
	var raw rawFile
	root, diags := stack.DecodeFile(path, &raw)
	if root == nil {
		return nil, diags
	}
	c := &checker{diags: diags, failed: map[string]bool{}}
	for _, d := range diags.Errors() {
		c.failed[d.Path] = true
	}
	f := &File{Path: path, Start: DefaultStart}
	c.header(f, &raw, root)
	f.Env = c.environment(f, &raw, root, lookupEnv)
	c.tests(f, raw.Tests, at(root, "tests"))
	sort.SliceStable(c.diags, func(i, j int) bool { return before(c.diags[i].Pos, c.diags[j].Pos) })
	if c.diags.HasErrors() {
		return nil, c.diags
	}
	return f, c.diags
}

func before(a, b stack.Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// checker collects diagnostics; failed holds paths the decoder already reported, about
// which validation stays quiet (one mistake, one message).
type checker struct {
	diags  stack.Diagnostics
	failed map[string]bool
	env    *stack.Env // nil when the alarms could not be loaded: names are not checked
}

func (c *checker) errorf(n *stack.Node, path, format string, args ...any) {
	if c.failed[path] {
		return
	}
	c.diags = append(c.diags, stack.Diagnostic{Pos: n.Pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// at returns the node at a path of keys (string) and indexes (int) below n, or the
// deepest one that exists: the place to report a problem about the path.
func at(n *stack.Node, path ...any) *stack.Node {
	for _, p := range path {
		var next *stack.Node
		switch p := p.(type) {
		case string:
			next = n.Get(p)
		case int:
			if n.Kind == stack.SequenceNode && p < len(n.Values) {
				next = n.Values[p]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// header checks start and evaluation_delay.
func (c *checker) header(f *File, raw *rawFile, root *stack.Node) {
	if raw.Start != "" {
		t, err := time.Parse(time.RFC3339, raw.Start)
		switch {
		case err != nil:
			c.errorf(at(root, "start"), "start", "expected an RFC 3339 time such as 2026-01-05T10:00:00Z, got %q", raw.Start)
		case t.Second() != 0 || t.Nanosecond() != 0:
			c.errorf(at(root, "start"), "start", "must be a whole minute (alarms evaluate at minute boundaries), got %s", raw.Start)
		default:
			f.Start = t.UTC()
		}
	}
	if raw.EvaluationDelay != nil {
		f.EvaluationDelay = raw.EvaluationDelay.Std()
	}
}

// envNameRE is the syntax of environment names in tocsin.yaml.
var envNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// environment loads the stack's environment (if any) and adds the inline alarms.
func (c *checker) environment(f *File, raw *rawFile, root *stack.Node, lookupEnv func(string) (string, bool)) *stack.Env {
	f.Environment = raw.Environment
	var base *stack.Env
	if raw.Stack != "" {
		if raw.Environment == "" {
			c.errorf(root, "environment", "missing required field \"environment\": name the stack's environment whose alarms are tested")
			return nil
		}
		var ok bool
		if base, ok = c.loadStack(f, raw, root, lookupEnv); !ok {
			return nil
		}
	} else if f.Environment == "" {
		f.Environment = DefaultEnvironment
	} else if !envNameRE.MatchString(f.Environment) {
		c.errorf(at(root, "environment"), "environment", "invalid environment name %q: use 1–63 lowercase letters, digits and -, starting with a letter", f.Environment)
		return nil
	}
	lists := map[string]*stack.Node{}
	if n := raw.Alarms.Node; n != nil {
		lists["alarms"] = n
	}
	if n := raw.CompositeAlarms.Node; n != nil {
		lists["composite_alarms"] = n
	}
	env, diags := stack.DecodeInline(f.Environment, base, lists)
	c.diags = append(c.diags, diags...)
	c.env = env
	return env
}

// loadStack loads the environment from the stack directory.
func (c *checker) loadStack(f *File, raw *rawFile, root *stack.Node, lookupEnv func(string) (string, bool)) (*stack.Env, bool) {
	dir := raw.Stack
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(f.Path), dir)
	}
	f.Stack = dir
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		c.errorf(at(root, "stack"), "stack", "no stack directory at %s (the path is relative to the test file)", dir)
		return nil, false
	}
	opts := stack.Options{LookupEnv: lookupEnv, SkipSecrets: true, Envs: []string{}}
	probe, diags := stack.Load(dir, opts)
	if diags.HasErrors() {
		c.diags = append(c.diags, diags.Errors()...)
		return nil, false
	}
	envs := probe.Project.Environments
	if !slices.Contains(envs, raw.Environment) {
		c.errorf(at(root, "environment"), "environment", "environment %q is not declared in %s (declared: %s)",
			raw.Environment, filepath.Join(dir, stack.ProjectFile), strings.Join(envs, ", "))
		return nil, false
	}
	opts.Envs = []string{raw.Environment}
	st, diags := stack.Load(dir, opts)
	if diags.HasErrors() {
		c.diags = append(c.diags, diags.Errors()...)
		return nil, false
	}
	return st.Env(raw.Environment), true
}

// tests converts and checks every test.
func (c *checker) tests(f *File, raws []rawTest, list *stack.Node) {
	if len(raws) == 0 && list.Kind == stack.SequenceNode {
		c.errorf(list, "tests", "no tests: give at least one")
	}
	names := map[string]*stack.Node{}
	for i := range raws {
		r, n, path := &raws[i], at(list, i), fmt.Sprintf("tests[%d]", i)
		t := &Test{Name: r.Name, Pos: n.Pos}
		if nameNode := at(n, "name"); r.Name != "" {
			if prev := names[r.Name]; prev != nil {
				c.errorf(nameNode, path+".name", "duplicate test name %q (first at line %d)", r.Name, prev.Pos.Line)
			}
			names[r.Name] = nameNode
		} else if nameNode != n {
			c.errorf(nameNode, path+".name", "must not be empty")
		}
		c.initialStates(t, r.InitialState, at(n, "initial_state"), path+".initial_state")
		for j := range r.Series {
			t.Series = append(t.Series, c.series(&r.Series[j], at(n, "series", j), fmt.Sprintf("%s.series[%d]", path, j)))
		}
		if len(r.Expect) == 0 && at(n, "expect") != n {
			c.errorf(at(n, "expect"), path+".expect", "no expectations: a test without one cannot fail")
		}
		for j := range r.Expect {
			t.Expect = append(t.Expect, c.expect(&r.Expect[j], at(n, "expect", j), fmt.Sprintf("%s.expect[%d]", path, j)))
		}
		f.Tests = append(f.Tests, t)
	}
}

func (c *checker) initialStates(t *Test, states map[string]string, n *stack.Node, path string) {
	if n.Kind != stack.MappingNode {
		return
	}
	for i, k := range n.Keys {
		p := path + "." + k.Value
		state, ok := states[k.Value]
		if !ok {
			continue // a duplicate key, reported by the decoder
		}
		ref := c.alarmRef(k.Value, k, p)
		c.state(state, n.Values[i], p)
		t.InitialState = append(t.InitialState, InitialState{Alarm: ref, State: state, Pos: k.Pos})
	}
}

func (c *checker) expect(r *rawExpect, n *stack.Node, path string) Expect {
	e := Expect{At: r.At.Std(), State: r.State, ReasonContains: r.ReasonContains, Pos: n.Pos}
	if e.At > MaxOffset {
		c.errorf(at(n, "at"), path+".at", "must be at most %s after start, got %s", stack.Duration(MaxOffset), r.At)
	}
	if r.Alarm != "" {
		e.Alarm = c.alarmRef(r.Alarm, at(n, "alarm"), path+".alarm")
	}
	c.state(r.State, at(n, "state"), path+".state")
	return e
}

func (c *checker) state(s string, n *stack.Node, path string) {
	if s != StateOK && s != StateAlarm && s != StateInsufficientData {
		c.errorf(n, path, "must be one of OK, ALARM, INSUFFICIENT_DATA, got %q", s)
	}
}
