package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/loop"
)

const adminTok = "test-admin-token-0123456789"

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*Server
	url  string
	logs *syncBuffer
}

// start runs a real server in-process on a random loopback port.
func start(t testing.TB, dir string, mod func(*Options)) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	opts := Options{
		ConfigDir: dir, DataDir: t.TempDir(), Listen: "127.0.0.1:0", AdminToken: adminTok,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Stdout: io.Discard, Version: "test", LookupEnv: func(k string) (string, bool) {
			v, ok := map[string]string{"STAGING_TOKEN": "staging-reader-token-0001", "PROD_TOKEN": "prod-ingest-token-000001"}[k]
			return v, ok
		},
	}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &testServer{Server: srv, url: "http://" + srv.Addr(), logs: logs}
}

// call makes a request and decodes the JSON answer.
func (ts *testServer) call(t testing.TB, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

// eventually polls cond until it holds or the (generous) deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func copyStack(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

const quickstart = "../../examples/quickstart"

func errorOf(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok || e["code"] == "" || e["message"] == "" {
		t.Fatalf("no error body: %v", body)
	}
	return e
}

func TestHealthAndAuth(t *testing.T) {
	ts := start(t, quickstart, nil)
	code, h := ts.call(t, "GET", "/health", "", "")
	if code != 200 || h["status"] != "ok" || h["store_ok"] != true || h["config_ok"] != true || h["version"] != "test" {
		t.Fatalf("/health: %d %v", code, h)
	}
	if _, ok := h["loops"].(map[string]any)["config-watch"]; !ok {
		t.Errorf("/health lacks the config-watch loop: %v", h["loops"])
	}
	for _, tok := range []string{"", "wrong-token-wrong-token"} {
		code, body := ts.call(t, "GET", "/api/v1/environments", tok, "")
		if code != 401 || errorOf(t, body)["code"] != "unauthorized" {
			t.Errorf("token %q: %d %v", tok, code, body)
		}
	}
	code, body := ts.call(t, "GET", "/api/v1/environments", adminTok, "")
	if code != 200 || len(body["environments"].([]any)) != 3 {
		t.Errorf("admin: %d %v", code, body)
	}
	code, body = ts.call(t, "GET", "/api/v1/nope", adminTok, "")
	if code != 404 || errorOf(t, body)["code"] != "not_found" {
		t.Errorf("unknown endpoint: %d %v", code, body)
	}
}

// A token declared in one environment can only touch that environment, and only with
// its scopes; token values never reach the logs.
func TestTokensScopedToTheirEnvironment(t *testing.T) {
	dir := copyStack(t, quickstart)
	os.WriteFile(filepath.Join(dir, "environments", "staging.yaml"), []byte(`variables:
  broker_error_threshold: 200
tokens:
  - name: staging-reader
    value: ${env:STAGING_TOKEN}
    scopes: [read]
    reason: Staging dashboards read their own configuration.
`), 0o644)
	os.WriteFile(filepath.Join(dir, "environments", "production.yaml"), []byte(`tokens:
  - name: prod-ingest
    value: ${env:PROD_TOKEN}
    reason: Production producers push metrics.
`), 0o644)
	ts := start(t, dir, nil)
	const reader, ingest = "staging-reader-token-0001", "prod-ingest-token-000001"
	if code, body := ts.call(t, "GET", "/api/v1/environments/staging/resources", reader, ""); code != 200 || len(body["resources"].([]any)) == 0 {
		t.Errorf("reader in staging: %d %v", code, body)
	}
	code, body := ts.call(t, "GET", "/api/v1/environments/production/resources", reader, "")
	if code != 403 || !strings.Contains(errorOf(t, body)["message"].(string), "production") {
		t.Errorf("reader in production: %d %v", code, body)
	}
	if code, _ := ts.call(t, "PUT", "/api/v1/environments/staging/resources/topics/x", reader, `{}`); code != 403 {
		t.Errorf("reader writing: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/environments/production/resources", ingest, ""); code != 403 {
		t.Errorf("ingest-only token reading: %d", code)
	}
	if code, _ := ts.call(t, "POST", "/api/v1/reload", reader, ""); code != 403 {
		t.Errorf("reader reloading: %d", code)
	}
	if code, body := ts.call(t, "GET", "/api/v1/whoami", ingest, ""); code != 200 || body["environments"].(map[string]any)["production"] == nil || len(body["environments"].(map[string]any)) != 1 {
		t.Errorf("whoami: %d %v", code, body)
	}
	code, body = ts.call(t, "GET", "/api/v1/environments/staging/resources/tokens", adminTok, "")
	raw, _ := json.Marshal(body)
	tok := body["resources"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	if code != 200 || strings.Contains(string(raw), reader) || tok["value"] != "<secret>" {
		t.Errorf("tokens listed with values: %s", raw)
	}
	for _, secret := range []string{reader, ingest, adminTok} {
		if strings.Contains(ts.logs.String(), secret) {
			t.Fatalf("a token reached the logs:\n%s", ts.logs.String())
		}
	}
}

// A reload with a broken file keeps serving the previous configuration, /test shows the
// failure with file and line, and fixing the file recovers without a restart.
func TestBrokenReloadKeepsLastGoodConfig(t *testing.T) {
	dir := copyStack(t, quickstart)
	project := filepath.Join(dir, "tocsin.yaml")
	data, _ := os.ReadFile(project)
	os.WriteFile(project, append(data, []byte("  reload_interval: 100ms\n")...), 0o644)
	ts := start(t, dir, nil)
	apiFile := filepath.Join(dir, "alarms", "api.yaml")
	good, _ := os.ReadFile(apiFile)
	broken := strings.Replace(string(good), "statistic: Sum", "statistic: Total", 1)
	os.WriteFile(apiFile, []byte(broken), 0o644)

	code, body := ts.call(t, "POST", "/api/v1/reload", adminTok, "")
	if code != 422 {
		t.Fatalf("reload of a broken stack: %d %v", code, body)
	}
	details := errorOf(t, body)["details"].([]any)
	if len(details) != 1 || !strings.Contains(details[0].(string), filepath.Join("alarms", "api.yaml")+":8:16: alarms[api-5xx-errors].statistic") {
		t.Fatalf("reload details: %v", details)
	}
	code, test := ts.call(t, "GET", "/test", "", "")
	if code != 503 {
		t.Fatalf("/test after a failed reload: %d", code)
	}
	var reloadTest map[string]any
	for _, tt := range test["tests"].([]any) {
		if m := tt.(map[string]any); m["name"] == "last_reload" {
			reloadTest = m
		}
	}
	if reloadTest["success"] != false || !strings.Contains(reloadTest["error"].(string), "api.yaml:8:16") {
		t.Fatalf("/test last_reload: %v", reloadTest)
	}
	// Still serving the previous configuration, and still healthy (it keeps evaluating).
	if code, body := ts.call(t, "GET", "/api/v1/environments/production/resources/alarms/api-5xx-errors", adminTok, ""); code != 200 {
		t.Errorf("previous configuration gone: %d %v", code, body)
	}
	if code, _ := ts.call(t, "GET", "/health", "", ""); code != 200 {
		t.Errorf("/health after a failed reload: %d", code)
	}
	// Fixing the file recovers through the file watcher, without a restart.
	fixed := strings.Replace(string(good), "threshold: 10\n", "threshold: 12\n", 1)
	os.WriteFile(apiFile, []byte(fixed), 0o644)
	eventually(t, "/test to recover", func() bool { code, _ := ts.call(t, "GET", "/test", "", ""); return code == 200 })
	_, alarm := ts.call(t, "GET", "/api/v1/environments/production/resources/alarms/api-5xx-errors", adminTok, "")
	if alarm["resource"].(map[string]any)["threshold"] != 12.0 {
		t.Errorf("fixed configuration not applied: %v", alarm)
	}
	_, hist := ts.call(t, "GET", "/api/v1/reloads?limit=5", adminTok, "")
	reloads := hist["reloads"].([]any)
	if len(reloads) < 3 || reloads[0].(map[string]any)["trigger"] != "file-change" || reloads[0].(map[string]any)["ok"] != true {
		t.Errorf("reload history: %v", reloads)
	}
}

// "Alive but not evaluating" turns /health red: a loop that blocks makes it 503 naming
// the loop.
func TestHealthFailsWhenALoopStalls(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cycles := 0
	ts := start(t, quickstart, func(o *Options) {
		o.Loops = []loop.Loop{{Name: "evaluator", Interval: 50 * time.Millisecond, Cycle: func(ctx context.Context) error {
			cycles++
			if cycles > 1 {
				select {
				case <-release:
				case <-ctx.Done():
				}
			}
			return nil
		}}}
	})
	var body map[string]any
	eventually(t, "/health to turn 503", func() bool {
		var code int
		code, body = ts.call(t, "GET", "/health", "", "")
		return code == 503
	})
	if body["status"] != "fail" || !strings.Contains(strings.Join(toStrings(body["failing"]), ";"), "loop evaluator: stalled") {
		t.Errorf("failing: %v", body["failing"])
	}
	resp, err := http.Get(ts.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"tocsin_loops_stalled 1", `tocsin_config_reloads_total{result="success"} 1`, "tocsin_http_requests_total"} {
		if !strings.Contains(string(m), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

func TestInvalidStackRefusesToStart(t *testing.T) {
	dir := copyStack(t, quickstart)
	os.WriteFile(filepath.Join(dir, "topics.yaml"), []byte("topics:\n  - name: alarms\n    colour: red\n"), 0o644)
	_, err := New(Options{ConfigDir: dir, DataDir: t.TempDir(), Listen: "127.0.0.1:0", AdminToken: adminTok})
	var re *ReloadError
	if err == nil || !asReloadError(err, &re) || !strings.Contains(strings.Join(re.Diagnostics.Strings(), "\n"), "unknown field \"colour\"") {
		t.Fatalf("New on an invalid stack: %v", err)
	}
}

func asReloadError(err error, target **ReloadError) bool {
	re, ok := err.(*ReloadError)
	*target = re
	return ok
}

func TestAdminTokenGeneratedOnce(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	for i := 0; i < 2; i++ {
		srv, err := New(Options{ConfigDir: quickstart, DataDir: data, Listen: "127.0.0.1:0", Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		srv.listener.Close()
		srv.store.Close()
	}
	info, err := os.Stat(filepath.Join(data, adminTokenFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", info, err)
	}
	tok, _ := os.ReadFile(filepath.Join(data, adminTokenFile))
	if strings.Count(out.String(), strings.TrimSpace(string(tok))) != 1 {
		t.Fatalf("token printed %d times:\n%s", strings.Count(out.String(), strings.TrimSpace(string(tok))), out.String())
	}
}
