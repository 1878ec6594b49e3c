package notify

import (
	"sync"
	"time"
)

// Flaps detects flapping: an alarm instance that changes state more than Changes times
// within Window. While it flaps, its state-change messages are held back (muted by
// "flapping"); one message says that it flaps. It keeps recent change times in memory;
// after a restart Replay rebuilds them from the alarm history.
type Flaps struct {
	Changes int
	Window  time.Duration

	mu   sync.Mutex
	seen map[string]*flapState
}

type flapState struct {
	times    []time.Time
	flapping bool
	since    time.Time
}

// flapKey is the key of an alarm instance (its AlarmItem.Name) in an environment.
func flapKey(env, name string) string { return env + "\x00" + name }

// FlapVerdict is what one change means.
type FlapVerdict int

// Verdicts of Observe.
const (
	Steady         FlapVerdict = iota // notify as usual
	StartsFlapping                    // announce the flapping; hold this change back
	StillFlapping                     // hold this change back
)

// Observe records a state change of key at t and says what to do with it.
func (f *Flaps) Observe(key string, t time.Time) FlapVerdict {
	if f.Changes <= 0 {
		return Steady
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen = map[string]*flapState{}
	}
	st := f.seen[key]
	if st == nil {
		st = &flapState{}
		f.seen[key] = st
	}
	st.times = append(trim(st.times, t.Add(-f.Window)), t)
	switch {
	case st.flapping:
		return StillFlapping
	case len(st.times) > f.Changes:
		st.flapping, st.since = true, t
		return StartsFlapping
	}
	return Steady
}

// Flapping reports whether key flaps at now; an instance stops flapping once its changes
// within the window fall to half the limit or fewer.
func (f *Flaps) Flapping(key string, now time.Time) (bool, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.seen[key]
	if st == nil {
		return false, time.Time{}
	}
	st.times = trim(st.times, now.Add(-f.Window))
	if st.flapping && len(st.times) <= f.Changes/2 {
		st.flapping = false
	}
	if !st.flapping && len(st.times) == 0 {
		delete(f.seen, key)
	}
	return st.flapping, st.since
}

// Replay rebuilds key's state from its earlier changes (oldest first) without
// announcing anything, as if they had been observed then, with the settling checks the
// notifier makes in between.
func (f *Flaps) Replay(key string, times []time.Time) {
	for _, t := range times {
		f.Flapping(key, t)
		f.Observe(key, t)
	}
}

// trim drops the times before from.
func trim(ts []time.Time, from time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(from) {
		i++
	}
	return append(ts[:0], ts[i:]...)
}
