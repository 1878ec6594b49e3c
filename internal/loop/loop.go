// Package loop runs tocsin's periodic work (config watching now, alarm evaluation and
// delivery later) and keeps each loop's heartbeat, which /health reads: a loop that has
// not completed a cycle within three of its intervals is reported stalled, so "alive but
// not evaluating" turns the health check red.
//
// It owns scheduling and heartbeats only; what a cycle does belongs to its caller.
package loop

import (
	"context"
	"hash/fnv"
	"sort"
	"sync"
	"time"
)

// Loop is one piece of periodic work.
type Loop struct {
	Name     string
	Interval time.Duration
	// Cycle does one round of work. An error is recorded (and shown by /health) but does
	// not stop the loop; a cycle that never returns stalls it.
	Cycle func(ctx context.Context) error
	// StallAfter is how long the loop may go without completing a cycle before /health
	// calls it stalled (default StallFactor intervals). Loops that poll often but may
	// run long cycles set it.
	StallAfter time.Duration
	// Wake, when not nil, starts a cycle early: a producer that just made work for the
	// loop signals it (see Waker) instead of waiting for the interval.
	Wake <-chan struct{}
}

// Waker is a signal that coalesces: any number of Wake calls before the loop looks leave
// one pending wake-up. The zero value is not usable; call NewWaker.
type Waker chan struct{}

// NewWaker returns a waker for Loop.Wake.
func NewWaker() Waker { return make(Waker, 1) }

// Wake signals the loop without blocking.
func (w Waker) Wake() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// StallFactor is how many intervals may pass without a completed cycle before a loop
// counts as stalled.
const StallFactor = 3

// Status is a loop's heartbeat as /health shows it.
type Status struct {
	Name      string    `json:"name"`
	OK        bool      `json:"ok"`
	Interval  string    `json:"interval"`
	LastCycle time.Time `json:"last_cycle,omitzero"`
	Cycles    int64     `json:"cycles"`
	LastError string    `json:"last_error,omitempty"`
	Problem   string    `json:"problem,omitempty"`
}

type state struct {
	loop      Loop
	started   time.Time
	lastCycle time.Time
	cycles    int64
	lastErr   string
}

// Supervisor runs loops and reports their heartbeats. The zero value is not usable; call New.
type Supervisor struct {
	now func() time.Time
	mu  sync.Mutex
	all map[string]*state
	wg  sync.WaitGroup
}

// New returns a supervisor using now as its clock (time.Now when nil).
func New(now func() time.Time) *Supervisor {
	if now == nil {
		now = time.Now
	}
	return &Supervisor{now: now, all: map[string]*state{}}
}

// Offset spreads loops deterministically: a loop's cycles start at the hash of its name
// modulo its interval, so loops with equal intervals do not all wake together.
func Offset(name string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(interval))
}

// Start runs l in its own goroutine until ctx is done. The first cycle runs at once;
// later cycles are aligned to the loop's offset within its interval.
func (s *Supervisor) Start(ctx context.Context, l Loop) {
	st := &state{loop: l, started: s.now()}
	s.mu.Lock()
	s.all[l.Name] = st
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			err := l.Cycle(ctx)
			if ctx.Err() != nil {
				return
			}
			s.beat(st, err)
			next := s.now().Truncate(l.Interval).Add(l.Interval + Offset(l.Name, l.Interval))
			if wait := next.Sub(s.now()); wait > l.Interval {
				next = next.Add(-l.Interval)
			}
			t := time.NewTimer(next.Sub(s.now()))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			case <-l.Wake:
				t.Stop()
			}
		}
	}()
}

func (s *Supervisor) beat(st *state, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.lastCycle = s.now()
	st.cycles++
	st.lastErr = ""
	if err != nil {
		st.lastErr = err.Error()
	}
}

// Wait blocks until every loop has returned (after its context is cancelled).
func (s *Supervisor) Wait() { s.wg.Wait() }

// Statuses returns every loop's heartbeat, sorted by name.
func (s *Supervisor) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]Status, 0, len(s.all))
	for _, st := range s.all {
		limit := StallFactor * st.loop.Interval
		if st.loop.StallAfter > 0 {
			limit = st.loop.StallAfter
		}
		status := Status{Name: st.loop.Name, OK: true, Interval: st.loop.Interval.String(), LastCycle: st.lastCycle, Cycles: st.cycles, LastError: st.lastErr}
		since := st.lastCycle
		if since.IsZero() {
			since = st.started
		}
		if now.Sub(since) > limit {
			status.OK = false
			if st.cycles == 0 {
				status.Problem = "no cycle completed since start " + now.Sub(st.started).Round(time.Millisecond).String() + " ago"
			} else {
				status.Problem = "stalled: last cycle completed " + now.Sub(st.lastCycle).Round(time.Millisecond).String() + " ago"
			}
		}
		out = append(out, status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
