package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// The T-IT vectors of the spec.
const itEvent = `{"time":"2015-11-11T21:29:54Z","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`

var itPaths = map[string]string{"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state", "resource": "$.resources[0]"}

var ctx = Context{RuleName: "ec2-state", RuleARN: "arn:aws:events:us-east-1:123456789012:rule/ec2-state", IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC)}

func apply(t *testing.T, s Spec, event string) (string, bool) {
	t.Helper()
	tr, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", s, err)
	}
	out, isJSON, err := tr.Apply([]byte(event), ctx)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return string(out), isJSON
}

func TestInputTransformerVectors(t *testing.T) {
	cases := []struct{ id, tmpl, want string }{
		{"I01", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"I02", `{"instance" : <instance>, "state": <state>}`, `{"instance":"i-0123456789","state":"RUNNING"}`},
		{"I03", `{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}`,
			`{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"}`},
		{"I04", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}`},
	}
	for _, c := range cases {
		got, isJSON := apply(t, Spec{InputPaths: itPaths, InputTemplate: c.tmpl}, itEvent)
		if got != c.want || !isJSON {
			t.Errorf("%s: got %s (isJSON=%v), want %s", c.id, got, isJSON, c.want)
		}
	}
}

func TestInputTemplatePositions(t *testing.T) {
	event := `{"detail":{"n":42,"obj":{"a": [1, "x"]},"s":"he said \"no\"","b":false},"id":"e1"}`
	paths := map[string]string{"n": "$.detail.n", "obj": "$.detail.obj", "s": "$.detail.s", "b": "$.detail.b", "gone": "$.detail.gone"}
	cases := []struct{ tmpl, want string }{
		{`{"n":<n>,"o":<obj>,"s":<s>,"b":<b>}`, `{"n":42,"o":{"a":[1,"x"]},"s":"he said \"no\"","b":false}`},
		{`{"t":"n=<n> o=<obj> s=<s> b=<b>"}`, `{"t":"n=42 o={\"a\":[1,\"x\"]} s=he said \"no\" b=false"}`},
		{`{"missing":<gone>,"quoted":"[<gone>]","arr":[<gone>]}`, `{"missing":null,"quoted":"[]","arr":[null]}`},
		{`[<n>, "<n>"]`, `[42,"42"]`},
		{`  "<s> / <gone>"  `, `"he said \"no\" / "`},
	}
	for _, c := range cases {
		got, isJSON := apply(t, Spec{InputPaths: paths, InputTemplate: c.tmpl}, event)
		if got != c.want || !isJSON {
			t.Errorf("%s: got %s (isJSON=%v), want %s", c.tmpl, got, isJSON, c.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s: output is not JSON", c.tmpl)
		}
	}
	got, isJSON := apply(t, Spec{InputPaths: paths, InputTemplate: `instance <s> is <n>, <gone>; <obj> <b>`}, event)
	if want := `instance he said "no" is 42, ; {"a": [1, "x"]} false`; got != want || isJSON {
		t.Errorf("text template: got %q (isJSON=%v), want %q", got, isJSON, want)
	}
}

func TestPredefinedVariables(t *testing.T) {
	tmpl := `{"arn":<aws.events.rule-arn>,"name":<aws.events.rule-name>,"at":<aws.events.event.ingestion-time>,` +
		`"event":<aws.events.event>,"full":<aws.events.event.json>,"quoted":"<aws.events.rule-name> @ <tocsin.ingestion-time>",` +
		`"alias":[<tocsin.rule-name>,<tocsin.event>,<tocsin.event.json>]}`
	got, _ := apply(t, Spec{InputTemplate: tmpl}, itEvent)
	noDetail := `{"time":"2015-11-11T21:29:54Z","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}`
	want := `{"arn":"arn:aws:events:us-east-1:123456789012:rule/ec2-state","name":"ec2-state","at":"2015-11-11T21:29:55Z",` +
		`"event":` + noDetail + `,"full":` + itEvent + `,"quoted":"ec2-state @ 2015-11-11T21:29:55Z",` +
		`"alias":["ec2-state",` + noDetail + `,` + itEvent + `]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got, isJSON := apply(t, Spec{InputTemplate: `rule <tocsin.rule-name> (<aws.events.rule-arn>)`}, itEvent)
	if want := "rule ec2-state (arn:aws:events:us-east-1:123456789012:rule/ec2-state)"; got != want || isJSON {
		t.Errorf("text: got %q, want %q", got, want)
	}
}

func TestOtherModes(t *testing.T) {
	event := `{"detail":{"Details":{"Availability Zone":"us-west-2b"},"state":"x"}}`
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{}, event},
		{Spec{Input: ` {"fixed": [1, 2]} `}, ` {"fixed": [1, 2]} `},
		{Spec{InputPath: "$.detail"}, `{"Details":{"Availability Zone":"us-west-2b"},"state":"x"}`},
		{Spec{InputPath: "$.detail.Details['Availability Zone']"}, `"us-west-2b"`},
		{Spec{InputPath: "$['detail'][\"state\"]"}, `"x"`},
		{Spec{InputPath: "$.detail.nothing"}, `null`},
	}
	for _, c := range cases {
		if got, isJSON := apply(t, c.spec, event); got != c.want || !isJSON {
			t.Errorf("%+v: got %s (isJSON=%v), want %s", c.spec, got, isJSON, c.want)
		}
	}
	var nilT *Transformer
	if out, ok, err := nilT.Apply([]byte(event), ctx); err != nil || !ok || string(out) != event {
		t.Errorf("nil transformer: %s %v %v", out, ok, err)
	}
	tr, _ := Compile(Spec{})
	if _, _, err := tr.Apply([]byte(`{"a":`), ctx); err == nil {
		t.Error("Apply accepted an invalid event")
	}
}

func TestCompileErrors(t *testing.T) {
	many := map[string]string{}
	for i := 0; i < 101; i++ {
		many["k"+strings.Repeat("x", i)] = "$.a"
	}
	cases := []struct {
		name  string
		spec  Spec
		field string
		msg   string
	}{
		{"AWS prefix", Spec{InputPaths: map[string]string{"AWS.x": "$.a"}, InputTemplate: `"x"`}, "input_paths.AWS.x", `key must not start with "AWS."`},
		{"bad key chars", Spec{InputPaths: map[string]string{"a b": "$.a"}, InputTemplate: `"x"`}, "input_paths.a b", "key may contain only"},
		{"too many", Spec{InputPaths: many, InputTemplate: `"x"`}, "input_paths", "101 entries, at most 100"},
		{"long key", Spec{InputPaths: map[string]string{strings.Repeat("k", 257): "$.a"}, InputTemplate: `"x"`}, "input_paths." + strings.Repeat("k", 257), "key longer than 256"},
		{"bracket value", Spec{InputPaths: map[string]string{"a": "$['a']"}, InputTemplate: `"<a>"`}, "input_paths.a", "bracket notation not allowed"},
		{"bad value", Spec{InputPaths: map[string]string{"a": "detail"}, InputTemplate: `"<a>"`}, "input_paths.a", "leading"},
		{"invalid input", Spec{Input: `{"a":}`}, "input", "not valid JSON"},
		{"long input", Spec{Input: `"` + strings.Repeat("x", 8192) + `"`}, "input", "longer than 8192"},
		{"two set", Spec{Input: `1`, InputPath: "$.a"}, "input_path", "only one of"},
		{"three set", Spec{Input: `1`, InputPath: "$.a", Template: "x"}, "input_path", "only one of"},
		{"template and input_template", Spec{InputTemplate: `"x"`, Template: "x"}, "template", "only one of"},
		{"paths without template", Spec{InputPaths: map[string]string{"a": "$.a"}}, "input_paths", "requires input_template"},
		{"bad input_path", Spec{InputPath: "$.a..b"}, "input_path", "recursive descent"},
		{"long input_path", Spec{InputPath: "$." + strings.Repeat("a", 300)}, "input_path", "longer than 256"},
		{"placeholder key", Spec{InputPaths: itPaths, InputTemplate: `{<state>: 1}`}, "input_template", "placeholder <state> cannot be an object key"},
		{"quoted placeholder key", Spec{InputPaths: itPaths, InputTemplate: `{"a": 1, "<state>": 1}`}, "input_template", "cannot be an object key"},
		{"unknown placeholder", Spec{InputPaths: itPaths, InputTemplate: `{"a": <nope>}`}, "input_template", "placeholder <nope> is not declared"},
		{"unknown in text", Spec{InputTemplate: `hello <who>`}, "input_template", "placeholder <who> is not declared"},
		{"invalid JSON template", Spec{InputPaths: itPaths, InputTemplate: `{"a": <state> <state>}`}, "input_template", "not valid JSON"},
		{"unclosed template", Spec{InputPaths: itPaths, InputTemplate: `{"a": "<state>}`}, "input_template", "not valid JSON"},
		{"event quoted", Spec{InputTemplate: `{"a": "<aws.events.event>"}`}, "input_template", "only be used as an unquoted JSON value"},
		{"event in string template", Spec{InputTemplate: `"<tocsin.event.json>"`}, "input_template", "only be used as an unquoted JSON value"},
		{"long template", Spec{InputTemplate: strings.Repeat("x", 8193)}, "input_template", "longer than 8192"},
		{"go template", Spec{Template: "{{.a"}, "template", "unclosed action"},
		{"go template func", Spec{Template: "{{nope .a}}"}, "template", `function "nope" not defined`},
	}
	for _, c := range cases {
		_, err := Compile(c.spec)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: Compile error %v, want a *FieldError", c.name, err)
			continue
		}
		if !hasFieldError(err, c.field, c.msg) {
			t.Errorf("%s: Compile error %q, want field %q with %q", c.name, err, c.field, c.msg)
		}
	}
}

func hasFieldError(err error, field, msg string) bool {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if fe, ok := e.(*FieldError); ok && fe.Field == field && strings.Contains(fe.Msg, msg) {
			return true
		}
	}
	return false
}

func TestCompileJoinsErrors(t *testing.T) {
	_, err := Compile(Spec{InputPaths: map[string]string{"AWS.a": "$.a", "b c": "$.b"}, InputTemplate: `{"x": <AWS.a>}`})
	if !hasFieldError(err, "input_paths.AWS.a", "AWS.") || !hasFieldError(err, "input_paths.b c", "key may contain") {
		t.Fatalf("got %v, want both key errors", err)
	}
	if want := "input_paths.AWS.a: key must not start with \"AWS.\"\ninput_paths.b c: key may contain only A-Z, a-z, 0-9, _ and -"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestExpand(t *testing.T) {
	event := []byte(`{"detail":{"state":"ALARM","reason":"a \"b\"","n":3,"obj":{"k":1},"Details":{"Availability Zone":"z1"}},"resources":["r0"]}`)
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"state <$.detail.state> (<$.detail.n>)", "state ALARM (3)"},
		{"<$.detail.reason>|<$.detail.obj>|<$.resources[0]>|<$.nope>|", `a "b"|{"k":1}|r0||`},
		{"zone <$.detail.Details['Availability Zone']>!", "zone z1!"},
		{"a < b and <tag> stay", "a < b and <tag> stay"},
	}
	for _, c := range cases {
		got, err := Expand(c.in, event)
		if err != nil || got != c.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"x <$.detail.state", "<$..a>", "<$.a b>"} {
		if _, err := Expand(bad, event); err == nil {
			t.Errorf("Expand(%q) succeeded, want error", bad)
		}
	}
}

func TestConcurrentApply(t *testing.T) {
	tr, err := Compile(Spec{InputPaths: itPaths, InputTemplate: `{"i":<instance>,"s":"<state>"}`})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			out, _, _ := tr.Apply([]byte(itEvent), ctx)
			done <- string(out)
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != `{"i":"i-0123456789","s":"RUNNING"}` {
			t.Errorf("got %s", got)
		}
	}
}
