package metric

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// sameStats fails when a and b disagree on any of allStatistics or on
// Exact. Percentiles, counts and extremes must match exactly; sums and means
// within a relative 1e-12 (they are added up in another order).
func sameStats(t *testing.T, name string, a, b *Bucket) {
	t.Helper()
	if a.Exact() != b.Exact() {
		t.Errorf("%s: Exact %v vs %v", name, a.Exact(), b.Exact())
	}
	for _, text := range allStatistics {
		s := stat(t, text)
		x, xok := a.Statistic(s)
		y, yok := b.Statistic(s)
		exact := s.Kind == Percentile || s.Kind == Minimum || s.Kind == Maximum || s.Kind == SampleCount
		if xok != yok || (exact && x != y) || !closeTo(x, y) {
			t.Errorf("%s: %s = %v, %v vs %v, %v", name, text, x, xok, y, yok)
		}
	}
}

// randomSamples returns n samples drawn from a few small integers, so that
// values repeat, and from a continuous range.
func randomSamples(r *rand.Rand, n int) (vs, counts []float64) {
	for range n {
		v := r.Float64() * 40
		if r.IntN(2) == 0 {
			v = float64(r.IntN(12))
		}
		vs = append(vs, v)
		counts = append(counts, float64(1+r.IntN(3)))
	}
	return vs, counts
}

func TestBucketMergeEqualsAddingAll(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 200 {
		vs, counts := randomSamples(r, 1+r.IntN(300))
		var all Bucket
		parts := make([]Bucket, 1+r.IntN(8))
		for i, v := range vs {
			part := &parts[r.IntN(len(parts))]
			if i%3 == 0 {
				all.AddN(v, counts[i])
				part.AddN(v, counts[i])
			} else {
				all.Add(v)
				part.Add(v)
			}
		}
		// Merge left to right, and as a tree in the opposite order.
		var left Bucket
		for i := range parts {
			before := parts[i].AppendBinary(nil)
			left.Merge(&parts[i])
			if !bytes.Equal(before, parts[i].AppendBinary(nil)) {
				t.Fatalf("round %d: Merge changed its argument", round)
			}
		}
		for len(parts) > 1 {
			last := len(parts) - 1
			parts[last-1].Merge(&parts[last])
			parts = parts[:last]
		}
		if !all.Exact() {
			t.Fatalf("round %d: %d samples are not exact", round, len(vs))
		}
		sameStats(t, "left merge", &left, &all)
		sameStats(t, "tree merge", &parts[0], &all)
	}
}

func TestBucketSelfMerge(t *testing.T) {
	b := bucketOf(1, 2, 3, 3)
	b.Merge(b)
	sameStats(t, "self merge", b, bucketOf(1, 2, 3, 3, 1, 2, 3, 3))
	b.Merge(nil)
	b.Merge(&Bucket{})
	if b.SampleCount() != 8 {
		t.Errorf("merging nothing changed the count to %v", b.SampleCount())
	}
}

// TestBucketExactLimit checks where buckets switch to the sketch: at the
// 1,001st distinct value, whether it arrives by Add or by Merge.
func TestBucketExactLimit(t *testing.T) {
	seq := func(from, to int) *Bucket {
		var b Bucket
		for i := from; i < to; i++ {
			b.Add(float64((i * 7919) % 100003)) // distinct, in no order
		}
		return &b
	}
	if b := seq(0, 1000); !b.Exact() {
		t.Error("1,000 distinct values are not exact")
	} else if b.Add(1e9); b.Exact() {
		t.Error("1,001 distinct values are still exact")
	}
	b := seq(0, 1000)
	b.Add(float64((999 * 7919) % 100003)) // a repeat is not a new value
	if !b.Exact() {
		t.Error("a repeated value ended exactness")
	}
	var repeats Bucket
	for i := range 50000 {
		repeats.Add(float64(i % 10))
	}
	if !repeats.Exact() {
		t.Error("50,000 samples of 10 values are not exact")
	}
	checkStats(t, "repeats", &repeats, []statCase{{"p99", 9, true}, {"p10", 0, true}, {"p11", 1, true}})

	small := seq(0, 400)
	small.Merge(seq(400, 1000))
	if !small.Exact() {
		t.Error("merging 400 and 600 distinct values is not exact")
	}
	big := seq(0, 600)
	big.Merge(seq(600, 1200))
	if big.Exact() {
		t.Error("merging 600 and 600 distinct values is still exact")
	}
	overlap := seq(0, 600)
	overlap.Merge(seq(200, 800))
	if !overlap.Exact() || overlap.SampleCount() != 1200 {
		t.Error("merging two buckets with 800 distinct values in all is not exact")
	}
	// A sketched bucket merged into an exact one, or an empty one, stays sketched.
	for _, into := range []*Bucket{seq(0, 3), {}} {
		into.Merge(big)
		if into.Exact() {
			t.Error("merging a sketch gave an exact bucket")
		}
	}
}

// TestBucketConcurrentReads backs the promise that reading a bucket never
// changes it (run with -race): the alarm engine and the API read the same
// buckets at once.
func TestBucketConcurrentReads(t *testing.T) {
	unsorted := bucketOf(5, 1, 4, 2, 3, 9, 0, 7)
	sketched := bucketOf()
	for i := range 3000 {
		sketched.Add(float64((i * 7919) % 3001))
	}
	var stats []Statistic
	for _, text := range allStatistics {
		stats = append(stats, stat(t, text))
	}
	for _, b := range []*Bucket{unsorted, sketched} {
		want := b.AppendBinary(nil)
		done := make(chan struct{})
		for range 4 {
			go func() {
				defer func() { done <- struct{}{} }()
				var into Bucket
				for _, s := range stats {
					b.Statistic(s)
				}
				into.Merge(b)
				b.AppendBinary(nil)
			}()
		}
		for range 4 {
			<-done
		}
		if !bytes.Equal(want, b.AppendBinary(nil)) {
			t.Error("reading changed the bucket")
		}
	}
}
