package slack

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

// receiver is a Slack stand-in answering 200 "ok" and passing each request to the test.
func receiver(t *testing.T) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.URL.Path, r.Header.Clone(), b}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, got
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

func subscription(url string) *stack.Subscription {
	return &stack.Subscription{Slack: &stack.URLChannel{URL: stack.NewSecret(url)}}
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

// decoded is the part of the payload the layout tests look at.
type decoded struct {
	Text        string
	Attachments []struct {
		Color  string
		Blocks []struct {
			Type string
			Text *struct{ Type, Text string }
		}
	}
}

func decode(t *testing.T, body []byte) (decoded, string) {
	t.Helper()
	var d decoded
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Attachments) != 1 {
		t.Fatalf("%d attachments, want 1", len(d.Attachments))
	}
	return d, string(body)
}

func TestLayout(t *testing.T) {
	long := alarmMessage()
	long.Title = strings.Repeat("ALARM: a very long alarm name ", 10)
	wide := groupMessage(40) // members too long for 20 lines in one section
	for i := range wide.Alarms {
		wide.Alarms[i].Name = strings.Repeat("x<", 150)
	}
	cases := []struct {
		name      string
		msg       *notify.Message
		template  string
		color     string
		blocks    []string // block types in order
		contains  []string
		forbidden []string
	}{
		{name: "alarm", msg: alarmMessage(), color: "#d93f0b",
			blocks:    []string{"header", "section", "context", "context", "actions"},
			contains:  []string{`Free space &lt; 3% &amp; falling.`, `deploy api v1.42 (by &lt;ci&gt;)`, `"Open alarm"`, `"Acknowledge"`, "<!date^1773482640^{date_short_pretty} {time}|2026-03-14T10:04:00Z>"},
			forbidden: []string{"<ci>", "& falling"}},
		{name: "ok", msg: okMessage(), color: "#2da44e", blocks: []string{"header", "section", "context", "actions"},
			forbidden: []string{"Acknowledge", "Recent changes"}},
		{name: "group", msg: groupMessage(40), color: "#d93f0b", blocks: []string{"header", "section", "section", "context", "actions"},
			contains:  []string{"*40 alarms:*", "disk-space[InstanceId=i-020] ALARM since 10:04 UTC: min 91.25%", "\\n…and 20 more"},
			forbidden: []string{"i-021"}},
		{name: "event", msg: eventMessage(), color: "#0969da", blocks: []string{"header", "section", "context"}},
		{name: "template", msg: alarmMessage(), template: "{{.Title}} <b> & done", color: "#d93f0b",
			blocks:    []string{"header", "section", "context", "context", "actions"},
			contains:  []string{`"text":"ALARM: disk-space[InstanceId=i-1] in production &lt;b&gt; &amp; done"`},
			forbidden: []string{"Free space"}},
		{name: "wide group", msg: wide, color: "#d93f0b", blocks: []string{"header", "section", "section", "context", "actions"},
			contains: []string{"\\n…and 37 more\""}},
		{name: "long title", msg: long, color: "#d93f0b", blocks: []string{"header", "section", "context", "context", "actions"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, raw := decode(t, send(t, c.msg, c.template).body)
			a := d.Attachments[0]
			if a.Color != c.color {
				t.Errorf("color %s, want %s", a.Color, c.color)
			}
			var types []string
			for _, b := range a.Blocks {
				types = append(types, b.Type)
				limit := textLimit
				if b.Type == "header" {
					limit = headerLimit
				}
				if b.Text != nil && len([]rune(b.Text.Text)) > limit {
					t.Errorf("%s block has %d characters, Slack allows %d", b.Type, len([]rune(b.Text.Text)), limit)
				}
			}
			if strings.Join(types, ",") != strings.Join(c.blocks, ",") {
				t.Errorf("blocks %v, want %v", types, c.blocks)
			}
			if d.Text != escape(c.msg.Title) {
				t.Errorf("fallback text %q, want the title", d.Text)
			}
			for _, s := range c.contains {
				if !strings.Contains(raw, s) {
					t.Errorf("payload lacks %q:\n%s", s, raw)
				}
			}
			for _, s := range c.forbidden {
				if strings.Contains(raw, s) {
					t.Errorf("payload has %q:\n%s", s, raw)
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

func TestTruncateKeepsEntitiesWhole(t *testing.T) {
	s := escape(strings.Repeat("a", 8) + "<b>")
	if got := truncateEscaped(s, 11); got != "aaaaaaaa…" {
		t.Errorf("truncateEscaped = %q", got)
	}
}
