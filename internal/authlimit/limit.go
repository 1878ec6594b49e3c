// Package authlimit throttles credential guessing per client address. Each address has a
// bucket of failed attempts: a failure with a credential not seen failing before takes
// one, and the bucket refills at a steady rate. While it is empty, only credentials that
// recently succeeded from that address (clients that were already working) or that
// already failed there (a misconfigured client retrying: it guesses nothing new) are
// checked; any other credential is refused without being checked. So a guesser gets a
// few attempts and then one per refill, while working clients behind the same address
// keep working and one broken client does not lock the others out.
//
// Credentials are kept as SHA-256 sums, never in clear. Memory is bounded: a few sums per
// address, and a bounded number of addresses (idle ones are forgotten first).
package authlimit

import (
	"sync"
	"time"
)

// Sum is a credential's SHA-256 sum.
type Sum = [32]byte

// Settings of a Limiter.
const (
	Burst      = 20              // failed new credentials an address may try at once
	Refill     = 5 * time.Second // one more attempt per Refill after that
	remembered = 8               // credentials remembered per address, succeeded and failed each
	maxClients = 50_000          // addresses tracked at most
	idle       = 10 * time.Minute
)

// Limiter is safe for concurrent use.
type Limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	clients map[string]*client
}

type client struct {
	tokens float64 // attempts left
	at     time.Time
	good   ring
	bad    ring
}

// ring remembers the last few sums.
type ring struct {
	sums [remembered]Sum
	n    int // sums written so far
}

func (r *ring) has(s Sum) bool {
	for i := 0; i < min(r.n, remembered); i++ {
		if r.sums[i] == s {
			return true
		}
	}
	return false
}

func (r *ring) add(s Sum) {
	if !r.has(s) {
		r.sums[r.n%remembered] = s
		r.n++
	}
}

// New returns a Limiter reading the time from now.
func New(now func() time.Time) *Limiter {
	return &Limiter{now: now, clients: map[string]*client{}}
}

// refill brings c's bucket up to date.
func (c *client) refill(now time.Time) {
	if d := now.Sub(c.at); d > 0 {
		c.tokens = min(Burst, c.tokens+float64(d)/float64(Refill))
	}
	c.at = now
}

// Allow reports whether a credential with sum s from addr may be checked. When it may
// not, wait is how long until the address may try a new credential again.
func (l *Limiter) Allow(addr string, s Sum) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[addr]
	if c == nil {
		return 0, true
	}
	c.refill(l.now())
	if c.tokens >= 1 || c.good.has(s) || c.bad.has(s) {
		return 0, true
	}
	return time.Duration((1 - c.tokens) * float64(Refill)), false
}

// Failed records that the credential with sum s from addr was wrong. It reports whether
// the address has now used up its attempts (true once per exhaustion, for logging).
func (l *Limiter) Failed(addr string, s Sum) (exhausted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.client(addr)
	if c == nil || c.bad.has(s) {
		return false
	}
	c.bad.add(s)
	before := c.tokens
	c.tokens = max(0, c.tokens-1)
	return before >= 1 && c.tokens < 1
}

// Succeeded records that the credential with sum s worked from addr, so that it keeps
// working there while the address is throttled.
func (l *Limiter) Succeeded(addr string, s Sum) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[addr]
	if c == nil {
		if c = l.client(addr); c == nil {
			return
		}
	} else {
		c.refill(l.now())
	}
	c.good.add(s)
}

// client returns addr's entry, refilled, creating it; nil when the table is full of
// addresses that are being throttled.
func (l *Limiter) client(addr string) *client {
	now := l.now()
	if c := l.clients[addr]; c != nil {
		c.refill(now)
		return c
	}
	if len(l.clients) >= maxClients && !l.sweep(now) {
		return nil
	}
	c := &client{tokens: Burst, at: now}
	l.clients[addr] = c
	return c
}

// sweep forgets idle addresses, then if need be every address with a full bucket, and
// reports whether there is room for another.
func (l *Limiter) sweep(now time.Time) bool {
	for addr, c := range l.clients {
		if now.Sub(c.at) > idle {
			delete(l.clients, addr)
		}
	}
	if len(l.clients) >= maxClients {
		for addr, c := range l.clients {
			if c.refill(now); c.tokens >= Burst {
				delete(l.clients, addr)
			}
		}
	}
	return len(l.clients) < maxClients
}

// Len returns the number of addresses tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
