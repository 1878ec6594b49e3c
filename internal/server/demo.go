package server

import (
	"context"
	"time"

	"github.com/tocsin/tocsin/internal/demo"
	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/loop"
)

// demoLoops runs the quickstart's demo feed when server.demo names a served environment.
func (s *Server) demoLoops() []loop.Loop {
	d := s.cfg.get().stack.Project.Server.Demo
	if d == nil || s.cfg.get().effective[d.Environment] == nil {
		return nil
	}
	feed := &demo.Feed{Env: d.Environment, Start: s.opts.Now().UTC(), Ingest: s.metricStore.Ingest,
		Deploy: func(env, app, version string, at time.Time) {
			ev, err := event.New(env, "demo.shop", "Deployment", at, nil, map[string]string{"app": app, "version": version, "state": "SUCCESS"})
			if err == nil {
				s.bus.Publish(ev)
			}
		}}
	s.log.Info("demo feed on: synthetic traffic in " + d.Environment + " (server.demo)")
	return []loop.Loop{{Name: "demo-feed", Interval: 5 * time.Second, Cycle: func(ctx context.Context) error {
		return feed.Tick(ctx, s.opts.Now())
	}}}
}
