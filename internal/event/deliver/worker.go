// Package deliver sends stored deliveries (the durable outbox) to their targets: webhooks
// over HTTP, with EventBridge-style retries (exponential backoff with jitter, bounded by
// attempts and event age) and dead letters for what fails for good.
package deliver

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// Sender sends one delivery. It returns nil on success, or an *Failure saying whether to
// retry.
type Sender interface {
	Send(ctx context.Context, d *store.Delivery) error
}

// BatchSender is a Sender that takes many deliveries at once (the notifier stores what
// it routes in one transaction). It returns one error per delivery, nil for those it
// consumed: a consumed delivery is removed by the sender itself.
type BatchSender interface {
	Sender
	SendBatch(ctx context.Context, ds []*store.Delivery) []error
}

// Options configure a Worker.
type Options struct {
	Store       store.Events
	Senders     map[string]Sender // by delivery kind
	Now         func() time.Time
	Log         *slog.Logger
	Concurrency int                                     // parallel sends (default 16)
	Jitter      func() float64                          // in [0,1); default math/rand
	OnDone      func(d *store.Delivery, outcome string) // outcome: delivered, retry, dead (metrics)
	OnDead      func(dl store.DeadLetter)               // a delivery became a dead letter
}

// Worker sends due deliveries; call Drain often (the server's loop does, every 100 ms).
type Worker struct {
	opts Options
}

// New returns a worker.
func New(opts Options) *Worker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.Jitter == nil {
		opts.Jitter = defaultJitter
	}
	return &Worker{opts: opts}
}

// Drain sends every delivery due now (up to a batch) and returns how many it handled.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	due, err := w.opts.Store.DueDeliveries(ctx, w.opts.Now(), 512)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.opts.Concurrency)
	errs := make([]error, len(due))
	batches := map[string][]int{}
	for i := range due {
		if _, ok := w.opts.Senders[due[i].Kind].(BatchSender); ok {
			batches[due[i].Kind] = append(batches[due[i].Kind], i)
		}
	}
	for kind, idx := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds := make([]*store.Delivery, len(idx))
			for j, i := range idx {
				ds[j] = &due[i]
			}
			results := w.opts.Senders[kind].(BatchSender).SendBatch(ctx, ds)
			for j, i := range idx {
				errs[i] = w.record(ctx, &due[i], results[j])
			}
		}()
	}
	for i := range due {
		if _, ok := w.opts.Senders[due[i].Kind].(BatchSender); ok {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = w.attempt(ctx, &due[i])
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return len(due), err
		}
	}
	return len(due), nil
}

// attempt sends d once and records the outcome.
func (w *Worker) attempt(ctx context.Context, d *store.Delivery) error {
	sender := w.opts.Senders[d.Kind]
	var err error
	if sender == nil {
		err = &Failure{Code: "NO_RESOURCE", Message: "no sender for " + d.Kind + " deliveries"}
	} else {
		err = sender.Send(ctx, d)
	}
	return w.record(ctx, d, err)
}

// record stores the outcome of one attempt: finished, retried later, or dead.
func (w *Worker) record(ctx context.Context, d *store.Delivery, err error) error {
	if ctx.Err() != nil {
		return nil // shutting down: the delivery stays pending
	}
	d.Attempts++
	now := w.opts.Now().UTC()
	if err == nil || errors.Is(err, store.ErrNotFound) {
		w.done(d, "delivered")
		// A sender may consume the delivery itself (the notifier removes it in the
		// transaction that stores what it routed); then there is nothing to finish.
		if err := w.opts.Store.FinishDelivery(ctx, d.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}
	f := asFailure(err)
	d.LastError = f.Error()
	exhausted := ""
	next := now.Add(Backoff(d.Attempts, w.opts.Jitter()))
	switch {
	case !f.Retryable:
	case d.Attempts > d.MaxAttempts:
		exhausted = "MaximumRetryAttempts"
	case next.Sub(d.FirstAt) > d.MaxAge:
		exhausted = "MaximumEventAgeInSeconds"
	default:
		d.NextAt = next
		w.done(d, "retry")
		return w.opts.Store.RetryDelivery(ctx, *d)
	}
	dl := store.DeadLetter{Delivery: *d, ErrorCode: f.Code, ErrorMessage: f.Message, ExhaustedCondition: exhausted, DeadAt: now}
	if err := w.opts.Store.KillDelivery(ctx, dl); err != nil {
		return err
	}
	w.done(d, "dead")
	w.opts.Log.Warn("delivery failed for good", "env", d.Environment, "rule", d.Rule, "target", d.Target,
		"event", d.EventID, "attempts", d.Attempts, "error_code", f.Code, "exhausted", exhausted)
	if w.opts.OnDead != nil {
		w.opts.OnDead(dl)
	}
	return nil
}

func (w *Worker) done(d *store.Delivery, outcome string) {
	if w.opts.OnDone != nil {
		w.opts.OnDone(d, outcome)
	}
}
