package metric

import "math"

// The quantile sketch a Bucket switches to once it holds more than
// maxExactValues distinct values. It is a DDSketch-style relative-error
// sketch for values ≥ 0 (a bucket with a negative value keeps no
// distribution at all, percentiles being unavailable then): zeros are
// counted apart, and a positive value v falls into bin
// i = ceil(log_γ v), which holds the values in (γ^(i-1), γ^i]. Every value of
// bin i is represented by (1−α)·γ^i, within a relative α of each of them, so
// a quantile read from the bins is within α of the exact nearest-rank answer.
const (
	sketchAccuracy = 0.01 // α, the relative accuracy
	sketchGamma    = (1 + sketchAccuracy) / (1 - sketchAccuracy)
	// sketchLogGamma is ln(sketchGamma), checked by a test.
	sketchLogGamma = 0.020000666706669435
	// sketchMaxBins bounds a sketch's memory (16 KiB of bins). It spans a
	// ratio of γ^2048 ≈ 6·10^17 between the smallest and the largest
	// positive value; beyond that the lowest bins are folded together, and
	// only quantiles that fall into the folded bins lose their accuracy.
	sketchMaxBins = 2048
	// sketchMinIndex and sketchMaxIndex bound the bin index of any positive
	// float64 (the smallest subnormal and MaxFloat64), with a margin.
	sketchMinIndex = -38000
	sketchMaxIndex = 36000
)

// sketch is the log-bucketed distribution. The zero value is empty.
type sketch struct {
	zero   float64   // weight of the values equal to 0
	offset int       // bin index of bins[0]
	bins   []float64 // bins[j] is the weight of the values in bin offset+j
}

// sketchIndex returns the bin of a positive value.
func sketchIndex(v float64) int {
	return int(math.Ceil(math.Log(v) * (1 / sketchLogGamma)))
}

// sketchValue returns the representative value of bin i.
func sketchValue(i int) float64 {
	return math.Exp(float64(i)*sketchLogGamma) * (1 - sketchAccuracy)
}

// add records weight w for value v ≥ 0.
func (s *sketch) add(v, w float64) {
	if v <= 0 {
		s.zero += w
		return
	}
	i := sketchIndex(v)
	if len(s.bins) == 0 || i < s.offset || i >= s.offset+len(s.bins) {
		s.cover(i, i)
		i = max(i, s.offset) // folded into the lowest bin
	}
	s.bins[i-s.offset] += w
}

// cover grows the bins to span indexes lo..hi as well as the current range.
// If that would exceed sketchMaxBins, the lowest bins are folded into the
// lowest one kept, and s.offset ends up above lo.
func (s *sketch) cover(lo, hi int) {
	if len(s.bins) == 0 {
		lo = max(lo, hi-sketchMaxBins+1)
		s.offset, s.bins = lo, make([]float64, hi-lo+1)
		return
	}
	top := s.offset + len(s.bins) - 1
	lo, hi = min(lo, s.offset), max(hi, top)
	lo = max(lo, hi-sketchMaxBins+1)
	if lo == s.offset {
		if hi > top {
			s.bins = append(s.bins, make([]float64, hi-top)...)
		}
		return
	}
	bins := make([]float64, hi-lo+1)
	for j, w := range s.bins {
		bins[max(s.offset+j-lo, 0)] += w
	}
	s.offset, s.bins = lo, bins
}

// merge adds the contents of o to s; o is not changed.
func (s *sketch) merge(o *sketch) {
	s.zero += o.zero
	if len(o.bins) == 0 {
		return
	}
	s.cover(o.offset, o.offset+len(o.bins)-1)
	for j, w := range o.bins {
		if w != 0 {
			s.bins[max(o.offset+j, s.offset)-s.offset] += w
		}
	}
}

// clone returns a deep copy of s.
func (s *sketch) clone() *sketch {
	c := *s
	c.bins = append([]float64(nil), s.bins...)
	return &c
}

// percentile returns the nearest-rank percentile p of the sketched values,
// whose weights add up to total, with lo and hi their exact extremes.
func (s *sketch) percentile(p, total, lo, hi float64) float64 {
	k0 := 0 // 1 when the zeros come first
	if s.zero > 0 {
		k0 = 1
	}
	if p <= 0 || k0+len(s.bins) == 0 {
		return lo
	}
	if p >= 100 {
		return hi
	}
	i := rankIndex(k0+len(s.bins), func(i int) float64 {
		if i < k0 {
			return s.zero
		}
		return s.bins[i-k0]
	}, total, p)
	if i < k0 {
		return 0
	}
	return min(max(sketchValue(s.offset+i-k0), lo), hi)
}

// pairs returns the sketch as ascending (representative, weight) pairs, the
// representatives clamped to the exact minimum and maximum lo and hi.
func (s *sketch) pairs(lo, hi float64) []pair {
	ps := make([]pair, 0, len(s.bins)+1)
	if s.zero > 0 {
		ps = append(ps, pair{0, s.zero})
	}
	for j, w := range s.bins {
		if w > 0 {
			v := min(max(sketchValue(s.offset+j), lo), hi)
			ps = append(ps, pair{v, w})
		}
	}
	return ps
}
