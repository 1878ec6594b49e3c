package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPagesRender(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(writeToken)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/ui/", []string{`id="env-staging"`, `id="env-production"`, `data-count="ALARM">1<`, `href="/ui/env/staging/alarms/cpu-high"`,
			`for <strong>1h 30m</strong>`, `#7 CPU`, `data-count="silences">1<`, `failed — the previous configuration keeps running`, `Deployment succeeded`}},
		{"/ui/env/staging/alarms", []string{`id="alarm-table"`, `data-alarm="cpu-high" data-state="ALARM"`, `data-alarm="disk-full[Host=db1]"`,
			`<svg class="spark"`, `flapping`, `href="/ui/env/staging/alarms/disk-full%5BHost=db1%5D"`}},
		{"/ui/env/staging/alarms?state=OK", []string{`data-alarm="disk-full[Host=db1]"`, `showing 1–1 of 1`}},
		{"/ui/env/staging/alarms?q=DISK&state=", []string{`data-alarm="disk-full[Host=db2]"`, `0 ALARM`}},
		{"/ui/env/staging/alarms/cpu-high", []string{`id="alarm-state"`, `id="alarm-chart"`, `data-chart="alarm-chart"`, `uPlot.iife.min.js`,
			`id="datapoints-table"`, `id="alarm-history"`, `Threshold Crossed: 3 of 3`, `data-env="production"`, `id="set-state-form"`,
			`/ui/env/staging/silences?alarm=cpu-high&amp;dim=Service%3Dapi#new-silence`, `id="alarm-flapping"`}},
		{"/ui/env/staging/alarms/disk-full", []string{`id="instance-table"`, `data-alarm="disk-full[Host=db2]"`}},
		{"/ui/env/staging/alarms/disk-full%5BHost=db1%5D", []string{`id="alarm-state"`, `>OK<`}},
		{"/ui/env/staging/incidents", []string{`id="incident-table"`, `data-incident="7"`}},
		{"/ui/env/staging/incidents?show=all", []string{`data-incident="99"`}},
		{"/ui/env/staging/incidents/7", []string{`id="ack-button"`, `id="resolve-button"`, `id="incident-timeline"`, `data-channel="slack" data-result="sent"`, `oncall-chat`}},
		{"/ui/env/staging/silences", []string{`id="silence-table"`, `data-silence="1" data-state="active"`, `id="silence-form"`, `alarm <code>disk-*</code>`}},
		{"/ui/env/staging/silences?alarm=cpu-high&dim=Service%3Dapi", []string{`id="s-alarm" name="alarm" value="cpu-high"`, `Service=api</textarea>`}},
	} {
		res := h.do("GET", tc.path, cookie, nil)
		page := body(t, res)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: status %d", tc.path, res.StatusCode)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tc.path, cc)
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("GET %s: no %q", tc.path, w)
			}
		}
		// Every page escapes what users and producers wrote.
		if strings.Contains(page, evil) {
			t.Errorf("GET %s: unescaped user data", tc.path)
		}
		for _, id := range []string{`id="main"`, `class="skip"`, `lang="en"`} {
			if !strings.Contains(page, id) {
				t.Errorf("GET %s: the layout lacks %s", tc.path, id)
			}
		}
	}
	for _, path := range []string{"/ui/env/staging/alarms/nope", "/ui/env/staging/incidents/12345", "/ui/env/nowhere/alarms", "/ui/elsewhere"} {
		if res := h.do("GET", path, cookie, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
	}
	if res := h.do("GET", "/ui/env/staging/alarms?state=BAD", cookie, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad state filter: status %d, want 400", res.StatusCode)
	}
}

func TestEscapesInChartData(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(adminToken)
	page := body(t, h.do("GET", "/ui/env/staging/alarms/cpu-high", cookie, nil))
	m := regexp.MustCompile(`(?s)<script type="application/json" data-chart="alarm-chart">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no chart data")
	}
	if strings.Contains(m[1], "<") || !strings.Contains(m[1], `deploy v1.2 \u003cscript\u003e`) {
		t.Errorf("annotation text must be escaped inside the script block: %.300s", m[1])
	}
	for _, key := range []string{`"threshold":80`, `"stat":"p99"`, `"states":[[`, `"ALARM"]`} {
		if !strings.Contains(m[1], key) {
			t.Errorf("chart data lacks %s", key)
		}
	}
	q := h.metrics.queries[0]
	if q.Period != time.Minute || q.End != testNow || testNow.Sub(q.Start) > 24*time.Hour || len(q.Statistics) != 5 || q.Dims[0].Value != "api" {
		t.Errorf("chart query %+v: want 24h at the alarm's 1-minute period with 5 statistics of Service=api", q)
	}
}

func TestIncidentActions(t *testing.T) {
	h := newHarness(t, nil)
	cookie, csrf := h.login(writeToken)
	res := h.do("POST", "/ui/env/staging/incidents/7/ack", cookie, url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ui/env/staging/incidents/7?done=acknowledged" {
		t.Fatalf("ack: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	h.do("POST", "/ui/env/staging/incidents/7/resolve", cookie, url.Values{"csrf": {csrf}})
	if got := strings.Join(h.notifier.calls, "|"); got != "ack staging 7 deployer (UI)|resolve staging 7 deployer (UI)" {
		t.Errorf("notifier calls %q", got)
	}
	if page := body(t, h.do("GET", "/ui/env/staging/incidents/7?done=acknowledged", cookie, nil)); !strings.Contains(page, `id="notice"`) {
		t.Error("no confirmation after acknowledging")
	}
	if page := body(t, h.do("GET", "/ui/env/staging/incidents/7?done="+url.QueryEscape(evil), cookie, nil)); strings.Contains(page, `id="notice"`) {
		t.Error("a link put its own words in the confirmation")
	}
	if res := h.do("POST", "/ui/env/staging/incidents/99/resolve", cookie, url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusConflict {
		t.Errorf("resolving a resolved incident: status %d, want 409", res.StatusCode)
	}
	// A read-only token sees no buttons and may not post.
	rc, rcsrf := h.login(readToken)
	if page := body(t, h.do("GET", "/ui/env/staging/incidents/7", rc, nil)); strings.Contains(page, `id="ack-button"`) {
		t.Error("a read-only token sees the acknowledge button")
	}
	if res := h.do("POST", "/ui/env/staging/incidents/7/ack", rc, url.Values{"csrf": {rcsrf}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("read-only ack: status %d, want 403", res.StatusCode)
	}
}

func TestSetAlarmState(t *testing.T) {
	h := newHarness(t, nil)
	cookie, csrf := h.login(writeToken)
	res := h.do("POST", "/ui/env/staging/alarms/disk-full%5BHost=db1%5D/state", cookie, url.Values{"csrf": {csrf}, "state": {"ALARM"}, "reason": {"testing the pager"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set state: status %d: %s", res.StatusCode, body(t, res))
	}
	if got := h.alarms.set; len(got) != 1 || got[0] != "staging disk-full Host=db1 ALARM testing the pager (set by deployer in the UI)" {
		t.Errorf("SetState calls %q", got)
	}
	if res := h.do("POST", "/ui/env/staging/alarms/cpu-high/state", cookie, url.Values{"csrf": {csrf}, "state": {"ALARM"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("no reason: status %d, want 400", res.StatusCode)
	}
}

func TestSilences(t *testing.T) {
	h := newHarness(t, nil)
	cookie, csrf := h.login(writeToken)
	form := url.Values{"csrf": {csrf}, "alarm": {"cpu-high"}, "dimensions": {"Service=api\r\nHost=web-*"}, "duration": {"2h"}, "comment": {"deploying"}}
	res := h.do("POST", "/ui/env/staging/silences", cookie, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d: %s", res.StatusCode, body(t, res))
	}
	s := h.store.silences[1]
	if string(s.Matchers) != `{"alarm":"cpu-high","dimensions":{"Host":"web-*","Service":"api"}}` || !s.EndsAt.Equal(testNow.Add(2*time.Hour)) ||
		s.CreatedBy != "deployer" || h.notifier.changed != 1 {
		t.Errorf("silence stored %+v (matchers %s), notifier told %d times", s, s.Matchers, h.notifier.changed)
	}
	for _, bad := range []url.Values{
		{"alarm": {""}, "duration": {"2h"}, "comment": {"x"}},
		{"alarm": {"a"}, "duration": {"100d"}, "comment": {"x"}},
		{"alarm": {"a"}, "duration": {"soon"}, "comment": {"x"}},
		{"alarm": {"a"}, "duration": {"1h"}, "comment": {""}},
		{"alarm": {"a"}, "dimensions": {"novalue"}, "duration": {"1h"}, "comment": {"x"}},
	} {
		bad.Set("csrf", csrf)
		res := h.do("POST", "/ui/env/staging/silences", cookie, bad)
		page := body(t, res)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="error"`) || !strings.Contains(page, `id="silence-form"`) {
			t.Errorf("invalid silence %v: status %d, want 400 with the form again", bad, res.StatusCode)
		}
	}
	res = h.do("POST", "/ui/env/staging/silences/1/expire", cookie, url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || !h.store.silences[0].EndsAt.Equal(testNow) {
		t.Errorf("expire: status %d, ends %v", res.StatusCode, h.store.silences[0].EndsAt)
	}
}

func TestLiveRegionFragment(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(adminToken)
	req := httptest.NewRequest("GET", "/ui/env/staging/alarms", nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	req.Header.Set(LiveHeader, "1")
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	got := rec.Body.String()
	if !strings.HasPrefix(got, `<div id="live" data-refresh="15">`) || strings.Contains(got, "<html") || !strings.Contains(got, `id="alarm-table"`) {
		t.Errorf("the live fragment should be the #live element alone, got %.200s", got)
	}
}

func TestStaticAssets(t *testing.T) {
	h := newHarness(t, nil)
	page := body(t, h.do("GET", "/ui/login", "", nil))
	m := regexp.MustCompile(`href="(/ui/static/[0-9a-f]{12}/app\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page does not link a content-hashed app.css")
	}
	req := httptest.NewRequest("GET", m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("asset: status %d, headers %v", res.StatusCode, res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(zr)
	if !strings.Contains(string(css), "--alarm") {
		t.Error("the gzipped asset is not app.css")
	}
	if res := h.do("GET", strings.Replace(m[1], "/static/", "/static/0", 1), "", nil); res.StatusCode != 404 {
		t.Errorf("a wrong hash: status %d, want 404", res.StatusCode)
	}
	for _, name := range []string{"app.js", "vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.min.css", "vendor/uplot/LICENSE"} {
		u, err := h.ui.assets.url(name)
		if err != nil {
			t.Fatal(err)
		}
		if res := h.do("GET", u, "", nil); res.StatusCode != 200 {
			t.Errorf("GET %s: status %d", u, res.StatusCode)
		}
	}
}

func TestPagesAreGzippedAndHardened(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(adminToken)
	req := httptest.NewRequest("GET", "/ui/env/staging/alarms/cpu-high", nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	hd := rec.Result().Header
	if hd.Get("Content-Encoding") != "gzip" || !strings.Contains(hd.Get("Content-Security-Policy"), "script-src 'self'") ||
		hd.Get("X-Frame-Options") != "DENY" || hd.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", hd)
	}
}
