package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify/channel/webhook"
)

// Secrets of the notification stack: none may appear in logs, errors or API answers.
var notifySecrets = map[string]string{
	"SLACK_URL_PATH": "/services/T000/B000/SLACKSECRET0001",
	"DISCORD_PATH":   "/api/webhooks/1/DISCORDSECRET0002",
	"SIGNING_SECRET": "whsec-SIGNINGSECRET0003",
	"PD_ROUTING_KEY": "PDROUTINGKEY0004",
	"SMS_AUTH_TOKEN": "SMSAUTHTOKEN0005",
	"WEBHOOK_HEADER": "Bearer HEADERSECRET0006",
	"SMTP_PASSWORD":  "SMTPPASSWORD0007",
}

const notifyStack = `
environments: [production]
server:
  public_url: https://tocsin.example.com
  notifications:
    group_wait: 0s
    pagerduty_url: %[1]s/pagerduty
    smtp: {host: 127.0.0.1, port: %[2]s, tls: none, from: tocsin@example.com}
alarms:
  - name: api-errors
    metric: {namespace: MyApp/API, name: Errors, unit: Count}
    statistic: Sum
    period: 1m
    evaluation_periods: 1
    threshold: 10
    comparison: GreaterThanOrEqualToThreshold
    treat_missing_data: notBreaching
    actions: {alarm: [everyone, oncall], ok: [everyone]}
topics:
  - name: everyone
    subscriptions:
      - email: {to: [ops@example.com, dev@example.com]}
      - name: chat
        slack: {url: "%[1]s${env:SLACK_URL_PATH}"}
      - discord: {url: "%[1]s${env:DISCORD_PATH}"}
      - name: receiver
        webhook:
          url: %[1]s/webhook
          signing_secret: ${env:SIGNING_SECRET}
          headers: {Authorization: "${env:WEBHOOK_HEADER}"}
      - name: text
        sms: {url: "%[1]s/sms", from: "+15005550006", to: ["+14155550100"], account_sid: AC123, auth_token: "${env:SMS_AUTH_TOKEN}"}
  - name: pager
    subscriptions:
      - pagerduty: {routing_key: "${env:PD_ROUTING_KEY}"}
escalation_policies:
  - name: oncall
    steps:
      - {after: 0m, notify: [pager]}
      - {after: 10m, notify: [everyone]}
`

// A metric breach ends as an e-mail received by an SMTP server and as Slack, Discord,
// signed webhook, PagerDuty and SMS payloads received by local HTTP servers; the
// escalation policy opens an incident that an acknowledgement stops, and the return to
// OK resolves it and tells PagerDuty. No secret shows up anywhere.
func TestNotificationsEndToEnd(t *testing.T) {
	rc := newReceiver(t, 200)
	smtp := newSMTPSink(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(fmt.Sprintf(notifyStack, rc.srv.URL, smtp.port())), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)}
	ts := start(t, dir, func(o *Options) { o.Now = clock.Now; withEnv(notifySecrets)(o) })
	base := clock.Now()
	var datums []string
	for i := 0; i < 12; i++ {
		datums = append(datums, fmt.Sprintf(`{"name":"Errors","unit":"Count","timestamp":%q,"value":1}`, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339)))
	}
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(`{"environment":"production","namespace":"MyApp/API","metric_data":[`+strings.Join(datums, ",")+`]}`), nil); code != 200 {
		t.Fatalf("ingest: %d %v", code, resp)
	}
	clock.Set(base.Add(time.Minute + 11*time.Second))

	// The alarm starts OK (its ok action notifies too); the ALARM messages are what we follow.
	alarmMail := func() (smtpMessage, bool) {
		for _, m := range smtp.got() {
			if strings.Contains(m.Data, "ALARM: api-errors in production") {
				return m, true
			}
		}
		return smtpMessage{}, false
	}
	eventually(t, "the e-mail", func() bool { _, ok := alarmMail(); return ok })
	mail, _ := alarmMail()
	if strings.Join(mail.To, ",") != "ops@example.com,dev@example.com" || !strings.Contains(mail.Data, "ALARM: api-errors in production") {
		t.Errorf("e-mail: to %v\n%s", mail.To, mail.Data)
	}
	if !strings.Contains(mail.Data, "image/png") {
		t.Errorf("the e-mail has no graph; logs:\n%s", ts.logs.String())
	}
	alarmBodies := func() int {
		n := 0
		bodies, _ := rc.got()
		for _, b := range bodies {
			if strings.Contains(b, "ALARM: api-errors") || strings.Contains(b, "ALARM%3A+api-errors") {
				n++
			}
		}
		return n
	}
	eventually(t, "five HTTP deliveries of the ALARM (slack, discord, webhook, sms, pagerduty trigger)", func() bool { return alarmBodies() >= 5 })
	bodies, headers := rc.got()
	paths := rc.requestPaths()
	find := func(prefix string) (string, http.Header) {
		for i, p := range paths {
			if strings.HasPrefix(p, prefix) && (strings.Contains(bodies[i], "ALARM: api-errors") || strings.Contains(bodies[i], "ALARM%3A+api-errors")) {
				return bodies[i], headers[i]
			}
		}
		t.Fatalf("nothing received on %s (got %v)", prefix, paths)
		return "", nil
	}
	slack, _ := find(notifySecrets["SLACK_URL_PATH"])
	if !strings.Contains(slack, `"color": "#d93f0b"`) && !strings.Contains(slack, `"color":"#d93f0b"`) {
		t.Errorf("slack payload not coloured as ALARM: %s", slack)
	}
	discord, _ := find(notifySecrets["DISCORD_PATH"])
	if !strings.Contains(discord, `"embeds"`) {
		t.Errorf("discord payload: %s", discord)
	}
	hook, hh := find("/webhook")
	if err := webhook.Verify(notifySecrets["SIGNING_SECRET"], hh, []byte(hook), clock.Now(), 0); err != nil {
		t.Errorf("webhook signature: %v", err)
	}
	if hh.Get("Authorization") != notifySecrets["WEBHOOK_HEADER"] || hh.Get("Idempotency-Key") == "" {
		t.Errorf("webhook headers: %v", hh)
	}
	var msg map[string]any
	if json.Unmarshal([]byte(hook), &msg) != nil || msg["kind"] != "alarm" || msg["state"] != "ALARM" {
		t.Errorf("webhook body: %s", hook)
	}
	sms, _ := find("/sms")
	if q, _ := url.ParseQuery(sms); q.Get("To") != "+14155550100" || !strings.Contains(q.Get("Body"), "ALARM: api-errors") {
		t.Errorf("sms: %s", sms)
	}
	pd, _ := find("/pagerduty")
	var trigger map[string]any
	json.Unmarshal([]byte(pd), &trigger)
	if trigger["event_action"] != "trigger" || trigger["dedup_key"] != "tocsin/production/api-errors" {
		t.Errorf("pagerduty trigger: %s", pd)
	}

	// The incident is open; acknowledging it stops the escalation.
	code, list := ts.call(t, "GET", "/api/v1/environments/production/incidents", adminTok, "")
	incs, _ := list["incidents"].([]any)
	if code != 200 || len(incs) != 1 {
		t.Fatalf("incidents: %d %v", code, list)
	}
	id := incs[0].(map[string]any)["id"]
	if code, inc := ts.call(t, "POST", fmt.Sprintf("/api/v1/environments/production/incidents/%v/ack", id), adminTok, ""); code != 200 || inc["state"] != "acknowledged" {
		t.Fatalf("ack: %d %v", code, inc)
	}
	// Back to OK: the incident resolves and PagerDuty hears it with the same dedup key.
	if code, body := ts.call(t, "POST", "/api/v1/environments/production/alarms/api-errors/state", adminTok, `{"state":"OK","reason":"fixed"}`); code != 200 {
		t.Fatalf("set state: %d %v", code, body)
	}
	eventually(t, "the incident to resolve", func() bool {
		_, inc := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/incidents/%v", id), adminTok, "")
		return inc["state"] == "resolved"
	})
	eventually(t, "PagerDuty's resolve", func() bool {
		bodies, _ := rc.got()
		for i, p := range rc.requestPaths() {
			if p == "/pagerduty" && strings.Contains(bodies[i], `"resolve"`) && strings.Contains(bodies[i], "tocsin/production/api-errors") {
				return true
			}
		}
		return false
	})
	_, inc := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/incidents/%v", id), adminTok, "")
	timeline := fmt.Sprint(inc["timeline"])
	for _, want := range []string{"opened", "notified", "acknowledged", "resolved"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q: %s", want, timeline)
		}
	}

	// No secret in the logs or in what the API shows.
	var answers strings.Builder
	for _, path := range []string{"/api/v1/environments/production/notifications?limit=1000", "/api/v1/environments/production/resources/topics",
		fmt.Sprintf("/api/v1/environments/production/incidents/%v", id)} {
		_, out := ts.call(t, "GET", path, adminTok, "")
		b, _ := json.Marshal(out)
		answers.Write(b)
	}
	_, out := ts.call(t, "GET", "/api/v1/environments/production/notifications?limit=1", adminTok, "")
	first := out["notifications"].([]any)[0].(map[string]any)["id"]
	_, detail := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/notifications/%v", first), adminTok, "")
	b, _ := json.Marshal(detail)
	answers.Write(b)
	for name, secret := range notifySecrets {
		for where, text := range map[string]string{"logs": ts.logs.String(), "API": answers.String()} {
			if strings.Contains(text, strings.TrimPrefix(secret, "Bearer ")) {
				t.Errorf("secret %s leaked into the %s", name, where)
			}
		}
	}
}
