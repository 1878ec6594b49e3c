package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeBinary builds the real binary and runs it the way the README does: serve the
// quickstart stack, answer /health, reload on SIGHUP, stop cleanly on SIGTERM.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "tocsin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "--config", "../../examples/quickstart", "--data", data, "--listen", addr, "--log-format", "json")
	cmd.Env = append(os.Environ(), "TOCSIN_ADMIN_TOKEN=")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The generated admin token is printed once on stdout.
	var token string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && token == "" {
		if f := strings.TrimSpace(sc.Text()); strings.HasPrefix(f, "tocsin_") {
			token = f
		}
	}
	if token == "" {
		t.Fatal("no admin token printed")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	get := func(path string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	deadline := time.Now().Add(20 * time.Second)
	for code, _ := get("/health"); code != 200; code, _ = get("/health") {
		if time.Now().After(deadline) {
			t.Fatal("server did not become healthy")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	for {
		_, m := get("/api/v1/reloads")
		if rs, _ := m["reloads"].([]any); len(rs) > 0 && rs[0].(map[string]any)["trigger"] == "signal" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
