package server

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"net/http"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/store"
)

// maxSilence is the longest a silence may last: longer mutes belong in the stack as
// maintenance windows, where they are reviewed.
const maxSilence = 90 * 24 * time.Hour

// postSilence is POST …/silences {matchers, starts_at?, ends_at | duration, comment}.
func (s *Server) postSilence(r *http.Request) (any, error) {
	body, err := readJSONBody(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		Matchers notify.Matchers `json:"matchers"`
		StartsAt string          `json:"starts_at"`
		EndsAt   string          `json:"ends_at"`
		Duration string          `json:"duration"`
		Comment  string          `json:"comment"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, badRequest("", "the body must be {\"matchers\", \"starts_at\", \"ends_at\" or \"duration\", \"comment\"}: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := in.Matchers.Compile(); err != nil {
		field := "matchers"
		if strings.HasPrefix(err.Error(), "event_pattern") {
			field = "matchers.event_pattern"
		}
		return nil, badRequest(field, "%v", err)
	}
	if strings.TrimSpace(in.Comment) == "" || len(in.Comment) > 1024 {
		return nil, badRequest("comment", "comment is required (say why) and may be at most 1024 bytes")
	}
	now := s.opts.Now().UTC()
	start := now
	if in.StartsAt != "" {
		if start, err = time.Parse(time.RFC3339, in.StartsAt); err != nil {
			return nil, badRequest("starts_at", "starts_at must be an RFC 3339 time, got %q", in.StartsAt)
		}
	}
	var end time.Time
	switch {
	case in.EndsAt != "" && in.Duration != "":
		return nil, badRequest("duration", "give ends_at or duration, not both")
	case in.EndsAt != "":
		if end, err = time.Parse(time.RFC3339, in.EndsAt); err != nil {
			return nil, badRequest("ends_at", "ends_at must be an RFC 3339 time, got %q", in.EndsAt)
		}
	case in.Duration != "":
		d, err := time.ParseDuration(in.Duration)
		if err != nil || d <= 0 {
			return nil, badRequest("duration", "duration must be a positive Go duration such as 2h or 30m, got %q", in.Duration)
		}
		end = start.Add(d)
	default:
		return nil, badRequest("ends_at", "ends_at or duration is required")
	}
	switch {
	case !end.After(start):
		return nil, badRequest("ends_at", "a silence must end after it starts")
	case !end.After(now):
		return nil, badRequest("ends_at", "a silence must end in the future")
	case end.Sub(start) > maxSilence:
		return nil, badRequest("ends_at", "a silence may last at most 90 days; use a maintenance window in the stack for longer")
	}
	matchers, _ := json.Marshal(in.Matchers)
	sl := store.Silence{Environment: r.PathValue("env"), Matchers: matchers, StartsAt: start.UTC(), EndsAt: end.UTC(),
		CreatedBy: principalFrom(r.Context()).Name, Comment: in.Comment, CreatedAt: now}
	if sl.ID, err = s.store.AddSilence(r.Context(), sl); err != nil {
		return nil, err
	}
	s.notifier.SilencesChanged()
	return created{silenceJSON(sl, now)}, nil
}

// listSilences is GET …/silences?expired=true.
func (s *Server) listSilences(r *http.Request) (any, error) {
	q := r.URL.Query()
	expired := q.Get("expired") == "true"
	if v := q.Get("expired"); v != "" && v != "true" && v != "false" {
		return nil, badRequest("expired", "expired must be true or false, got %q", v)
	}
	limit, err := intParam(q.Get("limit"), "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now().UTC()
	list, err := s.store.ListSilences(r.Context(), r.PathValue("env"), now, expired, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, sl := range list {
		out[i] = silenceJSON(sl, now)
	}
	return map[string]any{"environment": r.PathValue("env"), "silences": out}, nil
}

// expireSilence is DELETE …/silences/{id}: it ends now (kept in the list as expired).
func (s *Server) expireSilence(r *http.Request) (any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	env := r.PathValue("env")
	now := s.opts.Now().UTC()
	if err := s.store.ExpireSilence(r.Context(), env, id, now); errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no silence %d in %s", id, env)
	} else if err != nil {
		return nil, err
	}
	s.notifier.SilencesChanged()
	sl, err := s.store.GetSilence(r.Context(), env, id)
	if err != nil {
		return nil, err
	}
	return silenceJSON(sl, now), nil
}

func silenceJSON(sl store.Silence, now time.Time) map[string]any {
	state := "active"
	switch {
	case !now.Before(sl.EndsAt):
		state = "expired"
	case now.Before(sl.StartsAt):
		state = "pending"
	}
	return map[string]any{"id": sl.ID, "environment": sl.Environment, "matchers": json.RawMessage(sl.Matchers), "starts_at": sl.StartsAt,
		"ends_at": sl.EndsAt, "created_by": sl.CreatedBy, "comment": sl.Comment, "created_at": sl.CreatedAt, "state": state}
}
