// Package server is tocsin's embeddable server: it loads the stack, keeps the state
// store, runs the periodic loops and serves the HTTP API, /health, /test and /metrics.
// cmd/tocsin and the end-to-end tests start it the same way: New(Options), Run(ctx),
// Reload().
//
// It wires parts together; domain logic lives in stack, loop and store.
package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin/internal/authlimit"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/deliver"
	"github.com/tocsin/tocsin/internal/event/pipeline"
	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// Options configure a Server. Zero values are safe and documented per field.
type Options struct {
	ConfigDir string   // the stack directory (required)
	DataDir   string   // state: the SQLite file and the admin token (default "tocsin-data")
	Listen    string   // address; "" uses the stack's server.listen or 127.0.0.1:8080
	Envs      []string // environments to serve; nil serves all
	// AdminToken is the admin API token; "" reads or creates DataDir/admin-token.
	AdminToken string
	Logger     *slog.Logger // default: discard
	// Stdout receives the one-time notice of a generated admin token (default os.Stdout).
	Stdout io.Writer
	// LookupEnv resolves ${env:NAME} in the stack (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	Version   string
	BuildTime string
	// Loops are extra periodic loops to run and watch on /health (for embedding).
	Loops []loop.Loop
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultListen is the address used when neither the flag nor the stack sets one.
const DefaultListen = "127.0.0.1:8080"

// Server is a running tocsin.
type Server struct {
	opts         Options
	log          *slog.Logger
	store        store.Store
	metricDB     *sqlite.DB
	metricStore  *metricstore.Store
	alarms       *engine.Engine
	bus          *event.Bus
	pipeline     *pipeline.Pipeline
	deliverer    *deliver.Worker
	scheduler    *pipeline.Scheduler
	notifier     *notify.Notifier
	sendWaker    loop.Waker // the outbox has messages due
	deliverWaker loop.Waker // the event deliveries have work
	selftestSink *sink
	stopBus      func()
	closing      atomic.Bool
	loops        *loop.Supervisor
	metrics      *metrics
	listener     net.Listener
	http         *http.Server
	admin        string
	authLimit    *authlimit.Limiter // wrong credentials per client address

	statsdWG    sync.WaitGroup
	stopStatsD  context.CancelFunc
	reloadMu    sync.Mutex // serialises reloads and runtime changes
	cfg         configHolder
	loadedPrint atomic.Uint64 // fingerprint of the stack files at the last load
}

// New loads the stack (refusing to start on an invalid one, with every error), opens the
// store and binds the listener. It does not serve until Run.
func New(opts Options) (*Server, error) {
	if opts.ConfigDir == "" {
		return nil, errors.New("server: a config directory is required")
	}
	if opts.DataDir == "" {
		opts.DataDir = "tocsin-data"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, log: opts.Logger, loops: loop.New(opts.Now), bus: event.NewBus(), authLimit: authlimit.New(opts.Now)}
	s.metrics = newMetrics(s)
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(opts.DataDir, "tocsin.db"))
	if err != nil {
		return nil, err
	}
	s.store = db
	if err := s.reload(ctx, "startup"); err != nil {
		db.Close()
		return nil, err
	}
	if s.admin, err = adminToken(opts); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.openMetrics(ctx, s.cfg.get().stack.Project.Server); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.openAlarms(ctx); err != nil {
		s.closeMetrics()
		db.Close()
		return nil, err
	}
	if err := s.openNotify(); err != nil {
		s.closeMetrics()
		db.Close()
		return nil, err
	}
	s.openEvents()
	listen := opts.Listen
	if listen == "" {
		listen = s.cfg.get().stack.Project.Server.Listen
	}
	if listen == "" {
		listen = DefaultListen
	}
	if s.listener, err = net.Listen("tcp", listen); err != nil {
		s.stopBus()
		s.closeMetrics()
		db.Close()
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	// StatsD sockets are bound now, like the HTTP listener, so nothing sent after New
	// returns is lost.
	var statsdCtx context.Context
	statsdCtx, s.stopStatsD = context.WithCancel(context.Background())
	if err := s.startStatsD(statsdCtx); err != nil {
		s.stopStatsD()
		s.statsdWG.Wait()
		s.listener.Close()
		s.stopBus()
		s.closeMetrics()
		db.Close()
		return nil, err
	}
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Run serves until ctx is cancelled, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.startLoops(ctx)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	s.log.Info("serving", "addr", s.Addr(), "environments", s.cfg.get().envNames(), "version", s.opts.Version)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	if serr := s.http.Shutdown(shutdown); serr != nil && err == nil {
		err = serr
	}
	cancel()
	s.closing.Store(true)
	s.loops.Wait()
	s.stopBus() // after the loops, whose last events it still stores
	s.stopStatsD()
	s.statsdWG.Wait() // StatsD listeners flush what they hold into the metric store
	if cerr := s.closeMetrics(); cerr != nil && err == nil {
		err = cerr
	}
	if cerr := s.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.log.Info("stopped")
	return err
}

func (s *Server) startLoops(ctx context.Context) {
	interval := 2 * time.Second
	if d := s.cfg.get().stack.Project.Server.ReloadInterval; d != nil {
		interval = d.Std()
	}
	if interval > 0 {
		s.loops.Start(ctx, s.watchLoop(interval))
	}
	for _, l := range s.metricLoops(s.cfg.get().stack.Project.Server) {
		s.loops.Start(ctx, l)
	}
	s.loops.Start(ctx, s.alarmLoop())
	s.loops.Start(ctx, s.historyLoop())
	for _, l := range append(append(s.eventLoops(), s.notifyLoops()...), s.demoLoops()...) {
		s.loops.Start(ctx, l)
	}
	for _, l := range s.opts.Loops {
		s.loops.Start(ctx, l)
	}
}
