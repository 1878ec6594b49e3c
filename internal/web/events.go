package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

const (
	eventLimit    = 50      // events per page by default
	eventScanPage = 500     // events read from the store at a time
	maxEventScan  = 100_000 // events one search looks at, as the API does
)

// eventRanges are the quick time ranges of the events page (?start=).
var eventRanges = []struct{ Label, Start string }{{"Last hour", "1h"}, {"24 hours", "24h"}, {"7 days", "7d"}, {"All", ""}}

type eventRow struct {
	store.EventRecord
	Detail string // the detail as compact JSON, for the list
}

type rangeLink struct {
	Label, URL string
	Current    bool
}

type eventsData struct {
	Start, End, Source, Pattern        string // as typed
	StartError, EndError, PatternError string
	Rows                               []eventRow
	Ranges                             []rangeLink
	OlderURL, NewestURL                string
	Scanned                            int
	ScanCut                            bool // stopped after maxEventScan events
	Paged                              bool // a page after the first (?before=)
}

// eventCursor is where a page of events ends: events are listed by time, then sequence,
// newest first, and the next page holds those strictly before (time, seq).
type eventCursor struct {
	t   time.Time
	seq int64
}

func (c eventCursor) String() string {
	return strconv.FormatInt(c.t.UnixNano(), 10) + "." + strconv.FormatInt(c.seq, 10)
}

func parseCursor(v string) (eventCursor, bool) {
	a, b, ok := strings.Cut(v, ".")
	ns, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || seq <= 0 {
		return eventCursor{}, false
	}
	return eventCursor{time.Unix(0, ns).UTC(), seq}, true
}

// eventList is GET /ui/env/{env}/events?start=&end=&source=&pattern=&before=&limit=: the
// stored events, newest first, filtered by time, source and an event pattern.
func (u *UI) eventList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	d := &eventsData{Start: q.Get("start"), End: q.Get("end"), Source: q.Get("source"), Pattern: q.Get("pattern")}
	p.Title, p.Section, p.template, p.Data = "Events · "+p.Env, "events", "events", d
	base := envPath(p.Env, "events")
	for _, rg := range eventRanges {
		v := d.query()
		v.Set("start", rg.Start)
		v.Del("end")
		d.Ranges = append(d.Ranges, rangeLink{Label: rg.Label, URL: base + "?" + v.Encode(), Current: d.Start == rg.Start && d.End == ""})
	}
	d.NewestURL = base + "?" + d.query().Encode()
	limit := eventLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return badRequest("The limit must be a number from 1 to 1000.")
		}
		limit = n
	}
	var cur eventCursor
	if v := q.Get("before"); v != "" {
		var ok bool
		if cur, ok = parseCursor(v); !ok {
			return badRequest("That link to older events is damaged; start again from the newest.")
		}
		d.Paged = true
	}
	from, err := parseWhen(d.Start, p.Now)
	if err != nil {
		d.StartError = err.Error()
	}
	to, err := parseWhen(d.End, p.Now)
	if err != nil {
		d.EndError = err.Error()
	}
	if d.StartError == "" && d.EndError == "" && !from.IsZero() && !to.IsZero() && !to.After(from) {
		d.EndError = "The end must be after the start."
	}
	var pat *pattern.Pattern
	if strings.TrimSpace(d.Pattern) != "" {
		if pat, err = pattern.Compile([]byte(d.Pattern)); err != nil {
			d.PatternError = err.Error()
		}
	}
	if d.StartError != "" || d.EndError != "" || d.PatternError != "" {
		p.Status = http.StatusBadRequest
		return nil
	}
	sq := store.EventQuery{Environment: p.Env, From: from, To: to, Source: strings.TrimSpace(d.Source)}
	more := false
	for len(d.Rows) < limit && d.Scanned < maxEventScan {
		page, full, err := u.eventsBefore(r.Context(), sq, cur)
		if err != nil {
			return err
		}
		more = full
		for i, rec := range page {
			d.Scanned++
			cur = eventCursor{rec.Time, rec.Seq}
			if pat != nil {
				if ok, _ := pat.Match(rec.Body); !ok {
					continue
				}
			}
			d.Rows = append(d.Rows, eventRow{EventRecord: rec, Detail: detailOf(rec.Body)})
			if len(d.Rows) == limit {
				more = more || i < len(page)-1
				break
			}
		}
		if !full {
			break
		}
	}
	d.ScanCut = d.Scanned >= maxEventScan && more && len(d.Rows) < limit
	if more {
		v := d.query()
		v.Set("before", cur.String())
		if limit != eventLimit {
			v.Set("limit", strconv.Itoa(limit))
		}
		d.OlderURL = base + "?" + v.Encode()
	}
	return nil
}

// query is the search as query parameters (for links).
func (d *eventsData) query() url.Values {
	v := url.Values{}
	for _, f := range []struct{ k, v string }{{"start", d.Start}, {"end", d.End}, {"source", d.Source}, {"pattern", d.Pattern}} {
		if f.v != "" {
			v.Set(f.k, f.v)
		}
	}
	return v
}

// eventsBefore reads the next events of q after the cursor, newest first, and whether
// the store may hold more. It asks for those up to the cursor's instant and drops the
// ones already shown; the store's BeforeSeq alone would skip events ingested late with
// an older time.
func (u *UI) eventsBefore(ctx context.Context, q store.EventQuery, c eventCursor) ([]store.EventRecord, bool, error) {
	q.Limit = eventScanPage
	if c.seq == 0 {
		page, err := u.opts.Store.ListEvents(ctx, q)
		return page, len(page) == eventScanPage, err
	}
	if !q.From.IsZero() && c.t.Before(q.From) {
		return nil, false, nil
	}
	if q.To.IsZero() || c.t.Before(q.To) {
		q.To = c.t.Add(time.Nanosecond)
	}
	page, err := u.opts.Store.ListEvents(ctx, q)
	if err != nil {
		return nil, false, err
	}
	skip := 0
	for skip < len(page) && page[skip].Time.Equal(c.t) && page[skip].Seq >= c.seq {
		skip++
	}
	if skip < len(page) || len(page) < eventScanPage {
		return page[skip:], len(page) == eventScanPage, nil
	}
	// A whole page at the cursor's instant, all shown already: read that instant by
	// sequence, then what is older.
	same := q
	same.From, same.BeforeSeq = c.t, c.seq
	out, err := u.opts.Store.ListEvents(ctx, same)
	if err != nil || len(out) == eventScanPage {
		return out, true, err
	}
	q.To, q.Limit = c.t, eventScanPage-len(out)
	older, err := u.opts.Store.ListEvents(ctx, q)
	return append(out, older...), len(older) == q.Limit, err
}

// detailOf is an event's detail as compact JSON ("" when it has none).
func detailOf(body []byte) string {
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &ev) != nil || len(ev.Detail) == 0 || string(ev.Detail) == "{}" {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, ev.Detail) != nil {
		return string(ev.Detail)
	}
	return b.String()
}

// parseWhen reads a time: RFC 3339, a date and time without a zone (UTC), a date, or a
// duration ago such as 24h or 7d. "" is the zero time (unbounded).
func parseWhen(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	if d, err := stack.ParseDuration(v); err == nil {
		return now.Add(-d.Std()).UTC(), nil
	}
	return time.Time{}, errors.New("Write a time such as 2025-03-04T12:00Z (UTC unless it names a zone) or a duration ago such as 24h or 7d.")
}

type eventDetailData struct {
	store.EventRecord
	JSON    string // the event, indented
	LikeURL string // the events page searching for events of the same source and type
}

// eventDetail is GET /ui/env/{env}/events/{id}: one event as JSON, and the rules it matched.
func (u *UI) eventDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	rec, err := u.opts.Store.GetEvent(r.Context(), p.Env, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	d := &eventDetailData{EventRecord: rec}
	var b bytes.Buffer
	if json.Indent(&b, rec.Body, "", "  ") == nil {
		d.JSON = b.String()
	} else {
		d.JSON = string(rec.Body)
	}
	like, _ := json.Marshal(map[string][]string{"source": {rec.Source}, "detail-type": {rec.DetailType}})
	d.LikeURL = envPath(p.Env, "events") + "?" + url.Values{"pattern": {string(like)}}.Encode()
	p.Title, p.Section, p.template, p.Data = or(rec.DetailType, "Event")+" · "+p.Env, "events", "event", d
	return nil
}
