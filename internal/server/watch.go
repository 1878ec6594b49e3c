package server

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/tocsin/tocsin/internal/loop"
)

// watchLoop reloads the stack when its files change. It polls file names, sizes and
// modification times (cheap, works on every filesystem and container volume) and reloads
// only when that fingerprint changes.
func (s *Server) watchLoop(interval time.Duration) loop.Loop {
	last, _ := fingerprint(s.opts.ConfigDir)
	return loop.Loop{Name: "config-watch", Interval: interval, Cycle: func(ctx context.Context) error {
		fp, err := fingerprint(s.opts.ConfigDir)
		if err != nil {
			return err
		}
		if fp == last {
			return nil
		}
		last = fp
		var re *ReloadError
		if err := s.reload(ctx, "file-change"); err != nil && !errors.As(err, &re) {
			return err
		}
		return nil
	}}
}

// fingerprint summarises the stack directory's YAML files.
func fingerprint(dir string) (uint64, error) {
	h := fnv.New64a()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return h.Sum64(), err
}
