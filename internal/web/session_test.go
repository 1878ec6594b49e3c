package web

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPagesRedirectToLoginWithoutSession(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{"/ui/", "/ui/env/staging/alarms?state=ALARM", "/ui/env/staging/incidents/7", "/ui/env/staging/silences"} {
		res := h.do("GET", path, "", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("GET %s: status %d, want 303", path, res.StatusCode)
			continue
		}
		want := "/ui/login?next=" + url.QueryEscape(path)
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("GET %s: Location %q, want %q", path, got, want)
		}
	}
	// A stale cookie is no session either.
	if res := h.do("GET", "/ui/", "made-up", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("made-up cookie: status %d, want 303", res.StatusCode)
	}
	// The auto-refresh gets a 401, not a login page to paste into the live region.
	req := httptest.NewRequest("GET", "/ui/", nil)
	req.Header.Set(LiveHeader, "1")
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("live refresh without a session: status %d, want 401", rec.Code)
	}
}

func TestLoginFlow(t *testing.T) {
	h := newHarness(t, nil)
	if res := h.do("GET", "/ui/login", "", nil); res.StatusCode != 200 || !strings.Contains(body(t, res), `id="login-form"`) {
		t.Fatal("the login page does not render")
	}
	for _, tok := range []string{"", "wrong-token", ingestToken} {
		res := h.do("POST", "/ui/login", "", url.Values{"token": {tok}})
		if res.StatusCode == http.StatusSeeOther || len(res.Cookies()) != 0 {
			t.Errorf("login with %q succeeded (status %d)", tok, res.StatusCode)
		}
	}
	res := h.do("POST", "/ui/login", "", url.Values{"token": {readToken}, "next": {"/ui/env/staging/alarms?state=OK"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ui/env/staging/alarms?state=OK" {
		t.Fatalf("login: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	c := res.Cookies()[0]
	if c.Name != CookieName || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/ui/" || c.MaxAge != 12*3600 {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Path /ui/, 12h", c)
	}
	if strings.Contains(c.Value, readToken) || len(c.Value) < 40 {
		t.Errorf("the cookie must be a random session id, got %q", c.Value)
	}
	page := body(t, h.do("GET", "/ui/", c.Value, nil))
	if !strings.Contains(page, `reader`) || !strings.Contains(page, `id="env-staging"`) || strings.Contains(page, `id="env-production"`) {
		t.Error("the overview should show the reader's one environment and name the token")
	}
	if res := h.do("GET", "/ui/env/production/alarms", c.Value, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("an environment the token may not read: status %d, want 404", res.StatusCode)
	}
}

func TestLoginRefusesOpenRedirects(t *testing.T) {
	for _, next := range []string{"https://evil.example/ui/", "//evil.example/ui/", "/api/v1/whoami", "/\\evil.example", "javascript:alert(1)"} {
		if got := safeNext(next); got != "/ui/" {
			t.Errorf("safeNext(%q) = %q, want /ui/", next, got)
		}
	}
}

func TestSecureCookie(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.PublicURL = func() string { return "https://tocsin.example.com" } })
	res := h.do("POST", "/ui/login", "", url.Values{"token": {adminToken}})
	if !res.Cookies()[0].Secure {
		t.Error("public_url is https: the cookie must be Secure")
	}
	h = newHarness(t, nil)
	req := httptest.NewRequest("POST", "/ui/login", strings.NewReader("token="+adminToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	if !rec.Result().Cookies()[0].Secure {
		t.Error("a TLS request: the cookie must be Secure")
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, nil)
	cookie, csrf := h.login(writeToken)
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"no token", url.Values{}},
		{"wrong token", url.Values{"csrf": {"x" + csrf}}},
	} {
		res := h.do("POST", "/ui/env/staging/incidents/7/ack", cookie, tc.form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, res.StatusCode)
		}
	}
	// Another session's token does not do either.
	_, other := h.login(writeToken)
	if res := h.do("POST", "/ui/env/staging/incidents/7/ack", cookie, url.Values{"csrf": {other}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("another session's CSRF token: status %d, want 403", res.StatusCode)
	}
	if len(h.notifier.calls) != 0 {
		t.Fatalf("a rejected form acted: %v", h.notifier.calls)
	}
	if res := h.do("POST", "/ui/env/staging/incidents/7/ack", cookie, url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the right token: status %d, want 303", res.StatusCode)
	}
	// A cross-site POST is refused before anything else, the login form included.
	req := httptest.NewRequest("POST", "/ui/login", strings.NewReader("token="+adminToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ui.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cross-site login: status %d, want 403 and no cookie", rec.Code)
	}
}

func TestLogoutAndExpiry(t *testing.T) {
	now := testNow
	h := newHarness(t, func(o *Options) { o.Now = func() time.Time { return now } })
	cookie, csrf := h.login(adminToken)
	res := h.do("POST", "/ui/logout", cookie, url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || res.Cookies()[0].MaxAge >= 0 {
		t.Fatalf("logout: status %d, want 303 and the cookie cleared", res.StatusCode)
	}
	if res := h.do("GET", "/ui/", cookie, nil); res.StatusCode != http.StatusSeeOther {
		t.Error("the session survived logout")
	}
	cookie, _ = h.login(adminToken)
	now = now.Add(12*time.Hour + time.Second)
	if res := h.do("GET", "/ui/", cookie, nil); res.StatusCode != http.StatusSeeOther {
		t.Error("the session outlived its 12 hours")
	}
}

func TestRevokedTokenEndsSession(t *testing.T) {
	revoked := false
	h := newHarness(t, func(o *Options) {
		o.Authenticate = func(tok string) (string, map[string][]string, bool, bool) {
			if revoked {
				return "", nil, false, false
			}
			return fakeAuth(tok)
		}
	})
	cookie, _ := h.login(readToken)
	revoked = true
	if res := h.do("GET", "/ui/", cookie, nil); res.StatusCode != http.StatusSeeOther {
		t.Error("a session outlived its token's removal from the stack")
	}
}

func TestAnonymousRead(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.AnonymousRead = true })
	res := h.do("GET", "/ui/env/staging/incidents/7", "", nil)
	page := body(t, res)
	if res.StatusCode != 200 || strings.Contains(page, `id="ack-button"`) || strings.Contains(page, `name="csrf"`) {
		t.Errorf("anonymous read: status %d; it must render without forms", res.StatusCode)
	}
	if res := h.do("POST", "/ui/env/staging/incidents/7/ack", "", url.Values{"csrf": {""}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous POST: status %d, want 401", res.StatusCode)
	}
}
