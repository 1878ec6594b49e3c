package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tocsin/tocsin/internal/store"
)

var _ store.Metrics = (*DB)(nil)

func (d *DB) LoadSeries(ctx context.Context) ([]store.SeriesRecord, error) {
	rows, err := d.db.QueryContext(ctx, qLoadSeries)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load series: %w", err)
	}
	defer rows.Close()
	var out []store.SeriesRecord
	for rows.Next() {
		var r store.SeriesRecord
		var key []byte
		if err := rows.Scan(&r.ID, &key, &r.Resolution, &r.FirstSeen); err != nil {
			return nil, fmt.Errorf("sqlite: load series: %w", err)
		}
		r.Key = string(key)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (d *DB) LastMetricCheckpoint(ctx context.Context) (uint64, bool, error) {
	var seg uint64
	err := d.db.QueryRowContext(ctx, qLastCheckpoint).Scan(&seg)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: last checkpoint: %w", err)
	}
	return seg, true, nil
}

func (d *DB) SaveMetricCheckpoint(ctx context.Context, cp store.MetricCheckpoint) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	defer tx.Rollback()
	if err := insertSeries(ctx, tx, cp.Series); err != nil {
		return err
	}
	if err := upsertBuckets(ctx, tx, cp.Full); err != nil {
		return err
	}
	if err := mergeBuckets(ctx, tx, cp.Deltas, cp.Merge); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qSaveCheckpoint, cp.ThroughSegment); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
}

func insertSeries(ctx context.Context, tx *sql.Tx, series []store.SeriesRecord) error {
	if len(series) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, qInsertSeries)
	if err != nil {
		return fmt.Errorf("sqlite: insert series: %w", err)
	}
	defer stmt.Close()
	for _, s := range series {
		if _, err := stmt.ExecContext(ctx, s.ID, []byte(s.Key), s.Resolution, s.FirstSeen); err != nil {
			return fmt.Errorf("sqlite: insert series: %w", err)
		}
	}
	return nil
}

func upsertBuckets(ctx context.Context, tx *sql.Tx, buckets []store.BucketRecord) error {
	if len(buckets) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, qUpsertBucket)
	if err != nil {
		return fmt.Errorf("sqlite: upsert buckets: %w", err)
	}
	defer stmt.Close()
	for _, b := range buckets {
		if _, err := stmt.ExecContext(ctx, b.SeriesID, b.Res, b.Start, b.Data); err != nil {
			return fmt.Errorf("sqlite: upsert buckets: %w", err)
		}
	}
	return nil
}

// mergeBuckets merges each delta into the stored bucket of its slot (or stores it).
func mergeBuckets(ctx context.Context, tx *sql.Tx, deltas []store.BucketRecord, merge func(stored, delta []byte) ([]byte, error)) error {
	if len(deltas) == 0 {
		return nil
	}
	if merge == nil {
		return errors.New("sqlite: merge buckets: no merge function")
	}
	read, err := tx.PrepareContext(ctx, qReadBucket)
	if err != nil {
		return fmt.Errorf("sqlite: merge buckets: %w", err)
	}
	defer read.Close()
	merged := make([]store.BucketRecord, 0, len(deltas))
	for _, b := range deltas {
		var stored []byte
		err := read.QueryRowContext(ctx, b.SeriesID, b.Res, b.Start).Scan(&stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			merged = append(merged, b)
			continue
		case err != nil:
			return fmt.Errorf("sqlite: merge buckets: %w", err)
		}
		data, err := merge(stored, b.Data)
		if err != nil {
			return fmt.Errorf("sqlite: merge buckets: %w", err)
		}
		b.Data = data
		merged = append(merged, b)
	}
	return upsertBuckets(ctx, tx, merged)
}

func (d *DB) LoadBuckets(ctx context.Context, res int, since int64) ([]store.BucketRecord, error) {
	return d.queryBuckets(ctx, qLoadBuckets, res, since)
}

func (d *DB) ReadBuckets(ctx context.Context, seriesID uint64, res, from, to int64) ([]store.BucketRecord, error) {
	return d.queryBuckets(ctx, qReadBuckets, seriesID, res, from, to)
}

func (d *DB) OldBuckets(ctx context.Context, res int, before int64, limit int) ([]store.BucketRecord, error) {
	return d.queryBuckets(ctx, qOldBuckets, res, before, limit)
}

func (d *DB) queryBuckets(ctx context.Context, q string, args ...any) ([]store.BucketRecord, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read buckets: %w", err)
	}
	defer rows.Close()
	var out []store.BucketRecord
	for rows.Next() {
		var b store.BucketRecord
		if err := rows.Scan(&b.SeriesID, &b.Res, &b.Start, &b.Data); err != nil {
			return nil, fmt.Errorf("sqlite: read buckets: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read buckets: %w", err)
	}
	return out, nil
}

func (d *DB) ReplaceBuckets(ctx context.Context, remove, rollups []store.BucketRecord, merge func(stored, delta []byte) ([]byte, error)) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: replace buckets: %w", err)
	}
	defer tx.Rollback()
	if len(remove) > 0 {
		stmt, err := tx.PrepareContext(ctx, qDeleteBucket)
		if err != nil {
			return fmt.Errorf("sqlite: replace buckets: %w", err)
		}
		defer stmt.Close()
		for _, b := range remove {
			if _, err := stmt.ExecContext(ctx, b.SeriesID, b.Res, b.Start); err != nil {
				return fmt.Errorf("sqlite: replace buckets: %w", err)
			}
		}
	}
	if err := mergeBuckets(ctx, tx, rollups, merge); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: replace buckets: %w", err)
	}
	return nil
}
