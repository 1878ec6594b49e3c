package sqlite

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkFsyncFloor measures the disk's floor for any durable acknowledgement: append
// 4 KiB to a file in the test's temp directory (put TMPDIR on the data disk) and sync it.
// No store write that survives a power cut can be acknowledged faster than this.
// Run: go test -run '^$' -bench FsyncFloor -benchtime 3000x ./internal/store/sqlite
func BenchmarkFsyncFloor(b *testing.B) {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "probe"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
