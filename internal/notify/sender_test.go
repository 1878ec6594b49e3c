package notify_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/channel/webhook"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// pending is the one pending outbox message of the harness's environment.
func (h *harness) pending() store.OutboxMessage {
	h.t.Helper()
	rows, err := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxPending})
	if err != nil || len(rows) != 1 {
		h.t.Fatalf("pending messages: %v %+v", err, rows)
	}
	return rows[0]
}

// A Retry-After longer than the policy's delay holds the next attempt back until it has
// passed; the attempt then goes out as usual.
func TestRetryAfterDelaysTheNextAttempt(t *testing.T) {
	h := newHarness(t)
	h.boxes["email"].setFail(&notify.Failure{Code: "HTTP_429", Message: "slow down", Retryable: true, RetryAfter: 5 * time.Minute})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second) // group_wait: the first attempt fails
	failedAt := h.clock.Now()
	if row := h.pending(); row.Attempts != 1 || !row.NextAt.Equal(failedAt.Add(5*time.Minute)) {
		t.Fatalf("after the 429: %d attempts, next at %s; want 1, %s", row.Attempts, row.NextAt, failedAt.Add(5*time.Minute))
	}
	h.boxes["email"].setFail(nil)
	h.step(20 * time.Second) // the policy's delay alone would retry now
	h.step(4*time.Minute + 39*time.Second)
	if got := h.boxes["email"].take(); len(got) != 0 {
		t.Fatalf("sent %s after the 429, before its Retry-After of 5m", h.clock.Now().Sub(failedAt))
	}
	if row := h.pending(); row.Attempts != 1 {
		t.Fatalf("%d attempts before the Retry-After passed, want 1", row.Attempts)
	}
	h.step(time.Second)
	if got := h.boxes["email"].take(); len(got) != 1 {
		t.Fatalf("%d messages once the Retry-After passed, want 1", len(got))
	}
}

// A Retry-After shorter than the policy's delay changes nothing: the policy's 20 s hold.
func TestShortRetryAfterKeepsThePolicyDelay(t *testing.T) {
	h := newHarness(t)
	h.boxes["email"].setFail(&notify.Failure{Code: "HTTP_503", Message: "down", Retryable: true, RetryAfter: 5 * time.Second})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	if row := h.pending(); !row.NextAt.Equal(h.clock.Now().Add(20 * time.Second)) {
		t.Fatalf("next attempt at %s, want the policy's 20 s after %s", row.NextAt, h.clock.Now())
	}
}

// A Retry-After neither adds nor saves attempts: the policy's four attempts are made, each
// wait cut to MaxRetryAfter, and the message is then dead.
func TestRetryAfterIsCappedAndCountsAttempts(t *testing.T) {
	h := newHarness(t)
	h.boxes["email"].setFail(&notify.Failure{Code: "HTTP_429", Message: "come back in two days", Retryable: true, RetryAfter: 48 * time.Hour})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	for i := 1; i <= 3; i++ {
		if row := h.pending(); row.Attempts != i || !row.NextAt.Equal(h.clock.Now().Add(notify.MaxRetryAfter)) {
			t.Fatalf("after attempt %d: %d attempts, next at %s; want the cap, %s", i, row.Attempts, row.NextAt, h.clock.Now().Add(notify.MaxRetryAfter))
		}
		h.step(notify.MaxRetryAfter - time.Second)
		if row := h.pending(); row.Attempts != i {
			t.Fatalf("attempt %d made before the capped wait passed", row.Attempts)
		}
		h.step(time.Second)
	}
	dead, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxDead})
	if len(dead) != 1 || dead[0].Attempts != 4 {
		t.Fatalf("dead letters after 4 attempts: %+v", dead)
	}
}

// A real webhook channel answering 503 with an HTTP-date Retry-After, read against the
// notifier's (fake) clock: the retry waits for that date, and the delivery log says why.
func TestWebhookRetryAfterDate(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	busy := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if busy {
			w.Header().Set("Retry-After", h.clock.Now().Add(3*time.Minute).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	const secretPath = "/hooks/T0KEN-SECRETPATH"
	h.use(notify.Factories{"webhook": func(cfg notify.Config) (notify.Channel, error) {
		sub, wc := *cfg.Subscription, *cfg.Subscription.Webhook
		wc.URL, sub.Webhook, cfg.Subscription = stack.NewSecret(srv.URL+secretPath), &wc, &sub
		return webhook.New(cfg)
	}})
	h.change("api-errors", "", nil, "OK", "ALARM", "email")
	h.step(10 * time.Second)
	row := h.pending()
	if want := h.clock.Now().Add(3 * time.Minute); !row.NextAt.Equal(want) {
		t.Fatalf("next attempt at %s, want the Retry-After date %s", row.NextAt, want)
	}
	attempts, err := h.db.ListAttempts(h.ctx, "production", row.ID, 0)
	if err != nil || len(attempts) != 1 || attempts[0].Outcome != "retry" || !strings.Contains(attempts[0].Error, "Retry-After 3m0s") {
		t.Fatalf("delivery log: %v %+v", err, attempts)
	}
	for _, s := range []string{row.LastError, attempts[0].Error} {
		if strings.Contains(s, "SECRETPATH") || strings.Contains(s, srv.URL) {
			t.Errorf("the delivery log leaks the URL: %q", s)
		}
	}
	mu.Lock()
	busy = false
	mu.Unlock()
	h.step(3*time.Minute - time.Second)
	if row := h.pending(); row.Attempts != 1 {
		t.Fatalf("%d attempts before the Retry-After date", row.Attempts)
	}
	h.step(time.Second)
	sent, _ := h.db.ListOutbox(h.ctx, store.OutboxQuery{Environment: "production", State: store.OutboxSent})
	if len(sent) != 1 || sent[0].Attempts != 2 {
		t.Fatalf("sent after the Retry-After date: %+v", sent)
	}
}
