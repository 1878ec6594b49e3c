package event

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBusDeliversInOrder(t *testing.T) {
	b := NewBus()
	var mu sync.Mutex
	var got []string
	var evs []Envelope
	done := make(chan struct{})
	cancel := b.Subscribe(16, func(e Envelope) {
		mu.Lock()
		got = append(got, e.Source)
		evs = append(evs, e)
		if len(got) == 5 {
			close(done)
		}
		mu.Unlock()
	})
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		e, err := New("production", s, "Test", time.Now(), nil, map[string]int{"n": 1})
		if err != nil {
			t.Fatal(err)
		}
		b.Publish(e)
	}
	<-done
	cancel()
	if mu.Lock(); len(got) != 5 || got[0] != "a" || got[4] != "e" {
		t.Errorf("delivered %v", got)
	}
	mu.Unlock()
	raw, _ := json.Marshal(evs[0])
	var m map[string]any
	json.Unmarshal(raw, &m)
	for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail", "environment"} {
		if _, ok := m[k]; !ok {
			t.Errorf("envelope lacks %q: %s", k, raw)
		}
	}
	if len(evs[0].ID) != 36 || evs[0].ID == evs[1].ID {
		t.Errorf("ids: %s %s", evs[0].ID, evs[1].ID)
	}
}

// A full queue makes the publisher wait (back-pressure) instead of losing events, and
// a batch subscriber receives what queued up, in order.
func TestBackPressureAndBatches(t *testing.T) {
	b := NewBus()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	var batches int
	cancel := b.SubscribeBatch(2, 100, func(evs []Envelope) {
		<-release
		mu.Lock()
		batches++
		for _, e := range evs {
			got = append(got, e.Source)
		}
		mu.Unlock()
	})
	published := make(chan struct{})
	go func() {
		for i := 0; i < 10; i++ {
			e, _ := New("p", string(rune('a'+i)), "T", time.Now(), nil, nil)
			b.Publish(e)
		}
		close(published)
	}()
	select {
	case <-published:
		t.Fatal("ten events went through a queue of two with a stuck consumer: no back-pressure")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-published
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 10 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if strings.Join(got, "") != "abcdefghij" {
		t.Errorf("order: %v", got)
	}
	if batches >= 10 {
		t.Errorf("%d batches for 10 events: queued events were not batched", batches)
	}
}

func TestCancelWhilePublisherWaits(t *testing.T) {
	b := NewBus()
	block := make(chan struct{})
	cancel := b.Subscribe(1, func(Envelope) { <-block })
	e, _ := New("p", "s", "T", time.Now(), nil, nil)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 5; i++ {
			b.Publish(e)
		}
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	close(block)
	cancel()
	<-done // the publisher is released by the cancellation
}
