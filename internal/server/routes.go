package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/web"
)

// access is what a route requires of the caller.
type access int

const (
	public    access = iota // no token (health checks, metrics)
	anyToken                // any valid token
	admin                   // the admin token
	envScoped               // a token of the {env} in the path with the route's scope, or the admin
)

// route is one HTTP endpoint. The table below is the single list of endpoints: the mux,
// the auth checks and the OpenAPI golden test all read it.
type route struct {
	pattern string // Go 1.22 pattern: "METHOD /path"
	access  access
	scope   string // for envScoped
	handler func(s *Server) http.Handler
}

func (s *Server) routeTable() []route {
	j := func(f func(*Server, *http.Request) (any, error)) func(s *Server) http.Handler {
		return func(s *Server) http.Handler {
			return s.serveJSON(func(r *http.Request) (any, error) { return f(s, r) })
		}
	}
	return []route{
		{"GET /health", public, "", func(s *Server) http.Handler { return http.HandlerFunc(s.handleHealth) }},
		{"GET /test", public, "", func(s *Server) http.Handler { return http.HandlerFunc(s.handleTest) }},
		{"GET /metrics", public, "", func(s *Server) http.Handler { return s.metrics.handler() }},
		{"GET /api/v1/whoami", anyToken, "", j((*Server).whoami)},
		{"POST /api/v1/reload", admin, "", j((*Server).postReload)},
		{"POST /api/v1/metrics", anyToken, "", j((*Server).postMetrics)},
		{"GET /api/v1/metrics", anyToken, "", j((*Server).listMetrics)},
		{"GET /api/v1/metrics/statistics", anyToken, "", j((*Server).metricStatistics)},
		{"GET /api/v1/reloads", admin, "", j((*Server).listReloads)},
		{"GET /api/v1/environments", anyToken, "", j((*Server).listEnvironments)},
		{"GET /api/v1/environments/{env}/resources", envScoped, "read", j((*Server).listResources)},
		{"GET /api/v1/environments/{env}/resources/{kind}", envScoped, "read", j((*Server).listResources)},
		{"GET /api/v1/environments/{env}/resources/{kind}/{name}", envScoped, "read", j((*Server).getResource)},
		{"PUT /api/v1/environments/{env}/resources/{kind}/{name}", envScoped, "write", j((*Server).putResource)},
		{"DELETE /api/v1/environments/{env}/resources/{kind}/{name}", envScoped, "write", j((*Server).deleteResource)},
		{"DELETE /api/v1/environments/{env}/runtime/{kind}/{name}", envScoped, "write", j((*Server).revertResource)},
		{"GET /api/v1/environments/{env}/alarms", envScoped, "read", j((*Server).listAlarms)},
		{"GET /api/v1/environments/{env}/alarms/{name}", envScoped, "read", j((*Server).getAlarm)},
		{"GET /api/v1/environments/{env}/alarms/{name}/history", envScoped, "read", j((*Server).alarmHistory)},
		{"POST /api/v1/environments/{env}/alarms/{name}/state", envScoped, "write", j((*Server).setAlarmState)},
		{"POST /api/v1/events", anyToken, "", j((*Server).postEvents)},
		{"GET /api/v1/events", anyToken, "", j((*Server).listEventsByQuery)},
		{"GET /api/v1/environments/{env}/events", envScoped, "read", j((*Server).listEvents)},
		{"GET /api/v1/environments/{env}/events/{id}", envScoped, "read", j((*Server).getEvent)},
		{"GET /api/v1/environments/{env}/annotations", envScoped, "read", j((*Server).listAnnotations)},
		{"POST /api/v1/environments/{env}/annotations", envScoped, "write", j((*Server).postAnnotation)},
		{"GET /api/v1/environments/{env}/dead-letters", envScoped, "read", j((*Server).listDeadLetters)},
		{"POST /api/v1/environments/{env}/dead-letters/{id}/replay", envScoped, "write", j((*Server).replayDeadLetter)},
		{"DELETE /api/v1/environments/{env}/dead-letters/{id}", envScoped, "write", j((*Server).deleteDeadLetter)},
		{"POST /api/v1/environments/{env}/backtest", envScoped, "read", j((*Server).backtestAlarm)},
		{"GET /api/v1/environments/{env}/notifications", envScoped, "read", j((*Server).listNotifications)},
		{"GET /api/v1/environments/{env}/notifications/{id}", envScoped, "read", j((*Server).getNotification)},
		{"POST /api/v1/environments/{env}/notifications/{id}/replay", envScoped, "write", j((*Server).replayNotification)},
		{"POST /api/v1/environments/{env}/topics/{topic}/test", envScoped, "write", j((*Server).testTopic)},
		{"GET /api/v1/environments/{env}/incidents", envScoped, "read", j((*Server).listIncidents)},
		{"GET /api/v1/environments/{env}/incidents/{id}", envScoped, "read", j((*Server).getIncident)},
		{"POST /api/v1/environments/{env}/incidents/{id}/ack", envScoped, "write", j((*Server).ackIncident)},
		{"POST /api/v1/environments/{env}/incidents/{id}/resolve", envScoped, "write", j((*Server).resolveIncident)},
		{"GET /api/v1/environments/{env}/silences", envScoped, "read", j((*Server).listSilences)},
		{"POST /api/v1/environments/{env}/silences", envScoped, "write", j((*Server).postSilence)},
		{"DELETE /api/v1/environments/{env}/silences/{id}", envScoped, "write", j((*Server).expireSilence)},
		{"GET /ack", public, "", func(s *Server) http.Handler { return http.HandlerFunc(s.ackPage) }},
		{"POST /ack", public, "", func(s *Server) http.Handler { return http.HandlerFunc(s.ackLink) }},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, s.metrics.instrument(rt.pattern, s.guard(rt, rt.handler(s))))
	}
	mux.Handle(web.Prefix+"/", s.webUI()) // the UI: pages, not API routes
	mux.HandleFunc("GET /{$}", redirectToUI)
	mux.Handle("/", s.serveJSON(func(r *http.Request) (any, error) {
		return nil, notFound("no such endpoint: %s %s", r.Method, r.URL.Path)
	}))
	return mux
}

// guard enforces a route's access rule before its handler runs.
func (s *Server) guard(rt route, next http.Handler) http.Handler {
	if rt.access == public {
		return next
	}
	deny := func(w http.ResponseWriter, r *http.Request, err error) {
		s.serveJSON(func(*http.Request) (any, error) { return nil, err }).ServeHTTP(w, r)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, wait, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tocsin"`)
			if wait > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
			}
			deny(w, r, err)
			return
		}
		switch rt.access {
		case admin:
			if !p.Admin {
				deny(w, r, forbidden("this endpoint needs the admin token"))
				return
			}
		case envScoped:
			env := r.PathValue("env")
			if s.cfg.get().effective[env] == nil {
				deny(w, r, notFound("environment %q is not served here", env))
				return
			}
			if !p.can(rt.scope, env) {
				deny(w, r, forbidden("token %q may not %s in environment %q", p.Name, rt.scope, env))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}
