package metricstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// Query asks for statistics of one metric over [Start, End) in periods (GetMetricStatistics).
type Query struct {
	Env, Namespace, Name string
	// Dims must name exactly the series' dimensions; a value may be "*" or a glob, which
	// returns one result per matching dimension set.
	Dims []metric.Dim
	// Unit filters by unit; "" merges every unit (spec A1).
	Unit       metric.Unit
	Start, End time.Time
	Period     time.Duration
	Statistics []metric.Statistic
}

// Datapoint is the statistics of one period, stamped with the period's start.
type Datapoint struct {
	Timestamp time.Time          `json:"timestamp"`
	Values    map[string]float64 `json:"values"`
	Unit      metric.Unit        `json:"unit,omitempty"`
}

// Result is one series' datapoints (one per period with data), in time order.
type Result struct {
	Dims       []metric.Dim `json:"dimensions"`
	Datapoints []Datapoint  `json:"datapoints"`
}

// MaxDatapoints bounds the periods one query may return (spec A7).
const MaxDatapoints = 1440

// QueryError is a query the store refuses (a 400 for the API), naming the parameter.
type QueryError struct{ Field, Message string }

func (e *QueryError) Error() string { return e.Field + ": " + e.Message }

// tiers are the stored resolutions, finest first.
var tiers = []int64{1, 60, 300, 3600}

// plan checks the query against spec A7 and rounds its start.
func (s *Store) plan(q *Query) (start, end int64, period int64, err error) {
	period = int64(q.Period / time.Second)
	if q.Period%time.Second != 0 || period <= 0 {
		return 0, 0, 0, &QueryError{"period", "must be a whole number of seconds"}
	}
	switch period {
	case 1, 5, 10, 20, 30:
	default:
		if period%60 != 0 {
			return 0, 0, 0, &QueryError{"period", "must be 1, 5, 10, 20, 30 or a multiple of 60 seconds"}
		}
	}
	if !q.End.After(q.Start) {
		return 0, 0, 0, &QueryError{"end", "must be after start"}
	}
	age := s.opts.Now().Sub(q.Start)
	round := int64(60)
	switch {
	case age > 63*24*time.Hour:
		round = 3600
	case age > 15*24*time.Hour:
		round = 300
	case period < 60:
		round = period
	}
	switch {
	case age > 3*time.Hour && period%60 != 0:
		return 0, 0, 0, &QueryError{"period", "data older than 3 hours has 60-second resolution: use a multiple of 60"}
	case period%round != 0:
		return 0, 0, 0, &QueryError{"period", fmt.Sprintf("data of this age has %d-second resolution: use a multiple of %d", round, round)}
	}
	start = floorTo(q.Start.Unix(), round)
	end = q.End.Unix()
	if n := (end - start + period - 1) / period; n > MaxDatapoints {
		return 0, 0, 0, &QueryError{"period", fmt.Sprintf("the query spans %d periods; at most %d are returned (use a longer period or a shorter range)", n, MaxDatapoints)}
	}
	return start, end, period, nil
}

// Statistics answers a query. Series whose dimensions match are returned separately;
// with Unit empty, series differing only by unit are merged.
func (s *Store) Statistics(ctx context.Context, q Query) ([]Result, error) {
	start, end, period, err := s.plan(&q)
	if err != nil {
		return nil, err
	}
	groups := s.match(&q)
	out := make([]Result, 0, len(groups))
	for _, g := range groups {
		periods := map[int64]*metric.Bucket{}
		for _, sr := range g.series {
			if err := s.collect(ctx, sr, start, end, period, periods); err != nil {
				return nil, err
			}
		}
		res := Result{Dims: g.dims, Datapoints: []Datapoint{}}
		if res.Dims == nil {
			res.Dims = []metric.Dim{}
		}
		keys := make([]int64, 0, len(periods))
		for k := range periods {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			b := periods[k]
			dp := Datapoint{Timestamp: time.Unix(k, 0).UTC(), Values: map[string]float64{}, Unit: q.Unit}
			for _, st := range q.Statistics {
				if v, ok := b.Statistic(st); ok {
					dp.Values[st.String()] = v
				}
			}
			res.Datapoints = append(res.Datapoints, dp)
		}
		out = append(out, res)
	}
	return out, nil
}

type group struct {
	dims   []metric.Dim
	series []*series
}

// match finds the series of the query, grouped by dimension set (series that differ only
// by unit share a group).
func (s *Store) match(q *Query) []group {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var groups []group
	index := map[string]int{}
	var key []byte
	for _, sr := range s.byMetric[metricKey(q.Env, q.Namespace, q.Name)] {
		if (q.Unit != "" && sr.key.Unit != q.Unit) || !dimsMatch(q.Dims, sr.key.Dims) {
			continue
		}
		key = key[:0]
		for _, d := range sr.key.Dims {
			key = append(append(append(append(key, d.Name...), 1), d.Value...), 0)
		}
		if i, ok := index[string(key)]; ok {
			groups[i].series = append(groups[i].series, sr)
			continue
		}
		index[string(key)] = len(groups)
		groups = append(groups, group{dims: sr.key.Dims, series: []*series{sr}})
	}
	sort.Slice(groups, func(i, j int) bool { return dimsLess(groups[i].dims, groups[j].dims) })
	return groups
}

// collect merges a series' buckets in [start, end) into periods, from the store and from
// memory (authoritative for hot slots; delta slots add to what is stored).
func (s *Store) collect(ctx context.Context, sr *series, start, end, period int64, periods map[int64]*metric.Bucket) error {
	add := func(slotStart int64, b *metric.Bucket) {
		k := start + floorTo(slotStart-start, period)
		p := periods[k]
		if p == nil {
			p = &metric.Bucket{}
			periods[k] = p
		}
		p.Merge(b)
	}
	var stored []store.BucketRecord
	for _, t := range tiers {
		if t < int64(sr.res) {
			continue
		}
		recs, err := s.opts.Backend.ReadBuckets(ctx, sr.id, t, floorTo(start, t), end)
		if err != nil {
			return err
		}
		stored = append(stored, recs...)
	}
	s.mu.RLock()
	hot := map[int64]bool{}
	for i := range sr.slots {
		sl := &sr.slots[i]
		if sl.at() < start || sl.at() >= end {
			continue
		}
		if !sl.delta {
			hot[sl.at()] = true
		}
		if !sl.b.Empty() {
			add(sl.at(), &sl.b) // Merge copies; the slot is not kept
		}
	}
	s.mu.RUnlock()
	for _, rec := range stored {
		if rec.Start < start || (rec.Res == sr.res && hot[rec.Start]) {
			// Before the (rounded) start: coarser buckets begin earlier than the query.
			continue // memory holds the whole slot
		}
		var b metric.Bucket
		if _, err := b.UnmarshalBinary(rec.Data); err != nil {
			return fmt.Errorf("metricstore: bucket %d/%d: %w", rec.SeriesID, rec.Start, err)
		}
		add(rec.Start, &b)
	}
	return nil
}

func dimsMatch(pattern, dims []metric.Dim) bool {
	if len(pattern) != len(dims) {
		return false
	}
	for i := range pattern {
		if pattern[i].Name != dims[i].Name {
			return false
		}
		if !metric.MatchGlob(pattern[i].Value, dims[i].Value) {
			return false
		}
	}
	return true
}

func dimsLess(a, b []metric.Dim) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i].Name != b[i].Name {
				return a[i].Name < b[i].Name
			}
			return a[i].Value < b[i].Value
		}
	}
	return len(a) < len(b)
}
