package web

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

func TestEventsPage(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(readToken)
	for _, tc := range []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/ui/env/staging/events", []string{`id="event-search"`, `id="event-table"`, `data-event="ev-2"`, `data-event="ev-1"`, `data-rule="annotate"`,
			`href="/ui/env/staging/events/ev-2"`, `{&#34;version&#34;:&#34;v1.2&#34;`, `id="nav-events" href="/ui/env/staging/events" aria-current="page"`}, []string{`id="events-older"`, `id="error"`}},
		{"/ui/env/staging/events?pattern=" + url.QueryEscape(`{"source": ["shop"]}`), []string{`data-event="ev-1"`, `{&#34;source&#34;: [&#34;shop&#34;]}</textarea>`}, []string{`data-event="ev-2"`}},
		{"/ui/env/staging/events?source=deploy", []string{`data-event="ev-2"`}, []string{`data-event="ev-1"`}},
		{"/ui/env/staging/events?start=150m", []string{`data-event="ev-2"`, `value="150m"`}, []string{`data-event="ev-1"`}},
		{"/ui/env/staging/events?start=2025-03-04T09:00&end=2025-03-04T09:30Z", []string{`data-event="ev-1"`}, []string{`data-event="ev-2"`}},
		{"/ui/env/staging/events?start=1h", []string{`id="event-empty"`, `href="/ui/env/staging/events?start=1h" aria-current="true">Last hour`}, []string{`id="event-table"`}},
	} {
		res := h.do("GET", tc.path, cookie, nil)
		page := body(t, res)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: status %d\n%.800s", tc.path, res.StatusCode, page)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("GET %s: no %q", tc.path, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(page, w) {
				t.Errorf("GET %s: unexpected %q", tc.path, w)
			}
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("GET %s: unescaped event fields", tc.path)
		}
	}
}

func TestEventsPageErrors(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(readToken)
	for _, tc := range []struct{ path, field, text string }{
		{"/ui/env/staging/events?pattern=" + url.QueryEscape(`{"source": "shop"}`), `id="ev-pattern-error"`, `source`},
		{"/ui/env/staging/events?pattern=" + url.QueryEscape(`{"source": [`), `id="ev-pattern-error"`, `line 1`},
		{"/ui/env/staging/events?start=yesterday", `id="ev-start-error"`, `2025-03-04T12:00Z`},
		{"/ui/env/staging/events?start=1h&end=2h", `id="ev-end-error"`, `after the start`},
	} {
		res := h.do("GET", tc.path, cookie, nil)
		page := body(t, res)
		m := regexp.MustCompile(tc.field + `>([^<]*)<`).FindStringSubmatch(page)
		if res.StatusCode != http.StatusBadRequest || m == nil || !strings.Contains(strings.ToLower(html.UnescapeString(m[1])), strings.ToLower(tc.text)) ||
			!strings.Contains(page, `aria-invalid="true"`) || strings.Contains(page, `id="event-table"`) {
			t.Errorf("GET %s: status %d, want 400 with %s mentioning %q beside the field; got %v", tc.path, res.StatusCode, tc.field, tc.text, m)
		}
	}
	for path, want := range map[string]int{
		"/ui/env/staging/events?before=x":    http.StatusBadRequest,
		"/ui/env/staging/events?limit=0":     http.StatusBadRequest,
		"/ui/env/production/events":          http.StatusNotFound, // the reader may not read production
		"/ui/env/staging/events/nope":        http.StatusNotFound,
		"/ui/env/production/events/ev-2":     http.StatusNotFound,
		"/ui/environments/staging/events/x?": http.StatusMovedPermanently,
	} {
		if res := h.do("GET", path, cookie, nil); res.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, res.StatusCode, want)
		}
	}
}

func TestEventDetail(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(readToken)
	page := body(t, h.do("GET", "/ui/env/staging/events/ev-2", cookie, nil))
	for _, w := range []string{`id="event-title">Deployment succeeded<`, `id="event-facts"`, `<li data-rule="annotate"><code>annotate</code></li>`,
		`id="event-json"`, "\n  &#34;detail&#34;: {\n    &#34;version&#34;: &#34;v1.2&#34;", `id="event-like"`,
		`/ui/env/staging/events?pattern=%7B%22detail-type%22%3A%5B%22Deployment&#43;succeeded%22%5D%2C%22source%22%3A%5B%22deploy%22%5D%7D`} {
		if !strings.Contains(page, w) {
			t.Errorf("event page: no %q", w)
		}
	}
	page = body(t, h.do("GET", "/ui/env/staging/events/ev-1", cookie, nil))
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, `id="event-no-rules"`) || !strings.Contains(page, `Order &lt;script&gt;`) {
		t.Errorf("event page with producer HTML: not escaped, or rules shown\n%.1500s", page)
	}
}

// manyEvents gives staging n events a minute apart, newest first; with lateEvery > 0,
// every lateEvery-th event arrived late (a higher seq than newer ones).
func manyEvents(s *fakeStore, n, lateEvery int) {
	s.events = s.events[:0]
	for i := 0; i < n; i++ {
		seq := int64(n - i)
		if lateEvery > 0 && i%lateEvery == lateEvery-1 {
			seq += int64(n) // ingested after all the others
		}
		id := fmt.Sprintf("ev-%04d", i)
		src := "deploy"
		if i%100 == 7 {
			src = "billing"
		}
		s.events = append(s.events, store.EventRecord{Seq: seq, ID: id, Environment: "staging", Source: src, DetailType: "Deployment succeeded",
			Time: testNow.Add(-time.Duration(i) * time.Minute), Rules: []string{"annotate", "notify-deploys"},
			Body: []byte(`{"version":"0","id":"` + id + `","detail-type":"Deployment succeeded","source":"` + src + `","account":"tocsin","time":"` +
				testNow.Add(-time.Duration(i)*time.Minute).Format(time.RFC3339) + `","region":"local","resources":["arn:app/api"],` +
				`"detail":{"service":"api","version":"v1.` + fmt.Sprint(i) + `","status":"ok","commit":"9f2c1e0a"}}`)})
	}
}

// Following "older" links walks every event once, newest first, even those ingested late
// (whose seq is higher than newer events') and many at one instant.
func TestEventsOlderCursor(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(readToken)
	manyEvents(h.store, 1234, 7)
	walkEvents(t, h, cookie, "/ui/env/staging/events?start=7d&limit=100", 1234)
	for i := range h.store.events { // one instant: the order is by seq alone
		h.store.events[i].Time, h.store.events[i].Seq = testNow.Add(-time.Hour), int64(1234-i)
	}
	walkEvents(t, h, cookie, "/ui/env/staging/events?start=7d&limit=1000", 1234)
}

func walkEvents(t *testing.T, h *harness, cookie, next string, want int) {
	t.Helper()
	var ids []string
	older := regexp.MustCompile(`href="([^"]+)" rel="next" id="events-older"`)
	for pages := 0; next != "" && pages < 20; pages++ {
		page := body(t, h.do("GET", next, cookie, nil))
		for _, m := range regexp.MustCompile(`data-event="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			ids = append(ids, m[1])
		}
		next = ""
		if m := older.FindStringSubmatch(page); m != nil {
			next = html.UnescapeString(m[1])
			if !strings.Contains(next, "start=7d") || !strings.Contains(next, "limit=") {
				t.Fatalf("the older link %q drops the search", next)
			}
		}
	}
	if len(ids) != want {
		t.Fatalf("walked %d events, want %d", len(ids), want)
	}
	for i, id := range ids {
		if id != fmt.Sprintf("ev-%04d", i) {
			t.Fatalf("event %d is %s: out of order or skipped", i, id)
		}
	}
}

// A pattern that matches few events reads the store 500 at a time and stops at the end.
func TestEventsPatternScans(t *testing.T) {
	h := newHarness(t, nil)
	manyEvents(h.store, 1000, 0)
	cookie, _ := h.login(readToken)
	h.store.eventQueries = 0
	page := body(t, h.do("GET", "/ui/env/staging/events?pattern="+url.QueryEscape(`{"source":["billing"]}`), cookie, nil))
	if n := strings.Count(page, `data-event=`); n != 10 || strings.Contains(page, `id="events-older"`) {
		t.Errorf("%d events and an older link: want the 10 billing events and none", n)
	}
	if h.store.eventQueries != 3 {
		t.Errorf("%d store queries, want 3 (500, 500, the empty end)", h.store.eventQueries)
	}
}

func benchEvents(b *testing.B, path string) {
	h := newHarness(&testing.T{}, nil)
	manyEvents(h.store, 1000, 0)
	se := h.ui.sessions.create(adminToken)
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: se.id})
	req.Header.Set("Accept-Encoding", "gzip")
	var size int
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ui.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "gzip-bytes")
}

// BenchmarkEventsPage1k renders the events page (the newest 50) of 1,000 stored events.
func BenchmarkEventsPage1k(b *testing.B) { benchEvents(b, "/ui/env/staging/events") }

// BenchmarkEventsPage1kAll renders all 1,000 events on one page.
func BenchmarkEventsPage1kAll(b *testing.B) { benchEvents(b, "/ui/env/staging/events?limit=1000") }

// BenchmarkEventsPage1kPattern matches a pattern against all 1,000 events (10 match).
func BenchmarkEventsPage1kPattern(b *testing.B) {
	benchEvents(b, "/ui/env/staging/events?pattern="+url.QueryEscape(`{"source":["billing"],"detail":{"status":["ok"]}}`))
}
