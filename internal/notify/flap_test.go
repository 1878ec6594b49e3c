package notify

import (
	"testing"
	"time"
)

func TestFlappingStartsAfterTooManyChangesAndSettles(t *testing.T) {
	f := &Flaps{Changes: 4, Window: time.Hour}
	t0 := time.Unix(0, 0)
	var got []FlapVerdict
	for i := 0; i < 7; i++ {
		got = append(got, f.Observe("disk", t0.Add(time.Duration(i)*time.Minute)))
	}
	want := []FlapVerdict{Steady, Steady, Steady, Steady, StartsFlapping, StillFlapping, StillFlapping}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("change %d: %v, want %v (all %v)", i+1, got[i], want[i], got)
		}
	}
	if on, since := f.Flapping("disk", t0.Add(10*time.Minute)); !on || !since.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("flapping = %v since %v", on, since)
	}
	if on, _ := f.Flapping("other", t0); on {
		t.Fatal("an alarm that never changed flaps")
	}
	// An hour after the last change the window is empty: settled.
	if on, _ := f.Flapping("disk", t0.Add(67*time.Minute)); on {
		t.Fatal("still flapping after the window emptied")
	}
	if v := f.Observe("disk", t0.Add(70*time.Minute)); v != Steady {
		t.Fatalf("first change after settling: %v", v)
	}
}

func TestFlappingOff(t *testing.T) {
	f := &Flaps{Changes: -1, Window: time.Hour}
	for i := 0; i < 50; i++ {
		if v := f.Observe("x", time.Unix(int64(i), 0)); v != Steady {
			t.Fatal("detection is off but reported flapping")
		}
	}
}

// TestReplayRebuildsFlapping: replaying an instance's changes gives the state observing
// them live would have, settling included, without announcing anything.
func TestReplayRebuildsFlapping(t *testing.T) {
	t0 := time.Unix(0, 0)
	minutes := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Minute))
		}
		return ts
	}
	for _, c := range []struct {
		name    string
		changes []time.Time
		at      int // minutes
		want    bool
		since   int
	}{
		{"five changes in a window of four", minutes(0, 1, 2, 3, 4), 10, true, 4},
		{"four changes", minutes(0, 1, 2, 3), 10, false, 0},
		{"flapped, then settled once the window emptied", minutes(0, 1, 2, 3, 4), 70, false, 0},
		{"flapped, settled, one change since", minutes(0, 1, 2, 3, 4, 90), 91, false, 0},
		{"still flapping with three of five left", minutes(0, 1, 30, 40, 50), 62, true, 50},
	} {
		f := &Flaps{Changes: 4, Window: time.Hour}
		f.Replay("disk", c.changes)
		on, since := f.Flapping("disk", t0.Add(time.Duration(c.at)*time.Minute))
		if on != c.want || on && !since.Equal(t0.Add(time.Duration(c.since)*time.Minute)) {
			t.Errorf("%s: flapping %v since %v, want %v since minute %d", c.name, on, since, c.want, c.since)
		}
	}
}
