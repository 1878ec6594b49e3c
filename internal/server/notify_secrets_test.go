package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const brokenChannelsStack = `
environments: [production]
server:
  notifications:
    group_wait: 0s
    pagerduty_url: %[1]s/pagerduty
    smtp: {host: 127.0.0.1, port: %[2]s, tls: starttls, username: tocsin, password: "${env:SMTP_PASSWORD}", from: tocsin@example.com}
topics:
  - name: broken
    subscriptions:
      - email: {to: [ops@example.com]}
      - slack: {url: "%[1]s${env:SLACK_URL_PATH}"}
      - discord: {url: "%[1]s${env:DISCORD_PATH}"}
      - webhook:
          url: %[1]s/webhook
          signing_secret: ${env:SIGNING_SECRET}
          headers: {Authorization: "${env:WEBHOOK_HEADER}"}
      - sms: {url: "%[1]s/sms", from: "+15005550006", to: ["+14155550100"], account_sid: AC123, auth_token: "${env:SMS_AUTH_TOKEN}"}
      - pagerduty: {routing_key: "${env:PD_ROUTING_KEY}"}
event_rules:
  - name: to-broken
    event_pattern: {source: [leak-test]}
    targets: [{topic: broken}]
`

// Every channel fails against endpoints that echo back everything they were sent (URL,
// headers, body); the errors reach the API's test results, the delivery log and the
// logs, and none of them holds a secret.
func TestNoSecretLeaksFromFailingChannels(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad request to %s %v %s", r.URL.String(), r.Header, body)
	}))
	defer echo.Close()
	smtp := newSMTPSink(t) // offers no STARTTLS: the e-mail channel fails before AUTH
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(fmt.Sprintf(brokenChannelsStack, echo.URL, smtp.port())), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := start(t, dir, withEnv(notifySecrets))
	var seen strings.Builder
	code, res := ts.call(t, "POST", "/api/v1/environments/production/topics/broken/test", adminTok, "")
	if code != 200 || res["ok"] != false {
		t.Fatalf("topic test: %d %v", code, res)
	}
	results := res["results"].([]any)
	if len(results) != 6 {
		t.Fatalf("results: %v", results)
	}
	for _, r := range results {
		if r.(map[string]any)["ok"] == true || r.(map[string]any)["error"] == "" {
			t.Errorf("a broken channel reported success: %v", r)
		}
	}
	b, _ := json.Marshal(res)
	seen.Write(b)
	if code, out := ts.call(t, "POST", "/api/v1/events", adminTok, `{"environment":"production","entries":[{"source":"leak-test","detail-type":"x","detail":{}}]}`); code != 200 {
		t.Fatalf("event: %d %v", code, out)
	}
	var list map[string]any
	eventually(t, "six dead notifications", func() bool {
		_, list = ts.call(t, "GET", "/api/v1/environments/production/notifications?state=dead", adminTok, "")
		n, _ := list["notifications"].([]any)
		return len(n) == 6
	})
	b, _ = json.Marshal(list)
	seen.Write(b)
	for _, n := range list["notifications"].([]any) {
		_, detail := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/notifications/%v", n.(map[string]any)["id"]), adminTok, "")
		b, _ := json.Marshal(detail)
		seen.Write(b)
	}
	seen.WriteString(ts.logs.String())
	for name, secret := range notifySecrets {
		if strings.Contains(seen.String(), strings.TrimPrefix(secret, "Bearer ")) {
			t.Errorf("secret %s leaked into an error, a log line or an API answer", name)
		}
	}
	if !strings.Contains(seen.String(), "HTTP_400") || !strings.Contains(seen.String(), "SMTP_TLS") {
		t.Errorf("the failures are not explained:\n%s", seen.String())
	}
}
