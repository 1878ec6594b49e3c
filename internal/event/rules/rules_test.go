package rules

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
)

const testStack = `event_rules:
  - name: shaped
    event_pattern: {source: [app]}
    targets:
      - id: hook
        webhook: {url: "https://example.com/hook"}
        input_transformer:
          input_paths: {state: $.detail.state}
          input_template: '{"rule": "<aws.events.rule-name>", "state": <state>}'
        retry_policy: {maximum_retry_attempts: 3, maximum_event_age: 1h}
      - topic: news
      - annotate: {text: "state <$.detail.state>", dimensions: {Host: "<$.detail.host>"}}
      - retire_alarm_instances: {alarm: disk, dimensions: {InstanceId: $.detail.instance}}
  - name: off
    state: disabled
    event_pattern: {source: [app]}
    targets: [{topic: news}]
  - name: nightly
    schedule: cron(0 3 * * ? *)
    targets: [{topic: news}]
alarms:
  - name: disk
    metric: {namespace: S, name: Disk, unit: Percent, dimensions: {InstanceId: "*"}}
    statistic: Maximum
    period: 1m
    evaluation_periods: 1
    threshold: 90
    comparison: GreaterThanThreshold
    actions: {alarm: [news]}
topics:
  - name: news
`

func build(t *testing.T) *Set {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production, staging]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "stack.yaml"), []byte(testStack), 0o644)
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Strings())
	}
	set, err := Build(st.Envs)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestMatchAndApply(t *testing.T) {
	set := build(t)
	ev := []byte(`{"source":"app","detail":{"state":"up","host":"web-1","instance":"i-1"},"environment":"production"}`)
	matched, _, err := set.Match("production", ev, nil, nil)
	if err != nil || len(matched) != 1 || matched[0].Name != "shaped" {
		t.Fatalf("matched %v, %v (the disabled rule must not match)", matched, err)
	}
	if m, _, _ := set.Match("nowhere", ev, nil, nil); len(m) != 0 {
		t.Errorf("an unknown environment matched %v", m)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var a Actions
	matched[0].Apply(Event{ID: "e1", Env: "production", Time: now, JSON: ev}, now, &a)
	if len(a.Failures) != 0 || len(a.Deliveries) != 2 || len(a.Annotations) != 1 || len(a.Retirements) != 1 {
		t.Fatalf("actions: %+v", a)
	}
	hook := a.Deliveries[0]
	if hook.Kind != KindWebhook || hook.Target != "hook" || string(hook.Payload) != `{"rule":"shaped","state":"up"}` ||
		hook.MaxAttempts != 3 || hook.MaxAge != time.Hour || !hook.NextAt.Equal(now) {
		t.Errorf("webhook delivery: %+v %s", hook, hook.Payload)
	}
	if topic := a.Deliveries[1]; topic.Kind != KindTopic || topic.Target != "1" || string(topic.Payload) != string(ev) || topic.MaxAttempts != 185 {
		t.Errorf("topic delivery: %+v", topic)
	}
	if an := a.Annotations[0]; an.Text != "state up" || an.Dimensions["Host"] != "web-1" || an.EventID != "e1" || an.Rule != "shaped" {
		t.Errorf("annotation: %+v", an)
	}
	if rt := a.Retirements[0]; rt.Alarm != "disk" || rt.Dimensions["InstanceId"] != "i-1" || rt.Env != "production" {
		t.Errorf("retirement: %+v", rt)
	}
	// An event without the dimension value retires nothing and says so.
	var b Actions
	matched[0].Apply(Event{ID: "e2", Env: "production", Time: now, JSON: []byte(`{"source":"app","detail":{}}`)}, now, &b)
	if len(b.Retirements) != 0 || len(b.Failures) != 1 {
		t.Errorf("without the dimension: %+v", b)
	}
	if s := set.Scheduled(); len(s) != 2 || s[0].Name != "nightly" || s[0].Env != "production" || s[1].Env != "staging" {
		t.Errorf("scheduled: %v", s)
	}
	if r, ok := set.Rule("staging", "nightly"); !ok || r.ARN() != "tocsin:staging:rule/nightly" {
		t.Errorf("rule lookup: %v %v", r, ok)
	}
}
