package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// Store is what the notifier keeps durable.
type Store interface {
	store.Notifications
	store.Incidents
	store.Silences
	ListAnnotations(ctx context.Context, q store.AnnotationQuery) ([]store.Annotation, error)
}

// Options configure a Notifier. Zero values are safe: no graphs, no tocsin events, no
// metrics, the real clock.
type Options struct {
	Store    Store
	Setup    func() *Setup // the current configuration's topics, policies and windows
	Now      func() time.Time
	Log      *slog.Logger
	AckLinks AckLinks
	// AlarmState returns an alarm instance's current state; false when it no longer
	// exists. Incidents resolve when their alarm is OK (or gone).
	AlarmState func(env, name string) (string, bool)
	// Graph draws the metric around an alarm change (e-mail's PNG); nil means none.
	Graph func(ctx context.Context, ch *AlarmChange) *Graph
	// Publish emits a tocsin event (source "tocsin") in env.
	Publish func(env, detailType string, detail any)
	// OnAttempt counts delivery attempts: outcome is sent, retry or dead.
	OnAttempt func(channel, outcome, code string)
	// Wake tells the sender that the outbox has work (the server's loop); nil: none.
	Wake func()
	// Internal channels are outbox destinations outside the stack, by channel name (the
	// /test self-check's sink). Their messages have no topic.
	Internal    map[string]Channel
	Concurrency int            // parallel sends (default 32)
	Jitter      func() float64 // in [0,1) (default math/rand)
}

// Notifier routes, mutes, groups, escalates and sends notifications.
type Notifier struct {
	opts  Options
	flaps *Flaps

	mu       sync.Mutex // incident transitions
	groupsMu sync.Mutex
	heldDue  map[string]time.Time // group → due time of its held notices (lost on restart: groups are then smaller)

	silMu     sync.Mutex
	silences  []store.Silence
	silLoaded time.Time
}

// New returns a notifier.
func New(opts Options) *Notifier {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	n := &Notifier{opts: opts, heldDue: map[string]time.Time{}, flaps: &Flaps{}}
	n.configureFlaps()
	return n
}

func (n *Notifier) configureFlaps() {
	set := n.opts.Setup()
	changes, window := 6, time.Hour
	if set != nil {
		f := set.Settings.Flapping
		if f.Changes != 0 {
			changes = f.Changes
		}
		window = f.Window.Or(window)
	}
	n.flaps.mu.Lock()
	n.flaps.Changes, n.flaps.Window = changes, window
	n.flaps.mu.Unlock()
}

// FlapChange is a state change of an alarm instance that had actions (the changes
// flapping counts), for RestoreFlapping.
type FlapChange struct {
	Env, Name string // Name as in AlarmItem.Name
	At        time.Time
}

// RestoreFlapping rebuilds flapping detection after a restart: load returns the changes
// since the start of the current window, in any order. An instance that was flapping
// still is, so the changes held back for it stay held until it settles.
func (n *Notifier) RestoreFlapping(load func(since time.Time) ([]FlapChange, error)) error {
	now := n.opts.Now()
	n.flaps.mu.Lock()
	window, on := n.flaps.Window, n.flaps.Changes > 0
	n.flaps.mu.Unlock()
	if !on {
		return nil
	}
	changes, err := load(now.Add(-window))
	if err != nil {
		return fmt.Errorf("notify: restoring flapping: %w", err)
	}
	slices.SortStableFunc(changes, func(a, b FlapChange) int { return a.At.Compare(b.At) })
	byKey := map[string][]time.Time{}
	var keys []string
	for _, c := range changes {
		k := flapKey(c.Env, c.Name)
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], c.At)
	}
	for _, k := range keys {
		n.flaps.Replay(k, byKey[k])
	}
	return nil
}

// Reconfigure applies a new configuration's flapping settings.
func (n *Notifier) Reconfigure() { n.configureFlaps() }

// Flapping reports whether an alarm instance is flapping now, and since when.
func (n *Notifier) Flapping(env, name string) (bool, time.Time) {
	return n.flaps.Flapping(flapKey(env, name), n.opts.Now())
}

// Delivery kinds the notifier takes from the event pipeline.
const (
	DeliveryTopic        = "topic"
	DeliveryEscalation   = "escalation_policy"
	DeliveryAlarmActions = "alarm_actions"
)

// Destination is what a topic or escalation-policy delivery names.
type Destination struct {
	Name string `json:"name"`
}

// Route handles one delivery of the event pipeline: a rule's topic or escalation-policy
// target, or an alarm's actions. Everything it decides is stored together with the
// removal of the delivery, so a route retried after a crash happens once.
func (n *Notifier) Route(ctx context.Context, d *store.Delivery) error {
	return n.RouteBatch(ctx, []*store.Delivery{d})[0]
}

// RouteBatch routes many deliveries and stores what they produce in one transaction
// (one disk sync for the lot); it returns one error per delivery.
func (n *Notifier) RouteBatch(ctx context.Context, ds []*store.Delivery) []error {
	errs := make([]error, len(ds))
	set := n.opts.Setup()
	if set == nil {
		for i := range errs {
			errs[i] = fmt.Errorf("no configuration yet")
		}
		return errs
	}
	var all batch
	var ids []int64
	for i, d := range ds {
		var b batch
		if errs[i] = n.route(ctx, set, d, &b); errs[i] == nil {
			all.held = append(all.held, b.held...)
			all.msgs = append(all.msgs, b.msgs...)
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return errs
	}
	err := n.commit(ctx, ids, &all)
	if errors.Is(err, store.ErrNotFound) && len(ids) > 1 {
		// Some delivery was routed already (a retry after a crash): redo them one by one
		// so that each of the others still happens once.
		for i, d := range ds {
			if errs[i] == nil {
				errs[i] = n.Route(ctx, d)
			}
		}
		return errs
	}
	for i := range ds {
		if errs[i] == nil {
			errs[i] = err
		}
	}
	return errs
}

func (n *Notifier) route(ctx context.Context, set *Setup, d *store.Delivery, b *batch) error {
	switch d.Kind {
	case DeliveryAlarmActions:
		return n.routeAlarm(ctx, set, d, b)
	case DeliveryTopic:
		return n.routeEventToTopic(ctx, set, d, b)
	case DeliveryEscalation:
		return n.routeEventToPolicy(ctx, set, d, b)
	}
	return &Failure{Code: "NO_RESOURCE", Message: "the notifier does not take " + d.Kind + " deliveries"}
}

// batch collects what one route stores.
type batch struct {
	held []store.HeldNotice
	msgs []store.OutboxMessage
}

func (n *Notifier) commit(ctx context.Context, fromDeliveries []int64, b *batch) error {
	err := n.opts.Store.Enqueue(ctx, fromDeliveries, b.held, b.msgs)
	if err == nil && len(b.msgs) > 0 && n.opts.Wake != nil {
		n.opts.Wake()
	}
	return err
}

func destination(d *store.Delivery) (string, error) {
	var dst Destination
	if err := json.Unmarshal(d.Destination, &dst); err != nil || dst.Name == "" {
		return "", &Failure{Code: "NO_RESOURCE", Message: "the delivery names no topic or policy"}
	}
	return dst.Name, nil
}
