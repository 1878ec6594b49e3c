package server

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin/internal/ingest/statsd"
	"github.com/tocsin/tocsin/internal/metric"
)

// startStatsD starts the StatsD listeners of the stack's settings. They stop, flushing
// what they hold into the metric store, when ctx ends (statsdWG tracks them).
func (s *Server) startStatsD(ctx context.Context) error {
	cfg := s.cfg.get()
	for _, l := range cfg.stack.Project.Server.StatsD {
		if cfg.effective[l.Environment] == nil {
			s.log.Info("statsd listener not started: its environment is not served", "environment", l.Environment)
			continue
		}
		opts := statsd.Options{
			Env: l.Environment, Namespace: l.Namespace, Resolution: l.StorageResolution,
			Logger: s.log.With("part", "statsd", "environment", l.Environment), Now: s.opts.Now,
			Sink: s.statsdSink,
			OnLine: func(ok bool, reason string) {
				if !ok {
					s.metrics.rejected("statsd_" + reason)
				}
			},
		}
		if l.FlushInterval != nil {
			opts.FlushInterval = l.FlushInterval.Std()
		}
		if err := opts.Validate(); err != nil {
			return err
		}
		srv := statsd.New(opts)
		if l.UDP != "" {
			addr, err := srv.ListenUDP(ctx, l.UDP)
			if err != nil {
				return fmt.Errorf("statsd udp %s: %w", l.UDP, err)
			}
			s.log.Info("statsd listening", "udp", addr.String(), "environment", l.Environment)
		}
		if l.TCP != "" {
			addr, err := srv.ListenTCP(ctx, l.TCP)
			if err != nil {
				return fmt.Errorf("statsd tcp %s: %w", l.TCP, err)
			}
			s.log.Info("statsd listening", "tcp", addr.String(), "environment", l.Environment)
		}
		s.statsdWG.Add(1)
		go func() {
			defer s.statsdWG.Done()
			srv.Run(ctx)
		}()
	}
	return nil
}

// statsdSink stores a flush's datums; those that break the metric rules (a name too
// long for CloudWatch, say) are dropped and counted.
func (s *Server) statsdSink(ctx context.Context, datums []metric.Datum) error {
	now := s.opts.Now()
	valid := datums[:0]
	for i := range datums {
		if err := datums[i].Validate(now); err != nil {
			s.metrics.rejected("statsd_invalid_" + reasonOf(err.Field))
			continue
		}
		valid = append(valid, datums[i])
	}
	if err := s.metricStore.Ingest(context.WithoutCancel(ctx), valid); err != nil {
		return err
	}
	s.metrics.accepted("statsd", len(valid))
	return nil
}
