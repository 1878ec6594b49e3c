package transform

import (
	"errors"
	"strings"
	"testing"
)

func TestGoTemplate(t *testing.T) {
	event := `{"time":"2015-11-11T21:29:54Z","detail-type":"Alarm State Change","resources":["r1","r2"],` +
		`"detail":{"alarmName":"cpu-high","state":{"value":"ALARM"},"n":12345678901234567890,"tags":{"team":"db"},"empty":""}}`
	cases := []struct {
		tmpl, want string
		isJSON     bool
	}{
		{`{{.detail.alarmName}} is {{.detail.state.value | lower}}`, "cpu-high is alarm", false},
		{`{{upper .detail.alarmName}} {{index . "detail-type"}}`, "CPU-HIGH Alarm State Change", false},
		{`{{.detail.n}}`, "12345678901234567890", true},
		{`{"alarm":{{json .detail.alarmName}},"tags":{{json .detail.tags}},"n":{{json .detail.n}}}`, `{"alarm":"cpu-high","tags":{"team":"db"},"n":12345678901234567890}`, true},
		{`[{{.detail.missing}}] [{{default "none" .detail.missing}}] [{{.detail.empty | default "blank"}}] [{{default "x" .detail.alarmName}}]`, "[] [none] [blank] [cpu-high]", false},
		{`{{join ", " .resources}} / {{join "," .detail.missing}}`, "r1, r2 / ", false},
		{`{{time "2006-01-02 15:04" .time}}|{{.time | time "Jan 2"}}`, "2015-11-11 21:29|Nov 11", false},
		{`{{json "<&>"}}`, `"<&>"`, true},
	}
	for _, c := range cases {
		got, isJSON := apply(t, Spec{Template: c.tmpl}, event)
		if got != c.want || isJSON != c.isJSON {
			t.Errorf("%s: got %q (isJSON=%v), want %q (isJSON=%v)", c.tmpl, got, isJSON, c.want, c.isJSON)
		}
	}
}

func TestGoTemplateErrors(t *testing.T) {
	event := []byte(`{"time":"not a time","detail":{"a":"b"}}`)
	for _, tmpl := range []string{
		`{{time "2006" .time}}`,
		`{{.nothing.deeper}}`,
		`{{index .detail.a 5}}`,
	} {
		tr, err := Compile(Spec{Template: tmpl})
		if err != nil {
			t.Fatalf("Compile(%q): %v", tmpl, err)
		}
		if out, _, err := tr.Apply(event, ctx); err == nil {
			t.Errorf("%s: got %q, want an execution error", tmpl, out)
		}
	}
	tr, err := Compile(Spec{Template: `{{range .detail.list}}` + strings.Repeat("x", 1024) + `{{end}}`})
	if err != nil {
		t.Fatal(err)
	}
	list := strings.TrimSuffix(strings.Repeat("1,", 300), ",")
	if _, _, err := tr.Apply([]byte(`{"detail":{"list":[`+list+`]}}`), ctx); !errors.Is(err, ErrOutputTooLarge) {
		t.Errorf("300 KiB output: err = %v, want ErrOutputTooLarge", err)
	}
}
