package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// request is what the test receiver saw.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// receiver is a Discord stand-in answering 204 and passing each request to the test.
func receiver(t *testing.T) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.URL.Path, r.Header.Clone(), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func subscription(url string) *stack.Subscription {
	return &stack.Subscription{Discord: &stack.URLChannel{URL: stack.NewSecret(url)}}
}

func newChannel(t *testing.T, url, tmpl string) notify.Channel {
	t.Helper()
	cfg := notify.Config{Subscription: subscription(url)}
	if tmpl != "" {
		cfg.Template = mustTemplate(tmpl)
	}
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// send sends m and returns the request the receiver saw.
func send(t *testing.T, m *notify.Message, tmpl string) request {
	t.Helper()
	srv, got := receiver(t)
	if err := newChannel(t, srv.URL+secretPath, tmpl).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	return <-got
}

func TestGolden(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			req := send(t, f.Msg, f.Template)
			if req.method != http.MethodPost || req.path != secretPath {
				t.Errorf("request %s %s, want POST %s", req.method, req.path, secretPath)
			}
			for name, want := range map[string]string{"Idempotency-Key": f.Msg.ID, "User-Agent": "tocsin", "Content-Type": "application/json; charset=utf-8"} {
				if got := req.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, req.body, "", "  "); err != nil {
				t.Fatalf("payload is not JSON: %v\n%s", err, req.body)
			}
			pretty.WriteString("\n")
			golden := filepath.Join("testdata", f.Name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("payload differs from %s (go test -update rewrites it):\n%s", golden, pretty.Bytes())
			}
		})
	}
}

func TestLayout(t *testing.T) {
	long := groupMessage(40)
	long.Title = strings.Repeat("ALARM: a very long alarm name ", 20)
	long.Text = strings.Repeat("Many words about the alarm. ", 100)
	for i := range long.Alarms {
		long.Alarms[i].Name = strings.Repeat("x", 300)
	}
	long.Environment = strings.Repeat("env ", 100)
	long.Links.Acknowledge = "https://tocsin.example.com/ack/7?" + strings.Repeat("b", 1000) // too long to link
	for range 12 {
		long.Annotations = append(long.Annotations, notify.Annotation{Time: t0, Text: strings.Repeat("deploy ", 20)})
	}
	huge := *long // over the embed's total of 6000 characters: the description gives way
	huge.Text, huge.Environment = strings.Repeat("Many words about the alarm. ", 200), strings.Repeat("env ", 300)
	huge.Links.Incident = "https://tocsin.example.com/incidents/7?" + strings.Repeat("a", 900)
	cases := []struct {
		name      string
		msg       *notify.Message
		template  string
		color     int
		fields    []string
		contains  []string
		forbidden []string
	}{
		{name: "alarm", msg: alarmMessage(), color: 0xd93f0b, fields: []string{"Environment", "State", "Acknowledge", "Recent changes"},
			contains:  []string{`"url":"https://tocsin.example.com/alarms/disk-space?instance=i-1"`, `"timestamp":"2026-03-14T10:04:00Z"`, "[Acknowledge](https://tocsin.example.com/ack/inc-7?sig=abc123&exp=1773485040)", "<t:1773481920:f> deploy api v1.42", `"allowed_mentions":{"parse":[]}`, `"username":"tocsin","content":""`},
			forbidden: []string{"**1 alarms"}},
		{name: "ok", msg: okMessage(), color: 0x2da44e, fields: []string{"Environment", "State"}},
		{name: "group", msg: groupMessage(40), color: 0xd93f0b, fields: []string{"Environment", "State"},
			contains:  []string{"**40 alarms:**", "i-020", "…and 20 more"},
			forbidden: []string{"i-021"}},
		{name: "event", msg: eventMessage(), color: 0x0969da, fields: []string{"Environment"},
			contains: []string{"target tracking \\\\`cpu\\\\_high\\\\`"}},
		{name: "template", msg: alarmMessage(), template: "**{{.Title}}** on `{{.Environment}}`", color: 0xd93f0b,
			fields:    []string{"Environment", "State", "Acknowledge", "Recent changes"},
			contains:  []string{`"description":"**ALARM: disk-space[InstanceId=i-1] in production** on` + " `production`\""},
			forbidden: []string{"Free space"}},
		{name: "over the limits", msg: long, color: 0xd93f0b, fields: []string{"Environment", "State", "Recent changes"},
			contains: []string{`…and 37 more","url"`, `…and 6 more"}]`}, forbidden: []string{"[Acknowledge]"}},
		{name: "over the embed total", msg: &huge, color: 0xd93f0b, fields: []string{"Environment", "State", "Open incident", "Recent changes"},
			contains: []string{`the a…","url"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := send(t, c.msg, c.template).body
			var p payload
			if err := json.Unmarshal(body, &p); err != nil || len(p.Embeds) != 1 {
				t.Fatalf("payload %s: %v", body, err)
			}
			e := p.Embeds[0]
			if e.Color != c.color {
				t.Errorf("color %#x, want %#x", e.Color, c.color)
			}
			var names []string
			for _, f := range e.Fields {
				names = append(names, f.Name)
				if n := utf8.RuneCountInString(f.Value); n > fieldValueLimit {
					t.Errorf("field %s has %d characters", f.Name, n)
				}
			}
			if strings.Join(names, ",") != strings.Join(c.fields, ",") {
				t.Errorf("fields %v, want %v", names, c.fields)
			}
			if n := utf8.RuneCountInString(e.Title); n > titleLimit || (n == titleLimit && !strings.HasSuffix(e.Title, "…")) {
				t.Errorf("title has %d characters", n)
			}
			if n := utf8.RuneCountInString(e.Description); n > descriptionLimit {
				t.Errorf("description has %d characters", n)
			}
			if n := size(&e); n > embedLimit {
				t.Errorf("embed has %d characters, Discord allows %d", n, embedLimit)
			}
			for _, s := range c.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("payload lacks %q:\n%s", s, body)
				}
			}
			for _, s := range c.forbidden {
				if strings.Contains(string(body), s) {
					t.Errorf("payload has %q:\n%s", s, body)
				}
			}
		})
	}
}

func TestTemplateErrorIsNotRetryable(t *testing.T) {
	srv, got := receiver(t)
	err := newChannel(t, srv.URL+secretPath, "{{.NoSuchField}}").Send(context.Background(), alarmMessage())
	f := notify.AsFailure(err)
	if err == nil || f.Code != "TEMPLATE" || f.Retryable {
		t.Fatalf("got %#v, want a non-retryable TEMPLATE failure", f)
	}
	if len(got) != 0 {
		t.Error("a request was sent although the template failed")
	}
}
