package server

import (
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
)

// webUI builds the web interface over the server's parts. It is mounted at /ui/ beside
// the JSON API (not in routeTable: that table is the API and its OpenAPI document).
func (s *Server) webUI() http.Handler {
	ui := web.New(web.Options{
		Authenticate: func(token string) (string, map[string][]string, bool, bool) {
			// The same check as the API's bearer tokens (constant-time, every token compared),
			// for a session's token on each request: not a guess, so not limited.
			p := s.principalFor(sha256.Sum256([]byte(token)))
			if p == nil {
				return "", nil, false, false
			}
			return p.Name, p.Scopes, p.Admin, true
		},
		SignIn: func(r *http.Request, token string) (*web.Principal, time.Duration) {
			p, wait, err := s.checkCredential(clientAddr(r), token)
			if err != nil {
				return nil, wait
			}
			return &web.Principal{Name: p.Name, Scopes: p.Scopes, Admin: p.Admin}, 0
		},
		Environments: func() []string { return s.cfg.get().envNames() },
		Alarms:       s.alarms,
		Store:        s.store,
		Notifier:     s.notifier,
		Metrics:      s.metricStore,
		ListMetrics:  s.metricStore.ListMetrics,
		Parity:       s.parity,
		LastReload: func() (store.ReloadRecord, bool) {
			rec := s.cfg.lastLoad.Load()
			if rec == nil {
				return store.ReloadRecord{}, false
			}
			return *rec, true
		},
		PublicURL:     func() string { return s.cfg.get().stack.Project.Server.PublicURL },
		AnonymousRead: s.cfg.get().stack.Project.Server.UI.AnonymousRead,
		Now:           s.opts.Now,
		Logger:        s.log.With("part", "ui"),
	})
	return s.metrics.instrument("/ui/", ui)
}

// parity compares the loaded stack with what the server applies in each environment:
// the report `tocsin parity --live` makes against this server (its code side being the
// stack as the server loaded it, not a working copy).
func (s *Server) parity() (*stack.Report, error) {
	cfg := s.cfg.get()
	rep := stack.Parity(cfg.stack)
	rep.Live = "this server"
	for _, env := range cfg.order {
		live, err := cfg.liveResources(env)
		if err != nil {
			return nil, err
		}
		rep.CompareLive(cfg.stack, env, live)
	}
	return rep, nil
}

// redirectToUI sends a browser opening the server's root to the UI.
func redirectToUI(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, web.Prefix+"/", http.StatusFound)
}
