package event

import (
	"sync"
)

// Bus delivers published events to subscribers in publication order. Publish never
// blocks the publisher on a slow subscriber: each subscriber has its own queue, and a
// subscriber whose queue is full loses the event (counted in Dropped).
type Bus struct {
	mu      sync.Mutex
	subs    []*subscription
	recent  []Envelope // a ring of the latest events, for the API and tests
	next    int
	dropped uint64
}

type subscription struct {
	ch   chan Envelope
	done chan struct{}
}

// NewBus returns a bus keeping the latest keep events.
func NewBus(keep int) *Bus { return &Bus{recent: make([]Envelope, 0, keep)} }

// Subscribe calls fn for every event published from now on, in order, from one goroutine
// of its own, until the returned cancel function is called.
func (b *Bus) Subscribe(queue int, fn func(Envelope)) (cancel func()) {
	s := &subscription{ch: make(chan Envelope, queue), done: make(chan struct{})}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	go func() {
		defer close(s.done)
		for e := range s.ch {
			fn(e)
		}
	}()
	return func() {
		b.mu.Lock()
		for i, x := range b.subs {
			if x == s {
				b.subs = append(b.subs[:i], b.subs[i+1:]...)
				close(s.ch)
				break
			}
		}
		b.mu.Unlock()
		<-s.done
	}
}

// Publish hands e to every subscriber and remembers it among the recent events.
func (b *Bus) Publish(e Envelope) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cap(b.recent) > 0 {
		if len(b.recent) < cap(b.recent) {
			b.recent = append(b.recent, e)
		} else {
			b.recent[b.next] = e
			b.next = (b.next + 1) % cap(b.recent)
		}
	}
	for _, s := range b.subs {
		select {
		case s.ch <- e:
		default:
			b.dropped++
		}
	}
}

// Recent returns the latest events, oldest first.
func (b *Bus) Recent() []Envelope {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Envelope, 0, len(b.recent))
	out = append(out, b.recent[b.next:]...)
	return append(out, b.recent[:b.next]...)
}

// Dropped returns how many deliveries were lost to full subscriber queues.
func (b *Bus) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}
