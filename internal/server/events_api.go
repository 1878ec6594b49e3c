package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/store"
)

// Event ingest limits (docs/events.md, docs/api/openapi.yaml); the body limit is maxBody.
const maxEventEntries = 1000

// putEventsResponse is the answer of POST /api/v1/events (fields in this order: the
// count comes before the long list).
type putEventsResponse struct {
	Environment      string        `json:"environment"`
	FailedEntryCount int           `json:"failed_entry_count"`
	Entries          []entryResult `json:"entries"`
}

// entryResult is one entry's outcome, like PutEvents' result entries.
type entryResult struct {
	ID           string   `json:"id,omitempty"`
	Rules        []string `json:"rules,omitempty"`
	ErrorCode    string   `json:"error_code,omitempty"`
	ErrorMessage string   `json:"error_message,omitempty"`
	Field        string   `json:"field,omitempty"`
}

// postEvents is POST /api/v1/events: each valid entry is stored and routed (acknowledged
// once durable); an invalid entry fails alone with its reason.
func (s *Server) postEvents(r *http.Request) (any, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send Content-Type: application/json"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	batch, err := event.DecodeBatch(body)
	if err != nil {
		return nil, badRequest("", "the body must be {\"environment\": …, \"entries\": [ … ]}: %s", strings.TrimPrefix(err.Error(), event.ErrBatch.Error()+": "))
	}
	switch {
	case len(batch.Entries) == 0:
		return nil, badRequest("entries", "entries must hold at least one event")
	case len(batch.Entries) > maxEventEntries:
		return nil, badRequest("entries", "at most %d entries per request, got %d", maxEventEntries, len(batch.Entries))
	}
	env, err := s.ingestEnv(principalFrom(r.Context()), batch.Environment)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	results := make([]entryResult, len(batch.Entries))
	valid := make([]event.Envelope, 0, len(batch.Entries))
	index := make([]int, 0, len(batch.Entries))
	failed := 0
	for i := range batch.Entries {
		var ev event.Envelope
		eerr := batch.Errors[i]
		if eerr == nil {
			ev, eerr = batch.Entries[i].Envelope(env, tocsinSource, now)
		}
		if eerr != nil {
			field := fmt.Sprintf("entries[%d]", i)
			if eerr.Field != "" {
				field += "." + eerr.Field
			}
			results[i] = entryResult{ErrorCode: eerr.Code, ErrorMessage: eerr.Message, Field: field}
			failed++
			continue
		}
		valid = append(valid, ev)
		index = append(index, i)
	}
	if len(valid) > 0 {
		accepted, err := s.pipeline.Accept(r.Context(), valid)
		if err != nil {
			return nil, err
		}
		for j, a := range accepted {
			results[index[j]] = entryResult{ID: a.ID, Rules: a.Rules}
		}
	}
	return putEventsResponse{Environment: env, FailedEntryCount: failed, Entries: results}, nil
}

// listEvents is GET /api/v1/environments/{env}/events: stored events, newest first,
// filtered by time, source and an event pattern.
func (s *Server) listEvents(r *http.Request) (any, error) {
	return s.queryEvents(r, r.PathValue("env"))
}

// listEventsByQuery is GET /api/v1/events?environment=…: the same for a token that names
// the environment in the query (or has only one).
func (s *Server) listEventsByQuery(r *http.Request) (any, error) {
	env, err := s.queryEnv(r)
	if err != nil {
		return nil, err
	}
	return s.queryEvents(r, env)
}

// maxScan bounds how many stored events one pattern query looks at.
const maxScan = 100_000

func (s *Server) queryEvents(r *http.Request, env string) (any, error) {
	q := r.URL.Query()
	now := s.opts.Now()
	start, err := timeParam(q, "start", time.Time{}, now)
	if err != nil {
		return nil, err
	}
	end, err := timeParam(q, "end", time.Time{}, now)
	if err != nil {
		return nil, err
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return nil, badRequest("end", "end must be after start")
	}
	limit, err := intParam(q.Get("limit"), "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	cursor, err := parseEventCursor(q.Get("before"))
	if err != nil {
		return nil, err
	}
	var pat *pattern.Pattern
	if src := q.Get("pattern"); src != "" {
		if pat, err = pattern.Compile([]byte(src)); err != nil {
			return nil, badRequest("pattern", "%v", err)
		}
	}
	out := []json.RawMessage{}
	var matched [][]string
	scanned, next := 0, eventCursor{}
	for len(out) < limit && scanned < maxScan {
		page, err := s.store.ListEvents(r.Context(), store.EventQuery{Environment: env, From: start, To: end, Source: q.Get("source"),
			BeforeSeq: cursor.seq, BeforeTime: cursor.time, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, rec := range page {
			scanned++
			cursor = eventCursor{seq: rec.Seq, time: rec.Time}
			if pat != nil {
				if ok, _ := pat.Match(rec.Body); !ok {
					continue
				}
			}
			out = append(out, rec.Body)
			matched = append(matched, rec.Rules)
			if len(out) == limit {
				next = cursor
				break
			}
		}
		if len(page) < 500 {
			break
		}
	}
	if scanned >= maxScan && len(out) < limit {
		next = cursor // more may match further back
	}
	items := make([]map[string]any, len(out))
	for i := range out {
		items[i] = map[string]any{"event": out[i], "rules": nonNil(matched[i])}
	}
	resp := map[string]any{"environment": env, "events": items}
	if next.seq > 0 {
		resp["next_before"] = next.String()
	}
	return resp, nil
}

// eventCursor is where an event listing stopped: events are ordered by time, then by
// arrival (seq), both descending. Its text form is "UNIXNANO_SEQ".
type eventCursor struct {
	time time.Time
	seq  int64
}

func (c eventCursor) String() string { return fmt.Sprintf("%d_%d", c.time.UnixNano(), c.seq) }

func parseEventCursor(v string) (eventCursor, error) {
	if v == "" {
		return eventCursor{}, nil
	}
	ns, seq, ok := strings.Cut(v, "_")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	s, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil || s <= 0 {
		return eventCursor{}, badRequest("before", "before must be the next_before of a previous page, got %q", v)
	}
	return eventCursor{time: time.Unix(0, n).UTC(), seq: s}, nil
}

// getEvent is GET /api/v1/environments/{env}/events/{id}.
func (s *Server) getEvent(r *http.Request) (any, error) {
	rec, err := s.store.GetEvent(r.Context(), r.PathValue("env"), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no event %q in %s", r.PathValue("id"), r.PathValue("env"))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"event": json.RawMessage(rec.Body), "rules": nonNil(rec.Rules), "ingested": rec.Ingested}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, "%s must be an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}
