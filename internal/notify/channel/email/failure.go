package email

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	"github.com/tocsin/tocsin/internal/notify"
)

// maxReply bounds the server's words quoted in a failure.
const maxReply = 300

// classify turns the outcome of a send into nil or a *notify.Failure, in one place:
//
//   - an SMTP reply: SMTP_<code>, retryable for 4xx (421 busy, 451 local error, 454 TLS or
//     auth unavailable for now) and not for 5xx (550 no such mailbox, 535 bad credentials);
//   - no answer before ctx's deadline or the connection's: TIMEOUT, retryable;
//   - a failed TLS handshake: SMTP_TLS, not retryable (a certificate will not fix itself);
//   - any other network error, or ctx cancelled: CONNECTION, retryable.
//
// Failures built during the session (no STARTTLS, no AUTH, a template error) pass through.
// Every message is scrubbed of the SMTP password.
func (e *Email) classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var f *notify.Failure
	if errors.As(err, &f) {
		f = &notify.Failure{Code: f.Code, Message: f.Message, Retryable: f.Retryable}
	} else {
		f = failure(ctx, err)
	}
	f.Message = e.redact(f.Message)
	return f
}

func failure(ctx context.Context, err error) *notify.Failure {
	where := ""
	var se *stepError
	if errors.As(err, &se) {
		where = se.step + ": "
	}
	var tp *textproto.Error
	var te *tlsError
	switch {
	case errors.As(err, &tp):
		reply := oneLine(tp.Msg)
		if len(reply) > maxReply {
			reply = reply[:maxReply] + "…"
		}
		return &notify.Failure{
			Code:      fmt.Sprintf("SMTP_%d", tp.Code),
			Message:   fmt.Sprintf("%sthe server answered %d %s", where, tp.Code, reply),
			Retryable: tp.Code < 500,
		}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return &notify.Failure{Code: "TIMEOUT", Message: where + "no answer in time", Retryable: true}
	case ctx.Err() != nil:
		return &notify.Failure{Code: "CONNECTION", Message: where + "cancelled", Retryable: true}
	case errors.As(err, &te):
		return &notify.Failure{Code: "SMTP_TLS", Message: where + te.Error()}
	}
	return &notify.Failure{Code: "CONNECTION", Message: where + cause(err), Retryable: true}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// cause is the text of the error below the step (which where already names).
func cause(err error) string {
	var se *stepError
	if errors.As(err, &se) {
		err = se.err
	}
	return err.Error()
}

// redact replaces the password, and the encodings AUTH sends it in, with <secret>.
func (e *Email) redact(s string) string {
	pass := e.smtp.Password.Reveal()
	if pass == "" {
		return s
	}
	enc := base64.StdEncoding.EncodeToString
	for _, v := range []string{
		pass,
		enc([]byte(pass)),
		enc([]byte("\x00" + e.smtp.Username + "\x00" + pass)),
	} {
		s = strings.ReplaceAll(s, v, "<secret>")
	}
	return s
}
