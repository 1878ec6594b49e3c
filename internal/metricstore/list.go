package metricstore

import (
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// MetricFilter selects series for ListMetrics; empty fields match everything.
type MetricFilter struct {
	Env, Namespace, Name string
	// Dims: each named dimension must be present; a value of "" or "*" matches any value,
	// other values are globs.
	Dims []metric.Dim
}

// SeriesInfo describes one series.
type SeriesInfo struct {
	Namespace  string       `json:"namespace"`
	Name       string       `json:"name"`
	Dimensions []metric.Dim `json:"dimensions"`
	Unit       metric.Unit  `json:"unit"`
	Resolution int          `json:"storage_resolution"`
	FirstSeen  time.Time    `json:"first_seen"`
}

// ListMetrics returns the series matching f, sorted, at most limit of them, and whether
// more exist.
func (s *Store) ListMetrics(f MetricFilter, limit int) ([]SeriesInfo, bool) {
	s.mu.RLock()
	var candidates []*series
	if f.Namespace != "" && f.Name != "" {
		candidates = append(candidates, s.byMetric[metricKey(f.Env, f.Namespace, f.Name)]...)
	} else {
		for _, sr := range s.byID {
			if sr != nil && sr.key.Env == f.Env && (f.Namespace == "" || sr.key.Namespace == f.Namespace) && (f.Name == "" || sr.key.Name == f.Name) {
				candidates = append(candidates, sr)
			}
		}
	}
	var out []*series
	for _, sr := range candidates {
		if hasDims(sr.key.Dims, f.Dims) {
			out = append(out, sr)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].keyStr < out[j].keyStr })
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	infos := make([]SeriesInfo, len(out))
	for i, sr := range out {
		infos[i] = SeriesInfo{Namespace: sr.key.Namespace, Name: sr.key.Name, Dimensions: sr.key.Dims, Unit: sr.key.Unit, Resolution: sr.res, FirstSeen: time.Unix(sr.first, 0).UTC()}
		if infos[i].Dimensions == nil {
			infos[i].Dimensions = []metric.Dim{}
		}
	}
	return infos, more
}

func hasDims(dims, want []metric.Dim) bool {
	for _, w := range want {
		found := false
		for _, d := range dims {
			if d.Name == w.Name && (w.Value == "" || w.Value == "*" || globMatch(w.Value, d.Value)) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func globMatch(pattern, s string) bool { return metric.MatchGlob(pattern, s) }
