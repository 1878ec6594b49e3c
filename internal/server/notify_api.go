package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/store"
)

// idParam reads a positive integer id from the path.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name, "%s must be a positive integer, got %q", name, r.PathValue(name))
	}
	return id, nil
}

// listNotifications is GET …/notifications?state&incident&subject&limit&before: the
// outbox and delivery log, newest first.
func (s *Server) listNotifications(r *http.Request) (any, error) {
	q := r.URL.Query()
	oq := store.OutboxQuery{Environment: r.PathValue("env"), State: q.Get("state"), Subject: q.Get("subject")}
	switch oq.State {
	case "", store.OutboxPending, store.OutboxMuted, store.OutboxSent, store.OutboxDead, store.OutboxDropped:
	default:
		return nil, badRequest("state", "state must be pending, muted, sent, dead or dropped, got %q", oq.State)
	}
	var err error
	if oq.Limit, err = intParam(q.Get("limit"), "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*int64{"incident": &oq.IncidentID, "before": &oq.BeforeID} {
		if v := q.Get(name); v != "" {
			if *dst, err = strconv.ParseInt(v, 10, 64); err != nil || *dst <= 0 {
				return nil, badRequest(name, "%s must be a positive integer, got %q", name, v)
			}
		}
	}
	list, err := s.store.ListOutbox(r.Context(), oq)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, m := range list {
		out[i] = outboxJSON(m, false)
	}
	resp := map[string]any{"environment": oq.Environment, "notifications": out}
	if len(list) == oq.Limit {
		resp["next_before"] = list[len(list)-1].ID
	}
	return resp, nil
}

// getNotification is GET …/notifications/{id}: the message and every attempt.
func (s *Server) getNotification(r *http.Request) (any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	env := r.PathValue("env")
	m, err := s.store.GetOutbox(r.Context(), env, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no notification %d in %s", id, env)
	} else if err != nil {
		return nil, err
	}
	attempts, err := s.store.ListAttempts(r.Context(), env, id, 1000)
	if err != nil {
		return nil, err
	}
	out := outboxJSON(m, true)
	list := make([]map[string]any, len(attempts))
	for i, a := range attempts {
		list[i] = map[string]any{"attempt": a.Attempt, "at": a.At, "duration_ms": a.Duration.Milliseconds(), "outcome": a.Outcome,
			"error_code": a.ErrorCode, "error": a.Error}
	}
	out["attempts"] = list
	return out, nil
}

func outboxJSON(m store.OutboxMessage, withMessage bool) map[string]any {
	out := map[string]any{"id": m.ID, "key": m.Key, "topic": m.Topic, "subscription": m.Subscription, "channel": m.Channel,
		"subject": m.Subject, "state": m.State, "created_at": m.CreatedAt, "attempts": m.Attempts}
	var msg notify.Message
	if json.Unmarshal(m.Message, &msg) == nil {
		out["title"], out["kind"] = msg.Title, msg.Kind
		if withMessage {
			msg.Graph = nil // large, and drawn only for e-mail
			out["message"] = msg
		}
	}
	for k, v := range map[string]string{"muted_by": m.MutedBy, "last_error": m.LastError, "error_code": m.ErrorCode} {
		if v != "" {
			out[k] = v
		}
	}
	if m.IncidentID != 0 {
		out["incident"] = m.IncidentID
	}
	if !m.NextAt.IsZero() && m.State == store.OutboxPending {
		out["next_attempt_at"] = m.NextAt
	}
	if !m.FinishedAt.IsZero() {
		out["finished_at"] = m.FinishedAt
	}
	return out
}

// replayNotification is POST …/notifications/{id}/replay: a dead notification is sent
// again with the same idempotency key.
func (s *Server) replayNotification(r *http.Request) (any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	env := r.PathValue("env")
	if err := s.notifier.Replay(r.Context(), env, id); errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no dead notification %d in %s", id, env)
	} else if err != nil {
		return nil, err
	}
	return map[string]any{"id": id, "state": store.OutboxPending}, nil
}

// listIncidents is GET …/incidents?state=open,acknowledged&limit&before.
func (s *Server) listIncidents(r *http.Request) (any, error) {
	q := r.URL.Query()
	iq := store.IncidentQuery{Environment: r.PathValue("env")}
	if v := q.Get("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			switch st {
			case store.IncidentOpen, store.IncidentAcknowledged, store.IncidentResolved:
				iq.States = append(iq.States, st)
			default:
				return nil, badRequest("state", "state must be open, acknowledged or resolved (comma-separated), got %q", st)
			}
		}
	}
	var err error
	if iq.Limit, err = intParam(q.Get("limit"), "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	if v := q.Get("before"); v != "" {
		if iq.BeforeID, err = strconv.ParseInt(v, 10, 64); err != nil || iq.BeforeID <= 0 {
			return nil, badRequest("before", "before must be a positive integer, got %q", v)
		}
	}
	list, err := s.store.ListIncidents(r.Context(), iq)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, inc := range list {
		out[i] = incidentJSON(inc)
	}
	resp := map[string]any{"environment": iq.Environment, "incidents": out}
	if len(list) == iq.Limit {
		resp["next_before"] = list[len(list)-1].ID
	}
	return resp, nil
}

// getIncident is GET …/incidents/{id}: the incident, its timeline and who was notified.
func (s *Server) getIncident(r *http.Request) (any, error) {
	inc, err := s.incidentParam(r)
	if err != nil {
		return nil, err
	}
	timeline, err := s.store.Timeline(r.Context(), inc.ID)
	if err != nil {
		return nil, err
	}
	out := incidentJSON(inc)
	entries := make([]map[string]any, len(timeline))
	for i, e := range timeline {
		entries[i] = map[string]any{"at": e.At, "kind": e.Kind, "text": e.Text}
	}
	out["timeline"] = entries
	sent, err := s.store.ListOutbox(r.Context(), store.OutboxQuery{Environment: inc.Environment, IncidentID: inc.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	notifications := make([]map[string]any, len(sent))
	for i, m := range sent {
		notifications[i] = outboxJSON(m, false)
	}
	out["notifications"] = notifications
	return out, nil
}

func (s *Server) incidentParam(r *http.Request) (store.Incident, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return store.Incident{}, err
	}
	env := r.PathValue("env")
	inc, err := s.store.GetIncident(r.Context(), env, id)
	if errors.Is(err, store.ErrNotFound) {
		return inc, notFound("no incident %d in %s", id, env)
	}
	return inc, err
}

func incidentJSON(inc store.Incident) map[string]any {
	out := map[string]any{"id": inc.ID, "environment": inc.Environment, "key": inc.Key, "policy": inc.Policy, "source": inc.Source,
		"title": inc.Title, "state": inc.State, "opened_at": inc.OpenedAt, "step": inc.Step, "pass": inc.Cycle + 1, "notified": inc.Notified}
	if inc.Notified == nil {
		out["notified"] = []string{}
	}
	for k, t := range map[string]time.Time{"acknowledged_at": inc.AckedAt, "resolved_at": inc.ResolvedAt, "next_step_at": inc.NextAt,
		"ack_deadline": inc.AckDeadline, "auto_resolve_at": inc.AutoResolveAt} {
		if !t.IsZero() {
			out[k] = t
		}
	}
	if inc.AckedBy != "" {
		out["acknowledged_by"] = inc.AckedBy
	}
	if inc.ResolvedBy != "" {
		out["resolved_by"] = inc.ResolvedBy
	}
	return out
}

// ackIncident is POST …/incidents/{id}/ack and resolveIncident POST …/incidents/{id}/resolve.
func (s *Server) ackIncident(r *http.Request) (any, error)     { return s.closeIncident(r, false) }
func (s *Server) resolveIncident(r *http.Request) (any, error) { return s.closeIncident(r, true) }

func (s *Server) closeIncident(r *http.Request, resolve bool) (any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	env := r.PathValue("env")
	by := principalFrom(r.Context()).Name
	var inc store.Incident
	if resolve {
		inc, err = s.notifier.Resolve(r.Context(), env, id, by)
	} else {
		inc, err = s.notifier.Acknowledge(r.Context(), env, id, by)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound("no incident %d in %s", id, env)
	case errors.Is(err, notify.ErrIncidentClosed):
		return nil, &apiError{Status: http.StatusConflict, Code: "resolved", Message: fmt.Sprintf("incident %d is already resolved", id)}
	case err != nil:
		return nil, err
	}
	return incidentJSON(inc), nil
}

// testTopic is POST …/topics/{topic}/test: a test message through every subscription.
func (s *Server) testTopic(r *http.Request) (any, error) {
	env, topic := r.PathValue("env"), r.PathValue("topic")
	results, err := s.notifier.Test(r.Context(), env, topic, principalFrom(r.Context()).Name)
	if errors.Is(err, notify.ErrNoTopic) {
		return nil, notFound("no topic %q in %s", topic, env)
	} else if err != nil {
		return nil, err
	}
	ok := true
	for _, res := range results {
		ok = ok && res.OK
	}
	return map[string]any{"environment": env, "topic": topic, "ok": ok, "results": results}, nil
}

// ackPage is GET /ack?…: the page an acknowledge link opens. It does not acknowledge:
// mail scanners and chat unfurlers follow links, so the button POSTs.
func (s *Server) ackPage(w http.ResponseWriter, r *http.Request) {
	env, id, err := s.notifier.CheckAckLink(r.URL.Query())
	if err != nil {
		ackHTML(w, http.StatusForbidden, "Acknowledge", err.Error(), "")
		return
	}
	inc, err := s.store.GetIncident(r.Context(), env, id)
	if err != nil {
		ackHTML(w, http.StatusNotFound, "Acknowledge", "This incident does not exist any more.", "")
		return
	}
	ackHTML(w, http.StatusOK, fmt.Sprintf("Incident %d: %s", inc.ID, inc.Title), "State: "+inc.State+". Acknowledging stops the escalation.", r.URL.RawQuery)
}

// ackLink is POST /ack?…: acknowledge through a signed link.
func (s *Server) ackLink(w http.ResponseWriter, r *http.Request) {
	env, id, err := s.notifier.CheckAckLink(r.URL.Query())
	if err != nil {
		ackHTML(w, http.StatusForbidden, "Acknowledge", err.Error(), "")
		return
	}
	inc, err := s.notifier.Acknowledge(r.Context(), env, id, "acknowledge link")
	switch {
	case errors.Is(err, notify.ErrIncidentClosed):
		ackHTML(w, http.StatusConflict, fmt.Sprintf("Incident %d", id), "It is already resolved.", "")
	case errors.Is(err, store.ErrNotFound):
		ackHTML(w, http.StatusNotFound, "Acknowledge", "This incident does not exist any more.", "")
	case err != nil:
		s.log.Error("acknowledge link", "env", env, "incident", id, "err", err)
		ackHTML(w, http.StatusInternalServerError, "Acknowledge", "Something went wrong; see the server log.", "")
	default:
		ackHTML(w, http.StatusOK, fmt.Sprintf("Incident %d: %s", inc.ID, inc.Title), "Acknowledged. Escalation has stopped.", "")
	}
}

var ackTemplate = template.Must(template.New("ack").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · tocsin</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
button{font:inherit;padding:.6rem 1.2rem;background:#0969da;color:#fff;border:0;border-radius:6px;cursor:pointer}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Query}}<form method="post" action="?{{.Query}}"><button type="submit">Acknowledge</button></form>{{end}}
</body></html>`))

func ackHTML(w http.ResponseWriter, status int, title, text, query string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	ackTemplate.Execute(w, map[string]any{"Title": title, "Text": text, "Query": template.URL(query)})
}
