package pattern

import (
	"encoding/json"
	"runtime"
	"testing"
)

// benchWorkload compiles n generated rules into a Matcher and generates events.
func benchWorkload(tb testing.TB, n int) (*Matcher, [][]byte) {
	tb.Helper()
	g := newScaledBenchGen(1, max(1, n/10_000))
	m := NewMatcher()
	for i := 0; i < n; i++ {
		m.Add(i, mustCompile(tb, g.rule()))
	}
	events := make([][]byte, 4096)
	for i := range events {
		events[i] = g.event()
	}
	if _, err := m.Match(events[0], nil); err != nil { // build the index
		tb.Fatal(err)
	}
	return m, events
}

// benchMatch measures Match, or MatchValid when valid is set, against rules generated rules.
func benchMatch(b *testing.B, rules int, valid bool) {
	m, events := benchWorkload(b, rules)
	match := m.Match
	if valid {
		match = m.MatchValid
	}
	size, matches := 0, 0
	var dst []int
	for _, e := range events {
		size += len(e)
		dst, _ = m.Match(e, dst[:0])
		matches += len(dst)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := threadCPU()
	for i := 0; i < b.N; i++ {
		var err error
		if dst, err = match(events[i%len(events)], dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
	if cpu = threadCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(size)/float64(len(events)), "B/event")
	b.ReportMetric(float64(matches)/float64(len(events)), "matches/event")
}

// BenchmarkMatch10kRulesHot matches the first 16 events only, so that they and the parts of
// the index they use stay in cache: set beside Match10kRules, it tells the computing from
// the waiting on memory.
func BenchmarkMatch10kRulesHot(b *testing.B) {
	m, events := benchWorkload(b, 10_000)
	events = events[:16]
	var dst []int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if dst, err = m.Match(events[i%len(events)], dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkMatch0Rules(b *testing.B)    { benchMatch(b, 0, false) } // the floor: validation only
func BenchmarkMatch1Rule(b *testing.B)     { benchMatch(b, 1, false) }
func BenchmarkMatch10kRules(b *testing.B)  { benchMatch(b, 10_000, false) }
func BenchmarkMatch100kRules(b *testing.B) { benchMatch(b, 100_000, false) }

// MatchValid, as the event pipeline matches the events it has decoded or encoded.
func BenchmarkMatchValid0Rules(b *testing.B)    { benchMatch(b, 0, true) }
func BenchmarkMatchValid10kRules(b *testing.B)  { benchMatch(b, 10_000, true) }
func BenchmarkMatchValid100kRules(b *testing.B) { benchMatch(b, 100_000, true) }

// BenchmarkJSONValid is encoding/json's validation of the same events, for comparison.
func BenchmarkJSONValid(b *testing.B) {
	_, events := benchWorkload(b, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !json.Valid(events[i%len(events)]) {
			b.Fatal("invalid event")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMemoryPerRule reports the heap held per rule by compiled patterns and a built
// Matcher of 10,000 rules.
func BenchmarkMemoryPerRule(b *testing.B) {
	const n = 10_000
	g := newBenchGen(1)
	srcs := make([]string, n)
	srcBytes := 0
	for i := range srcs {
		srcs[i] = g.rule()
		srcBytes += len(srcs[i])
	}
	event := g.event()
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := NewMatcher()
		for j, s := range srcs {
			m.Add(j, mustCompile(b, s))
		}
		m.Match(event, nil)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/rule")
		b.ReportMetric(float64(srcBytes)/n, "srcB/rule")
		runtime.KeepAlive(m)
	}
}
