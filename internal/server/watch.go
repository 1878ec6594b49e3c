package server

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/loop"
)

// watchLoop reloads the stack when its files change. It polls file names, sizes and
// modification times (cheap, works on every filesystem and container volume) and reloads
// when that fingerprint differs from the one of the last load, whatever triggered it.
// A change must hold for two polls in a row before it is loaded, so a file caught half
// written (an editor truncates, then writes) is never applied.
func (s *Server) watchLoop(interval time.Duration) loop.Loop {
	var pending uint64
	return loop.Loop{Name: "config-watch", Interval: interval, Cycle: func(ctx context.Context) error {
		fp, err := fingerprint(s.opts.ConfigDir)
		if err != nil {
			return err
		}
		if fp == s.loadedPrint.Load() {
			return nil
		}
		if fp != pending {
			pending = fp // settle first
			return nil
		}
		var re *ReloadError
		if err := s.reload(ctx, "file-change"); err != nil && !errors.As(err, &re) {
			return err
		}
		return nil
	}}
}

// fingerprint summarises the files below the stack directory (secret files kept there
// included; hidden directories skipped, as the loader skips them).
func fingerprint(dir string) (uint64, error) {
	h := fnv.New64a()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
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
