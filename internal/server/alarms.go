package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/backtest"
	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/stack"
)

// openAlarms starts the alarm engine on the applied configuration.
func (s *Server) openAlarms(ctx context.Context) error {
	delay := 10 * time.Second
	if d := s.cfg.get().stack.Project.Server.EvaluationDelay; d != nil {
		delay = d.Std()
		if delay == 0 {
			delay = engine.NoDelay
		}
	}
	s.alarms = engine.New(engine.Options{Metrics: s.metricStore, Store: s.store, Now: s.opts.Now,
		Logger: s.log.With("part", "alarms"), EvaluationDelay: delay, OnChange: s.alarmChanged})
	return s.configureAlarms(ctx)
}

// configureAlarms hands the effective alarms of every served environment to the engine
// (after startup, a reload or a runtime change).
func (s *Server) configureAlarms(ctx context.Context) error {
	if s.alarms == nil {
		return nil
	}
	return s.alarms.Configure(ctx, s.cfg.get().envs())
}

// historyLoop prunes alarm history older than server.history_retention (default 14d).
func (s *Server) historyLoop() loop.Loop {
	keep := 14 * 24 * time.Hour
	if d := s.cfg.get().stack.Project.Server.HistoryRetention; d != nil {
		keep = d.Std()
	}
	return loop.Loop{Name: "alarm-history-prune", Interval: time.Hour, Cycle: func(ctx context.Context) error {
		_, err := s.store.PruneHistory(ctx, s.opts.Now().Add(-keep))
		return err
	}}
}

// alarmLoop polls the engine often (it returns at once when nothing is due), so alarms
// are decided within 100 ms of their due time; a long evaluation round is not a stall.
func (s *Server) alarmLoop() loop.Loop {
	return loop.Loop{Name: "alarms", Interval: 100 * time.Millisecond, StallAfter: 2 * time.Minute, Cycle: s.alarms.Cycle}
}

// alarmChanged is told of every state change: it is published on the event bus (rules
// and notifications consume it in later milestones; the engine records the actions in
// the alarm's history meanwhile).
func (s *Server) alarmChanged(ch engine.Change) {
	if !ch.ActionsOnly { // else a composite's held actions: no state change, but they run
		s.metrics.alarmTransition(string(ch.New))
		s.log.Info("alarm state change", "environment", ch.Env, "alarm", engine.InstanceName(ch.Alarm, ch.Instance),
			"from", ch.Old, "to", ch.New, "reason", ch.Reason)
	}
	ev, err := ch.Event()
	if err != nil {
		s.log.Error("alarm state change event", "err", err)
		return
	}
	s.bus.Publish(ev)
	if !ch.DueAt.IsZero() {
		s.metrics.detection.Observe(s.opts.Now().Sub(ch.DueAt).Seconds())
	}
}

// listAlarms is GET /api/v1/environments/{env}/alarms.
func (s *Server) listAlarms(r *http.Request) (any, error) {
	q := r.URL.Query()
	state := eval.State(q.Get("state"))
	switch state {
	case "", eval.OK, eval.Alarm, eval.InsufficientData:
	default:
		return nil, badRequest("state", "state must be OK, ALARM or INSUFFICIENT_DATA, got %q", state)
	}
	list := s.alarms.Instances(r.PathValue("env"), engine.Filter{State: state, Prefix: q.Get("prefix")})
	out := make([]map[string]any, len(list))
	for i, inst := range list {
		out[i] = s.withFlapping(r.PathValue("env"), instanceJSON(inst, false))
	}
	return map[string]any{"environment": r.PathValue("env"), "alarms": out}, nil
}

func instanceJSON(inst engine.Instance, detail bool) map[string]any {
	if inst.Dims == nil {
		inst.Dims = []metric.Dim{}
	}
	m := map[string]any{"name": engine.InstanceName(inst.Alarm, inst.Instance), "alarm": inst.Alarm, "instance": inst.Instance,
		"dimensions": inst.Dims, "state": inst.State, "reason": inst.Reason, "updated_at": inst.UpdatedAt, "transitioned_at": inst.TransitionAt}
	if detail {
		m["reason_data"] = inst.ReasonData
		m["last_evaluated"] = inst.LastEvaluated
		m["datapoints"] = inst.Datapoints
	}
	return m
}

// withFlapping adds the notifier's flapping flag (and since when) to an instance.
func (s *Server) withFlapping(env string, m map[string]any) map[string]any {
	on, since := s.notifier.Flapping(env, m["name"].(string))
	m["flapping"] = on
	if on {
		m["flapping_since"] = since
	}
	return m
}

// getAlarm is GET /api/v1/environments/{env}/alarms/{name}; name may be an instance
// (NAME[Dim=value,…]).
func (s *Server) getAlarm(r *http.Request) (any, error) {
	env := r.PathValue("env")
	alarm, instance := engine.ParseInstanceName(r.PathValue("name"))
	def, instances, ok := s.alarms.Alarm(env, alarm)
	if !ok {
		return nil, notFound("alarm %q does not exist in %s", alarm, env)
	}
	var out []map[string]any
	for _, inst := range instances {
		if instance == "" || inst.Instance == instance {
			out = append(out, s.withFlapping(env, instanceJSON(inst, true)))
		}
	}
	if instance != "" && len(out) == 0 {
		return nil, notFound("alarm instance %q does not exist in %s", r.PathValue("name"), env)
	}
	return map[string]any{"environment": env, "definition": def, "instances": out}, nil
}

// alarmHistory is GET /api/v1/environments/{env}/alarms/{name}/history.
func (s *Server) alarmHistory(r *http.Request) (any, error) {
	env := r.PathValue("env")
	alarm, instance := engine.ParseInstanceName(r.PathValue("name"))
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, badRequest("limit", "limit must be an integer from 1 to 1000, got %q", v)
		}
		limit = n
	}
	var inst *string
	if instance != "" {
		inst = &instance
	}
	now := s.opts.Now()
	from, err := timeParam(q, "start", time.Time{}, now)
	if err != nil {
		return nil, err
	}
	to, err := timeParam(q, "end", time.Time{}, now)
	if err != nil {
		return nil, err
	}
	items, err := s.alarms.History(r.Context(), env, alarm, inst, from, to, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(items))
	for i, h := range items {
		out[i] = map[string]any{"alarm": h.Alarm, "instance": h.Instance, "timestamp": h.At, "type": h.Type, "summary": h.Summary, "data": json.RawMessage(orNull(h.Data))}
	}
	return map[string]any{"environment": env, "alarm": alarm, "history": out}, nil
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// setAlarmState is POST /api/v1/environments/{env}/alarms/{name}/state.
func (s *Server) setAlarmState(r *http.Request) (any, error) {
	body, err := readJSONBody(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		State  string `json:"state"`
		Reason string `json:"reason"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, badRequest("", "the body must be {\"state\": …, \"reason\": …}: %v", err)
	}
	switch eval.State(req.State) {
	case eval.OK, eval.Alarm, eval.InsufficientData:
	default:
		return nil, badRequest("state", "state must be OK, ALARM or INSUFFICIENT_DATA, got %q", req.State)
	}
	if req.Reason == "" || len(req.Reason) > 1023 {
		return nil, badRequest("reason", "reason is required (at most 1023 characters)")
	}
	env := r.PathValue("env")
	alarm, instance := engine.ParseInstanceName(r.PathValue("name"))
	err = s.alarms.SetState(r.Context(), env, alarm, instance, eval.State(req.State), req.Reason)
	if errors.Is(err, engine.ErrNoAlarm) {
		return nil, notFound("alarm %q does not exist in %s", r.PathValue("name"), env)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": r.PathValue("name"), "state": req.State}, nil
}

// backtestAlarm is POST /api/v1/environments/{env}/backtest: the alarm in the body
// (stack syntax as JSON) replayed over [from, to) against this server's metric history.
func (s *Server) backtestAlarm(r *http.Request) (any, error) {
	body, err := readJSONBody(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		Alarm    json.RawMessage `json:"alarm"`
		From, To time.Time
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, badRequest("", "the body must be {\"alarm\": {…}, \"from\": RFC 3339, \"to\": RFC 3339}: %v", err)
	}
	if !req.To.After(req.From) {
		return nil, badRequest("to", "to must be after from")
	}
	var named struct {
		Name string `json:"name"`
	}
	json.Unmarshal(req.Alarm, &named)
	if named.Name == "" {
		return nil, badRequest("alarm.name", "the alarm needs a name")
	}
	env := r.PathValue("env")
	en, diags := stack.DecodeRuntime(s.cfg.get().effective[env], stack.KindByName("alarms"), named.Name, req.Alarm)
	if diags.HasErrors() {
		return nil, invalidConfig(diags)
	}
	res, err := backtest.Run(r.Context(), s.metricStore, env, en.Resource.(*stack.Alarm), req.From, req.To)
	if err != nil {
		return nil, badRequest("", "%v", err)
	}
	return res, nil
}
