package statsd

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// addAll adds lines, failing the test on any rejected one.
func addAll(t testing.TB, a *Aggregator, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if err := a.Add([]byte(l)); err != nil {
			t.Fatalf("Add(%q): %v", l, err)
		}
	}
}

// flush returns the datums of a flush at now, sorted by series and validated.
func flush(t testing.TB, a *Aggregator, now time.Time) []metric.Datum {
	t.Helper()
	ds := a.Flush(now)
	for _, d := range ds {
		if err := d.Validate(now); err != nil {
			t.Fatalf("invalid datum %+v: %v", d, err)
		}
	}
	slices.SortStableFunc(ds, func(x, y metric.Datum) int {
		if c := strings.Compare(x.Key.String(), y.Key.String()); c != 0 {
			return c
		}
		if len(x.Values) > 0 && len(y.Values) > 0 {
			return int(x.Values[0] - y.Values[0])
		}
		return 0
	})
	return ds
}

func key(name string, unit metric.Unit, dims ...metric.Dim) metric.SeriesKey {
	return metric.SeriesKey{Env: "test", Namespace: "StatsD", Name: name, Unit: unit, Dims: dims}
}

func single(k metric.SeriesKey, now time.Time, v float64) metric.Datum {
	return metric.Datum{Key: k, Time: now, Resolution: 60, Value: v, HasValue: true}
}

func check(t *testing.T, got []metric.Datum, want ...metric.Datum) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("datums:\n got %+v\nwant %+v", got, want)
	}
}

func TestCounterSampleRate(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	addAll(t, a, "hits:1|c|@0.1", "hits:1|c|@0.1", "hits:1|c|@0.1", "hits:2|c", "hits:1:1|c|@0.5")
	t0 := fuzzNow
	check(t, flush(t, a, t0), single(key("hits", metric.UnitCount), t0, 36))
	check(t, flush(t, a, t0.Add(10*time.Second))) // nothing new: no datum, not a zero
	addAll(t, a, "hits:-1|c")
	check(t, flush(t, a, t0.Add(20*time.Second)), single(key("hits", metric.UnitCount), t0.Add(20*time.Second), -1))
}

func TestGaugeDeltas(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	k := key("temp", metric.UnitNone)
	t0 := fuzzNow
	addAll(t, a, "temp:10|g", "temp:+5|g", "temp:-3|g", "fresh:-4|g")
	check(t, flush(t, a, t0), single(key("fresh", metric.UnitNone), t0, -4), single(k, t0, 12))
	addAll(t, a, "temp:+1|g")
	check(t, flush(t, a, t0.Add(10*time.Second)), single(k, t0.Add(10*time.Second), 13))
	check(t, flush(t, a, t0.Add(20*time.Second))) // not updated: not emitted, but remembered
	addAll(t, a, "temp:-20|g")
	check(t, flush(t, a, t0.Add(30*time.Second)), single(k, t0.Add(30*time.Second), -7))
	addAll(t, a, "temp:+1:+1:5:-2|g") // several values apply in order
	check(t, flush(t, a, t0.Add(40*time.Second)), single(k, t0.Add(40*time.Second), 3))

	// After GaugeTTL without data the gauge is forgotten: a delta starts from 0.
	late := t0.Add(40*time.Second + GaugeTTL + time.Second)
	check(t, flush(t, a, late))
	addAll(t, a, "temp:+2|g")
	check(t, flush(t, a, late.Add(time.Second)), single(k, late.Add(time.Second), 2))
}

func TestTimersHistogramsDistributions(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	t0 := fuzzNow
	addAll(t, a, "lat:100|ms|@0.5", "lat:100|ms", "lat:200|ms|@0.25", "lat:1:2:2|ms",
		"size:3|h", "size:3|h|@0.5", "dist:0.5|d")
	want := []metric.Datum{
		{Key: key("dist", metric.UnitNone), Time: t0, Resolution: 60, Values: []float64{0.5}, Counts: []float64{1}},
		{Key: key("lat", metric.UnitMilliseconds), Time: t0, Resolution: 60,
			Values: []float64{1, 2, 100, 200}, Counts: []float64{1, 2, 3, 4}},
		{Key: key("size", metric.UnitNone), Time: t0, Resolution: 60, Values: []float64{3}, Counts: []float64{3}},
	}
	check(t, flush(t, a, t0), want...)
	check(t, flush(t, a, t0.Add(10*time.Second)))
}

func TestTimerChunksOf150(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	perm := rand.New(rand.NewPCG(1, 2)).Perm(400)
	for _, v := range perm {
		addAll(t, a, fmt.Sprintf("lat:%d|ms", v))
	}
	addAll(t, a, "lat:7|ms")
	ds := flush(t, a, fuzzNow)
	if len(ds) != 3 {
		t.Fatalf("got %d datums, want 3 (400 distinct values)", len(ds))
	}
	var all []float64
	for i, d := range ds {
		if n := len(d.Values); n != []int{150, 150, 100}[i] || len(d.Counts) != n {
			t.Fatalf("datum %d holds %d values and %d counts", i, n, len(d.Counts))
		}
		for j, v := range d.Values {
			want := 1.0
			if v == 7 {
				want = 2
			}
			if d.Counts[j] != want {
				t.Errorf("count of %v = %v, want %v", v, d.Counts[j], want)
			}
		}
		all = append(all, d.Values...)
	}
	if !slices.IsSorted(all) || len(all) != 400 || all[0] != 0 || all[399] != 399 {
		t.Fatalf("values are not 0..399 in order: %v…", all[:5])
	}
}

func TestSets(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	addAll(t, a, "users:alice|s", "users:bob|s", "users:alice|s", "users:carol|s|@0.1")
	k := key("users", metric.UnitCount)
	check(t, flush(t, a, fuzzNow), single(k, fuzzNow, 3))
	addAll(t, a, "users:alice|s")
	check(t, flush(t, a, fuzzNow.Add(time.Second)), single(k, fuzzNow.Add(time.Second), 1))
}

func TestTagsBecomeSortedDimensions(t *testing.T) {
	a := NewAggregator(Options{Env: "prod", Namespace: "App", Resolution: 1})
	addAll(t, a,
		"req:1|c|#z:1,a:2,canary",
		"req:2|c|#canary,a:2,z:1",      // same series, other order
		"req:4|c|#a:2,z:1,canary:,",    // `canary:` and a trailing comma: same series
		"req:8|c|#a:3,z:1,canary",      // other series
		"req:16|c|#a:1,z:1,a:2,canary", // duplicate name: the last value wins
		"req:5|g|#a:2",                 // same name, other type: its own series
		"req:32|c",
	)
	dims := []metric.Dim{{Name: "a", Value: "2"}, {Name: "canary", Value: TagTrueValue}, {Name: "z", Value: "1"}}
	k := func(unit metric.Unit, d ...metric.Dim) metric.SeriesKey {
		return metric.SeriesKey{Env: "prod", Namespace: "App", Name: "req", Unit: unit, Dims: d}
	}
	d := func(k metric.SeriesKey, v float64) metric.Datum {
		return metric.Datum{Key: k, Time: fuzzNow, Resolution: 1, Value: v, HasValue: true}
	}
	check(t, flush(t, a, fuzzNow),
		d(k(metric.UnitCount), 32),
		d(k(metric.UnitCount, dims...), 23),
		d(k(metric.UnitCount, metric.Dim{Name: "a", Value: "3"}, dims[1], dims[2]), 8),
		d(k(metric.UnitNone, metric.Dim{Name: "a", Value: "2"}), 5),
	)
}

func TestTagsBeyond30AreDroppedAndCounted(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	var tags []string
	for i := range 35 {
		tags = append(tags, fmt.Sprintf("t%02d:v", i))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2 {
		r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
		addAll(t, a, "wide:1|c|#"+strings.Join(tags, ","))
	}
	ds := flush(t, a, fuzzNow)
	if len(ds) != 1 || ds[0].Value != 2 {
		t.Fatalf("got %+v, want one series counting 2", ds)
	}
	dims := ds[0].Key.Dims
	if len(dims) != metric.MaxDimensions || dims[0].Name != "t00" || dims[29].Name != "t29" {
		t.Fatalf("kept dims %v, want t00…t29", dims)
	}
	if got := a.DroppedTags(); got != 10 {
		t.Fatalf("DroppedTags = %d, want 10 (5 per line)", got)
	}
}

func TestOutOfRangeAggregatesAreDropped(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	addAll(t, a, "huge:1e100|c|@0.0000000001", "ok:1|c")
	check(t, flush(t, a, fuzzNow), single(key("ok", metric.UnitCount), fuzzNow, 1))
	if a.DroppedDatums() != 1 {
		t.Fatalf("DroppedDatums = %d, want 1", a.DroppedDatums())
	}
}

func TestConcurrentAdd(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				if err := a.Add(fmt.Appendf(nil, "c%d:1|c|#g:x,n:%d", i%10, g)); err != nil {
					t.Error(err)
				}
				_ = a.Add([]byte("t:5|ms|#g:x"))
			}
		})
	}
	mid := a.Flush(fuzzNow) // races the adds: every line lands in this flush or the next
	wg.Wait()
	total := map[metric.Unit]float64{}
	for _, d := range append(mid, a.Flush(fuzzNow)...) {
		total[d.Key.Unit] += d.Value
		for _, c := range d.Counts {
			total[d.Key.Unit] += c
		}
	}
	if total[metric.UnitCount] != 4000 || total[metric.UnitMilliseconds] != 4000 {
		t.Fatalf("totals %v, want 4000 counted and 4000 timed", total)
	}
}

func TestAddKnownSeriesDoesNotAllocate(t *testing.T) {
	a := NewAggregator(Options{Env: "test"})
	lines := [][]byte{[]byte("hits:1|c|#env:prod,host:a"), []byte("lat:12|ms|@0.5"), []byte("u:alice|s"), []byte("g:+1|g")}
	for _, l := range lines {
		addAll(t, a, string(l))
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			_ = a.Add(l)
		}
	})
	if allocs != 0 {
		t.Fatalf("Add of known series allocated %v times per run", allocs)
	}
}
