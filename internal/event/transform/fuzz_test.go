package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

// fixedTemplates exercise every kind of placeholder position on fuzzed events.
var fixedTemplates = []string{
	`{"instance" : <instance>, "state": "<state>", "s": "instance \"<instance>\" is in <state>"}`,
	`"instance <instance> is in <state> at <timestamp> on <resource>"`,
	`[<state>, "<state>", {"e": <aws.events.event>, "j": <tocsin.event.json>}, "\\<resource>\u0041<timestamp>"]`,
}

func FuzzApply(f *testing.F) {
	compiled := make([]*Transformer, len(fixedTemplates))
	for i, tmpl := range fixedTemplates {
		tr, err := Compile(Spec{InputPaths: itPaths, InputTemplate: tmpl})
		if err != nil {
			f.Fatalf("Compile(%q): %v", tmpl, err)
		}
		compiled[i] = tr
	}
	f.Add(`{"instance" : <instance>, "state": "<state>", "s": "instance \"<instance>\" is in <state>"}`, itEvent, "$.detail")
	f.Add(`"instance <instance> is in <state>"`, itEvent, "$.resources[0]")
	f.Add(`{"a":[<resource>, <aws.events.event>], "t": "<timestamp> <aws.events.rule-name>"}`, `{"detail":{"instance-id":{"x":"\"q\\"}}}`, "$['detail']")
	f.Add(`instance <instance> is <state>`, `[1,2]`, "$")
	f.Add(`{"x": <state>}`, `{"detail":{"state":[1,{"a":"\u0000"}]}}`, "$.a[0].b")
	f.Fuzz(func(t *testing.T, tmpl, event, path string) {
		ev := []byte(event)
		valid := json.Valid(ev)
		if p, err := ParsePath(path); err == nil {
			if v, ok := p.Get(ev); ok && valid && !json.Valid(v) {
				t.Fatalf("Get(%q) on valid event = %q, not JSON", path, v)
			}
		}
		if v, err := Expand(tmpl, ev); err == nil && !strings.Contains(tmpl, "<$") && v != tmpl {
			t.Fatalf("Expand changed text without placeholders: %q", v)
		}
		if valid {
			for i, tr := range compiled {
				if out, isJSON, err := tr.Apply(ev, ctx); err != nil || !isJSON || !json.Valid(out) {
					t.Fatalf("template %q on event %q: %q, %v", fixedTemplates[i], event, out, err)
				}
			}
		}
		tr, err := Compile(Spec{InputPaths: itPaths, InputTemplate: tmpl})
		if err != nil {
			return
		}
		out, isJSON, err := tr.Apply(ev, ctx)
		if !valid {
			if err == nil {
				t.Fatalf("Apply accepted invalid event %q", event)
			}
			return
		}
		if err != nil {
			t.Fatalf("Apply(%q): %v", tmpl, err)
		}
		first := strings.TrimLeft(tmpl, " \t\r\n")
		if first != "" && strings.ContainsRune(`{["`, rune(first[0])) && (!isJSON || !json.Valid(out)) {
			t.Fatalf("template %q on event %q: output %q is not JSON", tmpl, event, out)
		}
	})
}
