package server

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand; the server's loops still tick in real time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Metrics pushed over HTTP drive an alarm to ALARM once its minutes close; the API shows
// the state, reason, datapoints and history; SetState works; a restart keeps the state.
func TestAlarmEndToEnd(t *testing.T) {
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)}
	data := t.TempDir()
	ts := start(t, quickstart, func(o *Options) { o.Now = clock.Now; o.DataDir = data })
	path := "/api/v1/environments/production/alarms/api-5xx-errors"
	var got map[string]any
	eventually(t, "the first evaluation (OK: missing data is not breaching)", func() bool {
		_, got = ts.call(t, "GET", path, adminTok, "")
		insts, _ := got["instances"].([]any)
		return len(insts) == 1 && insts[0].(map[string]any)["state"] == "OK"
	})
	base := clock.Now()
	var datums []string
	for m := 0; m < 3; m++ {
		for i := 0; i < 20; i++ {
			at := base.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second)
			datums = append(datums, fmt.Sprintf(`{"name":"Http5xxCount","unit":"Count","timestamp":%q,"value":1}`, at.Format(time.RFC3339)))
		}
	}
	body := `{"environment":"production","namespace":"MyApp/API","metric_data":[` + strings.Join(datums, ",") + "]}"
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(body), nil); code != 200 {
		t.Fatalf("ingest: %d %v", code, resp)
	}
	// api-5xx-errors: Sum ≥ 10 in 3 of 3 one-minute periods. Close the third minute.
	clock.Set(base.Add(3*time.Minute + 11*time.Second))
	eventually(t, "the alarm to reach ALARM", func() bool {
		_, got = ts.call(t, "GET", path, adminTok, "")
		insts, _ := got["instances"].([]any)
		return len(insts) == 1 && insts[0].(map[string]any)["state"] == "ALARM"
	})
	inst := got["instances"].([]any)[0].(map[string]any)
	if !strings.Contains(inst["reason"].(string), "3 out of the last 3 datapoints") || len(inst["datapoints"].([]any)) != 5 {
		t.Errorf("instance: %v", inst)
	}
	// The production-only low-traffic alarm treats missing data as breaching: it is in ALARM
	// too (and the demo feed's checkout-latency may be, depending on the minute).
	if code, list := ts.call(t, "GET", "/api/v1/environments/production/alarms?state=ALARM", adminTok, ""); code != 200 ||
		!strings.Contains(fmt.Sprint(list), "api-5xx-errors") || !strings.Contains(fmt.Sprint(list), "api-low-traffic") || strings.Contains(fmt.Sprint(list), "elk-broker") {
		t.Errorf("list in ALARM: %d %v", code, list)
	}
	code, hist := ts.call(t, "GET", path+"/history", adminTok, "")
	if code != 200 || !strings.Contains(fmt.Sprint(hist["history"]), "Alarm updated from OK to ALARM") {
		t.Errorf("history: %d %v", code, hist)
	}
	// The change reaches the event store through the bus.
	var found map[string]any
	var evs map[string]any
	eventually(t, "the state change event to be stored", func() bool {
		code, evs = ts.call(t, "GET", "/api/v1/environments/production/events?pattern="+url.QueryEscape(`{"source":["tocsin.alarm"]}`), adminTok, "")
		for _, e := range evs["events"].([]any) {
			if m := e.(map[string]any)["event"].(map[string]any); m["detail"].(map[string]any)["alarmName"] == "api-5xx-errors" && m["detail"].(map[string]any)["state"].(map[string]any)["value"] == "ALARM" {
				found = m
			}
		}
		return found != nil
	})
	if code != 200 || found["source"] != "tocsin.alarm" || found["detail-type"] != "Alarm State Change" || found["environment"] != "production" {
		t.Errorf("state change event: %d %v", code, evs)
	} else if d := found["detail"].(map[string]any); d["previousState"].(map[string]any)["value"] != "OK" ||
		!strings.Contains(d["state"].(map[string]any)["reasonData"].(string), `"evaluatedDatapoints"`) {
		t.Errorf("event detail: %v", d)
	}
	if code, body := ts.call(t, "POST", path+"/state", adminTok, `{"state": "OK", "reason": "testing the runbook"}`); code != 200 {
		t.Errorf("set state: %d %v", code, body)
	}
	if _, got := ts.call(t, "GET", path, adminTok, ""); got["instances"].([]any)[0].(map[string]any)["state"] != "OK" {
		t.Errorf("state after SetState: %v", got)
	}
	for _, bad := range []string{`{"state": "FIRE", "reason": "x"}`, `{"state": "OK"}`, `{"state": "OK", "reason": "x", "extra": 1}`} {
		if code, _ := ts.call(t, "POST", path+"/state", adminTok, bad); code != 400 {
			t.Errorf("%s: %d", bad, code)
		}
	}
	if code, _ := ts.call(t, "GET", "/api/v1/environments/production/alarms/"+url.PathEscape("nope"), adminTok, ""); code != 404 {
		t.Errorf("unknown alarm: %d", code)
	}
}
