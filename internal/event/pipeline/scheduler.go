package pipeline

import (
	"context"
	"time"

	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/event/schedule"
)

// Scheduler fires scheduled rules. Tick is called often (every second by the server's
// loop, at exact instants by tests); a rule fires once per due time, with the event's
// time set to the scheduled minute. Firings missed while tocsin was down are not made up;
// after a long pause a rule fires once and waits for its next time.
type Scheduler struct {
	p    *Pipeline
	next map[string]*scheduled // env/rule → state
}

type scheduled struct {
	expr  string
	sched schedule.Schedule
	due   time.Time
}

// NewScheduler returns a scheduler that fires through p.
func NewScheduler(p *Pipeline) *Scheduler { return &Scheduler{p: p, next: map[string]*scheduled{}} }

// Tick fires the rules of set due at or before now and returns how many fired. A rate
// schedule starts when Tick first sees the rule.
func (s *Scheduler) Tick(ctx context.Context, set *rules.Set, now time.Time) (int, error) {
	seen := map[string]bool{}
	fired := 0
	var firstErr error
	for _, r := range set.Scheduled() {
		key := r.Env + "/" + r.Name
		seen[key] = true
		st := s.next[key]
		if st == nil || st.expr != r.Schedule {
			sched, err := r.ParseSchedule(now)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			st = &scheduled{expr: r.Schedule, sched: sched, due: sched.Next(now)}
			s.next[key] = st
		}
		if st.due.IsZero() || st.due.After(now) {
			continue
		}
		if _, err := s.p.Fire(ctx, r, st.due); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue // retried on the next tick
		}
		fired++
		st.due = st.sched.Next(st.due)
		if !st.due.IsZero() && !st.due.After(now) {
			st.due = st.sched.Next(now) // skip what a pause missed
		}
	}
	for key := range s.next {
		if !seen[key] {
			delete(s.next, key)
		}
	}
	return fired, firstErr
}
