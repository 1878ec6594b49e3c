package statsd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Options configure a Server. The zero value is usable: it aggregates into namespace "StatsD"
// at standard resolution, flushes every 10 s and discards what it flushes.
type Options struct {
	Env       string // environment of every datum
	Namespace string // default "StatsD"
	// FlushInterval is the aggregation interval of Run; default 10 s.
	FlushInterval time.Duration
	Resolution    int // datum storage resolution: 60 (default) or 1
	// Sink receives the datums of each flush that has any; nil discards them. A failed Sink
	// call is logged and returned by Flush; its datums are not retried.
	Sink   func(ctx context.Context, datums []metric.Datum) error
	Logger *slog.Logger // default: discard
	// OnLine, if set, is told of every line: ok, or rejected with its reason (one of Reasons()).
	// It is called from reader goroutines at once and must be cheap and safe for that.
	OnLine func(ok bool, reason string)
	Now    func() time.Time // default time.Now; stamps flushes and paces the malformed-line log
	// UDPReaders is the number of reader goroutines per UDP socket; default GOMAXPROCS, at least 2.
	UDPReaders int
	// ReadBuffer is the SO_RCVBUF asked for each UDP socket; default 16 MiB. As root the
	// system limit (net.core.rmem_max) is overridden; otherwise the kernel caps it.
	ReadBuffer int
}

// MaxLineLength is the longest TCP line accepted; UDP lines are bounded by the datagram.
const MaxLineLength = 64 << 10

// drainGrace bounds how long a stop keeps reading a TCP connection whose client goes on sending.
const drainGrace = 2 * time.Second

// logEvery paces the log of malformed lines; all of them are counted through OnLine.
const logEvery = 10 * time.Second

// Validate reports options that New would refuse.
func (o Options) Validate() error {
	if o.Resolution != 0 && o.Resolution != 1 && o.Resolution != 60 {
		return fmt.Errorf("statsd: resolution must be 1 or 60, got %d", o.Resolution)
	}
	if o.FlushInterval < 0 {
		return fmt.Errorf("statsd: flush interval must not be negative, got %s", o.FlushInterval)
	}
	if o.Namespace != "" {
		if err := metric.ValidateNamespace(o.Namespace); err != nil {
			return fmt.Errorf("statsd: namespace: %w", err)
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = "StatsD"
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = 10 * time.Second
	}
	if o.Resolution == 0 {
		o.Resolution = 60
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UDPReaders <= 0 {
		o.UDPReaders = max(2, runtime.GOMAXPROCS(0))
	}
	if o.ReadBuffer <= 0 {
		o.ReadBuffer = 16 << 20
	}
	return o
}

// Server receives StatsD lines over UDP and TCP and flushes their aggregates to a sink.
type Server struct {
	opts Options
	agg  *Aggregator

	mu       sync.Mutex
	stops    []func() // one per listener: stop reading, drain, close
	shutdown bool
	flushMu  sync.Mutex

	packets, lines, bad atomic.Uint64
	readBuffer          atomic.Int64
	lastLog             atomic.Int64 // Unix ns of the last malformed-line log
	suppressed          atomic.Uint64
}

// New returns a server. It panics on options that Validate refuses: check them first when
// they come from configuration.
func New(opts Options) *Server {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	opts = opts.withDefaults()
	return &Server{opts: opts, agg: NewAggregator(opts)}
}

// Stats are running totals of a server.
type Stats struct {
	Packets       uint64 // UDP datagrams received
	Lines         uint64 // lines received, good and bad
	BadLines      uint64 // lines rejected
	DroppedTags   uint64 // see Aggregator.DroppedTags
	DroppedDatums uint64 // see Aggregator.DroppedDatums
	ReadBuffer    int    // SO_RCVBUF the kernel reports for the last UDP socket (Linux doubles the request)
}

// Stats returns the running totals.
func (s *Server) Stats() Stats {
	return Stats{
		Packets: s.packets.Load(), Lines: s.lines.Load(), BadLines: s.bad.Load(),
		DroppedTags: s.agg.DroppedTags(), DroppedDatums: s.agg.DroppedDatums(),
		ReadBuffer: int(s.readBuffer.Load()),
	}
}

// register adds a listener's stop function, or reports false once Run has shut down.
func (s *Server) register(stop func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return false
	}
	s.stops = append(s.stops, stop)
	return true
}

// ListenUDP listens on addr and reads datagrams with several goroutines until ctx ends or Run
// shuts down. On stop it reads what the socket still holds before closing it.
func (s *Server) ListenUDP(ctx context.Context, addr string) (net.Addr, error) {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("statsd: %w", err)
	}
	conn := pc.(*net.UDPConn)
	got := setReadBuffer(conn, s.opts.ReadBuffer)
	s.readBuffer.Store(int64(got))
	s.opts.Logger.Info("statsd: listening on UDP", "addr", conn.LocalAddr().String(), "rcvbuf", got, "readers", s.opts.UDPReaders)
	var stopping atomic.Bool
	var readers sync.WaitGroup
	for range s.opts.UDPReaders {
		readers.Go(func() { s.readUDP(conn, &stopping) })
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			stopping.Store(true)
			_ = conn.SetReadDeadline(time.Now()) // wake the readers; I/O deadline, not a timing
			readers.Wait()
			_ = conn.SetReadDeadline(time.Time{})
			drainUDP(conn, make([]byte, 64<<10), s.handlePacket)
			_ = conn.Close()
		})
	}
	if !s.register(stop) {
		stop()
		return nil, fmt.Errorf("statsd: server is shut down")
	}
	context.AfterFunc(ctx, stop)
	return conn.LocalAddr(), nil
}

func (s *Server) readUDP(conn *net.UDPConn, stopping *atomic.Bool) {
	buf := make([]byte, 64<<10)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			s.handlePacket(buf[:n])
		}
		if err != nil {
			if stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.opts.Logger.Warn("statsd: UDP read failed", "err", err)
		}
	}
}

// handlePacket aggregates every line of a datagram.
func (s *Server) handlePacket(p []byte) {
	var n uint64
	for len(p) > 0 {
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			continue
		}
		n++
		s.handleLine(line)
	}
	s.packets.Add(1)
	s.lines.Add(n)
}

func (s *Server) handleLine(line []byte) {
	if err := s.agg.Add(line); err != nil {
		s.reject(line, err.(*ParseError))
		return
	}
	if s.opts.OnLine != nil {
		s.opts.OnLine(true, "")
	}
}

// reject counts a malformed line and logs it unless another was logged in the last 10 s.
func (s *Server) reject(line []byte, e *ParseError) {
	s.bad.Add(1)
	if s.opts.OnLine != nil {
		s.opts.OnLine(false, e.Reason)
	}
	now := s.opts.Now().UnixNano()
	last := s.lastLog.Load()
	if last != 0 && now-last < int64(logEvery) || !s.lastLog.CompareAndSwap(last, now) {
		s.suppressed.Add(1)
		return
	}
	if len(line) > 200 {
		line = line[:200]
	}
	s.opts.Logger.Warn("statsd: malformed line dropped", "reason", e.Reason, "detail", e.Detail,
		"line", string(line), "suppressed_since_last_log", s.suppressed.Swap(0))
}

// ListenTCP listens on addr for newline-delimited lines, one goroutine per connection, until
// ctx ends or Run shuts down. On stop, connections are half-closed and read to their end.
// A line longer than MaxLineLength is rejected as line_too_long.
func (s *Server) ListenTCP(ctx context.Context, addr string) (net.Addr, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("statsd: %w", err)
	}
	var (
		mu     sync.Mutex
		conns  = map[net.Conn]struct{}{}
		closed bool
		wg     sync.WaitGroup
		once   sync.Once
	)
	stop := func() {
		once.Do(func() {
			_ = ln.Close()
			mu.Lock()
			closed = true
			for c := range conns {
				// What the client already sent is still read, then EOF. A client that keeps
				// sending gets drainGrace before its connection is cut.
				_ = c.(*net.TCPConn).CloseRead()
				_ = c.SetReadDeadline(time.Now().Add(drainGrace))
			}
			mu.Unlock()
			wg.Wait()
		})
	}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				s.opts.Logger.Warn("statsd: TCP accept failed", "err", err)
				time.Sleep(50 * time.Millisecond) // back off from e.g. EMFILE instead of spinning
				continue
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				_ = c.Close()
				continue
			}
			conns[c] = struct{}{}
			wg.Go(func() {
				s.serveTCP(c)
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			})
			mu.Unlock()
		}
	})
	if !s.register(stop) {
		stop()
		return nil, fmt.Errorf("statsd: server is shut down")
	}
	context.AfterFunc(ctx, stop)
	return ln.Addr(), nil
}

func (s *Server) serveTCP(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, MaxLineLength)
	skipping := false // inside a line longer than the buffer
	for {
		line, err := r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if !skipping {
				s.lines.Add(1)
				s.reject(line, ErrLineTooLong)
			}
			skipping = true
			continue
		case skipping:
			skipping = len(line) == 0 || line[len(line)-1] != '\n'
		default:
			line = bytes.TrimSuffix(line, []byte("\n"))
			if len(line) > 0 && !(len(line) == 1 && line[0] == '\r') {
				s.lines.Add(1)
				s.handleLine(line)
			}
		}
		if err != nil {
			return
		}
	}
}

// Flush aggregates what arrived since the last flush and hands it to the sink, stamped with
// Options.Now. It is what Run calls every interval; tests call it directly.
func (s *Server) Flush(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	datums := s.agg.Flush(s.opts.Now())
	if len(datums) == 0 || s.opts.Sink == nil {
		return nil
	}
	if err := s.opts.Sink(ctx, datums); err != nil {
		s.opts.Logger.Error("statsd: sink failed; datums dropped", "datums", len(datums), "err", err)
		return fmt.Errorf("statsd: sink: %w", err)
	}
	return nil
}

// Run flushes every FlushInterval until ctx ends. Then it stops every listener, reads what
// their sockets still hold and flushes a last time, so a clean stop loses nothing that had
// reached the sockets. Start listeners before or while Run runs; once Run returns, the server
// accepts none. It returns the error of the last flush.
func (s *Server) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			fctx, cancel := context.WithTimeout(ctx, s.opts.FlushInterval)
			_ = s.Flush(fctx) // logged by Flush; the next interval goes on
			cancel()
		case <-ctx.Done():
			s.mu.Lock()
			s.shutdown = true
			stops := s.stops
			s.mu.Unlock()
			var wg sync.WaitGroup
			for _, stop := range stops {
				wg.Go(stop)
			}
			wg.Wait()
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.FlushInterval)
			defer cancel()
			return s.Flush(fctx)
		}
	}
}
