package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// The UI is mounted beside the API on the real server: / leads to it, pages need a
// session, the admin token signs in, and an alarm page draws from the real metric store.
func TestWebUIMounted(t *testing.T) {
	ts := start(t, quickstart, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := c.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	if res, _ := get("/"); res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/ui/" {
		t.Errorf("GET /: %d → %q, want 302 → /ui/", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := get("/ui/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ui/login") {
		t.Fatalf("GET /ui/ without a session: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err := c.PostForm(ts.url+"/ui/login", url.Values{"token": {adminTok}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: status %d", res.StatusCode)
	}
	res, page := get("/ui/")
	if res.StatusCode != 200 || !strings.Contains(page, `id="env-production"`) || !strings.Contains(page, `id="reload-status"`) {
		t.Fatalf("overview: status %d\n%.500s", res.StatusCode, page)
	}
	res, page = get("/ui/env/production/alarms/api-5xx-errors")
	if res.StatusCode != 200 || !strings.Contains(page, `data-chart="alarm-chart"`) || strings.Contains(page, `id="chart-error"`) {
		t.Errorf("alarm page: status %d, want a chart\n%.2000s", res.StatusCode, page)
	}
	// The API's unknown paths still answer JSON.
	if code, body := ts.call(t, "GET", "/api/v1/nope", adminTok, ""); code != 404 || body["error"] == nil {
		t.Errorf("unknown API path: %d %v", code, body)
	}
}
