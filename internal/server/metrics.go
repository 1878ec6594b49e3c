package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tocsin/tocsin/internal/event/pipeline"
	"github.com/tocsin/tocsin/internal/store"
)

// metrics are tocsin's own metrics, served on /metrics. Each server has its own
// registry (no global state).
type metrics struct {
	reg         *prometheus.Registry
	reloads     *prometheus.CounterVec
	reloadOK    prometheus.Gauge
	reloadTime  prometheus.Gauge
	httpReqs    *prometheus.CounterVec
	ingested    *prometheus.CounterVec
	rejects     *prometheus.CounterVec
	transitions *prometheus.CounterVec
	detection   prometheus.Histogram
	httpLatency *prometheus.HistogramVec
	deliveries  *prometheus.CounterVec
	notified    *prometheus.CounterVec
	authFailed  *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_config_reloads_total", Help: "Stack loads by result (success or failure)."}, []string{"result"})
	m.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "tocsin_config_last_reload_successful", Help: "1 if the last stack load succeeded, 0 if it failed (the previous configuration keeps running)."})
	m.reloadTime = prometheus.NewGauge(prometheus.GaugeOpts{Name: "tocsin_config_last_reload_timestamp_seconds", Help: "Unix time of the last stack load."})
	m.httpReqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	m.httpLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tocsin_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.ingested = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_ingest_datums_total", Help: "Datums accepted (durable) by source: http or statsd."}, []string{"source"})
	m.rejects = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_ingest_rejected_total", Help: "Rejected datums, StatsD lines and bodies by reason."}, []string{"reason"})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_alarm_transitions_total", Help: "Alarm state changes by new state."}, []string{"state"})
	m.detection = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tocsin_alarm_detection_seconds",
		Help:    "From when an evaluation was due (its minute closed plus the evaluation delay) to the state change being published.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10}})
	m.authFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_auth_failures_total", Help: "Requests and sign-ins refused for their credential: rejected (wrong) or throttled (too many wrong credentials from the client's address)."}, []string{"outcome"})
	m.reg.MustRegister(m.authFailed)
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_event_delivery_attempts_total", Help: "Event target delivery attempts by kind and outcome (delivered, retry, dead)."}, []string{"kind", "outcome"})
	counter := func(name, help string, v func(*pipeline.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			if s.pipeline == nil {
				return 0
			}
			return float64(v(s.pipeline.Stats()))
		})
	}
	events := []prometheus.Collector{
		counter("tocsin_events_stored_total", "Events stored (ingested, alarm state changes, scheduled, tocsin's own).", func(st *pipeline.Stats) uint64 { return st.Events.Load() }),
		counter("tocsin_event_rule_matches_total", "Rule matches (one per event and matching rule).", func(st *pipeline.Stats) uint64 { return st.Matches.Load() }),
		counter("tocsin_event_annotations_total", "Annotations made by annotate targets.", func(st *pipeline.Stats) uint64 { return st.Annotations.Load() }),
		counter("tocsin_event_deliveries_enqueued_total", "Deliveries stored for webhook, topic and escalation targets.", func(st *pipeline.Stats) uint64 { return st.Deliveries.Load() }),
		counter("tocsin_event_alarm_instances_retired_total", "Alarm instances retired by retire_alarm_instances targets.", func(st *pipeline.Stats) uint64 { return st.Retired.Load() }),
		counter("tocsin_event_target_failures_total", "Targets that could not act on an event (shaping or retirement failed).", func(st *pipeline.Stats) uint64 { return st.Failures.Load() }),
	}
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tocsin_event_deliveries_pending", Help: "Deliveries waiting for their first or next attempt."}, func() float64 {
		n, _ := s.store.PendingDeliveries(context.Background())
		return float64(n)
	})
	m.reg.MustRegister(append(events, m.deliveries, pending)...)
	m.notified = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tocsin_notification_attempts_total", Help: "Notification delivery attempts by channel and outcome (sent, retry, dead)."}, []string{"channel", "outcome"})
	outbox := func(name, help string, v func(n int, oldest time.Time) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			n, oldest, err := s.store.OutboxDepth(context.Background())
			if err != nil {
				return 0
			}
			return v(n, oldest)
		})
	}
	m.reg.MustRegister(m.notified,
		outbox("tocsin_notification_outbox_depth", "Notifications waiting in the outbox for their first or next attempt.", func(n int, _ time.Time) float64 { return float64(n) }),
		outbox("tocsin_notification_outbox_oldest_seconds", "Age of the oldest notification waiting in the outbox (0 when empty).", func(n int, oldest time.Time) float64 {
			if n == 0 || oldest.IsZero() {
				return 0
			}
			return s.opts.Now().Sub(oldest).Seconds()
		}))
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "tocsin_build_info", Help: "Always 1; labels carry the version.", ConstLabels: prometheus.Labels{"version": s.opts.Version}})
	build.Set(1)
	loops := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tocsin_loops_stalled", Help: "Number of periodic loops that have not completed a cycle within 3 intervals."}, func() float64 {
		n := 0
		for _, st := range s.loops.Statuses() {
			if !st.OK {
				n++
			}
		}
		return float64(n)
	})
	m.reg.MustRegister(m.reloads, m.reloadOK, m.reloadTime, m.httpReqs, m.httpLatency, m.ingested, m.rejects, m.transitions, m.detection, build, loops,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) reload(rec store.ReloadRecord) {
	result, ok := "failure", 0.0
	if rec.OK {
		result, ok = "success", 1
	}
	m.reloads.WithLabelValues(result).Inc()
	m.reloadOK.Set(ok)
	m.reloadTime.Set(float64(rec.At.UnixNano()) / 1e9)
}

func (m *metrics) accepted(source string, n int) { m.ingested.WithLabelValues(source).Add(float64(n)) }
func (m *metrics) rejected(reason string)        { m.rejects.WithLabelValues(reason).Inc() }

func (m *metrics) alarmTransition(state string) { m.transitions.WithLabelValues(state).Inc() }

func (m *metrics) delivery(kind, outcome string) { m.deliveries.WithLabelValues(kind, outcome).Inc() }

func (m *metrics) notification(channel, outcome, _ string) {
	m.notified.WithLabelValues(channel, outcome).Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts requests per route pattern (never per raw path, which would let
// callers create unbounded label values).
func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.httpReqs.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.httpLatency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
