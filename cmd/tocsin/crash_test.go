package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const crashToken = "crash-test-admin-token-01"

// serveProcess runs the real binary as a subprocess.
type serveProcess struct {
	cmd  *exec.Cmd
	addr string
}

func startServe(t *testing.T, bin, stackDir, data string) *serveProcess {
	t.Helper()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--config", stackDir, "--data", data, "--listen", addr, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "TOCSIN_ADMIN_TOKEN="+crashToken)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, addr: addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// batchBody is batch i: 100 datums of value 1 on the series Batch=i.
func batchBody(i int, at time.Time) []byte {
	var b bytes.Buffer
	b.WriteString(`{"environment":"production","namespace":"Crash","metric_data":[`)
	for j := 0; j < 100; j++ {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"Acked","dimensions":{"Batch":"b%d"},"timestamp":%q,"value":1}`, i, at.Format(time.RFC3339))
	}
	b.WriteString("]}")
	return b.Bytes()
}

// TestCrashLosesNothingAcknowledged kills the server with SIGKILL in the middle of a load,
// restarts it, and checks that every acknowledged batch is fully there, and that no
// batch is there more than once or in part.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	bin := filepath.Join(t.TempDir(), "tocsin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	stackDir := t.TempDir()
	copyTree(t, "../../examples/quickstart", stackDir)
	f, _ := os.OpenFile(filepath.Join(stackDir, "tocsin.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("  metrics:\n    checkpoint_interval: 1s\n") // checkpoints happen mid-load too
	f.Close()
	data := t.TempDir()
	srv := startServe(t, bin, stackDir, data)

	at := time.Now().UTC()
	var acked sync.Map
	var next, ackedN atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
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
				i := int(next.Add(1))
				req, _ := http.NewRequest("POST", "http://"+srv.addr+"/api/v1/metrics", bytes.NewReader(batchBody(i, at)))
				req.Header.Set("Authorization", "Bearer "+crashToken)
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died with this request in flight
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					acked.Store(i, true)
					ackedN.Add(1)
				}
			}
		}()
	}
	loadStart := time.Now()
	for ackedN.Load() < 300 || time.Since(loadStart) < 2500*time.Millisecond { // past a couple of checkpoints
		time.Sleep(10 * time.Millisecond)
	}
	srv.cmd.Process.Kill() // SIGKILL, mid-load
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	sent := int(next.Load())

	srv = startServe(t, bin, stackDir, data)
	defer func() { srv.cmd.Process.Kill(); srv.cmd.Wait() }()
	q := url.Values{"environment": {"production"}, "namespace": {"Crash"}, "name": {"Acked"}, "dimension": {"Batch=*"},
		"start": {at.Add(-time.Hour).Format(time.RFC3339)}, "end": {at.Add(time.Hour).Format(time.RFC3339)},
		"period": {"7200"}, "statistics": {"SampleCount"}}
	req, _ := http.NewRequest("GET", "http://"+srv.addr+"/api/v1/metrics/statistics?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Results []struct {
			Dimensions []struct{ Name, Value string } `json:"dimensions"`
			Datapoints []struct {
				Values map[string]float64 `json:"values"`
			} `json:"datapoints"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	present := map[int]float64{}
	for _, r := range out.Results {
		var i int
		fmt.Sscanf(r.Dimensions[0].Value, "b%d", &i)
		for _, dp := range r.Datapoints {
			present[i] += dp.Values["SampleCount"]
		}
	}
	missing := 0
	acked.Range(func(k, _ any) bool {
		if present[k.(int)] != 100 {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged batch %d: %v datums after the crash, want 100", k, present[k.(int)])
			}
		}
		return true
	})
	for i, n := range present {
		if n != 100 {
			t.Errorf("batch %d is there %v times over (partial or counted twice)", i, n/100)
		}
	}
	t.Logf("sent %d batches, %d acknowledged, %d present after kill -9 and restart, %d acknowledged missing", sent, ackedN.Load(), len(present), missing)
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
}
