package schedule

import "math/bits"

// bitset is a set of small non-negative integers (< 256): minutes, hours, days, months,
// weekdays, and years as offsets from minYear.
type bitset [4]uint64

func (b *bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b *bitset) has(i int) bool { return i >= 0 && i < 256 && b[i>>6]&(1<<(uint(i)&63)) != 0 }

// next returns the smallest member ≥ from, or -1.
func (b *bitset) next(from int) int {
	if from < 0 {
		from = 0
	}
	for w := from >> 6; w < len(b); w++ {
		word := b[w]
		if w == from>>6 {
			word &= ^uint64(0) << (uint(from) & 63)
		}
		if word != 0 {
			return w<<6 + bits.TrailingZeros64(word)
		}
	}
	return -1
}
