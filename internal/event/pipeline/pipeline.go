// Package pipeline is the path of an event through tocsin: it is stored, matched once
// against the rules of its environment, and what the matched targets do (annotations,
// deliveries, retirements) is stored with it in one transaction before the event is
// acknowledged. Webhook deliveries then leave through the delivery worker.
package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/store"
)

// Retirer retires alarm-template instances (the alarm engine).
type Retirer func(ctx context.Context, env, alarm string, dims map[string]string, why string) ([]string, error)

// Options configure a Pipeline.
type Options struct {
	Store  store.Events
	Rules  func() *rules.Set // the current rules (they change on reload)
	Retire Retirer
	Now    func() time.Time
	Log    *slog.Logger
	// Delivered, when not nil, is told after a commit that stored deliveries, so that
	// the delivery worker starts at once instead of at its next poll.
	Delivered func()
}

// Pipeline accepts events. It is safe for concurrent use; events of one Accept call are
// stored and routed in order.
type Pipeline struct {
	opts    Options
	scratch sync.Pool
	stats   Stats

	// Group commit: concurrent batches are written in one transaction (one fsync).
	mu      sync.Mutex
	leading bool
	waiting []*batch
}

// batch is one caller's share of a group commit.
type batch struct {
	records []store.EventRecord
	acts    *rules.Actions
	done    chan outcome
}

// Stats are the pipeline's counters (for /metrics).
type Stats struct {
	Events, Matches, Annotations, Deliveries, Retired, Failures atomic.Uint64
}

// New returns a pipeline.
func New(opts Options) *Pipeline {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Pipeline{opts: opts, scratch: sync.Pool{New: func() any { return new(scratch) }}}
}

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() *Stats { return &p.stats }

type scratch struct {
	matched []*rules.Rule
	ids     []int
}

// Result is what happened to one accepted event.
type Result struct {
	ID    string
	Rules []string // the rules it matched
}

// Accept stores evs (all of one environment or several), routes them through the
// matching rules and returns once everything is durable. Retirements run after the
// commit; their failures are logged and counted, not returned.
func (p *Pipeline) Accept(ctx context.Context, evs []event.Envelope) ([]Result, error) {
	now := p.opts.Now().UTC()
	set := p.opts.Rules()
	sc := p.scratch.Get().(*scratch)
	defer p.scratch.Put(sc)
	records := make([]store.EventRecord, len(evs))
	results := make([]Result, len(evs))
	var acts rules.Actions
	for i := range evs {
		ev := &evs[i]
		body := ev.AppendJSON(make([]byte, 0, 256+len(ev.Detail)))
		sc.matched = sc.matched[:0]
		var err error
		if set != nil {
			if sc.matched, sc.ids, err = set.Match(ev.Environment, body, sc.matched, sc.ids); err != nil {
				return nil, err
			}
		}
		names := make([]string, len(sc.matched))
		for j, r := range sc.matched {
			names[j] = r.Name
			r.Apply(rules.Event{ID: ev.ID, Env: ev.Environment, Time: ev.Time, JSON: body}, now, &acts)
		}
		records[i] = record(ev, body, now, names)
		results[i] = Result{ID: ev.ID, Rules: names}
		p.stats.Matches.Add(uint64(len(names)))
	}
	return results, p.commit(ctx, records, &acts)
}

// Fire stores a scheduled rule's event and applies only that rule's targets.
func (p *Pipeline) Fire(ctx context.Context, r *rules.Rule, at time.Time) (event.Envelope, error) {
	ev, err := event.New(r.Env, "tocsin.events", "Scheduled Event", at, []string{r.ARN()}, struct{}{})
	if err != nil {
		return ev, err
	}
	body := ev.AppendJSON(nil)
	now := p.opts.Now().UTC()
	var acts rules.Actions
	r.Apply(rules.Event{ID: ev.ID, Env: ev.Environment, Time: ev.Time, JSON: body}, now, &acts)
	rec := record(&ev, body, now, []string{r.Name})
	p.stats.Matches.Add(1)
	return ev, p.commit(ctx, []store.EventRecord{rec}, &acts)
}

// write stores b, together with the batches of other callers that arrive while a write is
// in progress: one caller leads and writes everything waiting in one transaction, the
// others wait for its result. Under load this turns one fsync per request into one per
// group, without a goroutine of its own. A leader writes one group, its own, then hands
// the lead to the first caller still waiting, so no caller waits for more than the group
// before its own.
func (p *Pipeline) write(ctx context.Context, b *batch) error {
	p.mu.Lock()
	p.waiting = append(p.waiting, b)
	if p.leading {
		p.mu.Unlock()
		if r := <-b.done; !r.lead {
			return r.err
		}
		p.mu.Lock() // promoted: lead the group that gathered meanwhile
	}
	p.leading = true
	group := p.waiting
	p.waiting = nil
	p.mu.Unlock()
	err := p.writeGroup(ctx, group)
	p.mu.Lock()
	if len(p.waiting) > 0 {
		p.waiting[0].done <- outcome{lead: true}
	} else {
		p.leading = false
	}
	p.mu.Unlock()
	for _, g := range group {
		if g != b {
			g.done <- outcome{err: err}
		}
	}
	return err
}

// outcome is what a waiting caller learns: its group's result, or that it leads now.
type outcome struct {
	err  error
	lead bool
}

func (p *Pipeline) writeGroup(ctx context.Context, group []*batch) error {
	n := 0
	for _, g := range group {
		n += len(g.acts.Deliveries)
	}
	err := p.appendGroup(ctx, group)
	if err == nil && n > 0 && p.opts.Delivered != nil {
		p.opts.Delivered()
	}
	return err
}

func (p *Pipeline) appendGroup(ctx context.Context, group []*batch) error {
	if len(group) == 1 {
		g := group[0]
		return p.opts.Store.AppendEvents(ctx, g.records, g.acts.Annotations, g.acts.Deliveries)
	}
	var records []store.EventRecord
	var annotations []store.Annotation
	var deliveries []store.Delivery
	for _, g := range group {
		records = append(records, g.records...)
		annotations = append(annotations, g.acts.Annotations...)
		deliveries = append(deliveries, g.acts.Deliveries...)
	}
	return p.opts.Store.AppendEvents(context.WithoutCancel(ctx), records, annotations, deliveries)
}

// record is how an event is stored.
func record(ev *event.Envelope, body []byte, now time.Time, rules []string) store.EventRecord {
	return store.EventRecord{ID: ev.ID, Environment: ev.Environment, Source: ev.Source, DetailType: ev.DetailType,
		Time: ev.Time, Ingested: now, Body: body, Rules: rules}
}

// commit stores the events with what their targets produced, then retires.
func (p *Pipeline) commit(ctx context.Context, records []store.EventRecord, acts *rules.Actions) error {
	for _, err := range acts.Failures {
		p.opts.Log.Warn("event target failed", "err", err)
	}
	if err := p.write(ctx, &batch{records: records, acts: acts, done: make(chan outcome, 1)}); err != nil {
		return err
	}
	p.stats.Events.Add(uint64(len(records)))
	p.stats.Annotations.Add(uint64(len(acts.Annotations)))
	p.stats.Deliveries.Add(uint64(len(acts.Deliveries)))
	p.stats.Failures.Add(uint64(len(acts.Failures)))
	for _, rt := range acts.Retirements {
		if p.opts.Retire == nil {
			continue
		}
		ids, err := p.opts.Retire(ctx, rt.Env, rt.Alarm, rt.Dimensions, "event "+rt.EventID+" matched rule "+rt.Rule)
		if err != nil {
			p.stats.Failures.Add(1)
			p.opts.Log.Warn("retiring alarm instances failed", "env", rt.Env, "alarm", rt.Alarm, "rule", rt.Rule, "err", err)
			continue
		}
		p.stats.Retired.Add(uint64(len(ids)))
		if len(ids) > 0 {
			p.opts.Log.Info("alarm instances retired by an event", "env", rt.Env, "alarm", rt.Alarm, "instances", ids, "rule", rt.Rule)
		}
	}
	return nil
}
