package metric

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSketchConstants(t *testing.T) {
	if got := math.Log(sketchGamma); math.Abs(got-sketchLogGamma) > 1e-17 {
		t.Errorf("ln γ = %v, sketchLogGamma = %v", got, sketchLogGamma)
	}
	lo, hi := sketchIndex(math.SmallestNonzeroFloat64), sketchIndex(math.MaxFloat64)
	if lo < sketchMinIndex || hi >= sketchMaxIndex {
		t.Errorf("bin indexes %d..%d outside the decoding range %d..%d", lo, hi, sketchMinIndex, sketchMaxIndex)
	}
	// Every value is within α of its bin's representative.
	r := rand.New(rand.NewPCG(3, 5))
	for range 100000 {
		v := math.Exp(r.NormFloat64() * 100)
		if v == 0 || math.IsInf(v, 0) {
			continue
		}
		if rep := sketchValue(sketchIndex(v)); math.Abs(rep-v) > sketchAccuracy*v*(1+1e-12) {
			t.Fatalf("value %v has representative %v", v, rep)
		}
	}
}

// nearestRank is the exact answer of spec A2 for sorted values.
func nearestRank(sorted []float64, p float64) float64 {
	k := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(k, 1)-1]
}

// TestSketchAccuracy is the property test: above 1,000 distinct samples the
// bucket's percentiles are within 1 % of the exact nearest-rank answer, and
// trimmed means, winsorized means and trimmed sums within 1 % of the exact
// ones computed the same way. Trimmed counts are exact.
func TestSketchAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() float64{
		"uniform":     func() float64 { return r.Float64() * 1000 },
		"lognormal":   func() float64 { return math.Exp(r.NormFloat64() * 2) },
		"exponential": func() float64 { return r.ExpFloat64() * 0.003 },
		"with zeros": func() float64 {
			if r.IntN(10) == 0 {
				return 0
			}
			return 5 + r.Float64()
		},
		"pareto": func() float64 { return math.Pow(1-r.Float64(), -1/1.5) },
	}
	stats := []string{"p1", "p10", "p50", "p90", "p99", "p99.9", "tm90", "TM(10%:90%)", "IQM",
		"wm90", "WM(5%:95%)", "TS(10%:90%)", "tc90", "TC(10%:90%)"}
	for name, gen := range dists {
		for _, n := range []int{1001, 5000, 100000} {
			vs := make([]float64, n)
			var added, merged Bucket
			var part Bucket
			for i := range vs {
				vs[i] = gen()
				added.Add(vs[i])
				part.Add(vs[i])
				if r.IntN(300) == 0 || i == n-1 {
					merged.Merge(&part)
					part.Reset()
				}
			}
			exact := exactBucket(vs)
			if sorted := slices.Compact(slices.Sorted(slices.Values(vs))); added.Exact() != (len(sorted) <= maxExactValues) ||
				merged.Exact() != added.Exact() {
				t.Fatalf("%s/%d: %d distinct values, Exact %v, merged %v", name, n, len(sorted), added.Exact(), merged.Exact())
			}
			for _, text := range stats {
				s := stat(t, text)
				want, _ := exact(s)
				got, ok := added.Statistic(s)
				m, mok := merged.Statistic(s)
				tol := sketchAccuracy * math.Abs(want) * (1 + 1e-9)
				if s.Kind == TrimmedCount {
					tol = 1e-9 * want
				}
				if !ok || math.Abs(got-want) > tol {
					t.Errorf("%s/%d: %s = %v, exact %v (relative error %.4f)", name, n, text, got, want, (got-want)/want)
				}
				if !mok || !closeTo(m, got) {
					t.Errorf("%s/%d: %s merged = %v, added = %v", name, n, text, m, got)
				}
			}
			sorted := slices.Sorted(slices.Values(vs))
			for _, p := range []float64{50, 90, 99} {
				got, _ := added.Statistic(Statistic{Kind: Percentile, Upper: p, HasUpper: true, Percent: true})
				if want := nearestRank(sorted, p); math.Abs(got-want) > sketchAccuracy*want*(1+1e-9) {
					t.Errorf("%s/%d: p%v = %v, nearest rank %v", name, n, p, got, want)
				}
			}
			if p0, _ := added.Statistic(stat(t, "p0")); p0 != sorted[0] {
				t.Errorf("%s/%d: p0 = %v, want the minimum %v", name, n, p0, sorted[0])
			}
			if p100, _ := added.Statistic(stat(t, "p100")); p100 != sorted[n-1] {
				t.Errorf("%s/%d: p100 = %v, want the maximum %v", name, n, p100, sorted[n-1])
			}
		}
	}
}

// exactBucket computes statistics of vs exactly, however many there are.
func exactBucket(vs []float64) func(Statistic) (float64, bool) {
	ps := make([]pair, len(vs))
	for i, v := range vs {
		ps[i] = pair{v, 1}
	}
	ps = sortedPairs(ps, 0)
	lo, hi := ps[0].v, ps[len(ps)-1].v
	return func(s Statistic) (float64, bool) { return rankStatistic(ps, float64(len(vs)), lo, hi, s) }
}

// TestSketchWideRange folds the lowest bins when values span more than the
// sketch can hold, keeping the high quantiles accurate.
func TestSketchWideRange(t *testing.T) {
	// 10 % of the values are tiny, 90 % between 1 and 10^6: γ^2048 spans
	// only 17.8 decimal orders of magnitude, so the tiny ones are folded.
	r := rand.New(rand.NewPCG(9, 9))
	var b Bucket
	var vs []float64
	for i := range 3000 {
		v := 1 + r.Float64()*1e6
		if i%10 == 0 {
			v = 1e-100 * (1 + r.Float64())
		}
		vs = append(vs, v)
		b.Add(v)
	}
	if n := len(b.d.sk.bins); n > sketchMaxBins {
		t.Fatalf("%d bins", n)
	}
	sorted := slices.Sorted(slices.Values(vs))
	for _, p := range []float64{50, 90, 99} {
		got, _ := b.Statistic(Statistic{Kind: Percentile, Upper: p, HasUpper: true, Percent: true})
		if want := nearestRank(sorted, p); math.Abs(got-want) > sketchAccuracy*want*(1+1e-9) {
			t.Errorf("p%v = %v, nearest rank %v", p, got, want)
		}
	}
	if got, _ := b.Statistic(stat(t, "p0")); got != sorted[0] {
		t.Errorf("p0 = %v, want %v", got, sorted[0])
	}
}
