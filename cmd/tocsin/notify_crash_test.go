package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const crashNotifyStack = `
environments: [production]
server:
  notifications: {group_wait: 0s}
topics:
  - name: hooks
    subscriptions:
      - webhook: {url: %q}
        delivery_policy: {min_delay_target: 1, max_delay_target: 1, num_retries: 20}
event_rules:
  - name: to-hooks
    event_pattern: {source: [crash]}
    targets: [{topic: hooks}]
`

// TestCrashLosesNoNotification kills the server with SIGKILL while notifications are
// being routed and sent, restarts it, and checks that every event acknowledged by the
// ingest API reaches the webhook, and that a repeated delivery (a send in flight at the
// kill) carries the same idempotency key.
func TestCrashLosesNoNotification(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	var mu sync.Mutex
	keys := map[int]map[string]bool{} // event n → idempotency keys received
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m struct {
			Event struct {
				Detail struct{ N int } `json:"detail"`
			} `json:"event"`
		}
		if json.Unmarshal(body, &m) != nil {
			w.WriteHeader(400)
			return
		}
		time.Sleep(2 * time.Millisecond) // slow enough for a backlog to build
		mu.Lock()
		if keys[m.Event.Detail.N] == nil {
			keys[m.Event.Detail.N] = map[string]bool{}
		}
		keys[m.Event.Detail.N][r.Header.Get("Idempotency-Key")] = true
		mu.Unlock()
	}))
	defer rc.Close()

	bin := filepath.Join(t.TempDir(), "tocsin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	stackDir, data := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(stackDir, "tocsin.yaml"), []byte(fmt.Sprintf(crashNotifyStack, rc.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, bin, stackDir, data)

	var acked sync.Map
	var next, ackedN atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				first := int(next.Add(20)) - 19
				var b bytes.Buffer
				b.WriteString(`{"environment":"production","entries":[`)
				for j := 0; j < 20; j++ {
					if j > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"source":"crash","detail-type":"Crash","detail":{"n":%d}}`, first+j)
				}
				b.WriteString("]}")
				req, _ := http.NewRequest("POST", "http://"+srv.addr+"/api/v1/events", &b)
				req.Header.Set("Authorization", "Bearer "+crashToken)
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died with this request in flight
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					for j := 0; j < 20; j++ {
						acked.Store(first+j, true)
					}
					ackedN.Add(20)
				}
			}
		}()
	}
	start := time.Now()
	for ackedN.Load() < 2000 && time.Since(start) < 20*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	srv.cmd.Process.Kill() // SIGKILL with deliveries routed, queued and in flight
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	before := len(keys)
	mu.Unlock()

	srv = startServe(t, bin, stackDir, data)
	defer func() { srv.cmd.Process.Kill(); srv.cmd.Wait() }()
	missing := func() []int {
		mu.Lock()
		defer mu.Unlock()
		var out []int
		acked.Range(func(k, _ any) bool {
			if len(keys[k.(int)]) == 0 {
				out = append(out, k.(int))
			}
			return true
		})
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if m := missing(); len(m) > 0 {
		t.Fatalf("%d acknowledged events never reached the webhook after the restart, e.g. %v", len(m), m[:min(5, len(m))])
	}
	mu.Lock()
	defer mu.Unlock()
	for n, ks := range keys {
		if len(ks) != 1 {
			t.Errorf("event %d was delivered under %d idempotency keys, want 1", n, len(ks))
		}
	}
	t.Logf("%d events acknowledged; %d had reached the webhook at the kill, all %d after the restart", ackedN.Load(), before, len(keys))
}
