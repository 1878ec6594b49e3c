package server

import (
	"context"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/deliver"
	"github.com/tocsin/tocsin/internal/event/pipeline"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// tocsinSource is the source of the events tocsin emits about itself; clients may not use
// it (or any source under it) so that rules on it can be trusted.
const tocsinSource = "tocsin"

// openEvents wires the event path: the pipeline (store, match, targets), the delivery
// worker, and the bus subscription that brings alarm state changes and tocsin's own
// events into the pipeline. The bus applies back-pressure: a slow store slows producers.
func (s *Server) openEvents() {
	s.pipeline = pipeline.New(pipeline.Options{Store: s.store, Rules: func() *rules.Set { return s.cfg.get().rules },
		Retire: s.alarms.RetireInstances, Now: s.opts.Now, Log: s.log.With("part", "events"), Delivered: s.deliverWaker.Wake})
	timeout := 10 * time.Second
	if d := s.cfg.get().stack.Project.Server.Events.WebhookTimeout; d != nil {
		timeout = d.Std()
	}
	webhook := &deliver.Webhook{Timeout: timeout, Lookup: s.webhookTarget}
	senders := s.notifySenders()
	senders[rules.KindWebhook] = webhook
	s.deliverer = deliver.New(deliver.Options{Store: s.store, Now: s.opts.Now, Log: s.log.With("part", "deliveries"),
		Senders: senders,
		OnDone:  func(d *store.Delivery, outcome string) { s.metrics.delivery(d.Kind, outcome) },
		OnDead:  s.deadLettered})
	s.scheduler = pipeline.NewScheduler(s.pipeline)
	s.stopBus = s.bus.SubscribeBatch(10000, 1000, s.fromBus)
}

// fromBus stores and routes what the bus brings. A store failure is retried (the bus
// holds the producers back meanwhile) until the server stops.
func (s *Server) fromBus(evs []event.Envelope) {
	for attempt := 0; ; attempt++ {
		_, err := s.pipeline.Accept(context.Background(), evs)
		if err == nil {
			return
		}
		s.log.Error("storing events from the bus", "events", len(evs), "attempt", attempt+1, "err", err)
		if s.closing.Load() {
			return
		}
		time.Sleep(min(time.Second<<min(attempt, 5), 30*time.Second))
	}
}

// webhookTarget finds a webhook target's current definition (its URL and headers are
// secrets, looked up at send time rather than stored).
func (s *Server) webhookTarget(env, rule, target string) (*stack.WebhookTarget, bool) {
	r, ok := s.cfg.get().rules.Rule(env, rule)
	if !ok {
		return nil, false
	}
	for _, t := range r.Targets {
		if t.ID == target && t.Spec.Webhook != nil {
			return t.Spec.Webhook, true
		}
	}
	return nil, false
}

// publishTocsin emits one of tocsin's own events in env.
func (s *Server) publishTocsin(env, detailType string, detail any) {
	ev, err := event.New(env, tocsinSource, detailType, s.opts.Now(), nil, detail)
	if err != nil {
		s.log.Error("tocsin event", "detail_type", detailType, "err", err)
		return
	}
	s.bus.Publish(ev)
}

// publishReload tells every served environment how a configuration load went.
func (s *Server) publishReload(rec store.ReloadRecord) {
	cfg := s.cfg.get()
	if cfg == nil || s.pipeline == nil { // startup: nothing listens yet
		return
	}
	detailType := "Configuration Reload Succeeded"
	if !rec.OK {
		detailType = "Configuration Reload Failed"
	}
	for _, env := range cfg.order {
		s.publishTocsin(env, detailType, map[string]any{"trigger": rec.Trigger, "checksum": rec.Checksum, "errors": rec.Errors, "reload_id": rec.ID})
	}
}

// deadLettered reports a delivery that failed for good as a tocsin event. Rules on it
// must not target the failing destination itself, or one failure feeds the next.
func (s *Server) deadLettered(dl store.DeadLetter) {
	s.publishTocsin(dl.Environment, "Event Delivery Dead-Lettered", map[string]any{"dead_letter_id": dl.ID, "rule": dl.Rule,
		"target": dl.Target, "event_id": dl.EventID, "error_code": dl.ErrorCode, "error_message": dl.ErrorMessage,
		"exhausted_retry_condition": dl.ExhaustedCondition, "retry_attempts": dl.Attempts})
}

// eventLoops deliver, fire schedules and prune old events.
func (s *Server) eventLoops() []loop.Loop {
	keep := 14 * 24 * time.Hour
	if d := s.cfg.get().stack.Project.Server.Events.Retention; d != nil {
		keep = d.Std()
	}
	return []loop.Loop{
		{Name: "event-deliveries", Interval: 100 * time.Millisecond, Wake: s.deliverWaker, StallAfter: 2 * time.Minute, Cycle: func(ctx context.Context) error {
			_, err := s.deliverer.Drain(ctx)
			return err
		}},
		{Name: "event-schedules", Interval: time.Second, Cycle: func(ctx context.Context) error {
			_, err := s.scheduler.Tick(ctx, s.cfg.get().rules, s.opts.Now())
			return err
		}},
		{Name: "event-prune", Interval: time.Hour, Cycle: func(ctx context.Context) error {
			_, err := s.store.PruneEvents(ctx, s.opts.Now().Add(-keep))
			return err
		}},
	}
}
