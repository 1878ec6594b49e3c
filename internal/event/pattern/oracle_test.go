package pattern

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// oracleMatchers are indexes whose tries the scanners walk in the oracle tests: the fuzz
// patterns and a thousand benchmark rules.
func oracleMatchers(tb testing.TB) []*Matcher {
	m := NewMatcher()
	for i, src := range fuzzEventPatterns {
		m.Add(i, mustCompile(tb, src))
	}
	g := newBenchGen(7)
	mb := NewMatcher()
	for i := 0; i < 1000; i++ {
		mb.Add(i, mustCompile(tb, g.rule()))
	}
	return []*Matcher{m, mb, NewMatcher()}
}

// scanOracle scans ev with the current and the old scanner on the index of m and fails
// unless both report the same error or record the same fields.
func scanOracle(t *testing.T, m *Matcher, ev []byte) {
	t.Helper()
	ix := m.index()
	n, o := newScratch(ix), &oldScratch{*newScratch(ix)}
	okN, okO := n.reset(ev), o.oldReset(ev)
	if okN != okO || !okN && (n.errAt != o.errAt || n.errMsg != o.errMsg) {
		t.Fatalf("event %q: new scanner ok=%v at %d %q, old ok=%v at %d %q", ev, okN, n.errAt, n.errMsg, okO, o.errAt, o.errMsg)
	}
	if !okN {
		return
	}
	if got, want := dumpFields(n), dumpFields(&o.scratch); got != want {
		t.Fatalf("event %q: new scanner recorded\n%s\nold\n%s", ev, got, want)
	}
}

// oldReset is scratch.reset with the old scanner.
func (s *oldScratch) oldReset(event []byte) bool {
	s.gen++
	s.buf, s.fields, s.trail, s.pend, s.seen = s.buf[:0], s.fields[:0], s.trail[:0], s.pend[:0], s.seen[:0]
	s.nArrays, s.anyTrail = 0, false
	ok := s.scan(event)
	s.b = nil
	return ok
}

func dumpFields(s *scratch) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "arrays=%d anyTrail=%v\n", s.nArrays, s.anyTrail)
	for _, f := range s.fields {
		fmt.Fprintf(&b, "path=%d kind=%d val=%q num=%v trail=%v\n", f.path, f.kind, f.val, f.num, s.trail[f.trOff:f.trOff+f.trLen])
	}
	return b.String()
}

// TestScanOracle compares the scanners on the benchmark events, the vectors' events and
// many truncations and corruptions of them.
func TestScanOracle(t *testing.T) {
	ms := oracleMatchers(t)
	g := newBenchGen(3)
	var evs [][]byte
	for i := 0; i < 200; i++ {
		evs = append(evs, g.event())
	}
	for _, v := range epVectors {
		evs = append(evs, []byte(v.event))
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("{}[]\",:\\ \t\n0123456789-+.eEtrufalsn\x01\x1f\x7f\xc3\xa9\xff/bu")
	for _, ev := range evs {
		for _, m := range ms {
			scanOracle(t, m, ev)
			for k := 0; k < 30; k++ {
				c := bytes.Clone(ev)
				switch k % 3 {
				case 0:
					c = c[:r.IntN(len(c)+1)]
				case 1:
					c[r.IntN(len(c))] = alphabet[r.IntN(len(alphabet))]
				default:
					at := r.IntN(len(c) + 1)
					c = append(c[:at:at], append([]byte{alphabet[r.IntN(len(alphabet))]}, ev[at:]...)...)
				}
				scanOracle(t, m, c)
			}
		}
	}
}

// FuzzScanOracle compares the scanners on arbitrary bytes.
func FuzzScanOracle(f *testing.F) {
	for _, v := range epVectors {
		f.Add([]byte(v.event))
	}
	g := newBenchGen(5)
	for i := 0; i < 20; i++ {
		f.Add(g.event())
	}
	f.Add([]byte(` {"a" : [ 1 , 2.5e3 , -0 , "\ud800x" ] } `))
	ms := oracleMatchers(f)
	f.Fuzz(func(t *testing.T, ev []byte) {
		for _, m := range ms {
			scanOracle(t, m, ev)
		}
	})
}
