package event

import (
	"encoding/json"
	"sync"
	"testing"
	"time"
)

func TestBusDeliversInOrderAndKeepsRecent(t *testing.T) {
	b := NewBus(3)
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	cancel := b.Subscribe(16, func(e Envelope) {
		mu.Lock()
		got = append(got, e.Source)
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
	recent := b.Recent()
	if len(recent) != 3 || recent[0].Source != "c" || recent[2].Source != "e" {
		t.Errorf("recent: %v", recent)
	}
	raw, _ := json.Marshal(recent[0])
	var m map[string]any
	json.Unmarshal(raw, &m)
	for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail", "environment"} {
		if _, ok := m[k]; !ok {
			t.Errorf("envelope lacks %q: %s", k, raw)
		}
	}
	if len(recent[0].ID) != 36 || recent[0].ID == recent[1].ID {
		t.Errorf("ids: %s %s", recent[0].ID, recent[1].ID)
	}
}

func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	b := NewBus(0)
	block := make(chan struct{})
	cancel := b.Subscribe(1, func(Envelope) { <-block })
	e, _ := New("p", "s", "T", time.Now(), nil, nil)
	for i := 0; i < 10; i++ {
		b.Publish(e) // must not block
	}
	if b.Dropped() == 0 {
		t.Error("a full queue dropped nothing")
	}
	close(block)
	cancel()
}
