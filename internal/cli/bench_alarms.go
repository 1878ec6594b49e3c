package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/client"
)

// benchAlarms measures detection latency on a running server: it creates an alarm
// template over n series (through the runtime-resource API). A first minute of data puts
// every instance in OK; in the next, the first `breaching` series breach. It reads the
// server's tocsin_alarm_detection_seconds histogram for those transitions to ALARM.
func benchAlarms(e Env, c *client.Client, env string, n, breaching int, timeout time.Duration) int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	name := fmt.Sprintf("bench-detection-%d", time.Now().Unix())
	metricName := name // a fresh metric per run: earlier runs' series stay in the store
	alarm := fmt.Sprintf(`{"metric":{"namespace":"Bench","name":%q,"dimensions":{"Series":"*"},"unit":"Count"},
"statistic":"Maximum","period":"1m","evaluation_periods":1,"threshold":1,"comparison":"GreaterThanThreshold","forget_after":"1h"}`, metricName)
	path := "/api/v1/environments/" + env + "/resources/alarms/" + name
	if err := c.Do(ctx, "PUT", path, []byte(alarm), nil, nil); err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench alarms: creating the alarm:", err)
		return 1
	}
	defer c.Do(context.Background(), "DELETE", path, nil, nil, nil)
	before, err := detectionHistogram(ctx, c)
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench alarms:", err)
		return 1
	}
	push := func(minute time.Time, breach int) error {
		for i := 0; i < n; i += 1000 {
			var b bytes.Buffer
			fmt.Fprintf(&b, `{"environment":%q,"namespace":"Bench","metric_data":[`, env)
			for j := i; j < min(i+1000, n); j++ {
				if j > i {
					b.WriteByte(',')
				}
				v := 0
				if j < breach {
					v = 5
				}
				fmt.Fprintf(&b, `{"name":%q,"dimensions":{"Series":"s-%d"},"unit":"Count","timestamp":%q,"value":%d}`, metricName, j, minute.Add(time.Second).Format(time.RFC3339), v)
			}
			b.WriteString("]}")
			if err := c.Do(ctx, "POST", "/api/v1/metrics", b.Bytes(), nil, nil); err != nil {
				return fmt.Errorf("pushing: %w", err)
			}
		}
		return nil
	}
	// waitFor polls the histogram until it has counted want more observations.
	waitFor := func(from histogram, want float64) (histogram, error) {
		for {
			time.Sleep(time.Second)
			h, err := detectionHistogram(ctx, c)
			if err != nil || h.count-from.count >= want {
				return h, err
			}
		}
	}
	minute := nextUsableMinute()
	if breaching < n { // settle every instance in OK first
		if err := push(minute, 0); err != nil {
			fmt.Fprintln(e.Stderr, "tocsin bench alarms:", err)
			return 1
		}
		fmt.Fprintf(e.Stdout, "bench alarms: %d series in OK during %s\n", n, minute.Format("15:04"))
		if before, err = waitFor(before, float64(n)); err != nil {
			fmt.Fprintln(e.Stderr, "tocsin bench alarms:", err)
			return 1
		}
		minute = nextUsableMinute()
	}
	start := time.Now()
	if err := push(minute, breaching); err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench alarms:", err)
		return 1
	}
	fmt.Fprintf(e.Stdout, "bench alarms: %d of %d series breach during %s (pushed in %s); waiting for the minute to close\n", breaching, n, minute.Format("15:04"), time.Since(start).Round(time.Millisecond))
	after, err := waitFor(before, float64(breaching))
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin bench alarms:", err)
		return 1
	}
	d := after.minus(before)
	fmt.Fprintf(e.Stdout, "  %d of %d alarm instances reached ALARM; detection latency (due → published): p50 ≤ %s, p90 ≤ %s, p99 ≤ %s (histogram bucket bounds), mean %s\n",
		int(d.count), n, d.quantile(0.5), d.quantile(0.9), d.quantile(0.99), time.Duration(d.sum/d.count*float64(time.Second)).Round(time.Millisecond))
	return 0
}

// nextUsableMinute returns the current minute if enough of it is left to push data,
// else (after waiting for it) the next one.
func nextUsableMinute() time.Time {
	minute := time.Now().UTC().Truncate(time.Minute)
	if time.Until(minute.Add(time.Minute)) < 20*time.Second {
		time.Sleep(time.Until(minute.Add(time.Minute)) + time.Second)
		minute = minute.Add(time.Minute)
	}
	return minute
}

// histogram is a Prometheus histogram read from /metrics: cumulative bucket counts.
type histogram struct {
	bounds []float64
	counts []float64
	count  float64
	sum    float64
}

func (h histogram) minus(o histogram) histogram {
	out := histogram{bounds: h.bounds, count: h.count - o.count, sum: h.sum - o.sum}
	for i := range h.counts {
		out.counts = append(out.counts, h.counts[i]-o.counts[i])
	}
	return out
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h histogram) quantile(q float64) string {
	for i, c := range h.counts {
		if c >= q*h.count {
			if math.IsInf(h.bounds[i], 1) {
				return "more than " + strconv.FormatFloat(h.bounds[i-1], 'g', -1, 64) + "s"
			}
			return time.Duration(h.bounds[i] * float64(time.Second)).String()
		}
	}
	return "?"
}

func detectionHistogram(ctx context.Context, c *client.Client) (histogram, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/metrics", nil)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return histogram{}, err
	}
	defer resp.Body.Close()
	return parseHistogram(resp.Body, "tocsin_alarm_detection_seconds")
}

func parseHistogram(r io.Reader, name string) (histogram, error) {
	var h histogram
	type bucket struct{ le, n float64 }
	var bs []bucket
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, name+`_bucket{le="`):
			rest := strings.TrimPrefix(line, name+`_bucket{le="`)
			le, val, _ := strings.Cut(rest, `"} `)
			b, err1 := strconv.ParseFloat(le, 64)
			v, err2 := strconv.ParseFloat(val, 64)
			if err1 == nil && err2 == nil {
				bs = append(bs, bucket{b, v})
			}
		case strings.HasPrefix(line, name+"_count "):
			h.count, _ = strconv.ParseFloat(strings.TrimPrefix(line, name+"_count "), 64)
		case strings.HasPrefix(line, name+"_sum "):
			h.sum, _ = strconv.ParseFloat(strings.TrimPrefix(line, name+"_sum "), 64)
		}
	}
	if len(bs) == 0 {
		return h, fmt.Errorf("the server has no %s metric (an older tocsin?)", name)
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	for _, b := range bs {
		h.bounds, h.counts = append(h.bounds, b.le), append(h.counts, b.n)
	}
	return h, sc.Err()
}
