package server

import (
	"strings"
	"testing"
)

const handMadeAlarm = `{
  "metric": {"namespace": "MyApp/API", "name": "Latency", "unit": "Milliseconds"},
  "statistic": "p99", "period": "1m", "evaluation_periods": 3,
  "threshold": 800, "comparison": "GreaterThanThreshold",
  "actions": {"alarm": ["alarms"]}
}`

// Resources created, changed and deleted through the API layer over the stack, survive
// reloads, and can be reverted to the code.
func TestRuntimeResources(t *testing.T) {
	ts := start(t, quickstart, nil)
	const path = "/api/v1/environments/staging/resources/alarms/hand-made-latency"
	code, body := ts.call(t, "PUT", path, adminTok, handMadeAlarm)
	if code != 201 || body["origin"] != "api" || body["resource"].(map[string]any)["datapoints_to_alarm"] != 3.0 {
		t.Fatalf("create: %d %v", code, body)
	}
	if code, _ := ts.call(t, "PUT", path, adminTok, strings.Replace(handMadeAlarm, "800", "900", 1)); code != 200 {
		t.Errorf("replace: %d", code)
	}
	if err := ts.Reload(); err != nil {
		t.Fatal(err)
	}
	code, body = ts.call(t, "GET", path, adminTok, "")
	if code != 200 || body["resource"].(map[string]any)["threshold"] != 900.0 {
		t.Errorf("after reload: %d %v", code, body)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/environments/production/resources/alarms/hand-made-latency", adminTok, ""); code != 404 {
		t.Errorf("runtime alarm leaked into production: %d", code)
	}
	// Deleting a stack alarm at runtime hides it until reverted.
	const stackAlarm = "/api/v1/environments/staging/resources/alarms/api-5xx-errors"
	if code, _ := ts.call(t, "DELETE", stackAlarm, adminTok, ""); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if code, _ := ts.call(t, "GET", stackAlarm, adminTok, ""); code != 404 {
		t.Errorf("deleted alarm still served: %d", code)
	}
	if code, _ := ts.call(t, "DELETE", "/api/v1/environments/staging/runtime/alarms/api-5xx-errors", adminTok, ""); code != 200 {
		t.Errorf("revert: %d", code)
	}
	if code, body := ts.call(t, "GET", stackAlarm, adminTok, ""); code != 200 || body["origin"] != "stack" {
		t.Errorf("reverted alarm: %d %v", code, body)
	}
}

func TestRuntimeResourceRejectsBadInput(t *testing.T) {
	ts := start(t, quickstart, nil)
	const path = "/api/v1/environments/staging/resources/alarms/x"
	for _, tc := range []struct {
		name, path, body string
		code             int
		field, message   string
	}{
		{"malformed JSON", path, `{"statistic": `, 400, "", "not valid JSON"},
		{"unknown field", path, strings.Replace(handMadeAlarm, `"statistic"`, `"statistc"`, 1), 422, "alarms[x].statistic", `missing required field "statistic" (and 1 more problems)`},
		{"bad statistic", path, strings.Replace(handMadeAlarm, `"p99"`, `"p101"`, 1), 422, "alarms[x].statistic", "outside 0–100"},
		{"dangling topic", path, strings.Replace(handMadeAlarm, `["alarms"]`, `["pager"]`, 1), 422, "alarms[x].actions.alarm[0]", `"pager" does not exist`},
		{"name mismatch", path, `{"name": "y"}`, 422, "alarms[x].name", "URL names"},
		{"only at runtime", path, strings.Replace(handMadeAlarm, `"statistic"`, `"only": ["staging"], "statistic"`, 1), 422, "alarms[x].only", "not allowed at runtime"},
		{"not an object", path, `[1, 2]`, 422, "alarms[x]", "expected a JSON object"},
		{"tokens", "/api/v1/environments/staging/resources/tokens/t", `{"value": "0123456789abcdef0"}`, 403, "", "stack only"},
		{"unknown kind", "/api/v1/environments/staging/resources/alarmz/x", `{}`, 404, "", "unknown resource kind"},
		{"unknown environment", "/api/v1/environments/qa/resources/alarms/x", handMadeAlarm, 404, "", `"qa"`},
		{"too large", path, `{"description": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "", "exceeds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := ts.call(t, "PUT", tc.path, adminTok, tc.body)
			e := errorOf(t, body)
			if code != tc.code || e["field"] != nilIfEmpty(tc.field) || !strings.Contains(e["message"].(string), tc.message) {
				t.Errorf("got %d field=%v message=%q; want %d field=%q message containing %q", code, e["field"], e["message"], tc.code, tc.field, tc.message)
			}
		})
	}
	if code, _ := ts.call(t, "GET", "/api/v1/reloads?limit=0", adminTok, ""); code != 400 {
		t.Errorf("limit=0: %d", code)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Deleting a resource that others still reference is refused, naming the referrer.
func TestRuntimeDeleteKeepsReferencesWhole(t *testing.T) {
	ts := start(t, quickstart, nil)
	code, body := ts.call(t, "DELETE", "/api/v1/environments/staging/resources/topics/alarms", adminTok, "")
	e := errorOf(t, body)
	if code != 409 || e["code"] != "in_use" || !strings.Contains(e["message"].(string), "alarms[") {
		t.Fatalf("delete a referenced topic: %d %v", code, body)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/environments/staging/resources/topics/alarms", adminTok, ""); code != 200 {
		t.Errorf("the topic is gone after a refused delete: %d", code)
	}
}

// Runtime resources may reference each other: an alarm naming a topic created at runtime
// stays applied after the configuration is rebuilt.
func TestRuntimeResourcesReferenceEachOther(t *testing.T) {
	ts := start(t, quickstart, nil)
	if code, body := ts.call(t, "PUT", "/api/v1/environments/staging/resources/topics/pager", adminTok, `{"subscriptions": [{"email": {"to": ["oncall@example.com"]}}]}`); code != 201 {
		t.Fatalf("topic: %d %v", code, body)
	}
	if code, body := ts.call(t, "PUT", "/api/v1/environments/staging/resources/alarms/paging", adminTok, strings.Replace(handMadeAlarm, `["alarms"]`, `["pager"]`, 1)); code != 201 {
		t.Fatalf("alarm: %d %v", code, body)
	}
	if err := ts.Reload(); err != nil {
		t.Fatal(err)
	}
	if code, body := ts.call(t, "GET", "/api/v1/environments/staging/resources/alarms/paging", adminTok, ""); code != 200 || body["origin"] != "api" {
		t.Errorf("alarm after a rebuild: %d %v", code, body)
	}
}
