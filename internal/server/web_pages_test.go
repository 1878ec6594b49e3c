package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// uiClient signs in to the UI of ts with the admin token and returns a GET helper.
func uiClient(t *testing.T, ts *testServer) func(path string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(ts.url+"/ui/login", url.Values{"token": {adminTok}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return func(path string) (int, string) {
		t.Helper()
		res, err := c.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
}

// The parity page compares the loaded stack with what the server applies: a resource
// created through the API is drift until reverted.
func TestWebParityLive(t *testing.T) {
	ts := start(t, quickstart, nil)
	get := uiClient(t, ts)
	code, page := get("/ui/parity")
	if code != 200 || !strings.Contains(page, `id="parity-table"`) || !strings.Contains(page, `data-name="api-5xx-errors"`) ||
		!strings.Contains(page, `data-env="production"`) || strings.Contains(page, `data-status="drift"`) {
		t.Fatalf("parity page: %d\n%.3000s", code, page)
	}
	if code, body := ts.call(t, "PUT", "/api/v1/environments/staging/resources/alarms/hand-made-latency", adminTok, handMadeAlarm); code != 201 {
		t.Fatalf("create at runtime: %d %v", code, body)
	}
	_, page = get("/ui/parity")
	if !strings.Contains(page, `data-env="staging" data-status="drift"`) || !strings.Contains(page, `created at runtime (origin: api), not in the code`) ||
		!strings.Contains(page, `data-count="drift">1<`) {
		t.Errorf("a runtime alarm is not shown as drift\n%.4000s", page)
	}
}

// Events sent through the API appear on the events page, with their detail page; the
// metrics explorer lists what was ingested and charts it.
func TestWebEventsAndMetrics(t *testing.T) {
	ts := start(t, quickstart, nil)
	get := uiClient(t, ts)
	code, resp := ts.post(t, "/api/v1/events", adminTok, []byte(`{"environment":"production","entries":[{"source":"my.app","detail-type":"Order <b>placed</b>","detail":{"n":1}}]}`), nil)
	if code != 200 {
		t.Fatalf("put events: %d %v", code, resp)
	}
	id := resp["entries"].([]any)[0].(map[string]any)["id"].(string)
	code, page := get("/ui/env/production/events?pattern=" + url.QueryEscape(`{"source":["my.app"]}`))
	if code != 200 || !strings.Contains(page, `data-event="`+id+`"`) || strings.Contains(page, "<b>placed") {
		t.Errorf("events page: %d\n%.3000s", code, page)
	}
	code, page = get("/ui/env/production/events/" + id)
	if code != 200 || !strings.Contains(page, `&#34;n&#34;: 1`) {
		t.Errorf("event page: %d\n%.3000s", code, page)
	}
	if code, page = get("/ui/env/production/events?pattern=nope"); code != 400 || !strings.Contains(page, `id="ev-pattern-error"`) {
		t.Errorf("invalid pattern: %d", code)
	}

	now := time.Now().UTC().Truncate(time.Minute).Add(-2 * time.Minute)
	body := `{"environment": "production", "namespace": "ELK", "metric_data": [` +
		datumJSON("BackendConnectionErrors", `"Broker": "b1"`, `"value": 1`, now) + "," +
		datumJSON("BackendConnectionErrors", `"Broker": "b2"`, `"value": 5`, now) + "]}"
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(body), nil); code != 200 {
		t.Fatalf("ingest: %d %v", code, resp)
	}
	code, page = get("/ui/env/production/metrics?namespace=ELK&metric=BackendConnectionErrors&stat=Sum")
	m := regexp.MustCompile(`data-series="Broker=(b\d)"`).FindAllStringSubmatch(page, -1)
	if code != 200 || len(m) != 2 || !strings.Contains(page, `data-chart="metric-chart"`) || !strings.Contains(page, `name="dim.Broker" value="*"`) {
		t.Errorf("metrics explorer: %d, series %v\n%.3000s", code, m, page)
	}
	if code, page = get("/ui/environments/production/metrics?namespace=ELK"); code != 200 || !strings.Contains(page, `<option>BackendConnectionErrors</option>`) &&
		!strings.Contains(page, `<option selected>BackendConnectionErrors</option>`) {
		t.Errorf("explorer through /ui/environments/: %d", code)
	}
}
