package event

import (
	"sync"
)

// Bus delivers published events to subscribers in publication order, with back-pressure:
// each subscriber has a bounded queue, and Publish waits while a queue is full, so a slow
// consumer slows its producers down instead of losing events or growing memory.
type Bus struct {
	mu   sync.Mutex
	subs []*subscription
}

type subscription struct {
	ch   chan Envelope
	quit chan struct{}
	done chan struct{}
}

// NewBus returns a bus without subscribers.
func NewBus() *Bus { return &Bus{} }

// Subscribe calls fn for every event published from now on, in order, from one goroutine
// of its own, until the returned cancel function is called.
func (b *Bus) Subscribe(queue int, fn func(Envelope)) (cancel func()) {
	return b.SubscribeBatch(queue, 1, func(evs []Envelope) { fn(evs[0]) })
}

// SubscribeBatch is Subscribe for consumers that work in batches: fn receives what has
// queued up, in order, up to max events at a time (at least one).
func (b *Bus) SubscribeBatch(queue, max int, fn func([]Envelope)) (cancel func()) {
	s := &subscription{ch: make(chan Envelope, queue), quit: make(chan struct{}), done: make(chan struct{})}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	go func() {
		defer close(s.done)
		batch := make([]Envelope, 0, max)
		for {
			select {
			case <-s.quit:
				return
			case e := <-s.ch:
				batch = append(batch[:0], e)
			drain:
				for len(batch) < max {
					select {
					case e := <-s.ch:
						batch = append(batch, e)
					default:
						break drain
					}
				}
				fn(batch)
			}
		}
	}()
	return func() {
		b.mu.Lock()
		for i, x := range b.subs {
			if x == s {
				b.subs = append(b.subs[:i], b.subs[i+1:]...)
				break
			}
		}
		b.mu.Unlock()
		close(s.quit)
		<-s.done
	}
}

// Publish hands e to every subscriber, waiting while a subscriber's queue is full.
func (b *Bus) Publish(e Envelope) {
	b.mu.Lock()
	subs := b.subs
	b.mu.Unlock()
	for _, s := range subs {
		select {
		case s.ch <- e:
		case <-s.quit: // cancelled meanwhile
		}
	}
}
