package metricstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// Selector picks the series an alarm watches: exact dimension names, values that may be
// globs, and an optional unit ("" merges every unit).
type Selector struct {
	Env, Namespace, Name string
	Dims                 []metric.Dim // sorted by name
	Unit                 metric.Unit
}

// Stream is a set of series that share a dimension set (they differ by unit at most): one
// alarm instance's data.
type Stream struct {
	Dims   []metric.Dim
	series []*series
}

// Streams returns the streams that match sel, one per distinct dimension set, sorted.
func (s *Store) Streams(sel Selector) []Stream {
	groups := s.match(&Query{Env: sel.Env, Namespace: sel.Namespace, Name: sel.Name, Dims: sel.Dims, Unit: sel.Unit})
	out := make([]Stream, len(groups))
	for i, g := range groups {
		out[i] = Stream{Dims: g.dims, series: g.series}
	}
	return out
}

// Resolution returns the coarsest base resolution (seconds) of the stream's series, 0
// when it has none.
func (s *Store) Resolution(st *Stream) int {
	res := 0
	for _, sr := range st.series {
		res = max(res, sr.res)
	}
	return res
}

// Generation changes whenever a series is created: callers that cache Streams results
// refresh them only then.
func (s *Store) Generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nextID
}

// LastSeen returns the time of the newest datum of the stream (as far as this process
// knows: data older than the hot window before a restart is not counted), or the zero time.
func (s *Store) LastSeen(st *Stream) time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var last int64
	for _, sr := range st.series {
		last = max(last, sr.last)
	}
	if last == 0 {
		return time.Time{}
	}
	return time.Unix(last, 0).UTC()
}

// Window fills out[i] with the merged buckets of the stream over the period starting at
// starts[i] (Unix seconds). Slots within the hot window come from memory; older ones are
// read from the store. out must have len(starts) entries; they are reset first.
func (s *Store) Window(ctx context.Context, st *Stream, starts []int64, period int64, out []metric.Bucket) error {
	if len(out) != len(starts) {
		return fmt.Errorf("metricstore: window: %d buckets for %d slots", len(out), len(starts))
	}
	for i := range out {
		out[i].Reset()
	}
	if len(starts) == 0 {
		return nil
	}
	from, to := starts[0], starts[len(starts)-1]+period
	cutoff := s.opts.Now().Add(-s.opts.HotWindow).Unix()
	for _, sr := range st.series {
		if from < cutoff {
			// Part of the range is only in the store: take the general path.
			if err := s.windowFromStore(ctx, sr, starts, period, out); err != nil {
				return err
			}
			continue
		}
		s.mu.RLock()
		first := sort.Search(len(sr.slots), func(j int) bool { return sr.slots[j].at() >= from })
		for j := first; j < len(sr.slots); j++ {
			sl := &sr.slots[j]
			t := sl.at()
			if t >= to {
				break
			}
			if sl.b.Empty() {
				continue
			}
			if k := slotIndex(starts, period, t); k >= 0 {
				out[k].Merge(&sl.b)
			}
		}
		s.mu.RUnlock()
	}
	return nil
}

// windowFromStore merges a series' buckets over [starts[0], last+period) from memory and
// the store, as a statistics query does.
func (s *Store) windowFromStore(ctx context.Context, sr *series, starts []int64, period int64, out []metric.Bucket) error {
	periods := map[int64]*metric.Bucket{}
	from, to := starts[0], starts[len(starts)-1]+period
	if err := s.collect(ctx, sr, from, to, 1, periods); err != nil {
		return err
	}
	for t, b := range periods {
		if k := slotIndex(starts, period, t); k >= 0 {
			out[k].Merge(b)
		}
	}
	return nil
}

// slotIndex returns the slot holding time t, or -1.
func slotIndex(starts []int64, period, t int64) int {
	k := int((t - starts[0]) / period)
	if t < starts[0] || k >= len(starts) || t >= starts[k]+period {
		return -1
	}
	return k
}
