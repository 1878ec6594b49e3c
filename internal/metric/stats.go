package metric

import "math"

// ranked is a weighted multiset of samples in ascending order, on which the
// percentile family of spec A2 is computed.
type ranked struct {
	ps     []pair  // ascending values with positive weights
	total  float64 // W, the sum of the weights (the bucket's SampleCount)
	lo, hi float64 // exact minimum and maximum
}

// rankStatistic returns percentile-family statistic s of the samples ps
// (ascending), whose weights add up to total and whose exact extremes are lo
// and hi. See Bucket for the rules.
func rankStatistic(ps []pair, total, lo, hi float64, s Statistic) (float64, bool) {
	if len(ps) == 0 || !(total > 0) {
		return 0, false
	}
	r := ranked{ps: ps, total: total, lo: lo, hi: hi}
	switch s.Kind {
	case Percentile:
		return r.percentile(s.Upper), true
	case PercentileRank:
		w, _ := r.absolute(s)
		return 100 * w / r.total, true
	case WinsorizedMean:
		return r.winsorized(s), true
	case TrimmedMean, TrimmedCount, TrimmedSum:
		w, sum := r.absolute(s)
		if s.Percent {
			w, sum = r.trimmed(s)
		}
		switch {
		case s.Kind == TrimmedCount:
			return w, true
		case s.Kind == TrimmedSum:
			return sum, true
		case w > 0:
			return sum / w, true
		}
	}
	return 0, false
}

// percentile returns the nearest-rank percentile p (0–100); p0 is the
// minimum and p100 the maximum.
func (r ranked) percentile(p float64) float64 {
	if p <= 0 {
		return r.lo
	}
	if p >= 100 {
		return r.hi
	}
	return r.ps[rankIndex(len(r.ps), func(i int) float64 { return r.ps[i].w }, r.total, p)].v
}

// rankIndex returns the index of the nearest-rank percentile p (0 < p < 100)
// among count ≥ 1 ascending elements with the given weights, which add up
// to total: the first element whose cumulative weight reaches p/100·total.
// It scans from the nearer end, so p99 looks at about 1 % of the elements.
func rankIndex(count int, weight func(int) float64, total, p float64) int {
	x := p * total / 100
	if p < 50 {
		c := 0.0
		for i := range count {
			if c += weight(i); c >= x {
				return i
			}
		}
		return count - 1
	}
	// Element i is the answer when the weight above it is ≤ total − x (exact
	// for p ≥ 50 by Sterbenz's lemma), and the weight from i up is not.
	room, above := total-x, 0.0
	i := count - 1
	for i > 0 {
		next := above + weight(i)
		if next > room {
			break
		}
		above = next
		i--
	}
	return i
}

// trimmed returns the weight and the sum of the samples whose cumulative
// weight lies in (cut(a), cut(b)] for percentage bounds a and b, where
// cut(p) = floor(p/100·W) when all weights are whole (spec A2's ranks) and
// p/100·W otherwise.
func (r ranked) trimmed(s Statistic) (w, sum float64) {
	whole := true
	for _, p := range r.ps {
		if p.w != math.Trunc(p.w) {
			whole = false
			break
		}
	}
	cut := func(p float64) float64 {
		x := p * r.total / 100
		if whole {
			x = math.Floor(x)
		}
		return x
	}
	lo, hi := 0.0, r.total
	if s.HasLower {
		lo = cut(s.Lower)
	}
	if s.HasUpper {
		hi = cut(s.Upper)
	}
	c := 0.0
	for _, p := range r.ps {
		start := c
		c += p.w
		if k := min(c, hi) - max(start, lo); k > 0 {
			w += k
			sum += k * p.v
		}
		if c >= hi {
			break
		}
	}
	return w, sum
}

// absolute returns the weight and the sum of the samples v with
// a < v ≤ b for absolute bounds a and b (a missing bound is unbounded).
func (r ranked) absolute(s Statistic) (w, sum float64) {
	for _, p := range r.ps {
		if (!s.HasLower || p.v > s.Lower) && (!s.HasUpper || p.v <= s.Upper) {
			w += p.w
			sum += p.w * p.v
		}
	}
	return w, sum
}

// winsorized returns the mean of the samples clamped to the bounds: the
// values themselves, or the nearest-rank percentiles for percentage bounds.
func (r ranked) winsorized(s Statistic) float64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.HasLower {
		lo = s.Lower
		if s.Percent {
			lo = r.percentile(s.Lower)
		}
	}
	if s.HasUpper {
		hi = s.Upper
		if s.Percent {
			hi = r.percentile(s.Upper)
		}
	}
	sum := 0.0
	for _, p := range r.ps {
		sum += p.w * min(max(p.v, lo), hi)
	}
	return sum / r.total
}
