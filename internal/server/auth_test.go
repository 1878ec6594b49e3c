package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/authlimit"
)

// TestWrongCredentialsAreThrottled: after a burst of different wrong tokens from one
// address, the API and the sign-in form refuse new tokens from it with a 429 and
// Retry-After, without checking them; a token that already worked from there keeps
// working, a broken client repeating one wrong token does not count, and the refusals
// are counted on /metrics and logged without any token.
func TestWrongCredentialsAreThrottled(t *testing.T) {
	ts := start(t, quickstart, nil)
	if code, _ := ts.call(t, "GET", "/api/v1/environments", adminTok, ""); code != 200 {
		t.Fatalf("admin: %d", code)
	}
	for i := 0; i < 3*authlimit.Burst; i++ { // a client with a stale token, retrying
		if code, _ := ts.call(t, "GET", "/api/v1/environments", "stale-token-stale-token", ""); code != 401 {
			t.Fatalf("retry %d of one stale token: %d, want 401", i, code)
		}
	}
	for i := 0; i < authlimit.Burst-1; i++ { // the stale token counted once
		if code, _ := ts.call(t, "GET", "/api/v1/environments", fmt.Sprintf("guess-%04d-guess-guess", i), ""); code != 401 {
			t.Fatalf("guess %d: %d, want 401", i, code)
		}
	}
	req, _ := http.NewRequest("GET", ts.url+"/api/v1/environments", nil)
	req.Header.Set("Authorization", "Bearer "+"staging-reader-token-0001") // valid, but new from this address
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if secs, _ := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != 429 || secs < 1 || !strings.Contains(string(body), `"code": "throttled"`) {
		t.Fatalf("a new token after the burst: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/environments", adminTok, ""); code != 200 {
		t.Fatalf("the admin token, which worked before, while throttled: %d", code)
	}

	res, err = http.PostForm(ts.url+"/ui/login", url.Values{"token": {"another-guess-another-guess"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || !strings.Contains(string(page), "Too many wrong tokens") {
		t.Fatalf("sign-in while throttled: %d, Retry-After %q\n%.800s", res.StatusCode, res.Header.Get("Retry-After"), page)
	}

	res, err = http.Get(ts.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		fmt.Sprintf(`tocsin_auth_failures_total{outcome="rejected"} %d`, 4*authlimit.Burst-1),
		`tocsin_auth_failures_total{outcome="throttled"} 2`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	logs := ts.logs.String()
	if strings.Count(logs, "too many wrong credentials") != 1 {
		t.Errorf("want one throttling warning in the logs:\n%s", logs)
	}
	for _, secret := range []string{"guess-0000", "stale-token", adminTok, "staging-reader-token"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}
