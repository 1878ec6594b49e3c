package server

import (
	"net/http"
	"testing"
)

// The notification endpoints reject junk with a 4xx naming the field at fault.
func TestNotificationEndpointsRejectBadInput(t *testing.T) {
	ts := start(t, quickstart, nil)
	const base = "/api/v1/environments/production"
	cases := []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", base + "/silences", `{"matchers": {}, "duration": "1h", "comment": "x"}`, 400, "matchers"},
		{"POST", base + "/silences", `{"matchers": {"event_pattern": {"source": "x"}}, "duration": "1h", "comment": "x"}`, 400, "matchers.event_pattern"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "duration": "1h"}`, 400, "comment"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "comment": "x"}`, 400, "ends_at"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "duration": "-5m", "comment": "x"}`, 400, "duration"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "duration": "2400h", "comment": "x"}`, 400, "ends_at"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "ends_at": "tomorrow", "comment": "x"}`, 400, "ends_at"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "duration": "1h", "ends_at": "2030-01-01T00:00:00Z", "comment": "x"}`, 400, "duration"},
		{"POST", base + "/silences", `{"matchers": {"alarm": "a"}, "duration": "1h", "comment": "x", "extra": 1}`, 400, ""},
		{"POST", base + "/silences", `not json`, 400, ""},
		{"GET", base + "/silences?expired=maybe", "", 400, "expired"},
		{"DELETE", base + "/silences/abc", "", 400, "id"},
		{"DELETE", base + "/silences/999", "", 404, ""},
		{"GET", base + "/incidents?state=sleeping", "", 400, "state"},
		{"GET", base + "/incidents?limit=0", "", 400, "limit"},
		{"GET", base + "/incidents?before=-1", "", 400, "before"},
		{"GET", base + "/incidents/0", "", 400, "id"},
		{"GET", base + "/incidents/999", "", 404, ""},
		{"POST", base + "/incidents/999/ack", "", 404, ""},
		{"GET", base + "/notifications?state=lost", "", 400, "state"},
		{"GET", base + "/notifications?incident=x", "", 400, "incident"},
		{"GET", base + "/notifications/999", "", 404, ""},
		{"POST", base + "/notifications/999/replay", "", 404, ""},
		{"POST", base + "/topics/nope/test", "", 404, ""},
	}
	for _, c := range cases {
		code, out := ts.call(t, c.method, c.path, adminTok, c.body)
		if code != c.status {
			t.Errorf("%s %s %s: %d %v, want %d", c.method, c.path, c.body, code, out, c.status)
			continue
		}
		e := errorOf(t, out)
		if e["message"] == "" || (c.field != "" && e["field"] != c.field) {
			t.Errorf("%s %s %s: error %v, want field %q and a message", c.method, c.path, c.body, e, c.field)
		}
	}
	// A signed link that was tampered with is refused, as a page.
	resp, err := http.Get(ts.url + "/ack?env=production&incident=1&expires=99999999999&sig=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := resp.StatusCode; code != 403 {
		t.Errorf("a forged acknowledge link: %d, want 403", code)
	}
}
