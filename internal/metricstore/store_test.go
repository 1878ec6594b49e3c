package metricstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

type fixture struct {
	t    *testing.T
	dir  string
	now  time.Time
	st   *Store
	dbs  []*sqlite.DB
	opts Options
}

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, dir: t.TempDir(), now: t0}
	t.Cleanup(func() {
		for _, db := range f.dbs {
			db.Close()
		}
	})
	f.open()
	return f
}

// open opens the store on the fixture's files, as a restarted process would.
func (f *fixture) open() {
	f.t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(f.dir, "metrics.db"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.dbs = append(f.dbs, db)
	st, err := Open(context.Background(), Options{Dir: filepath.Join(f.dir, "wal"), Backend: db, Now: func() time.Time { return f.now }})
	if err != nil {
		f.t.Fatal(err)
	}
	f.st = st
}

func key(host string) metric.SeriesKey {
	return metric.SeriesKey{Env: "production", Namespace: "App", Name: "Latency", Unit: metric.Unit("Milliseconds"), Dims: []metric.Dim{{Name: "Host", Value: host}}}
}

func (f *fixture) ingest(host string, at time.Time, values ...float64) {
	f.t.Helper()
	ds := make([]metric.Datum, len(values))
	for i, v := range values {
		ds[i] = metric.Datum{Key: key(host), Time: at, Resolution: 60, Value: v, HasValue: true}
	}
	if err := f.st.Ingest(context.Background(), ds); err != nil {
		f.t.Fatal(err)
	}
}

func stats(t *testing.T, names ...string) []metric.Statistic {
	var out []metric.Statistic
	for _, n := range names {
		s, err := metric.ParseStatistic(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// query returns host's datapoints as period start → statistic → value.
func (f *fixture) query(host string, start, end time.Time, period time.Duration, names ...string) map[time.Time]map[string]float64 {
	f.t.Helper()
	res, err := f.st.Statistics(context.Background(), Query{Env: "production", Namespace: "App", Name: "Latency",
		Dims: []metric.Dim{{Name: "Host", Value: host}}, Start: start, End: end, Period: period, Statistics: stats(f.t, names...)})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[time.Time]map[string]float64{}
	for _, r := range res {
		for _, dp := range r.Datapoints {
			out[dp.Timestamp] = dp.Values
		}
	}
	return out
}

func TestStatisticsOfHandComputedData(t *testing.T) {
	f := newFixture(t)
	f.ingest("a", t0.Add(-10*time.Minute+5*time.Second), 1, 2, 3, 4)
	f.ingest("a", t0.Add(-10*time.Minute+50*time.Second), 10)
	f.ingest("a", t0.Add(-9*time.Minute), 100)
	got := f.query("a", t0.Add(-10*time.Minute), t0, time.Minute, "Sum", "Average", "Minimum", "Maximum", "SampleCount", "p50")
	first := got[t0.Add(-10*time.Minute)]
	want := map[string]float64{"Sum": 20, "Average": 4, "Minimum": 1, "Maximum": 10, "SampleCount": 5, "p50": 3}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s: got %v, want %v (all: %v)", k, first[k], v, first)
		}
	}
	if got[t0.Add(-9*time.Minute)]["Sum"] != 100 || len(got) != 2 {
		t.Errorf("second minute / periods: %v", got)
	}
	// A 5-minute period merges both minutes.
	five := f.query("a", t0.Add(-10*time.Minute), t0, 5*time.Minute, "Sum", "SampleCount", "Maximum")
	if p := five[t0.Add(-10*time.Minute)]; p["Sum"] != 120 || p["SampleCount"] != 6 || p["Maximum"] != 100 {
		t.Errorf("5-minute period: %v", five)
	}
}

// Everything acknowledged is back after a crash (no Close) and nothing is counted twice,
// whether or not a checkpoint ran in between.
func TestRecoveryAfterCrash(t *testing.T) {
	f := newFixture(t)
	at := t0.Add(-5 * time.Minute)
	f.ingest("a", at, 1, 2)
	if err := f.st.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.ingest("a", at, 3)
	f.ingest("b", at, 7)
	// Crash: the old store is abandoned without Close.
	f.open()
	for host, want := range map[string]float64{"a": 6, "b": 7} {
		got := f.query(host, at, t0, time.Minute, "Sum", "SampleCount")
		if got[at]["Sum"] != want {
			t.Errorf("%s after crash: %v, want Sum %v", host, got, want)
		}
	}
	f.ingest("a", at, 4)
	f.open() // and again, without any checkpoint since the last recovery
	if got := f.query("a", at, t0, time.Minute, "Sum", "SampleCount"); got[at]["Sum"] != 10 || got[at]["SampleCount"] != 4 {
		t.Errorf("after a second crash: %v", got)
	}
}

func TestTornWALTailIgnored(t *testing.T) {
	f := newFixture(t)
	f.ingest("a", t0.Add(-time.Minute), 5)
	segs, _ := f.st.wal.segments()
	p := f.st.wal.path(segs[len(segs)-1])
	fh, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	fh.Write([]byte{200, 0, 0, 0, 1, 2, 3}) // a frame header promising more than exists
	fh.Close()
	f.open()
	if got := f.query("a", t0.Add(-time.Minute), t0, time.Minute, "Sum"); got[t0.Add(-time.Minute)]["Sum"] != 5 {
		t.Errorf("after a torn tail: %v", got)
	}
	f.ingest("a", t0.Add(-time.Minute), 1) // and appends go on in a new segment
	f.open()
	if got := f.query("a", t0.Add(-time.Minute), t0, time.Minute, "Sum"); got[t0.Add(-time.Minute)]["Sum"] != 6 {
		t.Errorf("after appending past a torn tail: %v", got)
	}
}

// Late data for a slot no longer in memory is merged with what is stored.
func TestLateDataMergesWithStoredBucket(t *testing.T) {
	f := newFixture(t)
	old := t0.Add(-2 * time.Hour)
	f.now = old.Add(time.Minute)
	f.ingest("a", old, 1, 2)
	f.now = t0
	if err := f.st.Checkpoint(context.Background()); err != nil { // persists and evicts
		t.Fatal(err)
	}
	f.ingest("a", old, 3)
	check := func(when string) {
		if got := f.query("a", old, old.Add(time.Minute), time.Minute, "Sum", "SampleCount", "Maximum"); got[old]["Sum"] != 6 || got[old]["SampleCount"] != 3 || got[old]["Maximum"] != 3 {
			t.Errorf("%s: %v", when, got)
		}
	}
	check("before the checkpoint")
	if err := f.st.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("after the checkpoint")
	f.open()
	check("after a restart")
}

// Rollups keep statistics exact, and expired data disappears.
func TestCompactRollsUpAndExpires(t *testing.T) {
	f := newFixture(t)
	day := 24 * time.Hour
	base := t0.Add(-20 * day).Truncate(5 * time.Minute)
	for i := 0; i < 5; i++ {
		f.now = base.Add(time.Duration(i) * time.Minute)
		f.ingest("a", f.now, float64(i+1), float64(10*(i+1)))
	}
	f.now = t0
	if err := f.st.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	all := []string{"Sum", "SampleCount", "Minimum", "Maximum", "Average", "p50", "p90", "tm80", "IQM", "wm80", "TC(2:20)", "TS(10%:90%)", "PR(:10)"}
	before := f.query("a", base, base.Add(5*time.Minute), 5*time.Minute, all...)
	if err := f.st.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.dbs[0].OldBuckets(context.Background(), 60, t0.Unix(), 100); len(n) != 0 {
		t.Errorf("60 s buckets older than 15 days remain: %d", len(n))
	}
	after := f.query("a", base, base.Add(5*time.Minute), 5*time.Minute, all...)
	// Values 1..5 and 10..50: hand-computed over the ten samples.
	want := map[string]float64{"Sum": 165, "SampleCount": 10, "Minimum": 1, "Maximum": 50, "Average": 16.5, "p50": 5, "p90": 40,
		"tm80": 75.0 / 8, "IQM": (3 + 4 + 5 + 10 + 20) / 5.0, "TC(2:20)": 5, "PR(:10)": 60}
	for stat, v := range want {
		if before[base][stat] != v || after[base][stat] != v {
			t.Errorf("%s: before the rollup %v, after %v, want %v", stat, before[base][stat], after[base][stat], v)
		}
	}
	for _, stat := range all {
		if before[base][stat] != after[base][stat] {
			t.Errorf("%s changed across the rollup: %v → %v", stat, before[base][stat], after[base][stat])
		}
	}
	f.now = t0.Add(500 * day)
	if err := f.st.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, res := range []int{60, 300, 3600} {
		if n, _ := f.dbs[0].OldBuckets(context.Background(), res, f.now.Unix(), 100); len(n) != 0 {
			t.Errorf("res %d: %d buckets left after expiry", res, len(n))
		}
	}
}

func TestWildcardDimensionsAndList(t *testing.T) {
	f := newFixture(t)
	at := t0.Add(-time.Minute)
	f.ingest("i-1", at, 1)
	f.ingest("i-2", at, 2)
	f.ingest("web", at, 3)
	res, err := f.st.Statistics(context.Background(), Query{Env: "production", Namespace: "App", Name: "Latency",
		Dims: []metric.Dim{{Name: "Host", Value: "i-*"}}, Start: at, End: t0, Period: time.Minute, Statistics: stats(t, "Sum")})
	if err != nil || len(res) != 2 || res[0].Dims[0].Value != "i-1" || res[1].Datapoints[0].Values["Sum"] != 2 {
		t.Fatalf("wildcard: %v %+v", err, res)
	}
	list, more := f.st.ListMetrics(MetricFilter{Env: "production", Namespace: "App"}, 2)
	if len(list) != 2 || !more || list[0].Dimensions[0].Value != "i-1" {
		t.Errorf("list: %+v %v", list, more)
	}
	if list, _ := f.st.ListMetrics(MetricFilter{Env: "staging"}, 10); len(list) != 0 {
		t.Errorf("another environment's series listed: %+v", list)
	}
}

func TestQueryLimits(t *testing.T) {
	f := newFixture(t)
	for _, q := range []Query{
		{Start: t0.Add(-time.Hour), End: t0, Period: 7 * time.Second},
		{Start: t0.Add(-5 * time.Hour), End: t0, Period: 10 * time.Second},
		{Start: t0.Add(-20 * 24 * time.Hour), End: t0, Period: time.Minute},
		{Start: t0.Add(-48 * time.Hour), End: t0, Period: time.Minute},
		{Start: t0, End: t0.Add(-time.Hour), Period: time.Minute},
	} {
		q.Env, q.Namespace, q.Name = "production", "App", "Latency"
		if _, err := f.st.Statistics(context.Background(), q); err == nil {
			t.Errorf("%+v: want an error", q)
		}
	}
}
