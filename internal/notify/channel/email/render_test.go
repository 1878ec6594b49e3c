package email

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// composed renders m through the channel and takes the message apart.
func composed(t *testing.T, cfg notify.Config, m *notify.Message) *parsed {
	t.Helper()
	raw, err := newEmail(t, cfg).compose(m)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(raw))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering (run go test -update and review the diff):\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	for name, m := range map[string]*notify.Message{"single": alarmMessage(), "group": groupMessage()} {
		t.Run(name, func(t *testing.T) {
			p := composed(t, config(25, "", ""), m)
			golden(t, name+".txt.golden", p.text)
			golden(t, name+".html.golden", p.html)
			if name == "group" && strings.Count(p.html, "disk-space[InstanceId=i-") != 40 {
				t.Errorf("the HTML table does not list the 40 instances")
			}
		})
	}
}

func TestSubject(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"ALARM: Speicherplatz knapp – /var auf höhe", "ALARM: Speicherplatz knapp – /var auf höhe"},
		{"ALARM: two\r\nlines\tand a tab", "ALARM: two lines and a tab"},
		{"", "tocsin notification"},
		{strings.Repeat("x", 300), strings.Repeat("x", 199) + "…"},
		{strings.Repeat("ü", 300), strings.Repeat("ü", 199) + "…"},
	} {
		m := alarmMessage()
		m.Title = c.title
		p := composed(t, config(25, "", ""), m)
		if p.subject != c.want {
			t.Errorf("title %.40q: Subject %q, want %q", c.title, p.subject, c.want)
		}
	}
}

func TestTemplateBody(t *testing.T) {
	cfg := config(25, "", "")
	cfg.Template = template.Must(stack.CompileTemplate("t", "Custom: {{.Title}}\n<b>{{len .Alarms}} alarm</b>"))
	p := composed(t, cfg, alarmMessage())
	if want := "Custom: ALARM: disk-space[InstanceId=i-1] in production\n<b>1 alarm</b>"; p.text != want {
		t.Errorf("text part = %q, want %q", p.text, want)
	}
	if !strings.Contains(p.html, "Custom: ALARM: disk-space[InstanceId=i-1] in production<br>") || !strings.Contains(p.html, "&lt;b&gt;1 alarm&lt;/b&gt;<br>") {
		t.Errorf("the HTML part does not show the template's output, escaped")
	}

	cfg.Template = template.Must(stack.CompileTemplate("t", "{{.Nope}}"))
	_, err := newEmail(t, cfg).compose(alarmMessage())
	wantFailure(t, err, "TEMPLATE", false)
}

func TestHTMLEscapes(t *testing.T) {
	m := alarmMessage()
	m.Title = `<script>alert("x")</script>`
	m.Text = `a & b <img src=x onerror=alert(1)>`
	m.Links.Alarm = "javascript:alert(1)"
	m.Alarms[0].Name = `disk"><b>`
	p := composed(t, config(25, "", ""), m)
	for _, bad := range []string{"<script>", "<img src=x", "javascript:", `disk"><b>`} {
		if strings.Contains(p.html, bad) {
			t.Errorf("the HTML part contains %q unescaped", bad)
		}
	}
	if !strings.Contains(p.html, "&lt;script&gt;") {
		t.Error("the title is missing from the HTML part")
	}
}

func TestHeadersStayWellFormed(t *testing.T) {
	cfg := config(25, "", "")
	for i := range 30 {
		cfg.Subscription.Email.To = append(cfg.Subscription.Email.To, "Pörson Nummer "+strings.Repeat("x", i)+" <p@example.com>")
	}
	m := alarmMessage()
	m.ID = "id with spaces <and> @ signs\r\nBcc: evil@example.com"
	p := composed(t, cfg, m)
	if got := p.header.Get("Message-Id"); got != "<id-with-spaces--and----signs--Bcc--evil-example.com@tocsin>" {
		t.Errorf("Message-ID = %q", got)
	}
	if p.header.Get("Bcc") != "" {
		t.Error("the message ID injected a header")
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 32 || to[5].Name != "Pörson Nummer xxx" {
		t.Errorf("To: %d addresses, %v", len(to), err)
	}
}
