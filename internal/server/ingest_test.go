package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// post sends a raw body with headers and decodes the JSON answer.
func (ts *testServer) post(t *testing.T, path, token string, body []byte, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("not JSON: %s", data)
	}
	return resp.StatusCode, out
}

func datumJSON(name string, dims string, value string, ts time.Time) string {
	return fmt.Sprintf(`{"name": %q, "dimensions": {%s}, "unit": "Count", "timestamp": %q, %s}`, name, dims, ts.Format(time.RFC3339), value)
}

func TestIngestAndQuery(t *testing.T) {
	ts := start(t, quickstart, nil)
	now := time.Now().UTC().Truncate(time.Minute).Add(-2 * time.Minute)
	body := `{"environment": "production", "namespace": "ELK", "metric_data": [` +
		datumJSON("BackendConnectionErrors", `"Broker": "b1"`, `"value": 1`, now) + "," +
		datumJSON("BackendConnectionErrors", `"Broker": "b1"`, `"values": [1, 2], "counts": [3, 1]`, now.Add(10*time.Second)) + "," +
		datumJSON("BackendConnectionErrors", `"Broker": "b2"`, `"statistic_values": {"sample_count": 2, "sum": 10, "minimum": 4, "maximum": 6}`, now) + "]}"
	code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(body), nil)
	if code != 200 || resp["accepted"] != 3.0 {
		t.Fatalf("ingest: %d %v", code, resp)
	}
	q := url.Values{"environment": {"production"}, "namespace": {"ELK"}, "name": {"BackendConnectionErrors"},
		"dimension": {"Broker=*"}, "start": {now.Format(time.RFC3339)}, "end": {now.Add(time.Minute).Format(time.RFC3339)},
		"period": {"60"}, "statistics": {"Sum,SampleCount,Maximum,p50"}}
	code, res := ts.call(t, "GET", "/api/v1/metrics/statistics?"+q.Encode(), adminTok, "")
	if code != 200 {
		t.Fatalf("statistics: %d %v", code, res)
	}
	results := res["results"].([]any)
	if len(results) != 2 {
		t.Fatalf("want one result per broker: %v", res)
	}
	b1 := results[0].(map[string]any)["datapoints"].([]any)[0].(map[string]any)["values"].(map[string]any)
	if b1["Sum"] != 6.0 || b1["SampleCount"] != 5.0 || b1["Maximum"] != 2.0 || b1["p50"] != 1.0 {
		t.Errorf("b1 (1 + 1×3 + 2): %v", b1)
	}
	b2 := results[1].(map[string]any)["datapoints"].([]any)[0].(map[string]any)["values"].(map[string]any)
	if b2["Sum"] != 10.0 || b2["SampleCount"] != 2.0 {
		t.Errorf("b2 statistic set: %v", b2)
	}
	if _, has := b2["p50"]; has {
		t.Errorf("a non-identical statistic set must not give percentiles: %v", b2)
	}
	code, list := ts.call(t, "GET", "/api/v1/metrics?environment=production&namespace=ELK", adminTok, "")
	if code != 200 || len(list["metrics"].([]any)) != 2 {
		t.Errorf("list: %d %v", code, list)
	}
	// gzip and NDJSON carry the same data.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, gz.Bytes(), map[string]string{"Content-Encoding": "gzip"}); code != 200 || resp["accepted"] != 3.0 {
		t.Errorf("gzip: %d %v", code, resp)
	}
	nd := `{"environment": "production", "namespace": "ELK"}` + "\n" + datumJSON("Other", `"Broker": "b1"`, `"value": 4`, now) + "\n"
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(nd), map[string]string{"Content-Type": "application/x-ndjson"}); code != 200 || resp["accepted"] != 1.0 {
		t.Errorf("ndjson: %d %v", code, resp)
	}
	code, test := ts.call(t, "GET", "/test", "", "")
	if code != 200 {
		t.Errorf("/test: %d %v", code, test)
	}
}

// Every malformed input class gets a 4xx naming the field, and a batch with one bad
// datum stores nothing.
func TestIngestRejectsBadInput(t *testing.T) {
	ts := start(t, quickstart, nil)
	now := time.Now().UTC()
	good := datumJSON("Requests", `"Host": "a"`, `"value": 1`, now)
	envelope := func(data ...string) string {
		return `{"environment": "staging", "namespace": "App", "metric_data": [` + strings.Join(data, ",") + "]}"
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = good
	}
	dims := make([]string, 31)
	for i := range dims {
		dims[i] = fmt.Sprintf(`"D%d": "v"`, i)
	}
	for _, tc := range []struct {
		name, body string
		code       int
		field      string
	}{
		{"bad JSON", `{"namespace": `, 400, ""},
		{"wrong type", envelope(datumJSON("Requests", `"Host": "a"`, `"value": "one"`, now)), 400, "metric_data[0].value"},
		{"NaN", envelope(datumJSON("Requests", `"Host": "a"`, `"value": NaN`, now)), 400, ""},
		{"too large a value", envelope(datumJSON("Requests", `"Host": "a"`, `"value": 1e200`, now)), 400, "metric_data[0].value"},
		{"too old", envelope(good, datumJSON("Requests", `"Host": "a"`, `"value": 1`, now.Add(-15*24*time.Hour))), 400, "metric_data[1].timestamp"},
		{"too far ahead", envelope(datumJSON("Requests", `"Host": "a"`, `"value": 1`, now.Add(3*time.Hour))), 400, "metric_data[0].timestamp"},
		{"too many dimensions", envelope(datumJSON("Requests", strings.Join(dims, ","), `"value": 1`, now)), 400, "metric_data[0].dimensions"},
		{"bad name", envelope(datumJSON("", `"Host": "a"`, `"value": 1`, now)), 400, "metric_data[0].name"},
		{"unknown unit", envelope(strings.Replace(good, `"Count"`, `"Parsecs"`, 1)), 400, "metric_data[0].unit"},
		{"unknown field", envelope(strings.Replace(good, `"unit"`, `"units"`, 1)), 400, "metric_data[0].units"},
		{"two value forms", envelope(datumJSON("Requests", `"Host": "a"`, `"value": 1, "values": [1]`, now)), 400, "metric_data[0].value"},
		{"too many datums", envelope(many...), 400, "metric_data"},
		{"bad namespace", strings.Replace(envelope(good), `"App"`, `":App"`, 1), 400, "namespace"},
		{"unserved environment", strings.Replace(envelope(good), `"staging"`, `"qa"`, 1), 400, "environment"},
		{"oversized", envelope(strings.Repeat(good+",", 12000) + good), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := ts.post(t, "/api/v1/metrics", adminTok, []byte(tc.body), nil)
			e := errorOf(t, body)
			if code != tc.code || (tc.field != "" && e["field"] != tc.field) {
				t.Errorf("got %d field=%v (%v); want %d field=%q", code, e["field"], e["message"], tc.code, tc.field)
			}
		})
	}
	// Nothing of the rejected batches was stored.
	code, list := ts.call(t, "GET", "/api/v1/metrics?environment=staging", adminTok, "")
	if code != 200 || len(list["metrics"].([]any)) != 0 {
		t.Errorf("a rejected batch left data: %v", list)
	}
	resp, _ := http.Get(ts.url + "/metrics")
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), `tocsin_ingest_rejected_total{reason="timestamp"}`) {
		t.Errorf("/metrics lacks rejects by reason")
	}
	for _, tc := range []struct{ q, field string }{
		{"namespace=App&name=Requests&statistics=Sum&period=7", "period"},
		{"namespace=App&name=Requests&statistics=Median", "statistics"},
		{"namespace=App&statistics=Sum", "name"},
		{"namespace=App&name=Requests&statistics=Sum&start=yesterday", "start"},
		{"namespace=App&name=Requests&statistics=Sum&unit=Parsecs", "unit"},
	} {
		code, body := ts.call(t, "GET", "/api/v1/metrics/statistics?environment=staging&"+tc.q, adminTok, "")
		if e := errorOf(t, body); code != 400 || e["field"] != tc.field {
			t.Errorf("%s: %d %v", tc.q, code, e)
		}
	}
}

// An ingest token writes only into its environment; the admin must name one.
func TestIngestTokensScoped(t *testing.T) {
	dir := copyStack(t, quickstart)
	data, _ := os.ReadFile(filepath.Join(dir, "environments", "production.yaml"))
	os.WriteFile(filepath.Join(dir, "environments", "production.yaml"), append(data, []byte("tokens:\n  - name: prod-ingest\n    value: ${env:PROD_TOKEN}\n    reason: Producers.\n")...), 0o644)
	ts := start(t, dir, nil)
	const tok = "prod-ingest-token-000001"
	good := `{"namespace": "App", "metric_data": [` + datumJSON("Requests", `"Host": "a"`, `"value": 1`, time.Now()) + "]}"
	if code, body := ts.post(t, "/api/v1/metrics", tok, []byte(good), nil); code != 200 {
		t.Errorf("token's own environment by default: %d %v", code, body)
	}
	if code, _ := ts.post(t, "/api/v1/metrics", tok, []byte(strings.Replace(good, "{", `{"environment": "staging",`, 1)), nil); code != 403 {
		t.Errorf("another environment: %d", code)
	}
	if code, body := ts.post(t, "/api/v1/metrics", adminTok, []byte(good), nil); code != 400 || errorOf(t, body)["field"] != "environment" {
		t.Errorf("admin without environment: %d %v", code, body)
	}
}

// StatsD lines sent over UDP land in the metric store of the listener's environment.
func TestStatsDIngest(t *testing.T) {
	dir := copyStack(t, quickstart)
	l, _ := net.ListenPacket("udp", "127.0.0.1:0")
	addr := l.LocalAddr().String()
	l.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "tocsin.yaml"))
	data = append(data, []byte(fmt.Sprintf("  statsd:\n    - environment: staging\n      udp: %s\n      flush_interval: 100ms\n", addr))...)
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), data, 0o644)
	ts := start(t, dir, nil)
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("page_viewed:1|c|#Version:2.1\npage_viewed:1|c|@0.5|#Version:2.1\nbogus line\nlatency:12|ms\n"))
	conn.Close()
	var sum any
	eventually(t, "statsd data to be queryable", func() bool {
		q := url.Values{"environment": {"staging"}, "namespace": {"StatsD"}, "name": {"page_viewed"}, "dimension": {"Version=2.1"},
			"start": {time.Now().Add(-5 * time.Minute).UTC().Format(time.RFC3339)}, "statistics": {"Sum"}}
		_, res := ts.call(t, "GET", "/api/v1/metrics/statistics?"+q.Encode(), adminTok, "")
		rs, _ := res["results"].([]any)
		if len(rs) == 1 {
			if dps := rs[0].(map[string]any)["datapoints"].([]any); len(dps) > 0 {
				sum = dps[0].(map[string]any)["values"].(map[string]any)["Sum"]
				return true
			}
		}
		return false
	})
	if sum != 3.0 {
		t.Errorf("counter sum with a 0.5 sample rate: %v, want 3", sum)
	}
}
