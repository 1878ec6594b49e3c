package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/server"
)

const quickstart = "../../examples/quickstart"

// run executes a command in-process and returns its exit code and output.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Version: "test", BuildTime: "now",
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	}
	code := Main(e, args)
	return code, out.String(), errOut.String()
}

func copyStack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	filepath.WalkDir(quickstart, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(quickstart, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	return dir
}

func TestValidateExitCodes(t *testing.T) {
	if code, out, _ := run(t, nil, "validate", quickstart); code != 0 || !strings.Contains(out, "valid (0 warning(s))") {
		t.Errorf("quickstart: %d %s", code, out)
	}
	dir := copyStack(t)
	os.WriteFile(filepath.Join(dir, "alarms", "bad.yaml"), []byte("alarms:\n  - name: x\n    statistic: Median\n"), 0o644)
	code, out, _ := run(t, nil, "validate", dir, "--env", "staging")
	if code != 1 || !strings.Contains(out, filepath.Join(dir, "alarms", "bad.yaml")+":3:16: alarms[x].statistic: ") || !strings.Contains(out, "invalid:") {
		t.Errorf("broken stack: %d\n%s", code, out)
	}
	if code, out, _ := run(t, nil, "validate", "../../examples/broker-story"); code != 0 || !strings.Contains(out, "use Sum") {
		t.Errorf("story 1 lint: %d %s", code, out)
	}
	if code, _, _ := run(t, nil, "validate", "../../examples/broker-story", "--strict"); code != 1 {
		t.Errorf("--strict with a warning: exit %d, want 1", code)
	}
	for _, args := range [][]string{{"validate"}, {"validate", "a", "b"}, {"validate", "--nope", "x"}} {
		if code, _, _ := run(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestRenderMasksSecrets(t *testing.T) {
	dir := copyStack(t)
	overlay := filepath.Join(dir, "environments", "production.yaml")
	data, _ := os.ReadFile(overlay)
	os.WriteFile(overlay, append(data, "tokens:\n  - name: ingest\n    value: ${env:PROD_INGEST}\n    reason: Producers.\n"...), 0o644)
	code, out, errOut := run(t, map[string]string{"PROD_INGEST": "super-secret-token-value"}, "render", dir, "--env", "production")
	if code != 0 || !strings.Contains(out, "# environment: production") || !strings.Contains(out, "value: <secret>") || strings.Contains(out, "super-secret") {
		t.Fatalf("render: %d %s\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "name: api-low-traffic") || !strings.Contains(out, "datapoints_to_alarm: 2") {
		t.Errorf("render lacks production's effective alarms:\n%s", out)
	}
	if code, _, _ := run(t, nil, "render", dir); code != 2 {
		t.Errorf("render without --env: %d", code)
	}
}

func TestParityUndeclaredExitsOne(t *testing.T) {
	if code, out, _ := run(t, nil, "parity", quickstart); code != 0 || !strings.Contains(out, "excluded: Pre-production traffic") {
		t.Errorf("quickstart parity: %d\n%s", code, out)
	}
	dir := copyStack(t)
	f, _ := os.OpenFile(filepath.Join(dir, "environments", "production.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("  - name: hotfix-queue-depth\n    metric: {namespace: App, name: QueueDepth}\n    statistic: Maximum\n    period: 1m\n    evaluation_periods: 1\n    threshold: 1000\n    comparison: GreaterThanThreshold\n    actions: {alarm: [alarms]}\n")
	f.Close()
	code, out, _ := run(t, nil, "parity", dir)
	if code != 1 || !strings.Contains(out, "hotfix-queue-depth") || !strings.Contains(out, "UNDECLARED") || !strings.Contains(out, "FAIL: 3 undeclared") {
		t.Errorf("undeclared addition: %d\n%s", code, out)
	}
	code, out, _ = run(t, nil, "parity", dir, "--format", "json")
	var rep struct {
		Undeclared int `json:"undeclared"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil || rep.Undeclared != 3 {
		t.Errorf("json: %d %s", code, out)
	}
}

const admin = "cli-test-admin-token-0001"

// startServer runs a real server on the quickstart stack until the test ends and returns
// its URL.
func startServer(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Options{ConfigDir: quickstart, DataDir: t.TempDir(), Listen: "127.0.0.1:0", AdminToken: admin, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + srv.Addr()
}

// Creating an alarm through the API on a running server makes --live report drift.
func TestParityLiveDrift(t *testing.T) {
	url := startServer(t)
	env := map[string]string{"TOCSIN_TOKEN": admin}

	if code, out, errOut := run(t, env, "parity", quickstart, "--live", url); code != 0 || !strings.Contains(out, "matches the code") {
		t.Fatalf("fresh server: %d\n%s%s", code, out, errOut)
	}
	body := `{"metric": {"namespace": "App", "name": "Errors", "unit": "Count"}, "statistic": "Sum", "period": "1m",
	  "evaluation_periods": 1, "threshold": 1, "comparison": "GreaterThanThreshold", "actions": {"alarm": ["alarms"]}}`
	req, _ := http.NewRequest("PUT", url+"/api/v1/environments/production/resources/alarms/made-during-incident", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create alarm: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	code, out, _ := run(t, env, "parity", quickstart, "--live", url)
	if code != 1 || !strings.Contains(out, "made-during-incident") || !strings.Contains(out, "DRIFT") || !strings.Contains(out, "created at runtime") {
		t.Errorf("after a runtime alarm: %d\n%s", code, out)
	}
	if code, _, errOut := run(t, nil, "parity", quickstart, "--live", url); code != 2 || !strings.Contains(errOut, "token") {
		t.Errorf("--live without a token: %d %s", code, errOut)
	}
}

func TestHelpVersionCompletionSchema(t *testing.T) {
	if code, out, _ := run(t, nil, "help"); code != 0 || !strings.Contains(out, "parity") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, out, _ := run(t, nil, "help", "validate"); code != 0 || !strings.Contains(out, "--skip-secrets") {
		t.Errorf("help validate: %d %s", code, out)
	}
	if code, out, _ := run(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "tocsin test (built now") {
		t.Errorf("version: %d %s", code, out)
	}
	code, out, _ := run(t, nil, "completion", "bash")
	if code != 0 || !strings.Contains(out, "complete -F _tocsin tocsin") || !strings.Contains(out, "--live") {
		t.Errorf("bash completion: %d %s", code, out)
	}
	if code, out, _ := run(t, nil, "completion", "fish"); code != 0 || !strings.Contains(out, "__fish_seen_subcommand_from parity' -l format") {
		t.Errorf("fish completion: %d %s", code, out)
	}
	if code, _, _ := run(t, nil, "completion", "tcsh"); code != 2 {
		t.Errorf("unknown shell: %d", code)
	}
	code, out, _ = run(t, nil, "schema")
	var schema map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &schema) != nil || schema["$schema"] == nil {
		t.Errorf("schema: %d %.200s", code, out)
	}
	if code, _, _ := run(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
}

// send and query talk to a real server.
func TestSendAndQueryMetric(t *testing.T) {
	env := map[string]string{"TOCSIN_TOKEN": admin, "TOCSIN_URL": startServer(t)}
	at := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Minute).Format(time.RFC3339)
	for _, args := range [][]string{
		{"--value", "3"},
		{"--values", "1,2", "--counts", "2,1"},
		{"--statistic-values", "count=2,sum=8,min=4,max=4"},
	} {
		all := append([]string{"send", "metric", "--env", "staging", "--namespace", "App", "--name", "Errors", "--dimension", "Host=a", "--unit", "Count", "--timestamp", at}, args...)
		if code, out, errOut := run(t, env, all...); code != 0 || !strings.Contains(out, "accepted 1") {
			t.Fatalf("%v: %d %s %s", args, code, out, errOut)
		}
	}
	code, out, errOut := run(t, env, "query", "metric", "--env", "staging", "--namespace", "App", "--name", "Errors", "--dimension", "Host=*", "--statistics", "Sum,SampleCount,Maximum", "--start", "10m")
	if code != 0 || !strings.Contains(out, "Host=a") || !regexp.MustCompile(`\b15\s+6\s+4\b`).MatchString(out) {
		t.Errorf("query (sum 3+1+1+2+8=15 over 6 samples, max 4): %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, env, "send", "metric", "--env", "staging", "--namespace", "App", "--name", "Errors", "--value", "NaN"); code != 1 || !strings.Contains(errOut, "value") {
		t.Errorf("NaN: %d %s", code, errOut)
	}
	if code, _, _ := run(t, nil, "send", "metric", "--namespace", "App", "--name", "E", "--value", "1"); code != 2 {
		t.Errorf("send without a token: %d", code)
	}
	code, out, errOut = run(t, env, "bench", "ingest", "--env", "staging", "--duration", "300ms", "--concurrency", "2", "--batch", "100", "--series", "50")
	if code != 0 || !strings.Contains(out, "datapoints/s") || !strings.Contains(out, "failed: 0") {
		t.Errorf("bench: %d\n%s%s", code, out, errOut)
	}
}

// The spec's vectors and the examples pass as tocsin test files; a wrong expectation fails
// with a line saying what was expected and what happened.
func TestAlarmTestFiles(t *testing.T) {
	files, _ := filepath.Glob("../alarm/alarmtest/testdata/spec/*_test.yaml")
	examples, _ := filepath.Glob("../../examples/*/*_test.yaml")
	files = append(files, examples...)
	if len(files) < 6 {
		t.Fatalf("too few test files: %v", files)
	}
	code, out, errOut := run(t, nil, append([]string{"test"}, files...)...)
	if code != 0 || !regexp.MustCompile(`(?m)^[1-9]\d* passed, 0 failed$`).MatchString(out) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	data, _ := os.ReadFile("../../examples/broker-story/broker_test.yaml")
	bad := strings.Replace(string(data), "{at: 10m, alarm: broker-errors-maximum, state: OK}", "{at: 10m, alarm: broker-errors-maximum, state: ALARM}", 1)
	bad = strings.Replace(bad, "stack: .", "stack: "+filepath.Join(mustAbs(t, "../../examples/broker-story")), 1)
	os.WriteFile(filepath.Join(dir, "bad_test.yaml"), []byte(bad), 0o644)
	code, out, _ = run(t, nil, "test", filepath.Join(dir, "bad_test.yaml"))
	if code != 1 || !strings.Contains(out, "broker-errors-maximum: expected ALARM, got OK") || !strings.Contains(out, "5 passed, 1 failed") {
		t.Errorf("a failing expectation: %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "invalid_test.yaml"), []byte("tests: [{name: x, expekt: []}]\n"), 0o644)
	if code, _, errOut := run(t, nil, "test", filepath.Join(dir, "invalid_test.yaml")); code != 2 || !strings.Contains(errOut, "invalid_test.yaml:1:") {
		t.Errorf("an invalid file: %d %s", code, errOut)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Story 1 as a backtest: the Maximum alarm never fires on a dead broker's errors; with
// statistic=Sum it does. Both from a data file and from a running server's history.
func TestBacktestStory(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Minute).Add(-40 * time.Minute)
	var datums []string
	for m := 0; m < 20; m++ {
		for s := 0; s < 120; s++ { // two failed connections a second, each sample 1
			ts := at.Add(time.Duration(m)*time.Minute + time.Duration(s)*500*time.Millisecond)
			datums = append(datums, fmt.Sprintf(`{"name":"BackendConnectionErrors","dimensions":{"LoadBalancerName":"elk-broker"},"unit":"Count","timestamp":%q,"value":1}`, ts.Format(time.RFC3339Nano)))
		}
	}
	body := `{"environment":"production","namespace":"AWS/ELB","metric_data":[` + strings.Join(datums, ",") + "]}"
	file := filepath.Join(t.TempDir(), "broker.json")
	os.WriteFile(file, []byte(body), 0o644)
	from, to := at.Add(-5*time.Minute).Format(time.RFC3339), at.Add(30*time.Minute).Format(time.RFC3339)
	svg := filepath.Join(t.TempDir(), "broker.svg")
	args := []string{"backtest", "../../examples/broker-story", "--env", "production", "--alarm", "broker-errors-maximum", "--from", from, "--to", to, "--set", "statistic=Sum"}
	code, out, errOut := run(t, nil, append(args, "--data", file, "--svg", svg)...)
	if code != 0 || !strings.Contains(out, "as defined:") || !strings.Contains(out, "with statistic=Sum: ALARM at") ||
		!strings.Contains(out, "as defined, the alarm never reached ALARM") {
		t.Fatalf("backtest --data: %d\n%s%s", code, out, errOut)
	}
	if img, err := os.ReadFile(svg); err != nil || !strings.Contains(string(img), "<polyline") || !strings.Contains(string(img), "threshold 100") {
		t.Errorf("svg: %v %.200s", err, img)
	}

	// The same history pushed to a server and replayed there.
	url := startServer(t)
	for i := 0; i < len(datums); i += 1000 {
		chunk := `{"environment":"production","namespace":"AWS/ELB","metric_data":[` + strings.Join(datums[i:min(i+1000, len(datums))], ",") + "]}"
		req, _ := http.NewRequest("POST", url+"/api/v1/metrics", strings.NewReader(chunk))
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("push: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	code, out2, errOut := run(t, map[string]string{"TOCSIN_TOKEN": admin}, append(args, "--server", url)...)
	if code != 0 || !strings.Contains(out2, "with statistic=Sum: ALARM at") {
		t.Fatalf("backtest --server: %d\n%s%s", code, out2, errOut)
	}
	if out2 != out {
		t.Errorf("a replay of the same data differs between --data and --server:\n%s\n---\n%s", out, out2)
	}
	if code, _, errOut := run(t, nil, append(args, "--data", file, "--set", "statistic=Median")...); code != 1 || !strings.Contains(errOut, "statistic") {
		t.Errorf("an invalid --set: %d %s", code, errOut)
	}
}

func TestParseHistogram(t *testing.T) {
	text := `# HELP tocsin_alarm_detection_seconds x
tocsin_alarm_detection_seconds_bucket{le="0.1"} 10
tocsin_alarm_detection_seconds_bucket{le="0.2"} 95
tocsin_alarm_detection_seconds_bucket{le="0.5"} 100
tocsin_alarm_detection_seconds_bucket{le="+Inf"} 100
tocsin_alarm_detection_seconds_sum 14.5
tocsin_alarm_detection_seconds_count 100
`
	h, err := parseHistogram(strings.NewReader(text), "tocsin_alarm_detection_seconds")
	if err != nil || h.count != 100 || h.sum != 14.5 {
		t.Fatalf("%+v %v", h, err)
	}
	if q := h.quantile(0.5); q != "200ms" {
		t.Errorf("p50: %s", q)
	}
	if q := h.quantile(0.99); q != "500ms" {
		t.Errorf("p99: %s", q)
	}
	zero := histogram{bounds: h.bounds, counts: []float64{0, 0, 0, 0}}
	if d := h.minus(zero); d.count != 100 || d.counts[1] != 95 {
		t.Errorf("minus: %+v", d)
	}
	if _, err := parseHistogram(strings.NewReader("other 1\n"), "tocsin_alarm_detection_seconds"); err == nil {
		t.Error("a missing histogram must be an error")
	}
}
