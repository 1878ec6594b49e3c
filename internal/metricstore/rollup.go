package metricstore

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// rollupBatch bounds the buckets one compaction transaction handles.
const rollupBatch = 5000

// Compact rolls stored buckets up by age (1 s → 60 s after Retention.HighRes, 60 s →
// 300 s after Minute, 300 s → 3600 s after FiveMin) and deletes hour buckets older than
// Hour. Periods and statistics survive rollups because buckets merge exactly.
func (s *Store) Compact(ctx context.Context) error {
	now := s.opts.Now()
	r := s.opts.Retention
	steps := []struct {
		from, to int64
		keep     time.Duration
	}{{1, 60, r.HighRes}, {60, 300, r.Minute}, {300, 3600, r.FiveMin}, {3600, 0, r.Hour}}
	for _, st := range steps {
		cutoff := now.Add(-st.keep).Unix()
		if st.to > 0 {
			cutoff = floorTo(cutoff, st.to) // roll up whole target slots only
		}
		for {
			old, err := s.opts.Backend.OldBuckets(ctx, int(st.from), cutoff, rollupBatch)
			if err != nil {
				return err
			}
			if len(old) == 0 {
				break
			}
			rollups, err := rollUp(old, st.to)
			if err != nil {
				return err
			}
			if err := s.opts.Backend.ReplaceBuckets(ctx, old, rollups, mergeEncoded); err != nil {
				return err
			}
			if len(old) < rollupBatch {
				break
			}
		}
	}
	return nil
}

// rollUp merges buckets into slots of to seconds (none when to is 0: deletion).
func rollUp(old []store.BucketRecord, to int64) ([]store.BucketRecord, error) {
	if to == 0 {
		return nil, nil
	}
	type key struct {
		series uint64
		start  int64
	}
	merged := map[key]*metric.Bucket{}
	var order []key
	for _, rec := range old {
		var b metric.Bucket
		if _, err := b.UnmarshalBinary(rec.Data); err != nil {
			return nil, fmt.Errorf("metricstore: rollup of bucket %d/%d: %w", rec.SeriesID, rec.Start, err)
		}
		k := key{rec.SeriesID, floorTo(rec.Start, to)}
		if merged[k] == nil {
			merged[k] = &metric.Bucket{}
			order = append(order, k)
		}
		merged[k].Merge(&b)
	}
	out := make([]store.BucketRecord, 0, len(order))
	for _, k := range order {
		out = append(out, store.BucketRecord{SeriesID: k.series, Res: int(to), Start: k.start, Data: merged[k].AppendBinary(nil)})
	}
	return out, nil
}
