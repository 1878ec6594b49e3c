package statsd

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is a Sink and an OnLine that signals when a number of lines have been seen.
type recorder struct {
	mu      sync.Mutex
	datums  []metric.Datum
	reasons map[string]int
	seen    atomic.Int64
	want    int64
	done    chan struct{}
}

func newRecorder(want int64) *recorder {
	return &recorder{reasons: map[string]int{}, want: want, done: make(chan struct{})}
}

func (r *recorder) sink(_ context.Context, ds []metric.Datum) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.datums = append(r.datums, ds...)
	return nil
}

func (r *recorder) onLine(ok bool, reason string) {
	r.mu.Lock()
	if !ok {
		r.reasons[reason]++
	}
	r.mu.Unlock()
	if r.seen.Add(1) == r.want {
		close(r.done)
	}
}

func (r *recorder) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second): // a hang guard, not a timing assumption
		t.Fatalf("saw %d of %d lines", r.seen.Load(), r.want)
	}
}

// byKey indexes datums by series, failing on invalid or duplicated ones.
func byKey(t *testing.T, ds []metric.Datum, now time.Time) map[string]metric.Datum {
	t.Helper()
	out := map[string]metric.Datum{}
	for _, d := range ds {
		if err := d.Validate(now); err != nil {
			t.Fatalf("invalid datum %+v: %v", d, err)
		}
		k := d.Key.Name + " " + string(d.Key.Unit)
		for _, dim := range d.Key.Dims {
			k += " " + dim.Name + "=" + dim.Value
		}
		if _, dup := out[k]; dup {
			t.Fatalf("two datums for %s", k)
		}
		out[k] = d
	}
	return out
}

func TestEndToEndUDPAndTCP(t *testing.T) {
	clk := &fakeClock{t: fuzzNow}
	rec := newRecorder(15)
	s := New(Options{Env: "e2e", Sink: rec.sink, OnLine: rec.onLine, Now: clk.Now})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	uaddr, err := s.ListenUDP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taddr, err := s.ListenTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}

	u, err := net.Dial("udp", uaddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for _, p := range []string{
		"e2e.hits:1|c|#env:prod\ne2e.hits:2|c|#env:prod|@0.5\ne2e.lat:10|ms\n",
		"e2e.lat:20|ms|@0.5\ne2e.temp:5|g\ne2e.temp:+2|g\nnot a line\n",
		"e2e.users:a|s\ne2e.users:b|s\r\n\ne2e.users:a|s",
	} {
		if _, err := u.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := net.Dial("tcp", taddr.String())
	if err != nil {
		t.Fatal(err)
	}
	tcp := "e2e.hits:10|c|#env:prod\r\n" + strings.Repeat("x", 70000) + "\ne2e.tcp:1|d|#dc:eu,az:1\n" +
		"e2e.bad:1|zz\ne2e.tcp:2|d|#az:1,dc:eu"
	if _, err := c.Write([]byte(tcp)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	rec.wait(t)

	clk.Advance(10 * time.Second)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	got := byKey(t, rec.datums, now)
	want := map[string]metric.Datum{
		"e2e.hits Count env=prod": {Value: 15, HasValue: true},
		"e2e.lat Milliseconds":    {Values: []float64{10, 20}, Counts: []float64{1, 2}},
		"e2e.temp None":           {Value: 7, HasValue: true},
		"e2e.users Count":         {Value: 2, HasValue: true},
		"e2e.tcp None az=1 dc=eu": {Values: []float64{1, 2}, Counts: []float64{1, 1}},
	}
	if len(got) != len(want) {
		t.Errorf("got series %v, want %d", slices.Collect(maps.Keys(got)), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if g.Key.Env != "e2e" || g.Key.Namespace != "StatsD" || !g.Time.Equal(now) || g.Resolution != 60 {
			t.Errorf("%s: key %+v time %v resolution %d", k, g.Key, g.Time, g.Resolution)
		}
		if g.Value != w.Value || g.HasValue != w.HasValue || !reflect.DeepEqual(g.Values, w.Values) || !reflect.DeepEqual(g.Counts, w.Counts) {
			t.Errorf("%s: got %v %v %v %v, want %v %v %v %v", k, g.Value, g.HasValue, g.Values, g.Counts, w.Value, w.HasValue, w.Values, w.Counts)
		}
	}
	if w := map[string]int{"bad_value": 1, "line_too_long": 1, "bad_type": 1}; !reflect.DeepEqual(rec.reasons, w) {
		t.Errorf("rejected %v, want %v", rec.reasons, w)
	}
	if st := s.Stats(); st.Packets != 3 || st.Lines != 15 || st.BadLines != 3 {
		t.Errorf("stats %+v, want 3 packets, 15 lines, 3 bad", st)
	}
}

// A clean stop reads what the socket still holds and flushes it: nothing that arrived is lost,
// and an idle TCP connection does not hold the stop up.
func TestRunStopLosesNothing(t *testing.T) {
	rec := newRecorder(-1)
	s := New(Options{Env: "e2e", Sink: rec.sink, FlushInterval: time.Hour, UDPReaders: 1})
	ctx, cancel := context.WithCancel(t.Context())
	uaddr, err := s.ListenUDP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taddr, err := s.ListenTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idle, err := net.Dial("tcp", taddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	ran := make(chan error)
	go func() { ran <- s.Run(ctx) }()

	u, err := net.Dial("udp", uaddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	// Stay well inside the receive buffer (a small datagram takes about 1 KiB of it), so that
	// any shortfall is the server's loss, not the kernel's.
	packets := min(2000, s.Stats().ReadBuffer/4096)
	pkt := bytes.Repeat([]byte("stop.hits:1|c\n"), 10)
	for range packets {
		if _, err := u.Write(pkt); err != nil {
			t.Fatal(err)
		}
	}
	cancel() // at once: most datagrams are still queued in the socket
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if len(rec.datums) != 1 || rec.datums[0].Value != float64(packets*10) {
		t.Fatalf("flushed %+v, want one counter of %d", rec.datums, packets*10)
	}
	if _, err := s.ListenUDP(t.Context(), "127.0.0.1:0"); err == nil {
		t.Fatal("ListenUDP after Run returned succeeded")
	}
}

func TestMalformedLinesAreLoggedAtMostEvery10s(t *testing.T) {
	clk := &fakeClock{t: fuzzNow}
	var logs bytes.Buffer
	rec := newRecorder(-1)
	s := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: clk.Now, OnLine: rec.onLine})
	count := func() int { return strings.Count(logs.String(), "malformed line") }

	s.handlePacket([]byte("bad1\nok:1|c\nbad2|c\n:1|c"))
	if count() != 1 || !strings.Contains(logs.String(), "line=bad1") {
		t.Fatalf("after 3 bad lines, log is %q; want one record for bad1", logs.String())
	}
	clk.Advance(9 * time.Second)
	s.handlePacket([]byte("x:1|q"))
	if count() != 1 {
		t.Fatalf("logged again within 10 s: %q", logs.String())
	}
	clk.Advance(time.Second)
	s.handlePacket([]byte("x:1|q"))
	if count() != 2 || !strings.Contains(logs.String(), "suppressed_since_last_log=3") {
		t.Fatalf("after 10 s want a second record counting 3 suppressed lines; log is %q", logs.String())
	}
	want := map[string]int{"bad_value": 2, "empty_name": 1, "bad_type": 2}
	if !reflect.DeepEqual(rec.reasons, want) || rec.seen.Load() != 6 {
		t.Fatalf("OnLine saw %d lines, rejected %v; want 6 and %v", rec.seen.Load(), rec.reasons, want)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{Resolution: 5}, {FlushInterval: -time.Second}, {Namespace: ":bad"}} {
		if o.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", o)
		}
	}
	if err := (Options{Resolution: 1, Namespace: "App/Web"}).Validate(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted resolution 5")
		}
	}()
	New(Options{Resolution: 5})
}

func TestSinkErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	s := New(Options{Sink: func(context.Context, []metric.Datum) error { return boom }})
	s.handlePacket([]byte("a:1|c"))
	if err := s.Flush(t.Context()); !errors.Is(err, boom) {
		t.Fatalf("Flush = %v, want %v", err, boom)
	}
	if err := s.Flush(t.Context()); err != nil { // nothing new: the sink is not called
		t.Fatalf("empty Flush = %v", err)
	}
}
