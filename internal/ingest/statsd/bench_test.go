package statsd

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

// benchLines returns n lines over keys distinct series, a mix of the types met in practice:
// tagged counters (with and without sample rates), timers, gauges, histograms and sets.
func benchLines(n, keys int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		k := i % keys
		var l string
		switch k % 6 {
		case 0, 1:
			l = fmt.Sprintf("api.requests.%d:1|c|#env:prod,service:checkout,host:web-%d", k, k%20)
		case 2:
			l = fmt.Sprintf("api.latency.%d:%d|ms|@0.5|#env:prod,route:/cart", k, 5+i%90)
		case 3:
			l = fmt.Sprintf("queue.depth.%d:%d|g", k, i%1000)
		case 4:
			l = fmt.Sprintf("payload.size.%d:%d.5|h|#env:prod", k, i%300)
		default:
			l = fmt.Sprintf("users.active.%d:user-%d|s", k, i%50)
		}
		lines[i] = []byte(l)
	}
	return lines
}

func BenchmarkParseLine(b *testing.B) {
	lines := benchLines(1024, 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParseLine(lines[i&1023]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAggregateLines measures parse+aggregate over 1,000 distinct series, on one
// goroutine and on GOMAXPROCS goroutines, with a flush every 100,000 lines as in service.
func BenchmarkAggregateLines(b *testing.B) {
	lines := benchLines(100_000, 1000)
	b.Run("serial", func(b *testing.B) {
		a := NewAggregator(Options{})
		b.ReportAllocs()
		cpu := processCPU()
		i := 0
		for b.Loop() {
			if err := a.Add(lines[i]); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(lines) {
				a.Flush(time.Unix(0, 0))
				i = 0
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/line")
	})
	b.Run("parallel", func(b *testing.B) {
		a := NewAggregator(Options{})
		b.ReportAllocs()
		cpu := processCPU()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_ = a.Add(lines[i])
				if i++; i == len(lines) {
					i = 0
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/line")
	})
}

// loopbackResult is what one loopback run measured.
type loopbackResult struct {
	sent, received uint64
	elapsed, cpu   time.Duration // wall time; CPU of the whole process, sender included
}

func (r loopbackResult) linesPerSec() float64 { return float64(r.received) / r.elapsed.Seconds() }
func (r loopbackResult) lossPercent() float64 {
	return 100 * float64(r.sent-r.received) / float64(r.sent)
}

// loopback sends packets datagrams of perPacket lines each (1,000 distinct series) from
// senders goroutines to a server on 127.0.0.1, stops the server cleanly (which reads what
// the socket still holds and flushes) and reports the lines received and aggregated. With
// pps > 0 each sender paces itself to pps/senders datagrams a second, in 1 ms bursts;
// otherwise it sends as fast as it can.
func loopback(tb testing.TB, packets, perPacket, senders, readers, pps int) loopbackResult {
	lines := benchLines(1000*perPacket, 1000)
	pkts := make([][]byte, 1000)
	for i := range pkts {
		pkts[i] = bytes.Join(lines[i*perPacket:(i+1)*perPacket], []byte("\n"))
	}
	s := New(Options{FlushInterval: time.Hour, UDPReaders: readers})
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := s.ListenUDP(ctx, "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ran := make(chan error)
	start, cpu := time.Now(), processCPU()
	go func() { ran <- s.Run(ctx) }()
	sent := make(chan error, senders)
	for w := range senders {
		go func() {
			c, err := net.Dial("udp", addr.String())
			if err != nil {
				sent <- err
				return
			}
			defer c.Close()
			burst := max(1, pps/senders/1000)
			next := time.Now()
			for i, n := w, 0; i < packets; i, n = i+senders, n+1 {
				if pps > 0 && n%burst == 0 {
					next = next.Add(time.Millisecond)
					time.Sleep(time.Until(next)) // pacing the load, not timing a test
				}
				if _, err := c.Write(pkts[i%len(pkts)]); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
	}
	for range senders {
		if err := <-sent; err != nil {
			tb.Fatal(err)
		}
	}
	cancel()
	if err := <-ran; err != nil {
		tb.Fatal(err)
	}
	st := s.Stats()
	if st.BadLines != 0 {
		tb.Fatalf("%d bad lines", st.BadLines)
	}
	return loopbackResult{sent: uint64(packets * perPacket), received: st.Lines, elapsed: time.Since(start), cpu: processCPU() - cpu}
}

// BenchmarkUDPLoopback sends b.N datagrams of 10 (and 30) lines over loopback and reports the
// lines received and aggregated per second and the loss. Sender and server share the machine's
// cores, so the figure is a floor for a server whose clients are elsewhere; cpu-ns/line is the
// CPU of both sides (and the kernel's work in their system calls) per line received, which
// does not depend on other load. Use a fixed count, e.g. -benchtime=1000000x.
func BenchmarkUDPLoopback(b *testing.B) {
	for _, c := range []struct {
		perPacket, linesPerSec int // 0: as fast as the sender can
	}{{10, 0}, {10, 1_000_000}, {10, 2_000_000}, {30, 0}, {30, 2_000_000}} {
		pace := "max"
		if c.linesPerSec > 0 {
			pace = fmt.Sprintf("%.1fM", float64(c.linesPerSec)/1e6)
		}
		b.Run(fmt.Sprintf("lines=%d/send=%s", c.perPacket, pace), func(b *testing.B) {
			r := loopback(b, b.N, c.perPacket, 1, 0, c.linesPerSec/c.perPacket)
			b.ReportMetric(r.linesPerSec(), "lines/s")
			b.ReportMetric(r.lossPercent(), "loss%")
			b.ReportMetric(float64(r.cpu)/float64(r.received), "cpu-ns/line")
		})
	}
}
