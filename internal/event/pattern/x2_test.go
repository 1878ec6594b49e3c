package pattern

import (
	"encoding/json"
	"runtime"
	"testing"
)

func BenchmarkScanOnly(b *testing.B) {
	g := newBenchGen(1)
	var evs [][]byte
	for range 1024 {
		evs = append(evs, g.event())
	}
	m := NewMatcher()
	m.Match(evs[0], nil)
	runtime.LockOSThread()
	b.ResetTimer()
	c := threadCPU()
	for i := 0; i < b.N; i++ {
		m.Match(evs[i%1024], nil)
	}
	b.ReportMetric(float64((threadCPU()-c).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
func BenchmarkJSONValid(b *testing.B) {
	g := newBenchGen(1)
	var evs [][]byte
	for range 1024 {
		evs = append(evs, g.event())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		json.Valid(evs[i%1024])
	}
}
