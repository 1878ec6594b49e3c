package notify

import (
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Escalation walks an escalation policy: step i of pass c is due at the pass's start
// plus the step's after; a pass lasts the last step's after plus repeat_after; there are
// 1 + repeat passes. Only NextAt is stored, so the arithmetic is relative to it.
type Escalation struct {
	Policy *stack.EscalationPolicy
}

// DefaultRepeatAfter is the pause before a repeated pass when the policy gives none and
// its last step is at 0.
const DefaultRepeatAfter = 5 * time.Minute

// repeatAfter is the pause between the last step and the next pass.
func (e Escalation) repeatAfter() time.Duration {
	if e.Policy.RepeatAfter != nil {
		return e.Policy.RepeatAfter.Std()
	}
	return max(e.Policy.Steps[len(e.Policy.Steps)-1].After.Std(), DefaultRepeatAfter)
}

// Start sets a new (or re-opened) incident at its first step, due at start.
func (e Escalation) Start(inc *store.Incident, start time.Time) {
	inc.Step, inc.Cycle = 0, 0
	inc.NextAt = start.Add(e.Policy.Steps[0].After.Std())
}

// Due reports whether the incident's next step is due at now.
func Due(inc *store.Incident, now time.Time) bool {
	return inc.State == store.IncidentOpen && !inc.NextAt.IsZero() && !inc.NextAt.After(now)
}

// Advance moves past the step just notified (inc.Step) and sets NextAt to the next one,
// or to zero when the policy is exhausted. It returns the topics of the notified step.
func (e Escalation) Advance(inc *store.Incident) []string {
	steps := e.Policy.Steps
	if inc.Step >= len(steps) {
		inc.NextAt = time.Time{}
		return nil
	}
	topics := steps[inc.Step].Notify
	passStart := inc.NextAt.Add(-steps[inc.Step].After.Std())
	switch {
	case inc.Step+1 < len(steps):
		inc.Step++
		inc.NextAt = passStart.Add(steps[inc.Step].After.Std())
	case inc.Cycle < e.Policy.Repeat:
		next := passStart.Add(steps[len(steps)-1].After.Std() + e.repeatAfter())
		inc.Step, inc.Cycle = 0, inc.Cycle+1
		inc.NextAt = next.Add(steps[0].After.Std())
	default:
		inc.Step = len(steps)
		inc.NextAt = time.Time{}
	}
	return topics
}
