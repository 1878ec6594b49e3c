package email

import (
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
)

const password = "pa55-w0rd-SECRET"

var at = time.Date(2026, 3, 4, 10, 4, 0, 0, time.UTC)

func num(v float64) *float64 { return &v }

// alarmMessage is one alarm instance in ALARM, with a graph.
func alarmMessage() *notify.Message {
	pts := make([]notify.Point, 60)
	for i := range pts {
		pts[i] = notify.Point{T: at.Add(time.Duration(i-59) * time.Minute), V: 80 + float64(i)/3}
	}
	return &notify.Message{
		ID: "0195a3c4-alarm-1", Kind: notify.KindAlarm, Environment: "production", Topic: "ops", Time: at, State: "ALARM",
		Title: "ALARM: disk-space[InstanceId=i-1] in production",
		Text:  "disk-space[InstanceId=i-1] is ALARM (was OK) since 10:04 UTC.\nSystem/DiskUsed Maximum over 3 periods: min 91%, avg 94%, max 97% (threshold > 90%).",
		Alarms: []notify.AlarmItem{{
			Name: "disk-space[InstanceId=i-1]", Alarm: "disk-space", Instance: "InstanceId=i-1", State: "ALARM", PreviousState: "OK",
			Since: at, Metric: "System/DiskUsed", Statistic: "Maximum", Comparison: "GreaterThanThreshold", Threshold: num(90),
			Unit: "Percent", Min: num(91), Avg: num(94), Max: num(97), Samples: 3,
			URL: "https://tocsin.example.com/ui/production/alarms/disk-space",
		}},
		Annotations: []notify.Annotation{{Time: at.Add(-20 * time.Minute), Text: "deploy api v1.42 <canary> & friends"}},
		Links: notify.Links{
			Alarm:       "https://tocsin.example.com/ui/production/alarms/disk-space",
			Acknowledge: "https://tocsin.example.com/ack?t=abc&sig=def",
		},
		Graph: &notify.Graph{Title: "System/DiskUsed Maximum", Unit: "Percent", Threshold: num(90), Points: pts,
			Start: at.Add(-time.Hour), End: at.Add(10 * time.Minute), Mark: at},
	}
}

// groupMessage is 40 instances of one alarm, without a graph.
func groupMessage() *notify.Message {
	m := alarmMessage()
	m.ID, m.Graph, m.Annotations = "0195a3c4-group-40", nil, nil
	m.Title = "ALARM: 40 instances of disk-space in production"
	m.Text = "40 instances of disk-space changed state in production: 38 ALARM, 2 OK."
	m.Alarms = nil
	for i := range 40 {
		state, since := "ALARM", at.Add(-time.Duration(i)*time.Minute)
		if i >= 38 {
			state, since = "OK", at.Add(-26*time.Hour)
		}
		m.Alarms = append(m.Alarms, notify.AlarmItem{
			Name: fmt.Sprintf("disk-space[InstanceId=i-%02d]", i), Alarm: "disk-space", State: state, Since: since,
			Comparison: "GreaterThanThreshold", Threshold: num(90), Unit: "Percent", Max: num(90.5 + float64(i)/4),
		})
	}
	return m
}

// config is the SMTP settings for a server on 127.0.0.1:port.
func config(port int, mode, user string) notify.Config {
	return notify.Config{
		Subscription: &stack.Subscription{Email: &stack.EmailChannel{To: []string{"ops@example.com", "Dev Team <dev@example.com>"}}},
		SMTP: stack.SMTP{Host: "127.0.0.1", Port: port, TLS: mode, Username: user, Password: stack.NewSecret(password),
			From: "tocsin <tocsin@example.com>", InsecureSkipVerify: true},
		Now: func() time.Time { return at },
	}
}

func newEmail(t *testing.T, cfg notify.Config) *Email {
	t.Helper()
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch.(*Email)
}

// parsed is a message taken apart the way a mail client would.
type parsed struct {
	header     mail.Header
	subject    string
	text, html string
	png        []byte
	types      []string // content types in order, multiparts included
	pngHeader  map[string]string
}

func parse(t *testing.T, raw string) *parsed {
	t.Helper()
	checkWire(t, raw)
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	p := &parsed{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	p.walk(t, msg.Body, msg.Header.Get("Content-Type"), "")
	return p
}

func (p *parsed) walk(t *testing.T, r io.Reader, contentType, encoding string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	p.types = append(p.types, mt)
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(r, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
			if mt == "multipart/related" && part.Header.Get("Content-Id") != "" {
				p.pngHeader = map[string]string{"Content-ID": part.Header.Get("Content-Id"), "Content-Disposition": part.Header.Get("Content-Disposition")}
			}
			p.walk(t, part, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"))
		}
	}
	switch encoding {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // ignores the CRLFs
	default:
		t.Fatalf("%s part with Content-Transfer-Encoding %q", mt, encoding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", mt, err)
	}
	switch mt {
	case "text/plain":
		p.text = strings.ReplaceAll(string(b), "\r\n", "\n")
	case "text/html":
		p.html = strings.ReplaceAll(string(b), "\r\n", "\n")
	case "image/png":
		p.png = b
		if _, err := png.Decode(strings.NewReader(string(b))); err != nil {
			t.Errorf("the image part is not a PNG: %v", err)
		}
	}
}

// checkWire checks what SMTP requires of the text: CRLF line ends only, lines of at
// most 998 characters, 7-bit.
func checkWire(t *testing.T, raw string) {
	t.Helper()
	lines := strings.Split(raw, "\r\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 998 {
			t.Fatalf("line %d is %d characters long", i+1, len(l))
		}
		for _, r := range l {
			if r > 0x7E || (r < 0x20 && r != '\t') {
				t.Fatalf("line %d has a non-ASCII or control character: %q", i+1, l)
			}
		}
	}
}
