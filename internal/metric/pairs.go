package metric

import "slices"

// compactLimit is how long the raw pairs of a bucket with distinct sorted
// values may grow before they are sorted and merged again: twice as long,
// so that sorting costs O(log n) per value, and never beyond
// maxExactValues, so that the switch to the sketch happens exactly at the
// 1,001st distinct value.
func compactLimit(distinct int) int {
	return min(maxExactValues, 2*distinct+16)
}

// addRaw records weight w of value v ≥ 0 in the raw pairs.
func (d *dist) addRaw(v, w float64) {
	ps, s := d.pairs, d.sorted
	if s > 0 && v <= ps[s-1].v {
		// Branch-free binary search for the last value ≤ v (random values
		// would mispredict every branch).
		i, n := 0, s
		for n > 1 {
			half := n >> 1
			if ps[i+half].v <= v {
				i += half
			}
			n -= half
		}
		if ps[i].v == v {
			ps[i].w += w
			return
		}
	} else if s == len(ps) {
		d.sorted++ // v extends the sorted prefix
	}
	d.pairs = append(ps, pair{v, w})
	if len(d.pairs) > compactLimit(d.sorted) {
		d.compact()
	}
}

// compact sorts and merges the raw pairs and switches to the sketch when
// there are more than maxExactValues distinct values.
func (d *dist) compact() {
	if d.sorted < len(d.pairs) {
		a, b := d.pairs[:d.sorted], d.pairs[d.sorted:]
		slices.SortFunc(b, comparePairs)
		d.pairs = mergePairs(a, b, compactLimit(len(d.pairs))+1)
		d.sorted = len(d.pairs)
	}
	if len(d.pairs) > maxExactValues {
		d.pairs, d.sorted, d.sk = nil, 0, sketchOf(d.pairs)
	}
}

// newRaw returns the distribution of ascending distinct pairs ps, a sketch
// when there are more than maxExactValues.
func newRaw(ps []pair) *dist {
	d := &dist{pairs: ps, sorted: len(ps)}
	d.compact()
	return d
}

// sketchOf returns a sketch of the pairs ps, all of them with values ≥ 0.
func sketchOf(ps []pair) *sketch {
	sk := &sketch{}
	lo, hi := 0.0, 0.0
	for _, p := range ps {
		if p.v > 0 && (lo == 0 || p.v < lo) {
			lo = p.v
		}
		hi = max(hi, p.v)
	}
	if hi > 0 {
		sk.cover(sketchIndex(lo), sketchIndex(hi))
	}
	for _, p := range ps {
		sk.add(p.v, p.w)
	}
	return sk
}

// comparePairs orders pairs by value; values are never NaN.
func comparePairs(a, b pair) int {
	switch {
	case a.v < b.v:
		return -1
	case a.v > b.v:
		return 1
	}
	return 0
}

// sortedPairs returns ps, whose first sorted pairs are ascending and
// distinct, as an ascending slice with equal values merged: ps itself when
// it is all sorted, else a new slice. ps is not changed.
func sortedPairs(ps []pair, sorted int) []pair {
	if sorted == len(ps) {
		return ps
	}
	tail := slices.Clone(ps[sorted:])
	slices.SortFunc(tail, comparePairs)
	return mergePairs(ps[:sorted], tail, len(ps))
}

// mergePairs merges two ascending slices of pairs into a new one with at
// least the given capacity, adding up the weights of equal values.
func mergePairs(a, b []pair, capacity int) []pair {
	out := make([]pair, 0, max(capacity, len(a)+len(b)))
	push := func(p pair) {
		if k := len(out) - 1; k >= 0 && out[k].v == p.v {
			out[k].w += p.w
		} else {
			out = append(out, p)
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j].v < a[i].v {
			push(b[j])
			j++
		} else {
			push(a[i])
			i++
		}
	}
	for ; i < len(a); i++ {
		push(a[i])
	}
	for ; j < len(b); j++ {
		push(b[j])
	}
	return out
}
