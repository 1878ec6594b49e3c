package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is an in-process webhook endpoint that answers with the statuses it is given
// (the last one repeats) and records what it receives.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	bodies   []string
	headers  []http.Header
	paths    []string
	srv      *httptest.Server
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := rc.statuses[0]
		if len(rc.statuses) > 1 {
			rc.statuses = rc.statuses[1:]
		}
		rc.bodies = append(rc.bodies, string(body))
		rc.headers = append(rc.headers, r.Header.Clone())
		rc.paths = append(rc.paths, r.URL.Path)
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() ([]string, []http.Header) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...), append([]http.Header(nil), rc.headers...)
}

// requestPaths returns the paths of the requests received, in order.
func (rc *receiver) requestPaths() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.paths...)
}

func (rc *receiver) answer(statuses ...int) {
	rc.mu.Lock()
	rc.statuses = statuses
	rc.mu.Unlock()
}

func withEnv(vars map[string]string) func(*Options) {
	return func(o *Options) {
		o.LookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../examples/aws-events/events", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The seed field reports' event rules work end to end through the real server: the
// sample AWS events of spec B4 are posted, each reaches exactly the rules it should, and
// the targets act: a marker on the graphs, a webhook message (after a retry), an alarm
// instance retired; an invalid entry fails alone.
func TestAWSEventsExample(t *testing.T) {
	chat := newReceiver(t, 503, 200)
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Minute).Add(-30 * time.Minute)}
	ts := start(t, "../../examples/aws-events", func(o *Options) {
		withEnv(map[string]string{"CHAT_WEBHOOK_URL": chat.srv.URL + "/hook", "SLACK_WEBHOOK_URL": "https://hooks.example.com/x"})(o)
		o.Now = clock.Now
	})
	// Two instances report disk usage: the disk-space template has an instance for each.
	base := clock.Now()
	var datums []string
	for _, id := range []string{"i-1234567890abcdef0", "i-0bbbbbbbbbbbbbbbb"} {
		datums = append(datums, fmt.Sprintf(`{"name":"DiskSpaceUtilization","unit":"Percent","dimensions":{"InstanceId":%q,"MountPath":"/"},"timestamp":%q,"value":50}`, id, base.Format(time.RFC3339)))
	}
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(`{"environment":"production","namespace":"System/Linux","metric_data":[`+strings.Join(datums, ",")+`]}`), nil); code != 200 {
		t.Fatalf("metrics: %d %v", code, resp)
	}
	clock.Set(base.Add(6 * time.Minute))
	instances := func() []string {
		_, got := ts.call(t, "GET", "/api/v1/environments/production/alarms/disk-space", adminTok, "")
		var ids []string
		list, _ := got["instances"].([]any)
		for _, in := range list {
			ids = append(ids, in.(map[string]any)["instance"].(string))
		}
		return ids
	}
	eventually(t, "two disk-space instances", func() bool { return len(instances()) == 2 })

	files := []string{"asg-terminate-health-check.json", "asg-terminate-scale-in.json", "codedeploy-success.json",
		"ecs-service-task-start-impaired.json", "ecs-service-steady-state.json", "aws-health-scheduled.json", "ec2-terminated.json"}
	want := [][]string{{"asg-health-check-termination"}, nil, {"deployment-succeeded"}, {"ecs-service-actions"}, nil, {"aws-health"}, {"instance-terminated"}}
	var entries []string
	for _, f := range files {
		entries = append(entries, readExample(t, f))
	}
	entries = append(entries, `{"source":"my.app","detail":{}}`) // no detail-type
	code, resp := ts.post(t, "/api/v1/events", adminTok, []byte(`{"environment":"production","entries":[`+strings.Join(entries, ",")+`]}`), nil)
	if code != 200 || resp["failed_entry_count"] != 1.0 {
		t.Fatalf("post: %d %v", code, resp)
	}
	results := resp["entries"].([]any)
	for i, f := range files {
		r := results[i].(map[string]any)
		if r["id"] == nil || fmt.Sprint(toStrings(r["rules"])) != fmt.Sprint(want[i]) {
			t.Errorf("%s: %v, want rules %v", f, r, want[i])
		}
	}
	if bad := results[len(files)].(map[string]any); bad["field"] != fmt.Sprintf("entries[%d].detail-type", len(files)) || bad["error_code"] != "InvalidArgument" {
		t.Errorf("invalid entry: %v", bad)
	}

	// CodeDeploy success → a deployment marker on the graphs.
	q := url.Values{"start": {"2026-11-20T00:00:00Z"}, "end": {"2026-11-21T00:00:00Z"}, "dimension": {"InstanceId=i-0bbbbbbbbbbbbbbbb"}}
	code, an := ts.call(t, "GET", "/api/v1/environments/production/annotations?"+q.Encode(), adminTok, "")
	if list := an["annotations"].([]any); code != 200 || len(list) != 1 ||
		list[0].(map[string]any)["text"] != "Deployed myApplication (d-123456789) to myDeploymentGroup" ||
		list[0].(map[string]any)["tags"].(map[string]any)["kind"] != "deployment" {
		t.Errorf("annotations: %d %v", code, an)
	}

	// The ASG rule's webhook: the first attempt gets a 503, the retry (due a second or so
	// later on the server's clock) delivers.
	eventually(t, "the first webhook attempt", func() bool { b, _ := chat.got(); return len(b) == 1 })
	clock.Set(clock.Now().Add(2 * time.Second))
	eventually(t, "the chat webhook to be retried and delivered", func() bool { b, _ := chat.got(); return len(b) == 2 })
	bodies, headers := chat.got()
	if bodies[1] != `{"text":"broker-asg replaced i-1234567890abcdef0: At 2026-11-20T09:58:57Z an instance was taken out of service in response to an ELB system health check failure.","instance":"i-1234567890abcdef0"}` {
		t.Errorf("webhook body: %s", bodies[1])
	}
	if headers[0].Get("Idempotency-Key") == "" || headers[0].Get("Idempotency-Key") != headers[1].Get("Idempotency-Key") || headers[1].Get("Content-Type") != "application/json" {
		t.Errorf("webhook headers: %v", headers)
	}

	// EC2 terminated → the instance's disk alarm is retired, the other one stays.
	if ids := instances(); len(ids) != 1 || ids[0] != "InstanceId=i-0bbbbbbbbbbbbbbbb" {
		t.Errorf("instances after the termination: %v", ids)
	}

	// The event store answers pattern queries.
	q = url.Values{"pattern": {`{"source":["aws.ecs"],"detail":{"eventType":["WARN"]}}`}}
	code, evs := ts.call(t, "GET", "/api/v1/environments/production/events?"+q.Encode(), adminTok, "")
	if list := evs["events"].([]any); code != 200 || len(list) != 1 || toStrings(list[0].(map[string]any)["rules"])[0] != "ecs-service-actions" {
		t.Errorf("pattern query: %d %v", code, evs)
	}
	code, bad := ts.call(t, "GET", "/api/v1/environments/production/events?pattern="+url.QueryEscape(`{"source":"aws.ecs"}`), adminTok, "")
	if code != 400 || errorOf(t, bad)["field"] != "pattern" {
		t.Errorf("invalid pattern: %d %v", code, bad)
	}
	// /test's event round trip (the fake clock makes its loop checks fail here; the
	// round trip itself must pass).
	_, body := ts.call(t, "GET", "/test", "", "")
	passed := false
	for _, x := range body["tests"].([]any) {
		if m := x.(map[string]any); m["name"] == "event_rule" {
			passed = m["success"] == true
		}
	}
	if !passed {
		t.Errorf("/test event_rule: %v", body["tests"])
	}
}

const deadLetterStack = `event_rules:
  - name: forward
    event_pattern: {source: [my.app]}
    targets:
      - id: receiver
        webhook: {url: "${env:HOOK}"}
        retry_policy: {maximum_retry_attempts: 2}
  - name: watch-tocsin
    event_pattern: {source: [tocsin]}
    targets:
      - annotate: {text: "<$.detail-type>"}
`

// A receiver that rejects a delivery for good (4xx) sends it to the dead letters at
// once; one that keeps failing with 5xx exhausts the retry policy. Dead letters are
// listed, announced as tocsin events, and replayed through the API.
func TestWebhookDeadLettersAndReplay(t *testing.T) {
	hook := newReceiver(t, 400)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte(deadLetterStack), 0o644)
	ts := start(t, dir, withEnv(map[string]string{"HOOK": hook.srv.URL}))
	send := func(n int) {
		code, resp := ts.post(t, "/api/v1/events", adminTok, []byte(fmt.Sprintf(`{"environment":"production","entries":[{"source":"my.app","detail-type":"T","detail":{"n":%d}}]}`, n)), nil)
		if code != 200 || resp["failed_entry_count"] != 0.0 {
			t.Fatalf("post: %d %v", code, resp)
		}
	}
	deadLetters := func() []any {
		_, got := ts.call(t, "GET", "/api/v1/environments/production/dead-letters", adminTok, "")
		return got["dead_letters"].([]any)
	}
	send(1)
	eventually(t, "a dead letter", func() bool { return len(deadLetters()) == 1 })
	dl := deadLetters()[0].(map[string]any)
	if dl["error_code"] != "HTTP_400" || dl["attempts"] != 1.0 || dl["exhausted_retry_condition"] != "" || dl["rule"] != "forward" || dl["target"] != "receiver" {
		t.Errorf("dead letter: %v", dl)
	}
	if strings.Contains(fmt.Sprint(dl), hook.srv.URL) {
		t.Errorf("the dead letter shows the (secret) webhook URL: %v", dl)
	}
	hook.answer(500)
	send(2)
	eventually(t, "retries to be exhausted", func() bool { return len(deadLetters()) == 2 })
	dl2 := deadLetters()[0].(map[string]any)
	if dl2["error_code"] != "HTTP_500" || dl2["attempts"] != 3.0 || dl2["exhausted_retry_condition"] != "MaximumRetryAttempts" {
		t.Errorf("exhausted dead letter: %v", dl2)
	}
	// Both were announced as tocsin events, which a rule turned into markers.
	eventually(t, "dead-letter events", func() bool {
		_, an := ts.call(t, "GET", "/api/v1/environments/production/annotations", adminTok, "")
		return strings.Count(fmt.Sprint(an), "Event Delivery Dead-Lettered") == 2
	})
	// Replay the first once the receiver is fixed.
	hook.answer(200)
	id := fmt.Sprint(int64(dl["id"].(float64)))
	if code, resp := ts.call(t, "POST", "/api/v1/environments/production/dead-letters/"+id+"/replay", adminTok, ""); code != 200 {
		t.Fatalf("replay: %d %v", code, resp)
	}
	eventually(t, "the replayed delivery", func() bool {
		b, _ := hook.got()
		return len(b) == 5 && strings.Contains(b[4], `"n":1`)
	})
	if n := len(deadLetters()); n != 1 {
		t.Errorf("%d dead letters after the replay", n)
	}
	if code, resp := ts.call(t, "POST", "/api/v1/environments/production/dead-letters/"+id+"/replay", adminTok, ""); code != 404 {
		t.Errorf("replaying twice: %d %v", code, resp)
	}
	if code, resp := ts.call(t, "DELETE", "/api/v1/environments/production/dead-letters/x", adminTok, ""); code != 400 || errorOf(t, resp)["field"] != "id" {
		t.Errorf("bad id: %d %v", code, resp)
	}
	// A broken reload is announced as a tocsin event too (and the rules keep running).
	os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("alarms: [{name: x}]\n"), 0o644)
	if code, _ := ts.call(t, "POST", "/api/v1/reload", adminTok, ""); code != 422 {
		t.Errorf("broken reload: %d", code)
	}
	eventually(t, "the reload-failed event", func() bool {
		_, an := ts.call(t, "GET", "/api/v1/environments/production/annotations", adminTok, "")
		return strings.Contains(fmt.Sprint(an), "Configuration Reload Failed")
	})
	// A reserved source is refused per entry.
	_, resp := ts.post(t, "/api/v1/events", adminTok, []byte(`{"environment":"production","entries":[{"source":"tocsin","detail-type":"Configuration Reload Failed","detail":{}}]}`), nil)
	if r := resp["entries"].([]any)[0].(map[string]any); r["error_code"] != "ReservedSource" {
		t.Errorf("reserved source: %v", resp)
	}
}

// Malformed and oversized requests are refused whole with a 4xx naming the field.
func TestEventIngestRejects(t *testing.T) {
	ts := start(t, quickstart, nil)
	many := strings.Repeat(`{"source":"a","detail-type":"b"},`, 1001)
	for _, c := range []struct {
		body, field string
		code        int
	}{
		{`{"environment":"production","entries":[]}`, "entries", 400},
		{`{"environment":"production","entries":[` + strings.TrimSuffix(many, ",") + `]}`, "entries", 400},
		{`{"environment":"production","entries":{}}`, "", 400},
		{`{"entries":[{"source":"a","detail-type":"b"}]}`, "environment", 400},
		{`{"environment":"nowhere","entries":[{"source":"a","detail-type":"b"}]}`, "environment", 400},
		{`{"environment":"production","entries":[{"source":"a","detail-type":"b","detail":"` + strings.Repeat("x", 1<<20) + `"}]}`, "", 413},
	} {
		code, resp := ts.post(t, "/api/v1/events", adminTok, []byte(c.body), nil)
		if code != c.code || (c.field != "" && errorOf(t, resp)["field"] != c.field) {
			t.Errorf("%.80s: %d %v", c.body, code, resp)
		}
	}
	code, resp := ts.post(t, "/api/v1/events", adminTok, []byte(`{"environment":"production","entries":[
		{"source":"a","detail-type":"b","detail":"{\"x\":1}"},
		{"source":"a","detail-type":"b","detail":[1]},
		{"source":"a","detail-type":"b","time":"yesterday"},
		{"source":"a","detail-type":"b","colour":"red"},
		{"source":"","detail-type":"b"}]}`), nil)
	if code != 200 || resp["failed_entry_count"] != 4.0 {
		t.Fatalf("%d %v", code, resp)
	}
	fields := []string{"", "entries[1].detail", "entries[2].time", "entries[3].colour", "entries[4].source"}
	for i, r := range resp["entries"].([]any) {
		if m := r.(map[string]any); fmt.Sprint(m["field"]) != fmt.Sprint(map[bool]any{true: nil, false: fields[i]}[fields[i] == ""]) {
			t.Errorf("entry %d: %v", i, m)
		}
	}
}

// One slow test on the real clock: a rate(1 minute) rule fires within about a minute of
// the server starting and its target acts.
func TestScheduledRuleOnTheRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a minute on the real clock")
	}
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte(`event_rules:
  - name: every-minute
    schedule: rate(1 minute)
    targets: [{annotate: {text: "tick from <$.resources[0]>"}}]
`), 0o644)
	ts := start(t, dir, nil)
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, an := ts.call(t, "GET", "/api/v1/environments/production/annotations", adminTok, "")
		if list := an["annotations"].([]any); len(list) > 0 {
			if text := list[0].(map[string]any)["text"]; text != "tick from tocsin:production:rule/every-minute" {
				t.Errorf("annotation: %v", text)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled rule did not fire within 90 s")
		}
		time.Sleep(time.Second)
	}
}

// Paging through events follows their order (time, then arrival): an event that arrives
// late with an earlier time is not skipped.
func TestEventPagingKeepsLateEvents(t *testing.T) {
	ts := start(t, quickstart, nil)
	now := time.Now().UTC().Truncate(time.Second)
	var entries []string
	for i, ago := range []int{10, 50, 30, 40, 20} { // arrival order differs from time order
		entries = append(entries, fmt.Sprintf(`{"source":"paging","detail-type":"P","time":%q,"detail":{"n":%d}}`, now.Add(-time.Duration(ago)*time.Second).Format(time.RFC3339), i))
	}
	for _, e := range entries { // one request each: one arrival after another
		if code, out := ts.call(t, "POST", "/api/v1/events", adminTok, `{"environment":"production","entries":[`+e+`]}`); code != 200 {
			t.Fatalf("post: %d %v", code, out)
		}
	}
	var seen []string
	before := ""
	for page := 0; page < 10; page++ {
		q := url.Values{"source": {"paging"}, "limit": {"2"}, "start": {now.Add(-time.Hour).Format(time.RFC3339)}}
		if before != "" {
			q.Set("before", before)
		}
		code, out := ts.call(t, "GET", "/api/v1/environments/production/events?"+q.Encode(), adminTok, "")
		if code != 200 {
			t.Fatalf("page %d: %d %v", page, code, out)
		}
		for _, e := range out["events"].([]any) {
			seen = append(seen, fmt.Sprint(e.(map[string]any)["event"].(map[string]any)["detail"].(map[string]any)["n"]))
		}
		next, ok := out["next_before"].(string)
		if !ok {
			break
		}
		before = next
	}
	if got := strings.Join(seen, " "); got != "0 4 2 3 1" {
		t.Errorf("events by time, paged two at a time: %s, want 0 4 2 3 1", got)
	}
	if code, out := ts.call(t, "GET", "/api/v1/environments/production/events?before=17", adminTok, ""); code != 400 || errorOf(t, out)["field"] != "before" {
		t.Errorf("a bad cursor: %d %v", code, out)
	}
}
