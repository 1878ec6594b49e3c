package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const quickstart = "../../examples/quickstart"

func loadOK(t *testing.T, dir string, opts Options) *Stack {
	t.Helper()
	st, diags := Load(dir, opts)
	if diags.HasErrors() {
		t.Fatalf("load %s:\n%s", dir, strings.Join(diags.Strings(), "\n"))
	}
	return st
}

func TestQuickstart(t *testing.T) {
	st, diags := Load(quickstart, Options{})
	if len(diags) != 0 {
		t.Fatalf("quickstart should load without errors or warnings:\n%s", strings.Join(diags.Strings(), "\n"))
	}
	if got := len(st.Envs); got != 3 {
		t.Fatalf("environments: got %d, want 3", got)
	}
	prod, ci := st.Env("production"), st.Env("ci")
	if prod.Get("alarms", "api-low-traffic") == nil {
		t.Error("production lacks the low-traffic alarm")
	}
	if ci.Get("alarms", "api-low-traffic") != nil {
		t.Error("ci has the production-only alarm")
	}
	// api-low-traffic and the demo feed's alarm and policy are production-only.
	if len(ci.Excluded) != 3 {
		t.Errorf("ci exclusions: %d, want 3", len(ci.Excluded))
	}
	for _, x := range ci.Excluded {
		if x.Reason == "" {
			t.Errorf("ci excludes %s without a reason", x.Name)
		}
	}
	broker := func(env string) *Alarm {
		return st.Env(env).Get("alarms", "elk-broker-backend-connection-errors").Resource.(*Alarm)
	}
	if b := broker("ci"); *b.Threshold != 500 || b.EvaluationPeriods != 5 || b.Statistic != "Sum" {
		t.Errorf("ci broker alarm: threshold %v, N %d, statistic %s", *b.Threshold, b.EvaluationPeriods, b.Statistic)
	}
	if b := broker("production"); *b.Threshold != 100 || b.EvaluationPeriods != 3 || b.DatapointsToAlarm != 2 {
		t.Errorf("production broker alarm: threshold %v, N %d, M %d", *b.Threshold, b.EvaluationPeriods, b.DatapointsToAlarm)
	}
	if got := broker("staging").Metric.Dimensions["LoadBalancerName"]; got != "elk-broker-staging" {
		t.Errorf("${environment} not interpolated: %q", got)
	}
	ov := prod.Get("alarms", "elk-broker-backend-connection-errors").Overrides
	if len(ov) != 2 || ov[1].Field != "evaluation_periods" || ov[1].Value != "3" {
		t.Errorf("production overrides: %+v", ov)
	}
}

// TestEveryExampleLoads keeps the examples in docs and examples/ working.
func TestEveryExampleLoads(t *testing.T) {
	dirs, _ := filepath.Glob("../../examples/*")
	if len(dirs) == 0 {
		t.Fatal("no examples")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { loadOK(t, dir, Options{SkipSecrets: true}) })
	}
}

func writeStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const secretStack = `environments: [staging, production]
variables:
  slack: ${env:SLACK_URL}
`

const secretTopics = `topics:
  - name: alarms
    subscriptions:
      - slack: {url: "${slack}"}
      - webhook:
          url: https://hooks.example/in
          headers: {Authorization: "Bearer ${file:token.txt}"}
tokens:
  - name: ingest
    value: ${file:token.txt}
`

// TestSecretsNeverPrinted: a secret reaches the channel config intact and is masked in
// every way tocsin prints values.
func TestSecretsNeverPrinted(t *testing.T) {
	const url = "https://hooks.slack.example/T000/B000/SUPERSECRET"
	const token = "tok-0123456789-SECRETVALUE"
	dir := writeStack(t, map[string]string{"tocsin.yaml": secretStack, "topics.yaml": secretTopics, "token.txt": token + "\n"})
	st := loadOK(t, dir, Options{LookupEnv: func(k string) (string, bool) { return url, k == "SLACK_URL" }})
	topic := st.Env("production").Get("topics", "alarms").Resource.(*Topic)
	if got := topic.Subscriptions[0].Slack.URL.Reveal(); got != url {
		t.Fatalf("slack url: %q", got)
	}
	if got := topic.Subscriptions[1].Webhook.Headers["Authorization"].Reveal(); got != "Bearer "+token {
		t.Fatalf("header: %q", got)
	}
	var out bytes.Buffer
	j, _ := json.Marshal(st.Env("production").Entries[0].Resource)
	y, _ := yaml.Marshal(topic)
	out.Write(j)
	out.Write(y)
	fmt.Fprintf(&out, "%v %+v %#v %s", topic, topic, topic.Subscriptions[0].Slack.URL, topic.Subscriptions[0].Slack.URL)
	// fmt cannot call String on a secret held in an unexported field (a channel's config).
	hidden := struct{ url Secret }{topic.Subscriptions[0].Slack.URL}
	fmt.Fprintf(&out, " %v %+v %#v", hidden, hidden, hidden)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "url", topic.Subscriptions[0].Slack.URL)
	r, _ := Render(st.Env("production"))
	out.Write(r)
	for _, secret := range []string{"SUPERSECRET", "SECRETVALUE"} {
		if strings.Contains(out.String(), secret) {
			t.Fatalf("secret leaked:\n%s", out.String())
		}
	}
	if !strings.Contains(out.String(), "<secret>") {
		t.Fatalf("no mask in output:\n%s", out.String())
	}
}

func TestSkipSecrets(t *testing.T) {
	dir := writeStack(t, map[string]string{"tocsin.yaml": secretStack, "topics.yaml": secretTopics})
	st := loadOK(t, dir, Options{SkipSecrets: true, LookupEnv: func(string) (string, bool) { return "", false }})
	tok := st.Env("staging").Get("tokens", "ingest").Resource.(*Token)
	if tok.Value.Resolved() || tok.Value.Ref() != "${file:token.txt}" {
		t.Fatalf("token: resolved %v ref %q", tok.Value.Resolved(), tok.Value.Ref())
	}
	if _, diags := Load(dir, Options{LookupEnv: func(string) (string, bool) { return "", false }}); !diags.HasErrors() {
		t.Fatal("missing secrets must be errors without SkipSecrets")
	}
}

func TestVariablePrecedence(t *testing.T) {
	dir := writeStack(t, map[string]string{
		"tocsin.yaml":         "environments: [a, b]\nvariables: {who: stack, greeting: 'hi ${who} in ${environment}'}\n",
		"topics.yaml":         "topics:\n  - name: t\n    description: ${greeting} $${literal}\n",
		"environments/b.yaml": "variables: {who: overlay}\n",
	})
	st := loadOK(t, dir, Options{})
	for env, want := range map[string]string{"a": "hi stack in a ${literal}", "b": "hi overlay in b ${literal}"} {
		if got := st.Env(env).Get("topics", "t").Resource.Common().Description; got != want {
			t.Errorf("%s: got %q, want %q", env, got, want)
		}
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]string{"90s": "1m30s", "7d": "7d", "1d2h": "1d2h", "250ms": "250ms", "2h0m": "2h"} {
		d, err := ParseDuration(in)
		if err != nil || d.String() != want {
			t.Errorf("%s: got %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "5", "-1m", "1w", "d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

// FuzzLoad feeds arbitrary text to the loader as a resource file and an overlay: it
// must report problems, never panic.
func FuzzLoad(f *testing.F) {
	f.Add("alarms:\n  - name: a\n    metric: {namespace: N, name: M}\n    statistic: Sum\n    period: 1m\n    evaluation_periods: 1\n    threshold: 1\n    comparison: GreaterThanThreshold\n", "variables: {x: 1}\n")
	f.Add("topics: [{name: t, subscriptions: [{email: {to: [a@b.c]}}]}]\ncomposite_alarms: [{name: c, rule: 'ALARM(c)'}]", "alarms: [{name: a, threshold: ${x}}]")
	f.Add("event_rules: [{name: r, schedule: 'cron(0 1 * * ? *)', targets: [{topic: t}]}]", "&a [*a]")
	f.Add("tokens: [{name: t, value: '${env:X}${file:/etc/hostname}'}]", "maintenance_windows: [{name: m, alarms: ['*']}]")
	dir := f.TempDir()
	os.MkdirAll(filepath.Join(dir, "environments"), 0o755)
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [one, two]\nvariables: {x: 5}\n"), 0o644)
	f.Fuzz(func(t *testing.T, resources, overlay string) {
		os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(resources), 0o644)
		os.WriteFile(filepath.Join(dir, "environments", "two.yaml"), []byte(overlay), 0o644)
		st, diags := Load(dir, Options{LookupEnv: func(string) (string, bool) { return "v", true }})
		for _, d := range diags {
			if d.Pos.File == "" || d.Pos.Line < 1 {
				t.Fatalf("diagnostic without a position: %s", d)
			}
		}
		if !diags.HasErrors() {
			for _, e := range st.Envs {
				if _, err := Render(e); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
