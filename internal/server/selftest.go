package server

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
)

// selfTestEnv holds /test's own data; it cannot collide with a stack environment, whose
// names start with a letter.
const selfTestEnv = "_selftest"

// testIngestQuery pushes a datum through the metric store (durably) and reads it back.
func (s *Server) testIngestQuery(ctx context.Context) smokeTest {
	t := smokeTest{Name: "ingest_query", Description: "ingest a datum durably and read it back through a statistics query"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	now := s.opts.Now().UTC()
	v := float64(now.UnixNano() % 1e12)
	key := metric.SeriesKey{Env: selfTestEnv, Namespace: "Tocsin/SelfTest", Name: "RoundTrip", Unit: "None"}
	if err := s.metricStore.Ingest(ctx, []metric.Datum{{Key: key, Time: now, Resolution: 1, Value: v, HasValue: true}}); err != nil {
		t.Error = "ingest: " + err.Error()
		return t
	}
	maxStat, _ := metric.ParseStatistic("Maximum")
	res, err := s.metricStore.Statistics(ctx, metricstore.Query{Env: selfTestEnv, Namespace: key.Namespace, Name: key.Name,
		Start: now.Truncate(time.Second), End: now.Truncate(time.Second).Add(time.Second), Period: time.Second, Statistics: []metric.Statistic{maxStat}})
	switch {
	case err != nil:
		t.Error = "query: " + err.Error()
	case len(res) != 1 || len(res[0].Datapoints) != 1:
		t.Error = "query: the datum is not there"
	case res[0].Datapoints[0].Values["Maximum"] < v:
		t.Error = fmt.Sprintf("query: read back %v, wrote %v", res[0].Datapoints[0].Values["Maximum"], v)
	default:
		t.Success = true
	}
	return t
}
