package server

import (
	"context"
	"path/filepath"
	"time"

	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// openMetrics opens the metric store: its own SQLite file (so long checkpoints never
// block the configuration state) and write-ahead log in the data directory.
func (s *Server) openMetrics(ctx context.Context, set stack.Settings) error {
	db, err := sqlite.Open(ctx, filepath.Join(s.opts.DataDir, "metrics.db"))
	if err != nil {
		return err
	}
	ret := set.Metrics.Retention.Durations()
	hot := stack.DefaultHotWindow
	if set.Metrics.HotWindow != nil {
		hot = set.Metrics.HotWindow.Std()
	}
	ms, err := metricstore.Open(ctx, metricstore.Options{
		Dir: filepath.Join(s.opts.DataDir, "wal"), Backend: db, HotWindow: hot,
		Retention: metricstore.Retention{HighRes: ret[0], Minute: ret[1], FiveMin: ret[2], Hour: ret[3]},
		Now:       s.opts.Now, Logger: s.log.With("part", "metricstore"),
	})
	if err != nil {
		db.Close()
		return err
	}
	s.metricDB, s.metricStore = db, ms
	return nil
}

// metricLoops checkpoint the metric store and roll its buckets up.
func (s *Server) metricLoops(set stack.Settings) []loop.Loop {
	every := stack.DefaultCheckpointInterval
	if set.Metrics.CheckpointInterval != nil {
		every = set.Metrics.CheckpointInterval.Std()
	}
	return []loop.Loop{
		{Name: "metrics-checkpoint", Interval: every, Cycle: s.metricStore.Checkpoint},
		{Name: "metrics-compact", Interval: 5 * time.Minute, Cycle: s.metricStore.Compact},
	}
}

// closeMetrics checkpoints and closes the metric store.
func (s *Server) closeMetrics() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.metricStore.Close(ctx)
	if cerr := s.metricDB.Close(); err == nil {
		err = cerr
	}
	return err
}
