package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/tocsin/tocsin/internal/notify"
)

// Send renders the message and hands it to the SMTP server.
func (e *Email) Send(ctx context.Context, m *notify.Message) error {
	text, err := notify.Body(m, &notify.Config{Template: e.template})
	if err != nil {
		return err
	}
	msg, err := compose(m, e.smtp.From, e.to, text, e.now())
	if err != nil {
		return &notify.Failure{Code: "RENDER", Message: err.Error()}
	}
	return e.deliver(ctx, msg)
}

// deliver runs one SMTP conversation within ctx's deadline.
func (e *Email) deliver(ctx context.Context, msg []byte) error {
	addr := net.JoinHostPort(e.smtp.Host, strconv.Itoa(e.smtp.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tlsConfig := &tls.Config{ServerName: e.smtp.Host, InsecureSkipVerify: e.smtp.InsecureSkipVerify}
	if e.smtp.TLS == "tls" {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return &notify.Failure{Code: "SMTP_TLS", Message: "TLS handshake: " + err.Error()}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, e.smtp.Host)
	if err != nil {
		return classify(err)
	}
	defer c.Close()
	if err := c.Hello("tocsin"); err != nil {
		return classify(err)
	}
	if e.smtp.TLS == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &notify.Failure{Code: "SMTP_TLS", Message: "the server does not offer STARTTLS (set tls: none to send in the clear)"}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return &notify.Failure{Code: "SMTP_TLS", Message: "STARTTLS: " + err.Error()}
		}
	}
	if e.smtp.Username != "" {
		// net/smtp refuses PLAIN auth without TLS except to localhost; the settings say
		// whether the connection is encrypted, so the check is ours.
		auth := plainAuth{user: e.smtp.Username, pass: e.smtp.Password.Reveal()}
		if err := c.Auth(auth); err != nil {
			return classify(err)
		}
	}
	if err := c.Mail(e.smtp.From); err != nil {
		return classify(err)
	}
	for _, to := range e.to {
		if err := c.Rcpt(to); err != nil {
			return classify(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify(err)
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	return classify(c.Quit())
}

// plainAuth is AUTH PLAIN (RFC 4616).
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next([]byte, bool) ([]byte, error) {
	return nil, errors.New("unexpected server challenge")
}

// classify turns an SMTP exchange's error into a Failure: 4xx replies and network
// trouble are retryable, 5xx replies are not (535: bad credentials).
func classify(err error) error {
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		msg := strings.TrimSpace(tp.Msg)
		return &notify.Failure{Code: fmt.Sprintf("SMTP_%d", tp.Code), Message: fmt.Sprintf("the SMTP server answered %d %s", tp.Code, msg),
			Retryable: tp.Code >= 400 && tp.Code < 500}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return &notify.Failure{Code: "TIMEOUT", Message: "the SMTP server did not answer in time", Retryable: true}
	}
	return &notify.Failure{Code: "CONNECTION", Message: err.Error(), Retryable: true}
}
