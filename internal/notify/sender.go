package notify

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// drainBatch is how many due messages one Drain takes: their outcomes share one
// transaction.
const drainBatch = 1000

// Drain sends the outbox messages due now (up to a batch) and returns how many it tried.
// The outcomes are stored together in one transaction after the sends.
func (n *Notifier) Drain(ctx context.Context) (int, error) {
	due, err := n.opts.Store.DueOutbox(ctx, n.opts.Now(), drainBatch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	set := n.opts.Setup()
	var wg sync.WaitGroup
	sem := make(chan struct{}, n.opts.Concurrency)
	outcomes := make([]*outcome, len(due))
	for i := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			outcomes[i] = n.attempt(ctx, set, &due[i])
		}(i)
	}
	wg.Wait()
	var rows []store.OutboxMessage
	var attempts []*store.DeliveryAttempt
	var entries []store.TimelineEntry
	for i, o := range outcomes {
		if o == nil {
			continue // shutting down: the message stays pending and is sent again (same key)
		}
		rows, attempts = append(rows, due[i]), append(attempts, &o.attempt)
		if o.entry != nil && due[i].IncidentID != 0 {
			entries = append(entries, *o.entry)
		}
	}
	if len(rows) == 0 {
		return len(due), nil
	}
	if err := n.opts.Store.RecordAttempts(ctx, rows, attempts); err != nil {
		return len(due), err
	}
	for i, row := range rows {
		n.reported(&row, attempts[i])
	}
	if len(entries) > 0 {
		return len(due), n.opts.Store.AppendTimeline(ctx, entries)
	}
	return len(due), nil
}

// outcome is what one attempt did, before it is stored.
type outcome struct {
	attempt store.DeliveryAttempt
	entry   *store.TimelineEntry // for the incident's timeline
}

// attempt sends one outbox message once and updates row with the outcome; nil when the
// server is shutting down.
func (n *Notifier) attempt(ctx context.Context, set *Setup, row *store.OutboxMessage) *outcome {
	var m Message
	var err error
	ch, policy := n.channelFor(set, row)
	start := n.opts.Now()
	switch {
	case ch == nil:
		err = &Failure{Code: "NO_SUBSCRIPTION", Message: "the subscription " + row.Topic + "/" + row.Subscription + " no longer exists"}
	case json.Unmarshal(row.Message, &m) != nil:
		err = &Failure{Code: "BAD_MESSAGE", Message: "the stored message cannot be read"}
	default:
		sctx, cancel := context.WithTimeout(ctx, set.Settings.Timeout.Or(15*time.Second))
		err = ch.Send(sctx, &m)
		cancel()
	}
	if ctx.Err() != nil {
		return nil
	}
	now := n.opts.Now().UTC()
	row.Attempts++
	o := &outcome{attempt: store.DeliveryAttempt{OutboxID: row.ID, Environment: row.Environment, Attempt: row.Attempts, At: now, Duration: now.Sub(start)}}
	where := row.Topic + "/" + row.Subscription + " (" + row.Channel + ")"
	if err == nil {
		row.State, row.FinishedAt, row.NextAt = store.OutboxSent, now, time.Time{}
		o.attempt.Outcome = "sent"
		o.entry = &store.TimelineEntry{IncidentID: row.IncidentID, At: now, Kind: "sent", Text: "Sent to " + where}
		return o
	}
	f := AsFailure(err)
	row.LastError, row.ErrorCode = f.Error(), f.Code
	o.attempt.ErrorCode, o.attempt.Error = f.Code, f.Message
	if wait, again := n.retryWait(policy, row.Attempts, f); again {
		row.NextAt = now.Add(wait)
		o.attempt.Outcome = "retry"
		return o
	}
	row.State, row.FinishedAt, row.NextAt = store.OutboxDead, now, time.Time{}
	o.attempt.Outcome = "dead"
	o.entry = &store.TimelineEntry{IncidentID: row.IncidentID, At: now, Kind: "failed", Text: "Failed for good: " + where + ": " + f.Error()}
	return o
}

// retryWait is how long to wait before retrying after failed attempt number attempts, and
// false when the failure is not retried: it is not retryable or the policy has no more
// retries. The wait is the policy's delay with up to 10% jitter, or the endpoint's
// Retry-After when that is longer (at most MaxRetryAfter, whoever built the failure). A
// Retry-After only moves the next attempt: it is still one of the policy's attempts, and
// when they are used up the message is dead however long the endpoint asked to wait. It
// does not count towards the policy's MaxTotal, which limits the policy's own delays.
func (n *Notifier) retryWait(policy Policy, attempts int, f *Failure) (time.Duration, bool) {
	delay, again := policy.Delay(attempts)
	if !f.Retryable || !again {
		return 0, false
	}
	wait := delay + time.Duration(n.opts.Jitter()*0.1*float64(delay))
	return max(wait, min(f.RetryAfter, MaxRetryAfter)), true
}

// reported counts a stored attempt and tells about a dead notification.
func (n *Notifier) reported(row *store.OutboxMessage, a *store.DeliveryAttempt) {
	if n.opts.OnAttempt != nil {
		n.opts.OnAttempt(row.Channel, a.Outcome, a.ErrorCode)
	}
	if a.Outcome != "dead" {
		return
	}
	n.opts.Log.Warn("notification failed for good", "env", row.Environment, "topic", row.Topic, "subscription", row.Subscription,
		"channel", row.Channel, "attempts", row.Attempts, "error_code", a.ErrorCode)
	if n.opts.Publish != nil && row.Topic != "" {
		n.opts.Publish(row.Environment, "Notification Delivery Failed", map[string]any{"notification": row.ID, "topic": row.Topic,
			"subscription": row.Subscription, "channel": row.Channel, "error_code": a.ErrorCode, "error_message": a.Error, "attempts": row.Attempts})
	}
}

// channelFor finds the channel and retry policy of an outbox row in the current setup.
func (n *Notifier) channelFor(set *Setup, row *store.OutboxMessage) (Channel, Policy) {
	if row.Topic == "" {
		return n.opts.Internal[row.Channel], HTTPPolicy()
	}
	if set == nil {
		return nil, Policy{}
	}
	sub := set.Sub(row.Environment, row.Topic, row.Subscription)
	if sub == nil || sub.Kind != row.Channel {
		return nil, Policy{}
	}
	return sub.Channel, sub.Policy
}

// Replay sends a dead notification again, with its idempotency key.
func (n *Notifier) Replay(ctx context.Context, env string, id int64) error {
	if err := n.opts.Store.ReplayOutbox(ctx, env, id, n.opts.Now().UTC()); err != nil {
		return err
	}
	if n.opts.Wake != nil {
		n.opts.Wake()
	}
	return nil
}

// SendInternal puts a message for an internal channel (Options.Internal) in the outbox:
// the /test self-check goes through the same path as every notification.
func (n *Notifier) SendInternal(ctx context.Context, channel string, m *Message) error {
	m.Topic, m.Subscription = "", channel
	row := outboxRow(m, channel, "selftest", "", n.opts.Now().UTC())
	return n.commit(ctx, nil, &batch{msgs: []store.OutboxMessage{row}})
}

// TestResult is the outcome of a test message through one subscription.
type TestResult struct {
	Subscription string `json:"subscription"`
	Channel      string `json:"channel"`
	OK           bool   `json:"ok"`
	ErrorCode    string `json:"error_code,omitempty"`
	Error        string `json:"error,omitempty"`
	Retryable    bool   `json:"retryable,omitempty"`
	DurationMS   int64  `json:"duration_ms"`
}

// ErrNoTopic is returned by Test for a topic that does not exist.
var ErrNoTopic = errors.New("no such topic")

// Test sends a test message through every subscription of a topic, at once and without
// retries, and says how each went.
func (n *Notifier) Test(ctx context.Context, env, topic, by string) ([]TestResult, error) {
	set := n.opts.Setup()
	var t *Topic
	if set != nil {
		t = set.Topic(env, topic)
	}
	if t == nil {
		return nil, ErrNoTopic
	}
	now := n.opts.Now().UTC()
	out := make([]TestResult, len(t.Subs))
	var wg sync.WaitGroup
	for i, sub := range t.Subs {
		wg.Add(1)
		go func(i int, sub *Sub) {
			defer wg.Done()
			m := &Message{ID: newKey(), Kind: KindTest, Environment: env, Topic: topic, Subscription: sub.Label, Time: now,
				Title:    "Test notification for " + topic + " in " + env,
				Text:     "This is a test message sent by " + by + " with `tocsin notify test`. If you can read it, the " + sub.Kind + " subscription " + sub.Label + " works.",
				DedupKey: "tocsin/" + env + "/test/" + topic, Action: ActionTrigger}
			sctx, cancel := context.WithTimeout(ctx, set.Settings.Timeout.Or(15*time.Second))
			defer cancel()
			start := time.Now()
			err := sub.Channel.Send(sctx, m)
			r := TestResult{Subscription: sub.Label, Channel: sub.Kind, OK: err == nil, DurationMS: time.Since(start).Milliseconds()}
			if err != nil {
				f := AsFailure(err)
				r.ErrorCode, r.Error, r.Retryable = f.Code, f.Message, f.Retryable
			}
			out[i] = r
		}(i, sub)
	}
	wg.Wait()
	return out, nil
}
