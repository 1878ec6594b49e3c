package pattern

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMatcherAgreesWithPatterns checks that a Matcher of many patterns (whose index shares
// anchors, pairs and tries between them) reports exactly the patterns that match alone.
func TestMatcherAgreesWithPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	nRules, nEvents := 3000, 900
	if raceEnabled || testing.Short() {
		nRules, nEvents = 600, 200
	}
	var srcs []string
	bg := newBenchGen(9)
	for len(srcs) < nRules/2 {
		srcs = append(srcs, bg.rule())
	}
	var events [][]byte
	for range nEvents / 3 {
		events = append(events, bg.event())
	}
	for len(srcs) < nRules {
		b := make([]byte, 64+r.IntN(128))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		g := &byteGen{b: b}
		src := g.pattern(2)
		if _, err := Compile([]byte(src)); err == nil {
			srcs = append(srcs, src)
			if len(events) < nEvents {
				events = append(events, []byte(g.guidedEvent(src)))
			}
		}
	}
	m := NewMatcher()
	pats := make([]*Pattern, len(srcs))
	for i, src := range srcs {
		pats[i] = mustCompile(t, src)
		m.Add(len(srcs)-i, pats[i]) // ids in reverse order of adding
	}
	if m.Len() != len(srcs) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(srcs))
	}
	total := 0
	for _, ev := range events {
		var want []int
		for i, p := range pats {
			ok, err := p.Match(ev)
			if err != nil {
				t.Fatalf("%v in %s", err, ev)
			}
			if ok {
				want = append(want, len(srcs)-i)
			}
		}
		slices.Sort(want)
		got, err := m.Match(ev, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("event %s:\nMatcher  %v\nPatterns %v", ev, got, want)
		}
		total += len(got)
	}
	if total < len(events) {
		t.Errorf("only %d matches over %d events: the corpus does not exercise matching", total, len(events))
	}
	ix := m.index()
	pairs := 0
	for _, p := range ix.paths {
		pairs += len(p.partners)
	}
	if pairs == 0 || len(ix.slots) == 0 {
		t.Errorf("the corpus does not exercise pair anchors (%d) or the hash table (%d)", pairs, len(ix.slots))
	}
}
