package statsd

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// GaugeTTL is how long a gauge that receives nothing is remembered, so that a later `+N`/`-N`
// still applies to its last value. After that a delta applies to 0, as for a new gauge.
const GaugeTTL = time.Hour

// TagTrueValue is the dimension value given to a tag without a value (`#canary` or
// `#canary:`), as Telegraf (and so the CloudWatch agent) does: a dimension value may not be
// empty.
const TagTrueValue = "true"

var trueValue = []byte(TagTrueValue)

const (
	numShards = 64
	// maxAliases bounds the raw spellings (tag orders) remembered per series, so that a client
	// that sends its tags in random order cannot grow the alias map without bound.
	maxAliases = 8
)

// Aggregator accumulates parsed lines per series (name, type, sorted tags) and turns them into
// datums at each flush. Add may be called from many goroutines at once; Flush too, though
// flushes are serialised.
//
// Series are sharded by a hash of the metric name alone, so every tag order of one series
// lands in one shard and one entry. The cost is that one very hot name with many tag values
// uses one lock; a lock is held for well under a microsecond per line, which is not the limit
// at the rates this package targets.
type Aggregator struct {
	env, namespace string
	resolution     int
	seed           maphash.Seed
	shards         [numShards]shard
	flushMu        sync.Mutex
	droppedTags    atomic.Uint64
	droppedDatums  atomic.Uint64
}

type shard struct {
	mu      sync.Mutex
	raw     map[string]*entry // name 0 type 0 raw tags → entry; the allocation-free fast path
	canon   map[string]*entry // name 0 type (0 tag-name 1 tag-value)… in sorted order → entry
	scratch []byte
	tags    []tagPair
	_       [64]byte // keep neighbouring shards' locks off one cache line
}

type tagPair struct{ name, value []byte }

type entry struct {
	key      metric.SeriesKey // built once; Dims shared by every datum of the series
	typ      Type
	dropped  uint32 // tags beyond metric.MaxDimensions dropped from each line
	aliases  uint8
	dirty    bool // received data since the last flush
	dead     bool
	value    float64   // counter sum or gauge value
	lastData time.Time // gauges: the flush that last emitted them
	hist     map[float64]float64
	set      map[string]struct{}
}

// NewAggregator returns an aggregator for the environment, namespace and resolution of opts
// (defaults applied as by New; the other fields are unused).
func NewAggregator(opts Options) *Aggregator {
	opts = opts.withDefaults()
	a := &Aggregator{env: opts.Env, namespace: opts.Namespace, resolution: opts.Resolution, seed: maphash.MakeSeed()}
	for i := range a.shards {
		a.shards[i].raw = make(map[string]*entry)
		a.shards[i].canon = make(map[string]*entry)
	}
	return a
}

// Add parses one line and aggregates it. It returns the *ParseError of a rejected line.
func (a *Aggregator) Add(line []byte) error {
	l, err := ParseLine(line)
	if err != nil {
		return err
	}
	a.AddLine(&l)
	return nil
}

// AddLine aggregates a line accepted by ParseLine. Counters add value/rate; timers,
// histograms and distributions count each value 1/rate times; gauges and sets ignore the rate,
// as Etsy's statsd does. A gauge value written with a sign is a delta to the gauge's current
// value (0 for a gauge not seen, or forgotten after GaugeTTL); without a sign it replaces it.
func (a *Aggregator) AddLine(l *Line) {
	sh := &a.shards[maphash.Bytes(a.seed, l.Name)%numShards]
	sh.mu.Lock()
	sh.scratch = append(append(append(sh.scratch[:0], l.Name...), 0, byte(l.Type), 0), l.RawTags...)
	e := sh.raw[string(sh.scratch)] // no allocation: the compiler converts for the lookup only
	if e == nil {
		e = a.lookupSlow(sh, l)
	}
	if e.dropped > 0 {
		a.droppedTags.Add(uint64(e.dropped))
	}
	e.dirty = true
	switch l.Type {
	case Counter:
		for it := l.Values(); ; {
			v, _, ok := it.Next()
			if !ok {
				break
			}
			e.value += v / l.Rate
		}
	case Gauge:
		for it := l.Values(); ; {
			v, signed, ok := it.Next()
			if !ok {
				break
			}
			if signed {
				e.value += v
			} else {
				e.value = v
			}
		}
	case Set:
		if _, ok := e.set[string(l.RawValue)]; !ok {
			e.set[string(l.RawValue)] = struct{}{}
		}
	default:
		for it := l.Values(); ; {
			v, _, ok := it.Next()
			if !ok {
				break
			}
			e.hist[v] += 1 / l.Rate
		}
	}
	sh.mu.Unlock()
}

// lookupSlow finds or creates the entry of a line whose raw spelling is not known yet, and
// remembers that spelling. sh.scratch holds the raw key on entry.
func (a *Aggregator) lookupSlow(sh *shard, l *Line) *entry {
	rawKey := string(sh.scratch)
	tags := sh.tags[:0]
	for it := l.Tags(); ; {
		name, value, ok := it.Next()
		if !ok {
			break
		}
		if len(value) == 0 {
			value = trueValue
		}
		tags = append(tags, tagPair{name, value})
	}
	// Sort by name, keeping the last of duplicate names (as Telegraf's tag map does), then keep
	// the first MaxDimensions names in sorted order, so the choice does not depend on tag order.
	slices.SortStableFunc(tags, func(x, y tagPair) int { return bytes.Compare(x.name, y.name) })
	kept := tags[:0]
	for i, t := range tags {
		if i+1 < len(tags) && bytes.Equal(t.name, tags[i+1].name) {
			continue
		}
		kept = append(kept, t)
	}
	var dropped int
	if len(kept) > metric.MaxDimensions {
		dropped, kept = len(kept)-metric.MaxDimensions, kept[:metric.MaxDimensions]
	}
	sh.tags = tags
	sh.scratch = append(append(sh.scratch[:0], l.Name...), 0, byte(l.Type))
	for _, t := range kept {
		sh.scratch = append(append(append(append(sh.scratch, 0), t.name...), 1), t.value...)
	}
	e := sh.canon[string(sh.scratch)]
	if e == nil {
		e = a.newEntry(l, kept, dropped)
		sh.canon[string(sh.scratch)] = e
	}
	if e.aliases < maxAliases {
		e.aliases++
		sh.raw[rawKey] = e
	}
	return e
}

func (a *Aggregator) newEntry(l *Line, tags []tagPair, dropped int) *entry {
	e := &entry{typ: l.Type, dropped: uint32(dropped)}
	e.key = metric.SeriesKey{Env: a.env, Namespace: a.namespace, Name: string(l.Name), Unit: unitOf(l.Type)}
	if len(tags) > 0 {
		e.key.Dims = make([]metric.Dim, len(tags))
		for i, t := range tags {
			e.key.Dims[i] = metric.Dim{Name: string(t.name), Value: string(t.value)}
		}
	}
	switch l.Type {
	case Timer, Histogram, Distribution:
		e.hist = make(map[float64]float64)
	case Set:
		e.set = make(map[string]struct{})
	}
	return e
}

func unitOf(t Type) metric.Unit {
	switch t {
	case Counter, Set:
		return metric.UnitCount
	case Timer:
		return metric.UnitMilliseconds
	}
	return metric.UnitNone
}

// DroppedTags is the number of tags dropped so far because a line had more than
// metric.MaxDimensions distinct tag names (counted once per line).
func (a *Aggregator) DroppedTags() uint64 { return a.droppedTags.Load() }

// DroppedDatums is the number of datums dropped so far because an aggregate left the range
// a datum may hold (a counter summing past ±2^360, a weight 1/rate beyond it).
func (a *Aggregator) DroppedDatums() uint64 { return a.droppedDatums.Load() }

// Flush returns one datum per series that received data since the last flush (timers,
// histograms and distributions: one per 150 distinct values), all stamped now, and starts a
// new interval. Counters, timers and sets that received nothing for a whole interval are
// forgotten; gauges are remembered for GaugeTTL. The order of the datums is unspecified;
// their Key.Dims slices are shared between flushes and must be treated as read-only.
func (a *Aggregator) Flush(now time.Time) []metric.Datum {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	var out []metric.Datum
	for i := range a.shards {
		sh := &a.shards[i]
		sh.mu.Lock()
		deleted := false
		for k, e := range sh.canon {
			if e.dirty {
				out = a.emit(out, e, now)
				continue
			}
			if e.typ != Gauge || now.Sub(e.lastData) > GaugeTTL {
				e.dead, deleted = true, true
				delete(sh.canon, k)
			}
		}
		if deleted {
			for k, e := range sh.raw {
				if e.dead {
					delete(sh.raw, k)
				}
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// emit appends the datums of e and resets it for the next interval.
func (a *Aggregator) emit(out []metric.Datum, e *entry, now time.Time) []metric.Datum {
	e.dirty = false
	d := metric.Datum{Key: e.key, Time: now, Resolution: a.resolution}
	switch e.typ {
	case Counter, Gauge:
		d.Value, d.HasValue = e.value, true
		if e.typ == Counter {
			e.value = 0
		} else {
			e.lastData = now
		}
		return a.appendValid(out, d)
	case Set:
		d.Value, d.HasValue = float64(len(e.set)), true
		clear(e.set)
		return append(out, d)
	}
	values := make([]float64, 0, len(e.hist))
	for v := range e.hist {
		values = append(values, v)
	}
	slices.Sort(values)
	counts := make([]float64, len(values))
	for i, v := range values {
		counts[i] = e.hist[v]
	}
	clear(e.hist)
	for len(values) > 0 {
		n := min(len(values), metric.MaxValuesPerDatum)
		d.Values, d.Counts = values[:n:n], counts[:n:n]
		values, counts = values[n:], counts[n:]
		out = a.appendValid(out, d)
	}
	return out
}

func (a *Aggregator) appendValid(out []metric.Datum, d metric.Datum) []metric.Datum {
	if d.HasValue && metric.ValidateValue(d.Value) != nil {
		a.droppedDatums.Add(1)
		return out
	}
	for _, c := range d.Counts {
		if metric.ValidateValue(c) != nil {
			a.droppedDatums.Add(1)
			return out
		}
	}
	return append(out, d)
}
