package metricstore

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// Checkpoint persists every change since the last checkpoint and drops the WAL segments
// it covers. Under the lock it rotates the WAL and copies the dirty buckets, so the copy
// is exactly the effect of the finished segments; the write happens without the lock.
func (s *Store) Checkpoint(ctx context.Context) error {
	s.cpMu.Lock()
	defer s.cpMu.Unlock()

	s.mu.Lock()
	if s.wal == nil {
		s.mu.Unlock()
		return nil
	}
	seg, err := s.wal.rotate()
	if err != nil {
		s.mu.Unlock()
		return err
	}
	cp := store.MetricCheckpoint{ThroughSegment: seg, Merge: mergeEncoded}
	for _, sr := range s.newSeries {
		cp.Series = append(cp.Series, store.SeriesRecord{ID: sr.id, Key: sr.keyStr, Resolution: sr.res, FirstSeen: sr.first})
	}
	newSeries := s.newSeries
	s.newSeries = nil
	dirty := s.dirty
	s.dirty = nil
	for _, sr := range dirty {
		sr.inDirty = false
		for i := range sr.slots {
			sl := &sr.slots[i]
			if !sl.dirty {
				continue
			}
			sl.dirty = false
			rec := store.BucketRecord{SeriesID: sr.id, Res: sr.res, Start: sl.at(), Data: sl.b.AppendBinary(nil)}
			if sl.delta {
				cp.Deltas = append(cp.Deltas, rec)
				sl.b.Reset() // the delta now lives in the checkpoint
			} else {
				cp.Full = append(cp.Full, rec)
			}
		}
	}
	s.mu.Unlock()

	if err := s.opts.Backend.SaveMetricCheckpoint(ctx, cp); err != nil {
		s.restore(newSeries, cp)
		return fmt.Errorf("metricstore: checkpoint: %w", err)
	}
	if err := s.wal.removeThrough(seg); err != nil {
		return err
	}
	s.evict()
	return nil
}

// restore puts back what a failed checkpoint took, so the next one writes it.
func (s *Store) restore(newSeries []*series, cp store.MetricCheckpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newSeries = append(newSeries, s.newSeries...)
	mark := func(rec store.BucketRecord, delta bool) {
		sr := s.series(rec.SeriesID)
		sl := sr.slotFor(rec.Start, delta)
		if delta {
			var b metric.Bucket
			if _, err := b.UnmarshalBinary(rec.Data); err == nil {
				sl.b.Merge(&b)
			}
		}
		sl.dirty = true
		if !sr.inDirty {
			sr.inDirty = true
			s.dirty = append(s.dirty, sr)
		}
	}
	for _, rec := range cp.Full {
		mark(rec, false)
	}
	for _, rec := range cp.Deltas {
		mark(rec, true)
	}
}

// evict drops the persisted slots older than the hot window and empty delta slots.
func (s *Store) evict() {
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := s.opts.Now().Add(-s.opts.HotWindow).Unix()
	for _, sr := range s.byID {
		if sr == nil {
			continue
		}
		keep := sr.slots[:0]
		for _, sl := range sr.slots {
			if sl.dirty || (sl.at() >= cutoff && !sl.delta) {
				keep = append(keep, sl)
			}
		}
		clear(sr.slots[len(keep):])
		sr.slots = keep
	}
}

// mergeEncoded merges two encoded buckets.
func mergeEncoded(stored, delta []byte) ([]byte, error) {
	var a, b metric.Bucket
	if _, err := a.UnmarshalBinary(stored); err != nil {
		return nil, err
	}
	if _, err := b.UnmarshalBinary(delta); err != nil {
		return nil, err
	}
	a.Merge(&b)
	return a.AppendBinary(nil), nil
}
