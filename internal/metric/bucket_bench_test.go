package metric

import (
	"math/rand/v2"
	"testing"
)

// benchValues are distinct values in random order.
func benchValues(n int) []float64 {
	r := rand.New(rand.NewPCG(4, 2))
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = 1 + r.Float64()*1000
	}
	return vs
}

// BenchmarkBucketAdd is the common case: one value into a fresh bucket.
func BenchmarkBucketAdd(b *testing.B) {
	buckets := make([]Bucket, 1024)
	vs := benchValues(1024)
	for i := 0; b.Loop(); i++ {
		k := &buckets[i&1023]
		k.Reset()
		k.Add(vs[i&1023])
	}
}

// BenchmarkBucketAdd1000 fills a bucket with 1,000 distinct values: the
// exact path with its compactions. ns/value is per Add.
func BenchmarkBucketAdd1000(b *testing.B) {
	vs := benchValues(1000)
	var k Bucket
	for b.Loop() {
		k.Reset()
		for _, v := range vs {
			k.Add(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vs)), "ns/value")
}

// BenchmarkBucketAddSketch adds values to a bucket that is already sketched.
func BenchmarkBucketAddSketch(b *testing.B) {
	vs := benchValues(4096)
	var k Bucket
	for _, v := range vs {
		k.Add(v)
	}
	for i := 0; b.Loop(); i++ {
		k.Add(vs[i&4095])
	}
}

func BenchmarkBucketMerge(b *testing.B) {
	fill := func(n int) *Bucket {
		var k Bucket
		for _, v := range benchValues(n) {
			k.Add(v)
		}
		return &k
	}
	for _, bm := range []struct {
		name string
		from *Bucket
		n    int // buckets merged per op
	}{
		{"single/5", bucketOf(12.5), 5},   // a 5-minute period of one value a minute
		{"single/60", bucketOf(12.5), 60}, // an hour
		{"exact500", fill(500), 2},
		{"sketch", fill(100000), 2},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var k Bucket
			for b.Loop() {
				k.Reset()
				for range bm.n {
					k.Merge(bm.from)
				}
			}
		})
	}
}

func BenchmarkBucketStatisticP99(b *testing.B) {
	p99 := stat(b, "p99")
	vs := benchValues(100000)
	var added1000, merged1000, sketched Bucket
	for _, v := range vs[:1000] {
		added1000.Add(v)
	}
	merged1000.Merge(&added1000) // sorted by the merge
	for _, v := range vs {
		sketched.Add(v)
	}
	for _, bm := range []struct {
		name string
		k    *Bucket
	}{
		{"1000/sorted", &merged1000},
		{"1000/as-added", &added1000},
		{"100000/sketch", &sketched},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if _, ok := bm.k.Statistic(p99); !ok {
					b.Fatal("no p99")
				}
			}
		})
	}
}
