package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin/internal/alarm/engine"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/event/deliver"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// ackKeyFile keeps the key that signs acknowledge links (32 random bytes, hex).
const ackKeyFile = "ack-key"

// openNotify makes the notifier: rules' topic and escalation targets and alarms' actions
// reach it through the event deliveries; it keeps its own outbox.
func (s *Server) openNotify() error {
	key, err := dataKey(s.opts.DataDir, ackKeyFile)
	if err != nil {
		return err
	}
	s.sendWaker, s.deliverWaker = loop.NewWaker(), loop.NewWaker()
	s.selftestSink = &sink{}
	s.notifier = notify.New(notify.Options{Store: s.store, Now: s.opts.Now, Log: s.log.With("part", "notify"),
		Setup:      func() *notify.Setup { return s.cfg.get().notify },
		AckLinks:   notify.AckLinks{Key: key},
		AlarmState: s.alarmState,
		Graph:      s.alarmGraph,
		Publish:    s.publishTocsin,
		OnAttempt:  s.metrics.notification,
		Wake:       s.sendWaker.Wake,
		Internal:   map[string]notify.Channel{selftestChannel: s.selftestSink}})
	if err := s.notifier.RestoreFlapping(s.flapHistory); err != nil { // not worth refusing to start
		s.log.Warn("flapping detection starts afresh", "err", err)
	}
	return nil
}

// maxFlapHistory bounds the alarm history read per environment to restore flapping.
const maxFlapHistory = 100_000

// flapHistory returns the alarm state changes that had actions since since, from the
// history of every served environment: a change with actions has one Action item per
// action, all at the change's time.
func (s *Server) flapHistory(since time.Time) ([]notify.FlapChange, error) {
	type change struct {
		alarm, instance string
		at              time.Time
	}
	var out []notify.FlapChange
	for _, env := range s.cfg.get().envNames() {
		items, err := s.store.ListHistory(context.Background(), store.HistoryQuery{Environment: env, Type: "Action", From: since, Limit: maxFlapHistory})
		if err != nil {
			return nil, err
		}
		seen := map[change]bool{}
		for _, it := range items {
			c := change{it.Alarm, it.Instance, it.At}
			if !seen[c] {
				seen[c] = true
				out = append(out, notify.FlapChange{Env: env, Name: engine.InstanceName(it.Alarm, it.Instance), At: it.At})
			}
		}
	}
	return out, nil
}

// routeSender hands topic, escalation-policy and alarm-action deliveries to the notifier.
type routeSender struct{ n *notify.Notifier }

var _ deliver.BatchSender = routeSender{}

func (r routeSender) Send(ctx context.Context, d *store.Delivery) error {
	return r.SendBatch(ctx, []*store.Delivery{d})[0]
}

// SendBatch routes many deliveries in one transaction.
func (r routeSender) SendBatch(ctx context.Context, ds []*store.Delivery) []error {
	errs := r.n.RouteBatch(ctx, ds)
	for i, err := range errs {
		errs[i] = deliveryError(err)
	}
	return errs
}

func deliveryError(err error) error {
	var f *notify.Failure
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil // routed before (a retry after a crash): it happened once
	case errors.As(err, &f):
		return &deliver.Failure{Code: f.Code, Message: f.Message, Retryable: f.Retryable}
	}
	return err
}

func (s *Server) notifySenders() map[string]deliver.Sender {
	r := routeSender{s.notifier}
	return map[string]deliver.Sender{rules.KindTopic: r, rules.KindEscalation: r, rules.KindAlarmActions: r}
}

func (s *Server) alarmState(env, name string) (string, bool) {
	st, ok := s.alarms.State(env, name)
	return string(st), ok
}

// alarmGraph reads the alarm's statistic around a change for the e-mail's picture: the
// last 60 periods (at least 3 hours of 1-minute data) up to the change.
func (s *Server) alarmGraph(ctx context.Context, ch *notify.AlarmChange) *notify.Graph {
	it := ch.Item
	ns, name := ch.Namespace, ch.MetricName
	stat, err := metric.ParseStatistic(it.Statistic)
	if name == "" || err != nil || ch.Period <= 0 {
		return nil
	}
	span := max(60*ch.Period, 3*time.Hour)
	end := it.Since.Truncate(ch.Period).Add(ch.Period)
	start := end.Add(-span)
	if n := span / ch.Period; n > metricstore.MaxDatapoints {
		start = end.Add(-metricstore.MaxDatapoints * ch.Period)
	}
	var dims []metric.Dim
	for k, v := range it.Dimensions {
		dims = append(dims, metric.Dim{Name: k, Value: v})
	}
	sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
	if def, _, found := s.alarms.Alarm(ch.Env, it.Alarm); found {
		if a, isMetric := def.(*stack.Alarm); isMetric {
			dims = dims[:0]
			for k, v := range a.Metric.Dimensions {
				if iv, ok := it.Dimensions[k]; ok {
					v = iv
				}
				dims = append(dims, metric.Dim{Name: k, Value: v})
			}
			sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
		}
	}
	res, err := s.metricStore.Statistics(ctx, metricstore.Query{Env: ch.Env, Namespace: ns, Name: name, Dims: dims,
		Start: start, End: end, Period: ch.Period, Statistics: []metric.Statistic{stat}})
	if err != nil || len(res) != 1 {
		s.log.Debug("no graph for the notification", "alarm", it.Name, "err", err, "series", len(res))
		return nil
	}
	g := &notify.Graph{Title: it.Metric + " " + it.Statistic, Unit: it.Unit, Threshold: it.Threshold, Start: start, End: end, Mark: it.Since}
	for _, dp := range res[0].Datapoints {
		if v, ok := dp.Values[stat.String()]; ok {
			g.Points = append(g.Points, notify.Point{T: dp.Timestamp, V: v})
		}
	}
	return g
}

// notifyLoops send the outbox, walk groups, incidents and silences, and prune the log,
// resolved incidents and ended silences.
func (s *Server) notifyLoops() []loop.Loop {
	keep := s.cfg.get().stack.Project.Server.Notifications.Retention.Or(stack.DefaultNotifyRetained)
	return []loop.Loop{
		{Name: "notify-send", Interval: time.Second, Wake: s.sendWaker, StallAfter: 2 * time.Minute, Cycle: func(ctx context.Context) error {
			for i := 0; i < 20; i++ { // bounded, so that the loop's heartbeat keeps beating under load
				if n, err := s.notifier.Drain(ctx); err != nil || n == 0 {
					return err
				}
			}
			s.sendWaker.Wake() // more is due: go on at once
			return nil
		}},
		{Name: "notify-tick", Interval: time.Second, StallAfter: time.Minute, Cycle: s.notifier.Tick},
		{Name: "notify-prune", Interval: time.Hour, Cycle: func(ctx context.Context) error {
			return s.pruneNotify(ctx, s.opts.Now().Add(-keep))
		}},
	}
}

// pruneNotify deletes what finished before before: notifications, then resolved
// incidents (an incident is kept while a message about it is), then ended silences. Each
// is its own transaction; one failing does not stop the others.
func (s *Server) pruneNotify(ctx context.Context, before time.Time) error {
	_, errN := s.store.PruneNotifications(ctx, before)
	_, errI := s.store.PruneIncidents(ctx, before)
	_, errS := s.store.PruneSilences(ctx, before)
	return errors.Join(errN, errI, errS)
}

// dataKey reads a random key kept in the data directory, making it on first use.
func dataKey(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err == nil {
		if key, derr := hex.DecodeString(strings.TrimSpace(string(data))); derr == nil && len(key) >= 32 {
			return key, nil
		}
		return nil, fmt.Errorf("server: %s is not a hex key of at least 32 bytes", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("server: reading %s: %w", path, err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("server: writing %s: %w", path, err)
	}
	return key, nil
}

// selftestChannel is the internal channel /test delivers to through the outbox.
const selftestChannel = "selftest"

// sink is /test's receiver: it remembers the message ids it got.
type sink struct {
	mu   sync.Mutex
	seen map[string]bool
}

var _ notify.Channel = (*sink)(nil)

func (k *sink) Send(_ context.Context, m *notify.Message) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen == nil {
		k.seen = map[string]bool{}
	}
	k.seen[m.ID] = true
	return nil
}

func (k *sink) got(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.seen[id]
}

// testNotification puts a message in the outbox for the internal sink and waits for the
// sender to deliver it.
func (s *Server) testNotification(ctx context.Context) smokeTest {
	t := smokeTest{Name: "notification", Description: "write a notification to the outbox and see the sender deliver it to an internal sink"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m := &notify.Message{Kind: notify.KindTest, Environment: selfTestEnv, Time: s.opts.Now().UTC(), Title: "tocsin self-test"}
	if err := s.notifier.SendInternal(ctx, selftestChannel, m); err != nil {
		t.Error = "outbox: " + err.Error()
		return t
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !s.selftestSink.got(m.ID) {
		select {
		case <-ctx.Done():
			t.Error = "the sender did not deliver the message within 5s"
			return t
		case <-tick.C:
		}
	}
	t.Success = true
	return t
}
