package metric

import (
	"math"
	"slices"
)

// Bucket holds the statistics of the samples of one time slot or period and
// merges with others (DESIGN §4). The zero value is an empty bucket. A
// Bucket is not safe for concurrent mutation; any number of goroutines may
// read it at once (Statistic, Exact, AppendBinary, and as the argument of
// another bucket's Merge), because reading never changes it.
//
// SampleCount, Sum, Minimum and Maximum are always kept exactly. For the
// percentile family (spec A2) the bucket keeps the distribution:
//
//   - while all samples are equal, nothing but the summary (no allocation);
//   - raw (value, count) pairs while it holds at most 1,000 distinct values,
//     so answers are exact (Exact reports true);
//   - from the 1,001st distinct value on, after any Add or Merge, a
//     relative-error sketch (sketch.go): quantiles within 1 % of the exact
//     nearest-rank answer, trimmed statistics computed from the sketch's
//     bin representatives.
//
// The limit counts distinct values rather than samples, so a Values/Counts
// histogram such as {10:500, 20:300, 50:200} stays exact however large its
// counts. The distribution is dropped for good (percentile family
// unavailable) once the bucket holds a negative value or a statistic set
// whose samples are not all identical.
//
// Ranks are over the weighted multiset: a value added with count c occupies
// c consecutive ranks. Fractional counts use cumulative weight instead of
// ranks: pP is the first value whose cumulative weight reaches P/100·W (W
// the total weight), which is spec A2's nearest rank when counts are whole.
// Percentile trims keep the weight in (floor(a/100·W), floor(b/100·W)], a
// value's weight being split where a cut falls inside it; when any count is
// fractional the cuts are a/100·W and b/100·W, unrounded.
type Bucket struct {
	n, sum, lo, hi float64 // SampleCount, Sum, Minimum, Maximum
	// d is the distribution. nil means: all samples equal lo (lo == hi ≥ 0),
	// or the distribution is lost (lo < hi, or lo < 0 — then d stays nil).
	d *dist
}

// maxExactValues is the most distinct values a Bucket keeps raw.
const maxExactValues = 1000

// setSumTolerance is the relative difference allowed between a statistic
// set's Sum and Minimum×SampleCount for its samples to count as identical
// (spec A2 (b)), so that a sum accumulated in floating point still counts.
const setSumTolerance = 1e-9

// dist is the distribution behind a Bucket's pointer. Exactly one of its
// three forms is used: lost, sketch or raw pairs.
type dist struct {
	// lost marks a bucket whose samples all equal lo but that received a
	// statistic set with an inconsistent Sum, so its values are unknown.
	lost bool
	sk   *sketch
	// pairs are the raw samples. pairs[:sorted] is ascending with distinct
	// values, and sorted is the length of the longest such prefix; the rest
	// were appended since and hold values not in that prefix. len(pairs)
	// never exceeds compactLimit(sorted) ≤ maxExactValues.
	pairs  []pair
	sorted int
}

// pair is a value and the weight (number of samples) that has it.
type pair struct{ v, w float64 }

// Add records one sample. A NaN or infinite value is ignored (Datum.Validate
// rejects them before they get here).
func (b *Bucket) Add(v float64) { b.AddN(v, 1) }

// AddN records value v published count times (the Values/Counts form). A
// count that is 0, negative, NaN or infinite is ignored, as is a non-finite v.
func (b *Bucket) AddN(v, count float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || !(count > 0) || math.IsInf(count, 1) {
		return
	}
	b.add(v, count, v*count)
}

// AddSet records a statistic set. When its samples are all identical
// (Minimum == Maximum and Sum == Minimum×SampleCount within a relative
// 1e-9, spec A2) it counts as
// SampleCount samples of that value; otherwise the bucket's percentile
// family becomes unavailable. A set with a SampleCount ≤ 0, a non-finite
// field or Minimum > Maximum is ignored.
func (b *Bucket) AddSet(s StatSet) {
	for _, f := range [...]float64{s.SampleCount, s.Sum, s.Minimum, s.Maximum} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
	}
	if !(s.SampleCount > 0) || s.Minimum > s.Maximum {
		return
	}
	if want := s.Minimum * s.SampleCount; s.Minimum == s.Maximum &&
		math.Abs(s.Sum-want) <= setSumTolerance*math.Abs(want) {
		b.add(s.Minimum, s.SampleCount, s.Sum)
		return
	}
	if b.n == 0 {
		b.n, b.sum, b.lo, b.hi = s.SampleCount, s.Sum, s.Minimum, s.Maximum
	} else {
		b.n, b.sum = b.n+s.SampleCount, b.sum+s.Sum
		b.lo, b.hi = min(b.lo, s.Minimum), max(b.hi, s.Maximum)
	}
	b.dropValues()
}

// add records weight w of value v, adding sum to the bucket's Sum.
func (b *Bucket) add(v, w, sum float64) {
	if b.n == 0 {
		*b = Bucket{n: w, sum: sum, lo: v, hi: v}
		return
	}
	uniform := b.d == nil && b.lo == b.hi && b.lo >= 0
	prevN, prev := b.n, b.lo
	b.n += w
	b.sum += sum
	b.lo, b.hi = min(b.lo, v), max(b.hi, v)
	switch {
	case b.d == nil:
		if uniform && v != prev && v >= 0 {
			ps := make([]pair, 2, 4)
			ps[0], ps[1] = pair{prev, prevN}, pair{v, w}
			if v < prev {
				ps[0], ps[1] = ps[1], ps[0]
			}
			b.d = &dist{pairs: ps, sorted: 2}
		}
	case v < 0:
		b.d = nil
	case b.d.lost:
		if b.lo < b.hi {
			b.d = nil
		}
	case b.d.sk != nil:
		b.d.sk.add(v, w)
	default:
		b.d.addRaw(v, w)
	}
}

// dropValues gives up the distribution after the summary was updated.
func (b *Bucket) dropValues() {
	switch {
	case b.lo < b.hi || b.lo < 0:
		b.d = nil
	case b.d == nil || !b.d.lost:
		b.d = &dist{lost: true}
	}
}

// valuesKept reports whether the percentile family is available for a
// non-empty bucket.
func (b *Bucket) valuesKept() bool {
	if b.lo < 0 {
		return false
	}
	if b.d == nil {
		return b.lo == b.hi
	}
	return !b.d.lost
}

// Merge adds the samples of o to b; o is not changed. Merging is exact as
// long as the result holds at most 1,000 distinct values.
func (b *Bucket) Merge(o *Bucket) {
	if o == nil || o.n == 0 {
		return
	}
	if o == b {
		c := o.clone()
		o = &c
	}
	if b.n == 0 {
		*b = o.clone()
		return
	}
	lo, hi := min(b.lo, o.lo), max(b.hi, o.hi)
	kept := lo >= 0 && b.valuesKept() && o.valuesKept()
	var d *dist
	if kept && lo < hi {
		d = mergeDists(b, o)
	}
	b.n, b.sum, b.lo, b.hi = b.n+o.n, b.sum+o.sum, lo, hi
	if kept {
		b.d = d
	} else {
		b.dropValues()
	}
}

// mergeDists returns the distribution of b and o together; both keep their
// values. b's sketch, if any, is reused.
func mergeDists(b, o *Bucket) *dist {
	var one [1]pair
	switch {
	case b.d != nil && b.d.sk != nil:
		if o.d != nil && o.d.sk != nil {
			b.d.sk.merge(o.d.sk)
		} else {
			for _, p := range o.rawPairs(&one) {
				b.d.sk.add(p.v, p.w)
			}
		}
		return b.d
	case o.d != nil && o.d.sk != nil:
		sk := o.d.sk.clone()
		for _, p := range b.rawPairs(&one) {
			sk.add(p.v, p.w)
		}
		return &dist{sk: sk}
	}
	var other [1]pair
	return newRaw(mergePairs(b.values(&one), o.values(&other), 0))
}

// clone returns a deep copy of b, its raw values sorted.
func (b *Bucket) clone() Bucket {
	c := *b
	switch {
	case b.d == nil:
	case b.d.lost:
		c.d = &dist{lost: true}
	case b.d.sk != nil:
		c.d = &dist{sk: b.d.sk.clone()}
	default:
		var one [1]pair
		ps := b.values(&one)
		if b.d.sorted == len(b.d.pairs) {
			ps = slices.Clone(ps) // else values made a new slice
		}
		c.d = newRaw(ps)
	}
	return c
}

// Reset empties b, keeping nothing.
func (b *Bucket) Reset() { *b = Bucket{} }

// Empty reports whether b holds no samples.
func (b *Bucket) Empty() bool { return b.n == 0 }

// SampleCount returns the number of samples (the total weight).
func (b *Bucket) SampleCount() float64 { return b.n }

// Sum returns the sum of the samples.
func (b *Bucket) Sum() float64 { return b.sum }

// Min returns the smallest sample, 0 when b is empty.
func (b *Bucket) Min() float64 { return b.lo }

// Max returns the largest sample, 0 when b is empty.
func (b *Bucket) Max() float64 { return b.hi }

// Average returns Sum/SampleCount, 0 when b is empty.
func (b *Bucket) Average() float64 {
	if b.n == 0 {
		return 0
	}
	return b.sum / b.n
}

// Exact reports whether b answers the percentile family exactly: true
// unless b has switched to the sketch (more than 1,000 distinct values).
// It says nothing about availability, which Statistic reports.
func (b *Bucket) Exact() bool { return b.d == nil || b.d.sk == nil }

// Statistic returns the value of s for the samples in b, and false when it
// is unavailable: b is empty; s is of the percentile family
// (s.IsPercentileFamily()) and b holds a negative value or a statistic set
// whose samples are not all identical (spec A2); s is a trimmed mean that
// keeps no sample; or s is not a valid statistic. Reading a bucket whose raw
// values arrived out of order sorts a copy of them.
func (b *Bucket) Statistic(s Statistic) (float64, bool) {
	if b.n == 0 {
		return 0, false
	}
	switch s.Kind {
	case SampleCount:
		return b.n, true
	case Sum:
		return b.sum, true
	case Average:
		return b.sum / b.n, true
	case Minimum:
		return b.lo, true
	case Maximum:
		return b.hi, true
	}
	if !s.IsPercentileFamily() || !b.valuesKept() {
		return 0, false
	}
	if s.Kind == Percentile && b.d != nil && b.d.sk != nil {
		return b.d.sk.percentile(s.Upper, b.n, b.lo, b.hi), true
	}
	var one [1]pair
	return rankStatistic(b.values(&one), b.n, b.lo, b.hi, s)
}

// values returns the samples as ascending (value, weight) pairs. It does not
// change b; it allocates when the raw pairs are not sorted or b is sketched.
// one is scratch space for a bucket whose samples are all equal.
func (b *Bucket) values(one *[1]pair) []pair {
	switch {
	case b.d == nil:
		one[0] = pair{b.lo, b.n}
		return one[:]
	case b.d.sk != nil:
		return b.d.sk.pairs(b.lo, b.hi)
	}
	return sortedPairs(b.d.pairs, b.d.sorted)
}

// rawPairs is values for a bucket that is not sketched, in any order.
func (b *Bucket) rawPairs(one *[1]pair) []pair {
	if b.d == nil {
		one[0] = pair{b.lo, b.n}
		return one[:]
	}
	return b.d.pairs
}
