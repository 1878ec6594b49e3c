package server

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/pipeline"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// selfTestEnv holds /test's own data; it cannot collide with a stack environment, whose
// names start with a letter.
const selfTestEnv = "_selftest"

// testIngestQuery pushes a datum through the metric store (durably) and reads it back.
func (s *Server) testIngestQuery(ctx context.Context) smokeTest {
	t := smokeTest{Name: "ingest_query", Description: "ingest a datum durably and read it back through a statistics query"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	now := s.opts.Now().UTC()
	v := float64(now.UnixNano() % 1e12)
	key := metric.SeriesKey{Env: selfTestEnv, Namespace: "Tocsin/SelfTest", Name: "RoundTrip", Unit: "None"}
	if err := s.metricStore.Ingest(ctx, []metric.Datum{{Key: key, Time: now, Resolution: 1, Value: v, HasValue: true}}); err != nil {
		t.Error = "ingest: " + err.Error()
		return t
	}
	maxStat, _ := metric.ParseStatistic("Maximum")
	res, err := s.metricStore.Statistics(ctx, metricstore.Query{Env: selfTestEnv, Namespace: key.Namespace, Name: key.Name,
		Start: now.Truncate(time.Second), End: now.Truncate(time.Second).Add(time.Second), Period: time.Second, Statistics: []metric.Statistic{maxStat}})
	switch {
	case err != nil:
		t.Error = "query: " + err.Error()
	case len(res) != 1 || len(res[0].Datapoints) != 1:
		t.Error = "query: the datum is not there"
	case res[0].Datapoints[0].Values["Maximum"] < v:
		t.Error = fmt.Sprintf("query: read back %v, wrote %v", res[0].Datapoints[0].Values["Maximum"], v)
	default:
		t.Success = true
	}
	return t
}

// selfTestRule routes /test's events to an annotation, tocsin's internal sink.
const selfTestRule = `{"event_pattern": {"source": ["tocsin.selftest"], "detail": {"nonce": [{"exists": true}]}},
  "targets": [{"annotate": {"text": "selftest <$.detail.nonce>"}}]}`

// testEventRoundTrip sends an event through the real pipeline (store, pattern match,
// target) with a rule of its own and finds the annotation its target made.
func (s *Server) testEventRoundTrip(ctx context.Context) smokeTest {
	t := smokeTest{Name: "event_rule", Description: "ingest an event, match it against a rule and find the annotation its target made"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	env := &stack.Env{Name: selfTestEnv}
	en, diags := stack.DecodeRuntime(env, stack.KindByName("event_rules"), "selftest", []byte(selfTestRule))
	if diags.HasErrors() {
		t.Error = "rule: " + diags.Errors()[0].String()
		return t
	}
	set, err := rules.Build([]*stack.Env{env.WithRuntime([]*stack.Entry{en}, nil)})
	if err != nil {
		t.Error = "rule: " + err.Error()
		return t
	}
	p := pipeline.New(pipeline.Options{Store: s.store, Rules: func() *rules.Set { return set }, Now: s.opts.Now, Log: s.log})
	nonce := event.NewID()
	ev, err := event.New(selfTestEnv, "tocsin.selftest", "Self Test", s.opts.Now(), nil, map[string]string{"nonce": nonce})
	if err != nil {
		t.Error = err.Error()
		return t
	}
	res, err := p.Accept(ctx, []event.Envelope{ev})
	switch {
	case err != nil:
		t.Error = "ingest: " + err.Error()
		return t
	case len(res) != 1 || len(res[0].Rules) != 1:
		t.Error = "the event matched no rule"
		return t
	}
	list, err := s.store.ListAnnotations(ctx, store.AnnotationQuery{Environment: selfTestEnv, From: ev.Time, To: ev.Time.Add(time.Second)})
	if err != nil {
		t.Error = "annotations: " + err.Error()
		return t
	}
	for _, a := range list {
		if a.Text == "selftest "+nonce && a.EventID == ev.ID {
			t.Success = true
			return t
		}
	}
	t.Error = "the rule's annotation is not there"
	return t
}
