package email

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

func send(t *testing.T, cfg notify.Config, m *notify.Message) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return newEmail(t, cfg).Send(ctx, m)
}

// wantFailure asserts err is a *notify.Failure with the code and retryability, free of the
// password in every form AUTH sends it.
func wantFailure(t *testing.T, err error, code string, retryable bool) *notify.Failure {
	t.Helper()
	var f *notify.Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %v (%T) is not a *notify.Failure", err, err)
	}
	if f.Code != code || f.Retryable != retryable {
		t.Fatalf("got %s (retryable %v), want %s (retryable %v)", f, f.Retryable, code, retryable)
	}
	for _, secret := range []string{password, base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00robot\x00" + password))} {
		if strings.Contains(f.Error(), secret) {
			t.Fatalf("the failure %q contains the password", f)
		}
	}
	return f
}

func TestStartTLSAuthDeliversToTwo(t *testing.T) {
	s := (&smtpd{starttls: true, mechs: []string{"PLAIN", "LOGIN"}, user: "robot", pass: password}).start(t)
	m := alarmMessage()
	if err := send(t, config(s.port, "starttls", "robot"), m); err != nil {
		t.Fatal(err)
	}
	got := s.received()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	r := got[0]
	if !r.TLS || r.User != "robot" || r.From != "tocsin@example.com" || strings.Join(r.To, ",") != "ops@example.com,dev@example.com" {
		t.Errorf("envelope = TLS %v, user %q, from %q, to %q", r.TLS, r.User, r.From, r.To)
	}
	p := parse(t, r.Data)
	for name, want := range map[string]string{
		"From":                `"tocsin" <tocsin@example.com>`,
		"To":                  `<ops@example.com>, "Dev Team" <dev@example.com>`,
		"Date":                "Wed, 04 Mar 2026 10:04:00 +0000",
		"Message-Id":          "<0195a3c4-alarm-1@tocsin>",
		"X-Tocsin-Message-Id": "0195a3c4-alarm-1",
		"Mime-Version":        "1.0",
	} {
		if got := p.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if p.subject != m.Title {
		t.Errorf("Subject = %q, want %q", p.subject, m.Title)
	}
	if want := "multipart/alternative text/plain multipart/related text/html image/png"; strings.Join(p.types, " ") != want {
		t.Errorf("structure = %s, want %s", strings.Join(p.types, " "), want)
	}
	for _, want := range []string{m.Title, "min 91%, avg 94%, max 97%", "Acknowledge: https://tocsin.example.com/ack?t=abc&sig=def"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, p.text)
		}
	}
	for _, want := range []string{`<img src="cid:graph@tocsin"`, "min 91%, avg 94%, max 97%", "deploy api v1.42 &lt;canary&gt; &amp; friends",
		`href="https://tocsin.example.com/ack?t=abc&amp;sig=def"`, "#d93f0b"} {
		if !strings.Contains(p.html, want) {
			t.Errorf("the HTML part lacks %q", want)
		}
	}
	if p.pngHeader["Content-ID"] != "<graph@tocsin>" || !strings.HasPrefix(p.pngHeader["Content-Disposition"], "inline") {
		t.Errorf("image part headers = %v", p.pngHeader)
	}
	if len(p.png) == 0 {
		t.Error("no PNG part")
	}
}

func TestModes(t *testing.T) {
	for _, c := range []struct {
		name, mode string
		server     *smtpd
		tls        bool
	}{
		{"implicit TLS", "tls", &smtpd{implicit: true, mechs: []string{"PLAIN"}, user: "robot", pass: password}, true},
		{"plain", "none", &smtpd{}, false},
		{"AUTH LOGIN only", "starttls", &smtpd{starttls: true, mechs: []string{"LOGIN"}, user: "robot", pass: password}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := c.server.start(t)
			user := ""
			if c.server.user != "" {
				user = "robot"
			}
			if err := send(t, config(s.port, c.mode, user), groupMessage()); err != nil {
				t.Fatal(err)
			}
			got := s.received()
			if len(got) != 1 {
				t.Fatalf("%d messages delivered, want 1", len(got))
			}
			if r := got[0]; r.TLS != c.tls || r.User != user || len(r.To) != 2 {
				t.Fatalf("received TLS %v, user %q, to %q; want TLS %v, user %q, two recipients", r.TLS, r.User, r.To, c.tls, user)
			}
			p := parse(t, got[0].Data)
			if want := "multipart/alternative text/plain text/html"; strings.Join(p.types, " ") != want {
				t.Errorf("structure = %s, want %s (no graph)", strings.Join(p.types, " "), want)
			}
		})
	}
}

func TestStartTLSRequired(t *testing.T) {
	s := (&smtpd{mechs: []string{"PLAIN"}, user: "robot", pass: password}).start(t)
	err := send(t, config(s.port, "starttls", "robot"), alarmMessage())
	wantFailure(t, err, "SMTP_TLS", false)
	if s.authTries != 0 || len(s.received()) != 0 {
		t.Errorf("after a missing STARTTLS: %d AUTH attempts, %d messages", s.authTries, len(s.received()))
	}
}

func TestPasswordNotSentInClear(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("needs 127.0.0.2 on the loopback interface (Linux has it): %v", err)
	} else {
		ln.Close()
	}
	s := (&smtpd{addr: "127.0.0.2:0", mechs: []string{"PLAIN"}, user: "robot", pass: password}).start(t)
	cfg := config(s.port, "none", "robot")
	cfg.SMTP.Host = "127.0.0.2" // loopback, but not a name that counts as localhost
	wantFailure(t, send(t, cfg, alarmMessage()), "SMTP_AUTH", false)
	if s.authTries != 0 {
		t.Errorf("the password went over plain text (%d AUTH attempts)", s.authTries)
	}
}

func TestFailures(t *testing.T) {
	for _, c := range []struct {
		name      string
		server    *smtpd
		mode      string
		strict    bool // verify the server's certificate
		code      string
		retryable bool
	}{
		{"busy", &smtpd{reject: map[string]string{"GREETING": "421 4.3.2 try again later"}}, "none", false, "SMTP_421", true},
		{"greylisted", &smtpd{reject: map[string]string{"RCPT": "451 4.7.1 greylisted"}}, "none", false, "SMTP_451", true},
		{"no such mailbox", &smtpd{reject: map[string]string{"RCPT": "550 5.1.1 no such mailbox"}}, "none", false, "SMTP_550", false},
		{"message refused", &smtpd{reject: map[string]string{"DATA": "554 5.6.0 spam"}}, "none", false, "SMTP_554", false},
		{"bad password", &smtpd{starttls: true, mechs: []string{"PLAIN"}, user: "robot", pass: "other"}, "starttls", false, "SMTP_535", false},
		{"server echoes the credentials", &smtpd{starttls: true, mechs: []string{"PLAIN"}, user: "robot", pass: "other", echoCreds: true}, "starttls", false, "SMTP_535", false},
		{"LOGIN echoes the credentials", &smtpd{starttls: true, mechs: []string{"LOGIN"}, user: "robot", pass: "other", echoCreds: true}, "starttls", false, "SMTP_535", false},
		{"untrusted certificate", &smtpd{implicit: true}, "tls", true, "SMTP_TLS", false},
		{"untrusted certificate after STARTTLS", &smtpd{starttls: true}, "starttls", true, "SMTP_TLS", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := c.server.start(t)
			cfg := config(s.port, c.mode, c.server.user)
			cfg.SMTP.InsecureSkipVerify = !c.strict
			wantFailure(t, send(t, cfg, alarmMessage()), c.code, c.retryable)
			if n := len(s.received()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
		})
	}
}

func TestSomeRecipientsRefused(t *testing.T) {
	s := (&smtpd{reject: map[string]string{"RCPT:dev@example.com": "550 5.1.1 no such mailbox"}}).start(t)
	f := wantFailure(t, send(t, config(s.port, "none", ""), alarmMessage()), "SMTP_550", false)
	if !strings.Contains(f.Message, "sent to 1 of 2") || !strings.Contains(f.Message, "dev@example.com") {
		t.Errorf("message %q does not say who got it", f.Message)
	}
	if got := s.received(); len(got) != 1 || strings.Join(got[0].To, ",") != "ops@example.com" {
		t.Errorf("received %d messages, want one to ops@example.com", len(got))
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	wantFailure(t, send(t, config(port, "none", ""), alarmMessage()), "CONNECTION", true)
}

func TestDeadline(t *testing.T) {
	s := (&smtpd{silent: true}).start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := newEmail(t, config(s.port, "starttls", "")).Send(ctx, alarmMessage())
	wantFailure(t, err, "TIMEOUT", true)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v with a 200ms deadline", d)
	}
}

func TestCancelClosesTheConnection(t *testing.T) {
	s := (&smtpd{silent: true}).start(t)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-s.connected; cancel() }()
	err := newEmail(t, config(s.port, "tls", "")).Send(ctx, alarmMessage())
	wantFailure(t, err, "CONNECTION", true)
}

func TestNewRejectsBadSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*notify.Config)
		want string
	}{
		{"no host", func(c *notify.Config) { c.SMTP.Host = "" }, "server.notifications.smtp.host"},
		{"no from", func(c *notify.Config) { c.SMTP.From = "" }, "server.notifications.smtp.from"},
		{"bad from", func(c *notify.Config) { c.SMTP.From = "not an address" }, "server.notifications.smtp.from"},
		{"bad tls", func(c *notify.Config) { c.SMTP.TLS = "ssl" }, "server.notifications.smtp.tls"},
		{"no subscription", func(c *notify.Config) { c.Subscription = nil }, "email.to"},
		{"bad recipient", func(c *notify.Config) { c.Subscription.Email.To = []string{"ops@example.com", "nope"} }, "email.to[1]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := config(25, "", "robot")
			c.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), password) {
				t.Fatalf("New: %v, want an error naming %s", err, c.want)
			}
		})
	}
}

func TestDefaultPorts(t *testing.T) {
	for mode, want := range map[string]string{"": "h:587", "starttls": "h:587", "tls": "h:465", "none": "h:25"} {
		cfg := config(0, mode, "")
		cfg.SMTP.Host = "h"
		if got := newEmail(t, cfg).addr; got != want {
			t.Errorf("tls %q: address %s, want %s", mode, got, want)
		}
	}
}
