package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// listAnnotations is GET /api/v1/environments/{env}/annotations?start&end&dimension=Name=Value…:
// the markers of a time range that concern a graph with those dimensions (global markers
// always do; without dimension parameters every marker is listed).
func (s *Server) listAnnotations(r *http.Request) (any, error) {
	q := r.URL.Query()
	now := s.opts.Now()
	start, err := timeParam(q, "start", now.Add(-24*time.Hour), now)
	if err != nil {
		return nil, err
	}
	end, err := timeParam(q, "end", now.Add(time.Second), now)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q.Get("limit"), "limit", 1000, 1, 10000)
	if err != nil {
		return nil, err
	}
	aq := store.AnnotationQuery{Environment: r.PathValue("env"), From: start, To: end, Limit: limit}
	for _, d := range q["dimension"] {
		name, value, ok := strings.Cut(d, "=")
		if !ok || name == "" {
			return nil, badRequest("dimension", "dimension must be Name=Value, got %q", d)
		}
		if aq.Dimensions == nil {
			aq.Dimensions = map[string]string{}
		}
		aq.Dimensions[name] = value
	}
	list, err := s.store.ListAnnotations(r.Context(), aq)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, a := range list {
		out[i] = annotationJSON(a)
	}
	return map[string]any{"environment": aq.Environment, "annotations": out}, nil
}

// postAnnotation is POST /api/v1/environments/{env}/annotations: a marker made by a
// deploy script rather than by an event rule.
func (s *Server) postAnnotation(r *http.Request) (any, error) {
	body, err := readJSONBody(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		Time       string            `json:"time"`
		Text       string            `json:"text"`
		Tags       map[string]string `json:"tags"`
		Dimensions map[string]string `json:"dimensions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, badRequest("", "the body must be {\"text\", \"time\", \"tags\", \"dimensions\"}: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if in.Text == "" || len(in.Text) > 1024 {
		return nil, badRequest("text", "text is required and may be at most 1024 bytes")
	}
	at := s.opts.Now().UTC()
	if in.Time != "" {
		if at, err = time.Parse(time.RFC3339Nano, in.Time); err != nil {
			return nil, badRequest("time", "time must be an RFC 3339 time, got %q", in.Time)
		}
	}
	a := store.Annotation{Environment: r.PathValue("env"), Time: at.UTC(), Text: in.Text, Tags: in.Tags, Dimensions: in.Dimensions}
	if err := s.store.AppendEvents(r.Context(), nil, []store.Annotation{a}, nil); err != nil {
		return nil, err
	}
	list, err := s.store.ListAnnotations(r.Context(), store.AnnotationQuery{Environment: a.Environment, From: a.Time, To: a.Time.Add(time.Nanosecond)})
	if err == nil && len(list) > 0 {
		a = list[len(list)-1]
	}
	return created{annotationJSON(a)}, nil
}

func annotationJSON(a store.Annotation) map[string]any {
	m := map[string]any{"id": a.ID, "time": a.Time, "text": a.Text, "tags": a.Tags, "dimensions": a.Dimensions}
	if a.EventID != "" {
		m["event_id"], m["rule"] = a.EventID, a.Rule
	}
	return m
}

// listDeadLetters is GET /api/v1/environments/{env}/dead-letters.
func (s *Server) listDeadLetters(r *http.Request) (any, error) {
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ListDeadLetters(r.Context(), r.PathValue("env"), limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, dl := range list {
		out[i] = deadLetterJSON(dl)
	}
	return map[string]any{"environment": r.PathValue("env"), "dead_letters": out}, nil
}

// deadLetterJSON shows a dead letter without its destination (which may hold secrets).
func deadLetterJSON(dl store.DeadLetter) map[string]any {
	var payload any = string(dl.Payload)
	if json.Valid(dl.Payload) {
		payload = json.RawMessage(dl.Payload)
	}
	return map[string]any{"id": dl.ID, "rule": dl.Rule, "target": dl.Target, "kind": dl.Kind, "event_id": dl.EventID,
		"payload": payload, "attempts": dl.Attempts, "first_attempt_due": dl.FirstAt, "dead_at": dl.DeadAt,
		"error_code": dl.ErrorCode, "error_message": dl.ErrorMessage, "exhausted_retry_condition": dl.ExhaustedCondition}
}

func deadLetterID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("id", "a dead letter id is a positive integer, got %q", r.PathValue("id"))
	}
	return id, nil
}

// replayDeadLetter is POST /api/v1/environments/{env}/dead-letters/{id}/replay: the
// delivery is pending again, with a fresh retry budget.
func (s *Server) replayDeadLetter(r *http.Request) (any, error) {
	id, err := deadLetterID(r)
	if err != nil {
		return nil, err
	}
	d, err := s.store.ReplayDeadLetter(r.Context(), r.PathValue("env"), id, s.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no dead letter %d in %s", id, r.PathValue("env"))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"replayed": id, "delivery_id": d.ID, "rule": d.Rule, "target": d.Target}, nil
}

// deleteDeadLetter is DELETE /api/v1/environments/{env}/dead-letters/{id}.
func (s *Server) deleteDeadLetter(r *http.Request) (any, error) {
	id, err := deadLetterID(r)
	if err != nil {
		return nil, err
	}
	err = s.store.DeleteDeadLetter(r.Context(), r.PathValue("env"), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no dead letter %d in %s", id, r.PathValue("env"))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": id}, nil
}
