package metricstore

import (
	"sort"

	"github.com/tocsin/tocsin/internal/metric"
)

// series is one stream of data and its recent buckets.
type series struct {
	id     uint64
	key    metric.SeriesKey
	keyStr string
	res    int   // base resolution in seconds
	first  int64 // Unix seconds of the first datum
	last   int64 // Unix seconds of the newest datum seen since start (or of the newest slot loaded)
	slots  []slot
	// inDirty is set while the series is on the store's dirty list.
	inDirty bool
}

// slot is one base-resolution bucket of a series. It is 48 bytes: a million series
// each hold a hot window's worth of them.
type slot struct {
	b     metric.Bucket
	start uint32 // Unix seconds (valid until 2106), a multiple of the series' resolution
	dirty bool   // changed since the last checkpoint
	delta bool   // older than the hot window: b is a delta over the stored bucket
}

// at returns the slot's start in Unix seconds.
func (sl *slot) at() int64 { return int64(sl.start) }

// slotFor returns the slot starting at start, creating it (in order) if needed.
func (s *series) slotFor(start int64, delta bool) *slot {
	n := len(s.slots)
	st := uint32(start)
	// Data nearly always lands in the newest slot.
	if n > 0 && s.slots[n-1].start == st {
		return &s.slots[n-1]
	}
	s.grow()
	if n == 0 || s.slots[n-1].start < st {
		s.slots = append(s.slots, slot{start: st, delta: delta})
		return &s.slots[n]
	}
	i := sort.Search(n, func(i int) bool { return s.slots[i].start >= st })
	if i < n && s.slots[i].start == st {
		return &s.slots[i]
	}
	s.slots = append(s.slots, slot{})
	copy(s.slots[i+1:], s.slots[i:])
	s.slots[i] = slot{start: st, delta: delta}
	return &s.slots[i]
}

// grow makes room for one more slot. Small slices grow two slots at a time rather than
// doubling: a series holds about a hot window of slots, and doubling would waste up to
// half of that memory in every one of a million series.
func (s *series) grow() {
	n := len(s.slots)
	if n < cap(s.slots) {
		return
	}
	c := n + 2
	if n >= 16 {
		c = 2 * n
	}
	grown := make([]slot, n, c)
	copy(grown, s.slots)
	s.slots = grown
}

// apply adds a datum to the bucket.
func apply(b *metric.Bucket, d *metric.Datum) {
	switch {
	case d.HasValue:
		b.Add(d.Value)
	case d.Values != nil:
		for i, v := range d.Values {
			if d.Counts == nil {
				b.Add(v)
			} else {
				b.AddN(v, d.Counts[i])
			}
		}
	case d.Stats != nil:
		b.AddSet(*d.Stats)
	}
}

// floorTo rounds a Unix time in seconds down to a multiple of res.
func floorTo(t, res int64) int64 {
	if t >= 0 {
		return t - t%res
	}
	return t - (res+t%res)%res
}
