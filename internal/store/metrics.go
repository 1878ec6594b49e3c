package store

import "context"

// SeriesRecord is one metric series as persisted: its id and canonical key.
type SeriesRecord struct {
	ID         uint64
	Key        string // metric.SeriesKey.String()
	Resolution int    // base resolution in seconds (1 or 60)
	FirstSeen  int64  // Unix seconds
}

// BucketRecord is the encoded statistics of one series over one slot of Res seconds
// starting at Start (Unix seconds).
type BucketRecord struct {
	SeriesID uint64
	Res      int
	Start    int64
	Data     []byte // metric.Bucket binary encoding
}

// MetricCheckpoint is what a metric-store checkpoint persists atomically: new series,
// bucket states, and the last write-ahead-log segment they cover.
type MetricCheckpoint struct {
	Series []SeriesRecord
	// Full buckets replace what is stored for their slot.
	Full []BucketRecord
	// Deltas are merged into what is stored for their slot (late data for slots that are
	// no longer held in memory), with Merge.
	Deltas []BucketRecord
	Merge  func(stored, delta []byte) ([]byte, error)
	// ThroughSegment is the last WAL segment whose records the checkpoint covers.
	ThroughSegment uint64
}

// Metrics stores metric series and buckets for the metric store.
type Metrics interface {
	// LoadSeries returns every series.
	LoadSeries(ctx context.Context) ([]SeriesRecord, error)
	// LastMetricCheckpoint returns the last WAL segment covered by a checkpoint, and
	// false when no checkpoint exists.
	LastMetricCheckpoint(ctx context.Context) (uint64, bool, error)
	// SaveMetricCheckpoint persists a checkpoint in one transaction.
	SaveMetricCheckpoint(ctx context.Context, cp MetricCheckpoint) error
	// LoadBuckets returns every bucket of resolution res starting at or after since.
	LoadBuckets(ctx context.Context, res int, since int64) ([]BucketRecord, error)
	// ReadBuckets returns one series' buckets of resolution res with from ≤ Start < to,
	// ordered by Start.
	ReadBuckets(ctx context.Context, seriesID uint64, res, from, to int64) ([]BucketRecord, error)
	// OldBuckets returns up to limit buckets of resolution res starting before before,
	// ordered by series, then Start (for rollups and retention).
	OldBuckets(ctx context.Context, res int, before int64, limit int) ([]BucketRecord, error)
	// ReplaceBuckets deletes the given buckets and merges the rollups into their slots
	// (with merge), in one transaction.
	ReplaceBuckets(ctx context.Context, remove []BucketRecord, rollups []BucketRecord, merge func(stored, delta []byte) ([]byte, error)) error
}
