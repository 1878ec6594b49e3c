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
