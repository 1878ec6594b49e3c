package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
)

// queryEnv reads the environment parameter and checks the caller may read it.
func (s *Server) queryEnv(r *http.Request) (string, error) {
	env := r.URL.Query().Get("environment")
	p := principalFrom(r.Context())
	if env == "" {
		var readable []string
		for e := range p.Scopes {
			if p.can(stack.ScopeRead, e) {
				readable = append(readable, e)
			}
		}
		if p.Admin || len(readable) != 1 {
			return "", badRequest("environment", "name the environment")
		}
		env = readable[0]
	}
	if s.cfg.get().effective[env] == nil {
		return "", notFound("environment %q is not served here", env)
	}
	if !p.can(stack.ScopeRead, env) {
		return "", forbidden("token %q may not read environment %q", p.Name, env)
	}
	return env, nil
}

// dimensionParams parses repeated dimension=Name=Value parameters (sorted by name).
func dimensionParams(q url.Values) ([]metric.Dim, error) {
	var dims []metric.Dim
	for _, raw := range q["dimension"] {
		name, value, ok := strings.Cut(raw, "=")
		if !ok || name == "" {
			return nil, badRequest("dimension", "write dimension=Name=Value (Value may be * or a glob), got %q", raw)
		}
		dims = append(dims, metric.Dim{Name: name, Value: value})
	}
	if len(dims) > metric.MaxDimensions {
		return nil, badRequest("dimension", "at most %d dimensions", metric.MaxDimensions)
	}
	metric.SortDims(dims)
	return dims, nil
}

// listMetrics is GET /api/v1/metrics (like ListMetrics).
func (s *Server) listMetrics(r *http.Request) (any, error) {
	env, err := s.queryEnv(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	dims, err := dimensionParams(q)
	if err != nil {
		return nil, err
	}
	limit := 500
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, badRequest("limit", "limit must be an integer from 1 to 10000, got %q", v)
		}
		limit = n
	}
	list, more := s.metricStore.ListMetrics(metricstore.MetricFilter{Env: env, Namespace: q.Get("namespace"), Name: q.Get("name"), Dims: dims}, limit)
	return map[string]any{"environment": env, "metrics": list, "truncated": more}, nil
}

// metricStatistics is GET /api/v1/metrics/statistics (like GetMetricStatistics).
func (s *Server) metricStatistics(r *http.Request) (any, error) {
	env, err := s.queryEnv(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	query := metricstore.Query{Env: env, Namespace: q.Get("namespace"), Name: q.Get("name"), Unit: metric.Unit(q.Get("unit"))}
	for _, f := range []struct{ name, v string }{{"namespace", query.Namespace}, {"name", query.Name}} {
		if f.v == "" {
			return nil, badRequest(f.name, "%s is required", f.name)
		}
	}
	if query.Unit != "" {
		if _, err := metric.ParseUnit(string(query.Unit)); err != nil {
			return nil, badRequest("unit", "%v", err)
		}
	}
	if query.Dims, err = dimensionParams(q); err != nil {
		return nil, err
	}
	now := s.opts.Now()
	if query.Start, err = timeParam(q, "start", now.Add(-time.Hour), now); err != nil {
		return nil, err
	}
	if query.End, err = timeParam(q, "end", now, now); err != nil {
		return nil, err
	}
	if query.Period, err = periodParam(q.Get("period")); err != nil {
		return nil, err
	}
	var names []string
	for _, v := range q["statistics"] {
		names = append(names, strings.Split(v, ",")...)
	}
	if len(names) == 0 {
		return nil, badRequest("statistics", "name at least one statistic, e.g. statistics=Sum,p99")
	}
	if len(names) > 10 {
		return nil, badRequest("statistics", "at most 10 statistics per query")
	}
	for _, n := range names {
		st, err := metric.ParseStatistic(strings.TrimSpace(n))
		if err != nil {
			return nil, badRequest("statistics", "%v", err)
		}
		query.Statistics = append(query.Statistics, st)
	}
	res, err := s.metricStore.Statistics(r.Context(), query)
	var qe *metricstore.QueryError
	if asQueryError(err, &qe) {
		return nil, badRequest(qe.Field, "%s", qe.Message)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"environment": env, "namespace": query.Namespace, "name": query.Name,
		"period": int(query.Period / time.Second), "results": res}, nil
}

func asQueryError(err error, target **metricstore.QueryError) bool {
	qe, ok := err.(*metricstore.QueryError)
	*target = qe
	return ok
}

// timeParam reads an RFC 3339 time or Unix seconds.
func timeParam(q url.Values, name string, def, now time.Time) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1e11 {
		return time.Unix(0, int64(f*1e9)).UTC(), nil
	}
	return time.Time{}, badRequest(name, "%s must be an RFC 3339 time or Unix seconds, got %q", name, v)
}

// periodParam reads a period as seconds ("300") or a duration ("5m").
func periodParam(v string) (time.Duration, error) {
	if v == "" {
		return time.Minute, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	if d, err := stack.ParseDuration(v); err == nil && d > 0 {
		return d.Std(), nil
	}
	return 0, badRequest("period", "period must be seconds or a duration such as 5m, got %q", v)
}
