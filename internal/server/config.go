package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/channel"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// config is one applied configuration: the stack as loaded, and each served
// environment's effective resources (the stack plus runtime changes made through the API).
// It is immutable; changes swap in a new one atomically.
type config struct {
	stack     *stack.Stack
	effective map[string]*stack.Env
	origins   map[string]map[stack.Key]string // env → resource → "stack" or "api"
	order     []string
	rules     *rules.Set    // the effective event rules, compiled
	notify    *notify.Setup // topics with their channels, escalation policies, windows
}

func (c *config) envNames() []string { return c.order }

// envs returns the effective environments in order.
func (c *config) envs() []*stack.Env {
	out := make([]*stack.Env, 0, len(c.order))
	for _, name := range c.order {
		out = append(out, c.effective[name])
	}
	return out
}

type configHolder struct {
	cur      atomic.Pointer[config]
	lastLoad atomic.Pointer[store.ReloadRecord]
}

func (h *configHolder) get() *config { return h.cur.Load() }

// ReloadError is returned by Reload when the stack is invalid; the previous
// configuration keeps running.
type ReloadError struct{ Diagnostics stack.Diagnostics }

func (e *ReloadError) Error() string {
	return fmt.Sprintf("the stack has %d error(s); the previous configuration keeps running", len(e.Diagnostics.Errors()))
}

// Reload loads the stack again and applies it atomically if it is valid; when it is not,
// the previous configuration keeps running and a *ReloadError lists every problem.
func (s *Server) Reload() error { return s.ReloadFrom("manual") }

// ReloadFrom is Reload with the trigger recorded in the reload history ("signal", …).
// SIGHUP, a file change and POST /api/v1/reload all end here.
func (s *Server) ReloadFrom(trigger string) error { return s.reload(context.Background(), trigger) }

func (s *Server) reload(ctx context.Context, trigger string) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if fp, err := fingerprint(s.opts.ConfigDir); err == nil {
		s.loadedPrint.Store(fp)
	}
	st, diags := stack.Load(s.opts.ConfigDir, stack.Options{LookupEnv: s.opts.LookupEnv, Envs: s.opts.Envs})
	rec := store.ReloadRecord{At: s.opts.Now().UTC(), Trigger: trigger, OK: !diags.HasErrors(), Checksum: st.Checksum}
	rec.Errors = diags.Errors().Strings()
	if id, err := s.store.RecordReload(ctx, rec); err == nil {
		rec.ID = id
	} else {
		s.log.Error("recording reload", "err", err)
	}
	s.cfg.lastLoad.Store(&rec)
	s.metrics.reload(rec)
	for _, w := range diags.Warnings() {
		s.log.Warn("stack warning", "problem", w.String())
	}
	if diags.HasErrors() {
		s.publishReload(rec)
		if trigger != "startup" { // at startup the caller prints them and stops
			for _, d := range diags.Errors() {
				s.log.Error("stack error; the previous configuration keeps running", "problem", d.String(), "trigger", trigger)
			}
		}
		return &ReloadError{Diagnostics: diags}
	}
	cfg, err := s.compose(ctx, st)
	if err != nil {
		return err
	}
	s.cfg.cur.Store(cfg)
	if s.notifier != nil {
		s.notifier.Reconfigure()
	}
	if err := s.configureAlarms(ctx); err != nil {
		return err
	}
	s.publishReload(rec)
	s.log.Info("configuration applied", "trigger", trigger, "checksum", st.Checksum[:12])
	return nil
}

// compose builds the effective configuration: each environment of the stack with the
// runtime resources of the store layered over it.
func (s *Server) compose(ctx context.Context, st *stack.Stack) (*config, error) {
	cfg := &config{stack: st, effective: map[string]*stack.Env{}, origins: map[string]map[stack.Key]string{}}
	for _, env := range st.Envs {
		records, err := s.store.ListRuntimeResources(ctx, env.Name)
		if err != nil {
			return nil, fmt.Errorf("runtime resources of %s: %w", env.Name, err)
		}
		origins := map[stack.Key]string{}
		for _, en := range env.Entries {
			origins[stack.Key{Kind: en.Kind.Name, Name: en.Name}] = "stack"
		}
		bodies := map[stack.Key][]byte{}
		var deleted []stack.Key
		for _, r := range records {
			k := stack.Key{Kind: r.Kind, Name: r.Name}
			if r.Deleted {
				deleted = append(deleted, k)
				delete(origins, k)
			} else {
				bodies[k] = r.Body
			}
		}
		effective, problems := stack.ApplyRuntime(env, bodies, deleted)
		for _, p := range problems {
			// The stack changed under a runtime resource (e.g. removed a topic it names).
			s.log.Warn("runtime resource no longer valid; ignored", "environment", env.Name, "problem", p.String())
		}
		for k := range bodies {
			if effective.Get(k.Kind, k.Name) != nil {
				origins[k] = "api"
			}
		}
		cfg.effective[env.Name] = effective
		cfg.origins[env.Name] = origins
		cfg.order = append(cfg.order, env.Name)
	}
	var err error
	if cfg.rules, err = rules.Build(cfg.envs()); err != nil {
		return nil, err
	}
	set := st.Project.Server
	if cfg.notify, err = notify.Build(cfg.envs(), set.Notifications, set.PublicURL, channel.Factories(), s.opts.Now); err != nil {
		return nil, err
	}
	return cfg, nil
}

// liveResources lists an environment's effective resources in canonical form.
func (c *config) liveResources(env string) ([]stack.LiveResource, error) {
	e := c.effective[env]
	out := make([]stack.LiveResource, 0, len(e.Entries))
	for _, en := range e.Entries {
		m, err := stack.Canonical(en.Resource)
		if err != nil {
			return nil, err
		}
		out = append(out, stack.LiveResource{Kind: en.Kind.Name, Name: en.Name, Origin: c.origins[env][stack.Key{Kind: en.Kind.Name, Name: en.Name}], Resource: m})
	}
	return out, nil
}

// putRuntime validates and stores a resource created or changed through the API, then
// applies it.
func (s *Server) putRuntime(ctx context.Context, env string, kind *stack.Kind, name string, body []byte, by string) (*stack.Entry, stack.Diagnostics, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	cfg := s.cfg.get()
	en, diags := stack.DecodeRuntime(cfg.effective[env], kind, name, body)
	if diags.HasErrors() {
		return nil, diags, nil
	}
	compact, err := compactJSON(body)
	if err != nil {
		return nil, nil, err
	}
	rec := store.RuntimeResource{Environment: env, Kind: kind.Name, Name: name, Body: compact, UpdatedAt: s.opts.Now().UTC(), UpdatedBy: by}
	if err := s.store.PutRuntimeResource(ctx, rec); err != nil {
		return nil, nil, err
	}
	return en, diags, s.recompose(ctx)
}

// deleteRuntime removes a resource at runtime (a tombstone over the stack's, or the
// removal of one created through the API). It reports whether the resource existed.
func (s *Server) deleteRuntime(ctx context.Context, env string, kind *stack.Kind, name, by string) (bool, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	cfg := s.cfg.get()
	if cfg.effective[env].Get(kind.Name, name) == nil {
		return false, nil
	}
	if diags := stack.CheckReferences(cfg.effective[env].WithRuntime(nil, []stack.Key{{Kind: kind.Name, Name: name}})); diags.HasErrors() {
		return false, &apiError{Status: http.StatusConflict, Code: "in_use", Message: fmt.Sprintf("%s %q is still referenced: %s", kind.Singular, name, diags.Errors()[0].Path), Details: diags.Errors().Strings()}
	}
	var err error
	if cfg.stack.Env(env).Get(kind.Name, name) != nil {
		err = s.store.PutRuntimeResource(ctx, store.RuntimeResource{Environment: env, Kind: kind.Name, Name: name, Deleted: true, UpdatedAt: s.opts.Now().UTC(), UpdatedBy: by})
	} else {
		err = s.store.RemoveRuntimeResource(ctx, env, kind.Name, name)
	}
	if err != nil {
		return false, err
	}
	return true, s.recompose(ctx)
}

// revertRuntime forgets the runtime change of a resource: the stack's definition applies again.
func (s *Server) revertRuntime(ctx context.Context, env string, kind *stack.Kind, name string) (bool, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	err := s.store.RemoveRuntimeResource(ctx, env, kind.Name, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.recompose(ctx)
}

// recompose rebuilds the effective configuration from the current stack (reloadMu held).
func (s *Server) recompose(ctx context.Context) error {
	cfg, err := s.compose(ctx, s.cfg.get().stack)
	if err != nil {
		return err
	}
	s.cfg.cur.Store(cfg)
	return s.configureAlarms(ctx)
}

func compactJSON(body []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
