package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// benchCommand is the load generator: a separate process that drives a running server
// and reports what it sustained.
func benchCommand() command {
	var srv serverFlags
	var env string
	var duration time.Duration
	var concurrency, batch, series, resolution int
	var gz bool
	var instances, breaching int
	var timeout time.Duration
	var receiver string
	return command{
		name:    "bench",
		args:    "ingest [--url URL] [--env ENV] [--duration 10s] [--concurrency 4] [--batch 1000] [--series 10000] [--gzip] | events [same flags] | alarms [--instances 100000] [--breaching 100] | notify [--receiver ADDR] [--batch 100] [--concurrency 4] [--duration 10s]",
		summary: "Load a running server: ingest (datapoints/s, latency percentiles, server memory), events (events/s through POST /api/v1/events, stored and matched) alarms (detection latency of an alarm template over --instances series) or notify (notifications/s to a local webhook, through a topic and rule it creates).",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment to write into (required with the admin token)")
			fs.DurationVar(&duration, "duration", 10*time.Second, "how long to send")
			fs.IntVar(&concurrency, "concurrency", 4, "requests in flight")
			fs.IntVar(&batch, "batch", 1000, "datums per request")
			fs.IntVar(&series, "series", 10000, "distinct series written")
			fs.IntVar(&resolution, "storage-resolution", 60, "1 or 60")
			fs.BoolVar(&gz, "gzip", false, "compress bodies")
			fs.IntVar(&instances, "instances", 10000, "alarms: series (alarm instances) of the template")
			fs.IntVar(&breaching, "breaching", 0, "alarms: how many of them breach at once (default all)")
			fs.DurationVar(&timeout, "timeout", 5*time.Minute, "alarms: give up after this long")
			fs.StringVar(&receiver, "receiver", "127.0.0.1:0", "notify: where this command's webhook receiver listens (the server must reach it)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) == 1 && pos[0] == "alarms" {
				if env == "" || instances < 1 {
					return usageError(e, "bench", "alarms needs --env and --instances ≥ 1")
				}
				c, err := srv.client(e)
				if err != nil {
					return usageError(e, "bench", "%v", err)
				}
				if breaching <= 0 || breaching > instances {
					breaching = instances
				}
				return benchAlarms(e, c, env, instances, breaching, timeout)
			}
			if len(pos) == 1 && pos[0] == "notify" {
				if env == "" || batch < 1 || batch > 1000 || concurrency < 1 || duration <= 0 {
					return usageError(e, "bench", "notify needs --env, 1 ≤ --batch ≤ 1000, --concurrency ≥ 1 and --duration > 0")
				}
				c, err := srv.client(e)
				if err != nil {
					return usageError(e, "bench", "%v", err)
				}
				return benchNotify(e, c, env, receiver, batch, concurrency, duration)
			}
			if len(pos) != 1 || (pos[0] != "ingest" && pos[0] != "events") {
				return usageError(e, "bench", "say what to load: tocsin bench ingest …, events …, alarms … or notify …")
			}
			if concurrency < 1 || batch < 1 || batch > 1000 || series < 1 || duration <= 0 {
				return usageError(e, "bench", "--concurrency ≥ 1, 1 ≤ --batch ≤ 1000, --series ≥ 1, --duration > 0")
			}
			c, err := srv.client(e)
			if err != nil {
				return usageError(e, "bench", "%v", err)
			}
			b := &bencher{base: c.BaseURL, token: c.Token, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency * 2}, Timeout: time.Minute},
				what: pos[0], path: "/api/v1/metrics", unit: "datapoints"}
			var bodies [][]byte
			if b.what == "events" {
				if gz {
					return usageError(e, "bench", "events are posted uncompressed")
				}
				b.path, b.unit = "/api/v1/events", "events"
				bodies = makeEventBodies(env, batch, series)
			} else {
				bodies = makeBodies(env, batch, series, resolution, gz)
			}
			before := b.serverMemory()
			res := b.run(bodies, concurrency, duration, gz)
			after := b.serverMemory()
			res.print(e.Stdout, b, batch, concurrency, series, gz, before, after)
			if res.ok == 0 {
				fmt.Fprintln(e.Stderr, "tocsin bench: no request succeeded; first error:", res.firstErr)
				return 1
			}
			return 0
		},
	}
}

type bencher struct {
	base, token string
	http        *http.Client
	what, path  string // "ingest" or "events", and its endpoint
	unit        string // what a batch item is called in the report
}

type benchResult struct {
	elapsed   time.Duration
	ok, fail  int64
	latencies []time.Duration
	firstErr  string
}

// makeBodies pre-renders request bodies so the generator spends its CPU on sending.
func makeBodies(env string, batch, series, resolution int, gz bool) [][]byte {
	const n = 64
	now := time.Now().UTC().Format(time.RFC3339)
	bodies := make([][]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	next := 0
	for i := range bodies {
		var buf bytes.Buffer
		buf.WriteString(`{`)
		if env != "" {
			fmt.Fprintf(&buf, `"environment":%q,`, env)
		}
		buf.WriteString(`"namespace":"Bench","metric_data":[`)
		for j := 0; j < batch; j++ {
			if j > 0 {
				buf.WriteByte(',')
			}
			s := next % series
			next++
			fmt.Fprintf(&buf, `{"name":"Latency","dimensions":{"Service":"svc-%d","Host":"host-%d"},"unit":"Milliseconds","timestamp":%q,"storage_resolution":%d,"value":%s}`,
				s%100, s, now, resolution, strconv.FormatFloat(float64(rng.IntN(100000))/100, 'f', -1, 64))
		}
		buf.WriteString(`]}`)
		bodies[i] = maybeGzip(buf.Bytes(), gz)
	}
	return bodies
}

func maybeGzip(body []byte, gz bool) []byte {
	if !gz {
		return body
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(body)
	w.Close()
	return z.Bytes()
}

// makeEventBodies pre-renders event batches: ~1 KB events shaped like AWS's (spec B4),
// with varied sources, states and ids (series = distinct instance ids).
func makeEventBodies(env string, batch, series int) [][]byte {
	const n = 64
	rng := rand.New(rand.NewPCG(3, 4))
	states := []string{"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}
	bodies := make([][]byte, n)
	for i := range bodies {
		var buf bytes.Buffer
		buf.WriteString(`{`)
		if env != "" {
			fmt.Fprintf(&buf, `"environment":%q,`, env)
		}
		buf.WriteString(`"entries":[`)
		for j := 0; j < batch; j++ {
			if j > 0 {
				buf.WriteByte(',')
			}
			id := fmt.Sprintf("i-%017x", rng.IntN(series))
			switch rng.IntN(3) {
			case 0:
				fmt.Fprintf(&buf, `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","resources":["arn:aws:ec2:us-west-1:123456789012:instance/%s"],"detail":{"instance-id":%q,"state":%q,"tags":{"team":"team-%d","service":"svc-%d"},"note":%q}}`,
					id, id, states[rng.IntN(len(states))], rng.IntN(20), rng.IntN(200), strings.Repeat("x", 600))
			case 1:
				fmt.Fprintf(&buf, `{"source":"aws.autoscaling","detail-type":"EC2 Instance Terminate Successful","resources":["auto-scaling-group-arn"],"detail":{"StatusCode":"InProgress","AutoScalingGroupName":"asg-%d","EC2InstanceId":%q,"Details":{"Availability Zone":"us-west-2b","Subnet ID":"subnet-12345678"},"Cause":"At 2026-11-20T09:58:57Z an instance was taken out of service in response to an ELB system health check failure.","Description":%q}}`,
					rng.IntN(50), id, strings.Repeat("y", 500))
			default:
				fmt.Fprintf(&buf, `{"source":"aws.ecs","detail-type":"ECS Service Action","resources":["arn:aws:ecs:us-west-2:111122223333:service/default/svc-%d"],"detail":{"eventType":%q,"eventName":"SERVICE_TASK_START_IMPAIRED","clusterArn":"arn:aws:ecs:us-west-2:111122223333:cluster/default","capacityProviderArns":[%q],"reason":%q}}`,
					rng.IntN(200), []string{"INFO", "WARN", "ERROR"}[rng.IntN(3)], id, strings.Repeat("z", 600))
			}
		}
		buf.WriteString(`]}`)
		bodies[i] = buf.Bytes()
	}
	return bodies
}

func (b *bencher) run(bodies [][]byte, concurrency int, duration time.Duration, gz bool) *benchResult {
	res := &benchResult{}
	var mu sync.Mutex
	var ok, fail atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var lat []time.Duration
			for i := w; ctx.Err() == nil; i += concurrency {
				t0 := time.Now()
				err := b.post(bodies[i%len(bodies)], gz)
				lat = append(lat, time.Since(t0))
				if err != nil {
					fail.Add(1)
					mu.Lock()
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ok, res.fail = ok.Load(), fail.Load()
	return res
}

func (b *bencher) post(body []byte, gz bool) error {
	req, _ := http.NewRequest("POST", b.base+b.path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("%d %s", resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if b.what == "events" && !bytes.Contains(data, []byte(`"failed_entry_count": 0,`)) {
		return fmt.Errorf("some entries failed: %.300s", data)
	}
	return nil
}

// serverMemory reads the server's resident and heap memory from /metrics.
func (b *bencher) serverMemory() map[string]float64 {
	out := map[string]float64{}
	resp, err := b.http.Get(b.base + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for _, name := range []string{"process_resident_memory_bytes", "go_memstats_heap_inuse_bytes"} {
			if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
				out[name], _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return out
}

func (r *benchResult) print(w io.Writer, b *bencher, batch, concurrency, series int, gz bool, before, after map[string]float64) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "bench %s: %d requests of %d %s (%d series, concurrency %d, gzip %v) in %.1fs\n", b.what, r.ok+r.fail, batch, b.unit, series, concurrency, gz, secs)
	fmt.Fprintf(w, "  acknowledged: %d requests, %.0f %s/s (%.0f requests/s); failed: %d\n", r.ok, float64(r.ok)*float64(batch)/secs, b.unit, float64(r.ok)/secs, r.fail)
	fmt.Fprintf(w, "  latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(0.5).Round(time.Microsecond), pct(0.9).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	mb := func(v float64) string { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }
	fmt.Fprintf(w, "  server memory: resident %s → %s, heap in use %s → %s\n",
		mb(before["process_resident_memory_bytes"]), mb(after["process_resident_memory_bytes"]),
		mb(before["go_memstats_heap_inuse_bytes"]), mb(after["go_memstats_heap_inuse_bytes"]))
	if r.firstErr != "" {
		fmt.Fprintf(w, "  first error: %.300s\n", r.firstErr)
	}
}
