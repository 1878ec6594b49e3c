package loop

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestHealthyLoopAndStalledLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := New(nil)
		s.Start(ctx, Loop{Name: "steady", Interval: time.Second, Cycle: func(context.Context) error { return errors.New("boom") }})
		block := make(chan struct{})
		calls := 0
		s.Start(ctx, Loop{Name: "blocker", Interval: time.Second, Cycle: func(ctx context.Context) error {
			calls++
			if calls == 2 {
				select {
				case <-block:
				case <-ctx.Done():
				}
			}
			return nil
		}})
		time.Sleep(2500 * time.Millisecond)
		synctest.Wait()
		for _, st := range s.Statuses() {
			if !st.OK {
				t.Fatalf("%s unhealthy too early: %+v", st.Name, st)
			}
		}
		time.Sleep(4 * time.Second) // the blocker's last cycle is now > 3 intervals old
		synctest.Wait()
		got := map[string]Status{}
		for _, st := range s.Statuses() {
			got[st.Name] = st
		}
		if got["blocker"].OK || got["blocker"].Problem == "" {
			t.Errorf("blocked loop not reported: %+v", got["blocker"])
		}
		if !got["steady"].OK || got["steady"].LastError != "boom" || got["steady"].Cycles < 6 {
			t.Errorf("steady loop: %+v", got["steady"])
		}
		close(block)
		cancel()
		s.Wait()
	})
}

func TestOffsetIsDeterministicAndBounded(t *testing.T) {
	a, b := Offset("alarms", time.Minute), Offset("alarms", time.Minute)
	if a != b || a < 0 || a >= time.Minute {
		t.Fatalf("offset %v %v", a, b)
	}
	seen := map[time.Duration]bool{}
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		seen[Offset(name, time.Minute)] = true
	}
	if len(seen) < 4 {
		t.Errorf("offsets are not spread: %v", seen)
	}
}

func TestWakeRunsACycleEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := New(nil)
		w := NewWaker()
		cycles := 0
		s.Start(ctx, Loop{Name: "woken", Interval: time.Hour, Wake: w, Cycle: func(context.Context) error { cycles++; return nil }})
		synctest.Wait()
		if cycles != 1 {
			t.Fatalf("first cycle: %d", cycles)
		}
		w.Wake()
		synctest.Wait()
		if cycles != 2 {
			t.Fatalf("after a wake: %d cycles, want 2", cycles)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if cycles != 2 {
			t.Fatalf("a cycle ran without a wake or the interval: %d", cycles)
		}
		cancel()
		s.Wait()
	})
}
