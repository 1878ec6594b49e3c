package composite

import "time"

// Values of SuppressedBy, as in actionsSuppressedBy (A4.7).
const (
	SuppressedByWaitPeriod      = "WaitPeriod"
	SuppressedByExtensionPeriod = "ExtensionPeriod"
	SuppressedByAlarm           = "Alarm"
)

// Suppressor is the timing of a composite's actions suppressor (spec A5:
// ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod). Zero
// or negative periods do not delay actions.
type Suppressor struct {
	Wait      time.Duration `json:"wait"`
	Extension time.Duration `json:"extension"`
}

// Actions decides when a composite alarm takes the actions for its state
// (spec A5). It is driven only by OnCompositeChange, OnSuppressorChange,
// SetSuppressor and Due, each given the current time, and each returns the
// states whose actions the composite must take at that moment, oldest first
// (nil almost always, one state at a deadline).
//
// Rules, with the suppressor configured:
//   - A change of the composite while the suppressor is not in ALARM starts
//     a WaitPeriod, restarting one in progress and discarding an
//     ExtensionPeriod. When the wait expires, the composite acts on its
//     current state.
//   - While the suppressor is in ALARM the composite takes no actions; a
//     wait in progress is discarded, and changes only mark actions pending.
//   - When the suppressor leaves ALARM an ExtensionPeriod starts; when it
//     expires, the composite acts on its current state if a change is
//     pending (one not yet acted on), and otherwise does nothing.
//   - A deadline has expired at its instant: an event given that same time
//     first settles the expired timer, so the outcome never depends on
//     whether the engine called Due before or after the event.
//
// Without a suppressor (Suppressor nil) every change acts at once.
// Reporting the same state again is not a change (A4.4).
//
// The fields are exported so that an engine can persist the machine as JSON
// and resume it after a restart; change them only through the methods,
// except State, which may be set before the first call to start from a
// known state without acting on it (the zero value has no state, so its
// first OnCompositeChange is a change). Actions is not safe for concurrent
// use.
type Actions struct {
	// Suppressor is the configuration; nil means no suppressor.
	Suppressor *Suppressor `json:"suppressor,omitempty"`
	// State is the composite's current state.
	State string `json:"state,omitempty"`
	// SuppressorInAlarm is whether the suppressor alarm is in ALARM.
	SuppressorInAlarm bool `json:"suppressorInAlarm,omitempty"`
	// Pending is set while a change of State awaits its actions.
	Pending bool `json:"pending,omitempty"`
	// Timer is the running timer, SuppressedByWaitPeriod or
	// SuppressedByExtensionPeriod, or "" for none; it expires at Deadline.
	Timer    string    `json:"timer,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// OnCompositeChange records that the composite is now in state and returns
// the states to act on now.
func (a *Actions) OnCompositeChange(now time.Time, state string) []string {
	acts := a.settle(now, nil)
	if state == a.State {
		return acts
	}
	a.State = state
	if a.Suppressor == nil {
		return append(acts, state)
	}
	a.Pending = true
	if a.SuppressorInAlarm {
		return acts
	}
	a.start(SuppressedByWaitPeriod, now.Add(a.Suppressor.Wait))
	return a.settle(now, acts)
}

// OnSuppressorChange records whether the suppressor alarm is in ALARM and
// returns the states to act on now. Without a suppressor configured it only
// records the fact.
func (a *Actions) OnSuppressorChange(now time.Time, inAlarm bool) []string {
	acts := a.settle(now, nil)
	if inAlarm == a.SuppressorInAlarm {
		return acts
	}
	a.SuppressorInAlarm = inAlarm
	if a.Suppressor == nil {
		return acts
	}
	if inAlarm {
		a.start("", time.Time{})
		return acts
	}
	a.start(SuppressedByExtensionPeriod, now.Add(a.Suppressor.Extension))
	return a.settle(now, acts)
}

// SetSuppressor replaces the configuration (after a reload) and returns the
// states to act on now. A running timer keeps its deadline. Removing the
// suppressor ends any suppression: a pending change acts at once.
func (a *Actions) SetSuppressor(now time.Time, s *Suppressor) []string {
	acts := a.settle(now, nil)
	a.Suppressor = s
	if s != nil {
		return acts
	}
	a.start("", time.Time{})
	if a.Pending {
		a.Pending = false
		acts = append(acts, a.State)
	}
	return acts
}

// Due returns the states to act on at now because a timer expired. Call it
// at NextDeadline; calling it at other times is harmless.
func (a *Actions) Due(now time.Time) []string {
	return a.settle(now, nil)
}

// NextDeadline reports when the running timer expires, if one runs: the
// time at which to call Due.
func (a *Actions) NextDeadline() (time.Time, bool) {
	return a.Deadline, a.Timer != ""
}

// SuppressedBy reports why the composite's actions are held back, as of the
// last call: SuppressedByAlarm, SuppressedByWaitPeriod,
// SuppressedByExtensionPeriod, or "" when they are not.
func (a *Actions) SuppressedBy() string {
	switch {
	case a.Suppressor == nil:
		return ""
	case a.SuppressorInAlarm:
		return SuppressedByAlarm
	}
	return a.Timer
}

// start replaces the running timer.
func (a *Actions) start(timer string, deadline time.Time) {
	a.Timer, a.Deadline = timer, deadline
}

// settle expires the running timer if its deadline is not after now and
// appends to acts the state to act on, if a change is pending.
func (a *Actions) settle(now time.Time, acts []string) []string {
	if a.Timer == "" || now.Before(a.Deadline) {
		return acts
	}
	a.start("", time.Time{})
	if a.Pending {
		a.Pending = false
		acts = append(acts, a.State)
	}
	return acts
}
