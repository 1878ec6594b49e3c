package authlimit

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func sum(s string) Sum { return sha256.Sum256([]byte(s)) }

func TestGuessingIsThrottledPerAddress(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(c.now)
	const a, b = "192.0.2.1", "192.0.2.2"
	for i := 0; i < Burst; i++ {
		cred := sum(fmt.Sprint("guess", i))
		if _, ok := l.Allow(a, cred); !ok {
			t.Fatalf("attempt %d refused within the burst", i)
		}
		if exhausted := l.Failed(a, cred); exhausted != (i == Burst-1) {
			t.Fatalf("attempt %d: exhausted = %v", i, exhausted)
		}
	}
	wait, ok := l.Allow(a, sum("one more"))
	if ok || wait <= 0 || wait > Refill {
		t.Fatalf("after the burst: Allow = %v, %v; want refused with a wait of at most %v", wait, ok, Refill)
	}
	if _, ok := l.Allow(b, sum("one more")); !ok {
		t.Fatal("another address is throttled too")
	}
	c.t = c.t.Add(Refill)
	if _, ok := l.Allow(a, sum("one more")); !ok {
		t.Fatal("refused after a refill period")
	}
	if l.Failed(a, sum("one more")) != true {
		t.Fatal("the refilled attempt used up: want exhausted reported again")
	}
	if _, ok := l.Allow(a, sum("yet another")); ok {
		t.Fatal("a second attempt allowed after one refill period")
	}
}

func TestRepeatingOneWrongCredentialGuessesNothing(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(c.now)
	stale := sum("revoked token")
	for i := 0; i < 10*Burst; i++ {
		if _, ok := l.Allow("10.0.0.1", stale); !ok {
			t.Fatalf("retry %d of the same credential refused", i)
		}
		l.Failed("10.0.0.1", stale)
	}
	if _, ok := l.Allow("10.0.0.1", sum("a new guess")); !ok {
		t.Fatal("one broken client used up the address's attempts")
	}
}

func TestWorkingClientsKeepWorkingWhileTheirAddressIsThrottled(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(c.now)
	const nat = "203.0.113.9"
	good := sum("the collector's token")
	l.Succeeded(nat, good)
	for i := 0; i < Burst; i++ {
		l.Failed(nat, sum(fmt.Sprint("guess", i)))
	}
	if _, ok := l.Allow(nat, good); !ok {
		t.Fatal("a credential that worked from the address is refused")
	}
	if _, ok := l.Allow(nat, sum("a token never used here")); ok {
		t.Fatal("an unknown credential is checked while the address is throttled")
	}
	c.t = c.t.Add(Burst * Refill)
	if _, ok := l.Allow(nat, sum("a token never used here")); !ok {
		t.Fatal("still throttled once the bucket refilled")
	}
}

func TestTheTableIsBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(c.now)
	for i := 0; i < maxClients; i++ {
		l.Failed(fmt.Sprint("a", i), sum("x"))
	}
	if l.Len() != maxClients {
		t.Fatalf("%d addresses tracked, want %d", l.Len(), maxClients)
	}
	// All are mid-penalty and recent: a new address is not tracked (and not refused).
	l.Failed("new", sum("x"))
	if _, ok := l.Allow("new", sum("y")); !ok || l.Len() != maxClients {
		t.Fatalf("full table: Len %d, new address allowed %v", l.Len(), ok)
	}
	c.t = c.t.Add(idle + time.Second) // everyone idle: forgotten at the next insertion
	l.Failed("newer", sum("x"))
	if l.Len() != 1 {
		t.Fatalf("after the idle sweep %d addresses tracked, want 1", l.Len())
	}
}
