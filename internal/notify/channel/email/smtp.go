package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"

	"github.com/tocsin/tocsin/internal/notify"
)

// helloName is what tocsin calls itself in EHLO.
const helloName = "tocsin"

// stepError says which part of the SMTP session failed.
type stepError struct {
	step string
	err  error
}

func (s *stepError) Error() string { return s.step + ": " + s.err.Error() }
func (s *stepError) Unwrap() error { return s.err }

func step(name string, err error) error { return &stepError{step: name, err: err} }

// tlsError marks a failed TLS handshake (a bad certificate, no common version): it will
// not fix itself, so it is not retried.
type tlsError struct{ err error }

func (t *tlsError) Error() string { return t.err.Error() }
func (t *tlsError) Unwrap() error { return t.err }

// deliver sends raw in one SMTP session: connect, TLS, EHLO, AUTH, MAIL, RCPT for every
// address, DATA, QUIT. The connection lives no longer than ctx.
func (e *Email) deliver(ctx context.Context, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return step("connect to "+e.addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	tlsConf := &tls.Config{ServerName: e.host, InsecureSkipVerify: e.smtp.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if e.mode == modeTLS {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return step("TLS handshake with "+e.addr, &tlsError{err})
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		return step("greeting of "+e.addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName); err != nil {
		return step("EHLO", err)
	}
	if err := c.Noop(); err != nil { // sends EHLO (net/smtp does it lazily) and checks it
		return step("EHLO", err)
	}
	encrypted := e.mode == modeTLS
	if e.mode == modeSTARTTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &notify.Failure{Code: "SMTP_TLS", Message: "the server " + e.addr + " does not offer STARTTLS (server.notifications.smtp.tls is starttls)"}
		}
		if err := c.StartTLS(tlsConf); err != nil {
			return step("STARTTLS", &tlsError{err})
		}
		encrypted = true
	}
	if e.smtp.Username != "" {
		if err := e.authenticate(c, encrypted); err != nil {
			return err
		}
	}
	return e.transaction(c, raw)
}

// authenticate logs in with PLAIN, or LOGIN when the server offers only that. It refuses
// to send the password unencrypted except to a loopback server.
func (e *Email) authenticate(c *smtp.Client, encrypted bool) error {
	if !encrypted && !isLocalhost(e.host) {
		return &notify.Failure{Code: "SMTP_AUTH", Message: "refusing to send the SMTP password unencrypted to " + e.addr + " (server.notifications.smtp.tls is none)"}
	}
	ok, offered := c.Extension("AUTH")
	mechs := strings.Fields(strings.ToUpper(offered))
	var a smtp.Auth
	switch {
	case !ok:
		return &notify.Failure{Code: "SMTP_AUTH", Message: "the server " + e.addr + " offers no AUTH, but server.notifications.smtp.username is set"}
	case slices.Contains(mechs, "PLAIN"):
		a = smtp.PlainAuth("", e.smtp.Username, e.smtp.Password.Reveal(), e.host)
	case slices.Contains(mechs, "LOGIN"):
		a = &loginAuth{user: e.smtp.Username, pass: e.smtp.Password.Reveal()}
	default:
		return &notify.Failure{Code: "SMTP_AUTH", Message: fmt.Sprintf("the server %s offers AUTH %s; tocsin speaks PLAIN and LOGIN", e.addr, offered)}
	}
	if err := c.Auth(a); err != nil {
		return step("AUTH as "+e.smtp.Username, err)
	}
	return nil
}

// transaction sends the envelope and the message. A recipient refused for good (5xx) is
// skipped when others are accepted; the message is then delivered and a final failure
// names the refused ones. After DATA is accepted the message counts as sent: a failed
// QUIT does not make it fail (a retry would send it twice).
func (e *Email) transaction(c *smtp.Client, raw []byte) error {
	if err := c.Mail(e.from.Address); err != nil {
		return step("MAIL FROM "+e.from.Address, err)
	}
	var refused []string
	var firstRefusal error
	for _, to := range e.to {
		err := c.Rcpt(to.Address)
		var tp *textproto.Error
		switch {
		case err == nil:
			continue
		case errors.As(err, &tp) && tp.Code >= 500:
			refused = append(refused, fmt.Sprintf("%s (%d %s)", to.Address, tp.Code, oneLine(tp.Msg)))
			if firstRefusal == nil {
				firstRefusal = step("RCPT TO "+to.Address, err)
			}
		default:
			return step("RCPT TO "+to.Address, err)
		}
	}
	if len(refused) == len(e.to) {
		return firstRefusal
	}
	w, err := c.Data()
	if err != nil {
		return step("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return step("DATA", err)
	}
	if err := w.Close(); err != nil {
		return step("end of DATA", err)
	}
	_ = c.Quit()
	if len(refused) > 0 {
		var tp *textproto.Error
		errors.As(firstRefusal, &tp)
		return &notify.Failure{Code: fmt.Sprintf("SMTP_%d", tp.Code), Message: fmt.Sprintf("sent to %d of %d recipients; the server refused %s", len(e.to)-len(refused), len(e.to), strings.Join(refused, ", "))}
	}
	return nil
}

// loginAuth is AUTH LOGIN, which net/smtp lacks: the user name and the password, each in
// answer to the server's prompt.
type loginAuth struct{ user, pass string }

func (a *loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a *loginAuth) Next(prompt []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch p := strings.ToLower(strings.TrimSpace(string(prompt))); {
	case strings.HasPrefix(p, "username"):
		return []byte(a.user), nil
	case strings.HasPrefix(p, "password"):
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected AUTH LOGIN prompt")
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
