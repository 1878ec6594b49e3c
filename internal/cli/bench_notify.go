package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/client"
)

// benchNotify measures notification delivery on a running server: it creates (through
// the runtime-resource API) a topic whose webhook subscription points at a receiver this
// command runs, and a rule sending its own events to that topic; then it posts events in
// batches for the duration and reports notifications received per second and the time
// from each event's POST to its webhook call. The server must reach the receiver's
// address (default 127.0.0.1, a free port).
func benchNotify(e Env, c *client.Client, env, receiverAddr string, batch, concurrency int, duration time.Duration) int {
	ln, err := net.Listen("tcp", receiverAddr)
	if err != nil {
		return usageError(e, "bench", "--receiver: %v", err)
	}
	var got atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Event struct {
				Detail struct {
					Sent int64 `json:"sent"`
				} `json:"detail"`
			} `json:"event"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &m) == nil && m.Event.Detail.Sent > 0 {
			d := time.Since(time.Unix(0, m.Event.Detail.Sent))
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
		got.Add(1)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	ctx := context.Background()
	name := fmt.Sprintf("bench-notify-%d", time.Now().Unix())
	base := "/api/v1/environments/" + env + "/resources/"
	topic := fmt.Sprintf(`{"group_wait":"0s","subscriptions":[{"webhook":{"url":"http://%s/hook"}}]}`, ln.Addr())
	rule := fmt.Sprintf(`{"event_pattern":{"source":["bench.notify"],"detail":{"run":[%q]}},"targets":[{"topic":%q}]}`, name, name)
	if err := c.Do(ctx, "PUT", base+"topics/"+name, []byte(topic), nil, nil); err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench notify: creating the topic:", err)
		return 1
	}
	defer c.Do(ctx, "DELETE", base+"topics/"+name, nil, nil, nil)
	if err := c.Do(ctx, "PUT", base+"event_rules/"+name, []byte(rule), nil, nil); err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench notify: creating the rule:", err)
		return 1
	}
	defer c.Do(ctx, "DELETE", base+"event_rules/"+name, nil, nil, nil)

	var sent atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < duration {
				var b bytes.Buffer
				fmt.Fprintf(&b, `{"environment":%q,"entries":[`, env)
				now := time.Now().UnixNano()
				for i := 0; i < batch; i++ {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"source":"bench.notify","detail-type":"Bench","detail":{"run":%q,"sent":%d}}`, name, now)
				}
				b.WriteString("]}")
				if err := c.Do(ctx, "POST", "/api/v1/events", b.Bytes(), nil, nil); err != nil {
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				sent.Add(int64(batch))
			}
		}()
	}
	wg.Wait()
	want := sent.Load()
	deadline := time.Now().Add(2 * time.Minute)
	for got.Load() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(time.Millisecond)
	}
	fmt.Fprintf(e.Stdout, "notify: %d events posted, %d notifications received in %s: %.0f notifications/s\n", want, got.Load(), elapsed.Round(time.Millisecond),
		float64(got.Load())/elapsed.Seconds())
	fmt.Fprintf(e.Stdout, "POST to webhook: p50 %s, p90 %s, p99 %s, max %s\n", pct(0.5), pct(0.9), pct(0.99), pct(1))
	if v := firstErr.Load(); v != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench notify: some posts failed; first error:", v)
	}
	if got.Load() < want {
		fmt.Fprintf(e.Stderr, "tocsin bench notify: %d notifications never arrived\n", want-got.Load())
		return 1
	}
	return 0
}
