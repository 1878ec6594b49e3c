package metric

import (
	"math"
	"testing"
	"unsafe"
)

// stat parses a statistic or fails the test.
func stat(t testing.TB, text string) Statistic {
	t.Helper()
	s, err := ParseStatistic(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bucketOf(vs ...float64) *Bucket {
	var b Bucket
	for _, v := range vs {
		b.Add(v)
	}
	return &b
}

// close reports whether got is want within a relative 1e-12.
func closeTo(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
}

type statCase struct {
	stat string
	want float64
	ok   bool
}

func checkStats(t *testing.T, name string, b *Bucket, cases []statCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := b.Statistic(stat(t, c.stat))
		if ok != c.ok || (ok && !closeTo(got, c.want)) {
			t.Errorf("%s: %s = %v, %v; want %v, %v", name, c.stat, got, ok, c.want, c.ok)
		}
	}
}

var (
	// one to ten, shuffled
	dataA = []float64{7, 3, 10, 1, 5, 9, 2, 8, 4, 6}
	// for absolute bounds
	dataB = []float64{500, 50, 2000, 80, 300, 81, 1000, 100, 501, 150}
	// n = 7 with a duplicate: sorted 1 1 2 3 4 5 9
	dataC = []float64{3, 1, 4, 1, 5, 9, 2}
)

func TestBucketStatistics(t *testing.T) {
	tests := []struct {
		name  string
		data  []float64
		cases []statCase
	}{
		{"1..10", dataA, []statCase{
			{"SampleCount", 10, true}, {"Sum", 55, true}, {"Average", 5.5, true},
			{"Minimum", 1, true}, {"Maximum", 10, true},
			{"p0", 1, true}, {"p10", 1, true}, {"p11", 2, true}, {"p50", 5, true},
			{"p90", 9, true}, {"p99", 10, true}, {"p99.9", 10, true}, {"p100", 10, true},
			{"tm90", 5, true},          // ranks 1..9
			{"TM(10%:90%)", 5.5, true}, // ranks 2..9
			{"TM(:95%)", 5, true},      // floor(9.5) = 9
			{"TM(95%:)", 10, true},     // rank 10
			{"TM(50%:50%)", 0, false},  // keeps nothing
			{"IQM", 5, true},           // ranks 3..7
			{"wm90", 5.4, true},        // 10 clamped to p90 = 9
			{"WM(10%:90%)", 5.4, true}, // p10 = 1, p90 = 9
			{"WM(20%:80%)", 5.3, true}, // 2 2 3 4 5 6 7 8 8 8
			{"WM(2:4)", 3.5, true},     // 2 2 3 4 4 4 4 4 4 4
			{"tc90", 9, true}, {"TC(10%:90%)", 8, true}, {"TC(50%:50%)", 0, true},
			{"ts90", 45, true}, {"TS(10%:90%)", 44, true}, {"TS(50%:50%)", 0, true},
			{"TC(2:4)", 2, true}, {"TM(2:4)", 3.5, true}, {"TS(2:4)", 7, true},
			{"PR(:5)", 50, true}, {"PR(2:4)", 20, true}, {"PR(0:)", 100, true}, {"PR(10:)", 0, true},
		}},
		{"absolute bounds", dataB, []statCase{
			{"TC(80:500)", 5, true},     // 81 100 150 300 500
			{"TM(80:500)", 226.2, true}, // 1131 / 5
			{"TS(80:500)", 1131, true},  //
			{"WM(80:500)", 279.1, true}, // 80 80 81 100 150 300 500 500 500 500
			{"PR(:300)", 60, true},      // 50 80 81 100 150 300
			{"PR(100:200)", 10, true},   // 150
			{"TC(:80)", 2, true},        // upper bound inclusive
			{"TC(80:)", 8, true},        // lower bound exclusive
			{"p50", 150, true}, {"p95", 2000, true}, {"p60", 300, true},
		}},
		{"n=7", dataC, []statCase{
			{"Sum", 25, true}, {"p25", 1, true}, {"p50", 3, true}, {"p80", 5, true}, {"p90", 9, true},
			{"tm90", 16.0 / 6, true}, {"TM(10%:90%)", 16.0 / 6, true}, {"tc90", 6, true}, {"ts90", 16, true},
			{"IQM", 2.5, true}, // ranks 2..5: 1 2 3 4
			{"wm80", 3, true},  // 9 clamped to p80 = 5
		}},
		{"single", []float64{42}, []statCase{
			{"SampleCount", 1, true}, {"p0", 42, true}, {"p50", 42, true}, {"tm90", 0, false},
			{"tm100", 42, true}, {"wm90", 42, true}, {"tc90", 0, true}, {"PR(:42)", 100, true},
		}},
		{"zeros", []float64{0, 1, 0}, []statCase{
			{"p50", 0, true}, {"p67", 1, true}, {"PR(:0)", 200.0 / 3, true}, {"TC(0:)", 1, true},
		}},
		{"empty", nil, []statCase{
			{"SampleCount", 0, false}, {"Sum", 0, false}, {"Average", 0, false},
			{"p50", 0, false}, {"TC(:1)", 0, false},
		}},
	}
	for _, tt := range tests {
		b := bucketOf(tt.data...)
		checkStats(t, tt.name, b, tt.cases)
		if !b.Exact() {
			t.Errorf("%s: not exact", tt.name)
		}
	}
	if _, ok := bucketOf(1, 2).Statistic(Statistic{}); ok {
		t.Error("the zero Statistic has a value")
	}
}

func TestBucketSummary(t *testing.T) {
	b := bucketOf(dataA...)
	if b.Empty() || b.SampleCount() != 10 || b.Sum() != 55 || b.Min() != 1 || b.Max() != 10 || b.Average() != 5.5 {
		t.Errorf("summary of 1..10 = %v %v %v %v %v", b.SampleCount(), b.Sum(), b.Min(), b.Max(), b.Average())
	}
	b.Reset()
	if !b.Empty() || b.SampleCount() != 0 || b.Average() != 0 || *b != (Bucket{}) {
		t.Errorf("after Reset: %+v", *b)
	}
	b.Add(math.NaN())
	b.Add(math.Inf(1))
	b.AddN(3, 0)
	b.AddN(3, -1)
	b.AddN(3, math.Inf(1))
	b.AddN(math.Inf(-1), 1)
	if !b.Empty() {
		t.Errorf("invalid samples were recorded: %+v", *b)
	}
}

func TestBucketValuesCounts(t *testing.T) {
	var b Bucket
	b.AddN(20, 5)
	b.AddN(10, 3)
	b.AddN(30, 2) // 10 10 10 20 20 20 20 20 30 30
	checkStats(t, "counts", &b, []statCase{
		{"SampleCount", 10, true}, {"Sum", 190, true}, {"Average", 19, true},
		{"p30", 10, true}, {"p31", 20, true}, {"p80", 20, true}, {"p81", 30, true},
		{"IQM", 18, true},         // ranks 3..7: 10 20 20 20 20
		{"tm90", 160.0 / 9, true}, // ranks 1..9
		{"TC(10%:90%)", 8, true},  // a value's count is split by the cut
		{"wm50", 17, true},        // p50 = 20 clamps the 30s
		{"PR(10:20)", 50, true},   //
		{"TS(25%:)", 170, true},   // ranks 3..10: 10 + 5×20 + 2×30
	})
	expanded := bucketOf(10, 10, 10, 20, 20, 20, 20, 20, 30, 30)
	for _, s := range allStatistics {
		got, ok := b.Statistic(stat(t, s))
		want, wok := expanded.Statistic(stat(t, s))
		if ok != wok || !closeTo(got, want) {
			t.Errorf("%s: values+counts %v %v, repeated values %v %v", s, got, ok, want, wok)
		}
	}
}

// allStatistics covers every kind and bound form.
var allStatistics = []string{
	"SampleCount", "Sum", "Average", "Minimum", "Maximum",
	"p0", "p1", "p10", "p25", "p50", "p75", "p90", "p99", "p99.9", "p100",
	"tm90", "tm99", "TM(10%:90%)", "TM(5%:)", "IQM", "TM(3:30)",
	"wm90", "WM(10%:90%)", "WM(3:30)", "tc90", "TC(10%:90%)", "TC(80:500)", "TC(:10)",
	"ts90", "TS(25%:75%)", "TS(3:30)", "PR(:300)", "PR(100:200)", "PR(5:20)",
}

func TestBucketFractionalCounts(t *testing.T) {
	var b Bucket
	b.AddN(10, 0.5)
	b.AddN(20, 0.5)
	// Any fractional count: the cuts are a/100·W and b/100·W unrounded.
	checkStats(t, "half and half", &b, []statCase{
		{"SampleCount", 1, true}, {"Sum", 15, true}, {"Average", 15, true},
		{"p50", 10, true}, {"p51", 20, true}, {"p100", 20, true},
		{"tm50", 10, true}, {"tc50", 0.5, true}, {"ts50", 5, true},
		{"PR(:10)", 50, true}, {"wm50", 10, true},
	})
	b.AddN(20, 0.5) // 10:0.5, 20:1, W = 1.5; tm50 keeps 10:0.5 and 20:0.25
	checkStats(t, "one and a half", &b, []statCase{
		{"tm50", 10 / 0.75, true}, {"tc50", 0.75, true}, {"p33", 10, true}, {"p34", 20, true},
	})
}

func TestBucketStatSets(t *testing.T) {
	all := func(s ...StatSet) *Bucket {
		var b Bucket
		for _, x := range s {
			b.AddSet(x)
		}
		return &b
	}
	tests := []struct {
		name  string
		b     *Bucket
		cases []statCase
	}{
		{"identical values keep percentiles", all(StatSet{4, 20, 5, 5}), []statCase{
			{"SampleCount", 4, true}, {"Sum", 20, true}, {"p50", 5, true}, {"tm90", 5, true},
			{"tc90", 3, true}, {"TC(:5)", 4, true}, {"PR(:4)", 0, true},
		}},
		{"non-identical values lose them", all(StatSet{4, 20, 2, 8}), []statCase{
			{"SampleCount", 4, true}, {"Sum", 20, true}, {"Average", 5, true},
			{"Minimum", 2, true}, {"Maximum", 8, true},
			{"p50", 0, false}, {"IQM", 0, false}, {"wm90", 0, false}, {"TC(:9)", 0, false}, {"PR(:9)", 0, false},
		}},
		{"SampleCount 1", all(StatSet{1, 7, 7, 7}), []statCase{{"p99", 7, true}, {"p0", 7, true}}},
		{"Min = Max but Sum inconsistent", all(StatSet{3, 14, 5, 5}), []statCase{
			{"Sum", 14, true}, {"p50", 0, false},
		}},
		{"sum accumulated in floating point", all(StatSet{10, 0.9999999999999999, 0.1, 0.1}), []statCase{
			{"p50", 0.1, true}, {"Sum", 0.9999999999999999, true},
		}},
		{"identical sets merge", all(StatSet{3, 30, 10, 10}, StatSet{1, 20, 20, 20}), []statCase{
			{"p75", 10, true}, {"p76", 20, true}, {"Sum", 50, true},
		}},
		{"one lost set loses the bucket", all(StatSet{3, 30, 10, 10}, StatSet{2, 9, 4, 5}), []statCase{
			{"p50", 0, false}, {"Minimum", 4, true}, {"Maximum", 10, true}, {"SampleCount", 5, true},
		}},
		{"invalid sets are ignored", all(StatSet{0, 0, 1, 1}, StatSet{2, 5, 3, 2},
			StatSet{1, math.NaN(), 1, 1}, StatSet{1, 1, 1, 1}), []statCase{
			{"SampleCount", 1, true}, {"p50", 1, true},
		}},
	}
	for _, tt := range tests {
		checkStats(t, tt.name, tt.b, tt.cases)
	}

	// A lost set stays lost through values and merges, in both directions.
	lost := all(StatSet{3, 14, 5, 5})
	lost.Add(5)
	checkStats(t, "lost then same value", lost, []statCase{{"p50", 0, false}, {"SampleCount", 4, true}})
	lost.Add(6)
	checkStats(t, "lost then other value", lost, []statCase{{"p50", 0, false}, {"Maximum", 6, true}})
	values := bucketOf(1, 2, 3)
	values.Merge(all(StatSet{4, 20, 2, 8}))
	checkStats(t, "values merged with lost", values, []statCase{{"p50", 0, false}, {"SampleCount", 7, true}})
	set := all(StatSet{4, 20, 2, 8})
	set.Merge(bucketOf(1, 2, 3))
	checkStats(t, "lost merged with values", set, []statCase{{"p50", 0, false}, {"Sum", 26, true}})
	mixed := all(StatSet{2, 6, 3, 3})
	mixed.Add(1)
	checkStats(t, "identical set then a value", mixed, []statCase{{"p34", 3, true}, {"p33", 1, true}})
}

func TestBucketNegativeValues(t *testing.T) {
	check := func(name string, b *Bucket, count, sum, lo, hi float64) {
		t.Helper()
		checkStats(t, name, b, []statCase{
			{"SampleCount", count, true}, {"Sum", sum, true}, {"Minimum", lo, true}, {"Maximum", hi, true},
			{"p50", 0, false}, {"p0", 0, false}, {"tm90", 0, false}, {"wm90", 0, false},
			{"TC(:5)", 0, false}, {"TS(:5)", 0, false}, {"PR(:0)", 0, false},
		})
	}
	check("negative among positives", bucketOf(2, -1, 3), 3, 4, -1, 3)
	check("single negative", bucketOf(-4), 1, -4, -4, -4)
	many := bucketOf()
	for i := range 2000 {
		many.Add(float64(i))
	}
	many.Add(-0.5)
	check("negative after the sketch", many, 2001, 1999000-0.5, -0.5, 1999)
	merged := bucketOf(1, 2, 3)
	merged.Merge(bucketOf(-1))
	check("merged with a negative", merged, 4, 5, -1, 3)
	merged = bucketOf(-1)
	merged.Merge(bucketOf(1, 2, 3))
	check("negative merged with positives", merged, 4, 5, -1, 3)
}

func TestBucketMemory(t *testing.T) {
	if size := unsafe.Sizeof(Bucket{}); size > 40 {
		t.Errorf("Bucket is %d bytes, want at most 40", size)
	}
	var b, other Bucket
	other.Add(12.5)
	p99 := stat(t, "p99")
	allocs := testing.AllocsPerRun(100, func() {
		b.Reset()
		b.Add(12.5)     // one sample
		b.AddN(12.5, 3) // more of the same value
		b.AddSet(StatSet{2, 25, 12.5, 12.5})
		b.Merge(&other)
		_, ok := b.Statistic(p99)
		if !ok || !b.Exact() {
			t.Fatal("p99 unavailable")
		}
		b.Reset()
		b.AddSet(StatSet{4, 20, 2, 8}) // values lost: no distribution kept
		b.Add(-3)
	})
	if allocs != 0 {
		t.Errorf("buckets whose samples are all equal allocate %v times", allocs)
	}
}
