package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

// A receiver that checks signatures with Verify accepts what the channel sends and
// refuses it when it holds another secret.
func TestReceiverVerifies(t *testing.T) {
	for _, c := range []struct {
		name, receiverSecret string
		wantErr              bool
	}{
		{"same secret", signingSecret, false},
		{"other secret", "whsec-OTHERSECRET", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if err := Verify(c.receiverSecret, r.Header, body, t0.Add(30*time.Second), time.Minute); err != nil {
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			err := newChannel(t, config(srv.URL+secretPath), "").Send(context.Background(), alarmMessage())
			if (err != nil) != c.wantErr {
				t.Fatalf("Send: %v, want error %v", err, c.wantErr)
			}
			if err == nil {
				return
			}
			if f := notify.AsFailure(err); f.Code != "HTTP_401" || f.Retryable || !strings.Contains(f.Message, "does not match") {
				t.Errorf("got %v, want a non-retryable HTTP_401 saying the signature does not match", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"msg-0001","kind":"alarm"}`)
	signed := func(ts time.Time, sig string) http.Header {
		h := http.Header{}
		h.Set(TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
		if sig != "" {
			h.Set(SignatureHeader, sig)
		}
		return h
	}
	good := "v1=" + sign(signingSecret, t0.Unix(), body)
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		now    time.Time
		want   error // nil, or the error it wraps
	}{
		{"valid", signed(t0, good), body, t0, nil},
		{"valid, clocks apart", signed(t0, good), body, t0.Add(-4 * time.Minute), nil},
		{"one of several", signed(t0, "v0=abc, v1=00ff,"+good), body, t0, nil},
		{"tampered body", signed(t0, good), []byte(`{"id":"msg-0001","kind":"test"}`), t0, ErrSignature},
		{"old timestamp", signed(t0, good), body, t0.Add(6 * time.Minute), ErrStale},
		{"future timestamp", signed(t0, good), body, t0.Add(-6 * time.Minute), ErrStale},
		{"timestamp changed", signed(t0.Add(time.Second), good), body, t0, ErrSignature},
		{"wrong secret", signed(t0, "v1="+sign("whsec-OTHER", t0.Unix(), body)), body, t0, ErrSignature},
		{"not hex", signed(t0, "v1=zz"+good[5:]), body, t0, ErrSignature},
		{"upper-case hex", signed(t0, "v1="+strings.ToUpper(good[3:])), body, t0, nil},
		{"no signature", signed(t0, ""), body, t0, ErrUnsigned},
		{"other scheme only", signed(t0, "v0="+good[3:]), body, t0, ErrUnsigned},
		{"no timestamp", http.Header{SignatureHeader: {good}}, body, t0, ErrUnsigned},
		{"bad timestamp", http.Header{TimestampHeader: {"yesterday"}, SignatureHeader: {good}}, body, t0, ErrUnsigned},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(signingSecret, c.header, c.body, c.now, 0)
			if c.want == nil && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Verify: %v, want %v", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), signingSecret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
	if err := Verify("", signed(t0, good), body, t0, 0); err == nil {
		t.Error("Verify accepted an empty secret")
	}
}

// The example in the package documentation is a real signature.
func TestDocumentedExample(t *testing.T) {
	h := http.Header{}
	h.Set(TimestampHeader, "1773482640")
	h.Set(SignatureHeader, "v1="+docExample)
	if err := Verify("s3cret", h, []byte(`{"id":"msg-0001"}`), time.Unix(1773482640, 0), 0); err != nil {
		t.Fatal(err)
	}
}

// docExample is the signature quoted in doc.go: secret s3cret, timestamp 1773482640,
// body {"id":"msg-0001"}.
const docExample = "a08a90ae60f16dc2da24f103f64430db8edde8e5878b5161eef588f9f6faec00"
