package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/tocsin/tocsin/internal/store"
)

// RunMetrics is the contract suite of store.Metrics. open must return an empty store.
func RunMetrics(t *testing.T, open func(t *testing.T) store.Metrics) {
	ctx := context.Background()
	concat := func(stored, delta []byte) ([]byte, error) { return append(append([]byte{}, stored...), delta...), nil }

	t.Run("checkpoint", func(t *testing.T) {
		m := open(t)
		if _, ok, err := m.LastMetricCheckpoint(ctx); err != nil || ok {
			t.Fatalf("empty store has a checkpoint: %v %v", ok, err)
		}
		cp := store.MetricCheckpoint{
			Series:         []store.SeriesRecord{{ID: 1, Key: "e\x00ns\x00a\x00Count", Resolution: 60, FirstSeen: 100}, {ID: 2, Key: "e\x00ns\x00b\x00", Resolution: 1, FirstSeen: 101}},
			Full:           []store.BucketRecord{{SeriesID: 1, Res: 60, Start: 120, Data: []byte("A")}, {SeriesID: 1, Res: 60, Start: 60, Data: []byte("B")}},
			Deltas:         []store.BucketRecord{{SeriesID: 2, Res: 1, Start: 5, Data: []byte("x")}},
			Merge:          concat,
			ThroughSegment: 7,
		}
		if err := m.SaveMetricCheckpoint(ctx, cp); err != nil {
			t.Fatal(err)
		}
		cp2 := store.MetricCheckpoint{
			Full:   []store.BucketRecord{{SeriesID: 1, Res: 60, Start: 120, Data: []byte("C")}},
			Deltas: []store.BucketRecord{{SeriesID: 2, Res: 1, Start: 5, Data: []byte("y")}},
			Merge:  concat, ThroughSegment: 9,
		}
		if err := m.SaveMetricCheckpoint(ctx, cp2); err != nil {
			t.Fatal(err)
		}
		if seg, ok, err := m.LastMetricCheckpoint(ctx); err != nil || !ok || seg != 9 {
			t.Fatalf("last checkpoint: %d %v %v", seg, ok, err)
		}
		series, err := m.LoadSeries(ctx)
		if err != nil || len(series) != 2 || series[0].Key != cp.Series[0].Key || series[1].Resolution != 1 || series[0].FirstSeen != 100 {
			t.Fatalf("series: %+v %v", series, err)
		}
		got, err := m.ReadBuckets(ctx, 1, 60, 0, 1000)
		if err != nil || len(got) != 2 || got[0].Start != 60 || string(got[1].Data) != "C" {
			t.Fatalf("full buckets replace: %+v %v", got, err)
		}
		got, _ = m.ReadBuckets(ctx, 2, 1, 0, 6)
		if len(got) != 1 || string(got[0].Data) != "xy" {
			t.Fatalf("deltas merge: %+v", got)
		}
		if got, _ := m.ReadBuckets(ctx, 1, 60, 60, 120); len(got) != 1 || got[0].Start != 60 {
			t.Fatalf("range is [from, to): %+v", got)
		}
		if got, _ := m.LoadBuckets(ctx, 60, 100); len(got) != 1 || got[0].Start != 120 {
			t.Fatalf("load since: %+v", got)
		}
	})

	t.Run("replace", func(t *testing.T) {
		m := open(t)
		if err := m.SaveMetricCheckpoint(ctx, store.MetricCheckpoint{Merge: concat, Full: []store.BucketRecord{
			{SeriesID: 1, Res: 60, Start: 0, Data: []byte("a")}, {SeriesID: 1, Res: 60, Start: 60, Data: []byte("b")},
			{SeriesID: 1, Res: 60, Start: 600, Data: []byte("c")}, {SeriesID: 1, Res: 300, Start: 0, Data: []byte("p")},
		}}); err != nil {
			t.Fatal(err)
		}
		old, err := m.OldBuckets(ctx, 60, 300, 10)
		if err != nil || len(old) != 2 || old[0].Start != 0 || old[1].Start != 60 {
			t.Fatalf("old buckets: %+v %v", old, err)
		}
		if limited, _ := m.OldBuckets(ctx, 60, 300, 1); len(limited) != 1 {
			t.Fatalf("limit: %+v", limited)
		}
		if err := m.ReplaceBuckets(ctx, old, []store.BucketRecord{{SeriesID: 1, Res: 300, Start: 0, Data: []byte("ab")}}, concat); err != nil {
			t.Fatal(err)
		}
		if left, _ := m.ReadBuckets(ctx, 1, 60, 0, 1000); len(left) != 1 || left[0].Start != 600 {
			t.Fatalf("removed: %+v", left)
		}
		if got, _ := m.ReadBuckets(ctx, 1, 300, 0, 1000); len(got) != 1 || !bytes.Equal(got[0].Data, []byte("pab")) {
			t.Fatalf("rollup merged: %+v", got)
		}
	})
}
