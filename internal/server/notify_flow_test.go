package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const flowStack = `
environments: [production]
server:
  evaluation_delay: 0s
  notifications: {group_wait: 30s, group_interval: 5m}
alarms:
  - name: disk-full
    metric: {namespace: Fleet, name: DiskUsed, dimensions: {InstanceId: "*"}, unit: Percent}
    statistic: Maximum
    period: 1m
    evaluation_periods: 1
    threshold: 90
    comparison: GreaterThanThreshold
    treat_missing_data: ignore
    actions: {alarm: [fleet]}
  - name: checkout-errors
    metric: {namespace: Shop, name: Errors, unit: Count}
    statistic: Sum
    period: 1m
    evaluation_periods: 1
    threshold: 5
    comparison: GreaterThanThreshold
    treat_missing_data: ignore
    actions: {alarm: [oncall]}
  - name: queue-lag
    metric: {namespace: Shop, name: QueueLag, unit: Seconds}
    statistic: Maximum
    period: 1m
    evaluation_periods: 1
    threshold: 60
    comparison: GreaterThanThreshold
    treat_missing_data: ignore
    actions: {alarm: [chat]}
topics:
  - name: fleet
    subscriptions: [{webhook: {url: "%[1]s/fleet"}}]
  - name: chat
    group_wait: 0s
    subscriptions: [{webhook: {url: "%[1]s/chat"}}]
  - name: sms
    group_wait: 0s
    subscriptions: [{webhook: {url: "%[1]s/sms"}}]
  - name: pager
    group_wait: 0s
    subscriptions: [{webhook: {url: "%[1]s/pager"}}]
escalation_policies:
  - name: oncall
    steps:
      - {after: 0m, notify: [chat]}
      - {after: 10m, notify: [sms]}
      - {after: 20m, notify: [pager]}
`

// The notifier's timed behaviour through the real server under a fake clock: forty
// template instances breaching together are one message after group_wait; an incident
// walks its steps and stops when acknowledged through the API; a silence made through
// the API mutes a notification, which goes out when the silence ends while the alarm is
// still in ALARM.
func TestNotificationFlowsUnderAFakeClock(t *testing.T) {
	rc := newReceiver(t, 200)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(fmt.Sprintf(flowStack, rc.srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)}
	ts := start(t, dir, func(o *Options) { o.Now = clock.Now })
	base := clock.Now()
	received := func(path string) []map[string]any {
		bodies, _ := rc.got()
		var out []map[string]any
		for i, p := range rc.requestPaths() {
			var m map[string]any
			if p == path && json.Unmarshal([]byte(bodies[i]), &m) == nil {
				out = append(out, m)
			}
		}
		return out
	}
	// A silence on queue-lag for 15 minutes, through the API.
	if code, out := ts.call(t, "POST", "/api/v1/environments/production/silences", adminTok,
		`{"matchers": {"alarm": "queue-*"}, "duration": "15m", "comment": "queue migration"}`); code != 201 {
		t.Fatalf("silence: %d %v", code, out)
	}
	var fleetData []string
	for i := 0; i < 40; i++ {
		fleetData = append(fleetData, fmt.Sprintf(`{"name":"DiskUsed","unit":"Percent","dimensions":{"InstanceId":"i-%02d"},"timestamp":%q,"value":95}`, i, base.Format(time.RFC3339)))
	}
	shopData := []string{fmt.Sprintf(`{"name":"Errors","unit":"Count","timestamp":%q,"value":9}`, base.Format(time.RFC3339)),
		fmt.Sprintf(`{"name":"QueueLag","unit":"Seconds","timestamp":%q,"value":300}`, base.Format(time.RFC3339))}
	for ns, data := range map[string][]string{"Fleet": fleetData, "Shop": shopData} {
		body := `{"environment":"production","namespace":"` + ns + `","metric_data":[` + strings.Join(data, ",") + `]}`
		if code, out := ts.post(t, "/api/v1/metrics", adminTok, []byte(body), nil); code != 200 {
			t.Fatalf("ingest: %d %v", code, out)
		}
	}
	clock.Set(base.Add(time.Minute + time.Second)) // the minute closes: everything breaches

	// The incident's first step goes out at once.
	eventually(t, "the incident's first step on chat", func() bool { return len(received("/chat")) == 1 })
	if m := received("/chat")[0]; m["kind"] != "incident" || !strings.Contains(fmt.Sprint(m["title"]), "checkout-errors") {
		t.Fatalf("chat got %v", m)
	}
	// The forty disk instances wait for group_wait, then go out as one message.
	eventually(t, "forty instances in ALARM", func() bool {
		_, out := ts.call(t, "GET", "/api/v1/environments/production/alarms?state=ALARM&prefix=disk-full", adminTok, "")
		a, _ := out["alarms"].([]any)
		return len(a) == 40
	})
	time.Sleep(1500 * time.Millisecond) // a notify tick passes with group_wait not yet over
	if n := len(received("/fleet")); n != 0 {
		t.Fatalf("%d fleet messages before group_wait", n)
	}
	clock.Set(base.Add(time.Minute + 32*time.Second))
	eventually(t, "the grouped fleet message", func() bool { return len(received("/fleet")) >= 1 })
	time.Sleep(1500 * time.Millisecond)
	fleet := received("/fleet")
	if len(fleet) != 1 || len(fleet[0]["alarms"].([]any)) != 40 || !strings.Contains(fmt.Sprint(fleet[0]["title"]), "40 instances of disk-full") {
		t.Fatalf("fleet messages: %d, first %v", len(fleet), fleet[0]["title"])
	}
	// queue-lag's notification is muted, not sent.
	_, muted := ts.call(t, "GET", "/api/v1/environments/production/notifications?state=muted", adminTok, "")
	if n := muted["notifications"].([]any); len(n) != 1 || !strings.HasPrefix(n[0].(map[string]any)["muted_by"].(string), "silence/") {
		t.Fatalf("muted: %v", muted)
	}
	// Ten minutes on, the incident escalates to SMS; acknowledged, it never reaches the pager.
	clock.Set(base.Add(11*time.Minute + 2*time.Second))
	eventually(t, "the second step on sms", func() bool { return len(received("/sms")) == 1 })
	_, list := ts.call(t, "GET", "/api/v1/environments/production/incidents?state=open", adminTok, "")
	id := list["incidents"].([]any)[0].(map[string]any)["id"]
	if code, inc := ts.call(t, "POST", fmt.Sprintf("/api/v1/environments/production/incidents/%v/ack", id), adminTok, ""); code != 200 || inc["state"] != "acknowledged" {
		t.Fatalf("ack: %d %v", code, inc)
	}
	// The silence ends at base+15m while queue-lag is still in ALARM: the message goes out.
	clock.Set(base.Add(25 * time.Minute))
	eventually(t, "the released queue-lag message", func() bool {
		for _, m := range received("/chat") {
			if strings.Contains(fmt.Sprint(m["title"]), "queue-lag") {
				return true
			}
		}
		return false
	})
	time.Sleep(1500 * time.Millisecond)
	if n := len(received("/pager")); n != 0 {
		t.Fatalf("the pager was notified after the acknowledgement (%d messages)", n)
	}
	_, inc := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/incidents/%v", id), adminTok, "")
	timeline := fmt.Sprint(inc["timeline"])
	for _, want := range []string{"Step 1 (pass 1): notified chat", "Step 2 (pass 1): notified sms", "Acknowledged by admin"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q: %s", want, timeline)
		}
	}
}
