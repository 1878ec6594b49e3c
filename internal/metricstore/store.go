package metricstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// Options configure a Store. Zero values are the documented defaults.
type Options struct {
	// Dir holds the write-ahead log (required).
	Dir string
	// Backend persists series and buckets (required).
	Backend store.Metrics
	// HotWindow is how far back slots stay in memory (default 10m). Alarms evaluate
	// from memory within it.
	HotWindow time.Duration
	// Retention is the age limit of each resolution (default: spec A7).
	Retention Retention
	Now       func() time.Time
	Logger    *slog.Logger
}

// Retention is how long data of each resolution is kept before it is rolled up into the
// next (1 s → 60 s → 300 s → 3600 s) or, for the last, deleted.
type Retention struct {
	HighRes time.Duration // 1 s data (default 3h)
	Minute  time.Duration // 60 s data (default 15 days)
	FiveMin time.Duration // 300 s data (default 63 days)
	Hour    time.Duration // 3600 s data (default 455 days)
}

// DefaultRetention is CloudWatch's scheme (spec A7).
var DefaultRetention = Retention{HighRes: 3 * time.Hour, Minute: 15 * 24 * time.Hour, FiveMin: 63 * 24 * time.Hour, Hour: 455 * 24 * time.Hour}

// Store is the metric store.
type Store struct {
	opts Options
	log  *slog.Logger

	mu        sync.RWMutex // writers: ingest, checkpoints; readers: queries and alarm windows
	byKey     map[string]*series
	byID      []*series            // by id (ids are dense); [0] is unused
	byMetric  map[string][]*series // env NUL namespace NUL name → its series
	nextID    uint64
	newSeries []*series // not yet checkpointed
	recBuf    []byte    // WAL records of the batch being ingested
	keyBuf    []byte    // scratch for series key lookups
	dirty     []*series // series with dirty slots since the last checkpoint
	wal       *wal

	cpMu sync.Mutex // one checkpoint at a time
}

// ErrClosed is returned by Ingest after Close.
var ErrClosed = errors.New("metricstore: closed")

// Open loads the series, the hot window's buckets and the WAL written since the last
// checkpoint, then starts accepting datums.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Dir == "" || opts.Backend == nil {
		return nil, errors.New("metricstore: Dir and Backend are required")
	}
	if opts.HotWindow <= 0 {
		opts.HotWindow = 10 * time.Minute
	}
	if opts.Retention == (Retention{}) {
		opts.Retention = DefaultRetention
	}
	if opts.HotWindow > opts.Retention.HighRes {
		return nil, fmt.Errorf("metricstore: the hot window (%s) must not exceed the high-resolution retention (%s)", opts.HotWindow, opts.Retention.HighRes)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{opts: opts, log: opts.Logger, byKey: map[string]*series{}, byMetric: map[string][]*series{}, nextID: 1}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) load(ctx context.Context) error {
	recs, err := s.opts.Backend.LoadSeries(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if _, err := s.register(r.ID, r.Key, r.Resolution, r.FirstSeen); err != nil {
			return err
		}
	}
	since := floorTo(s.opts.Now().Add(-s.opts.HotWindow).Unix(), 60)
	for _, res := range []int{1, 60} {
		buckets, err := s.opts.Backend.LoadBuckets(ctx, res, since)
		if err != nil {
			return err
		}
		for _, br := range buckets {
			sr := s.series(br.SeriesID)
			if sr == nil || sr.res != res {
				continue
			}
			sl := sr.slotFor(br.Start, false)
			sr.last = max(sr.last, br.Start)
			if _, err := sl.b.UnmarshalBinary(br.Data); err != nil {
				return fmt.Errorf("metricstore: bucket %d/%d: %w", br.SeriesID, br.Start, err)
			}
		}
	}
	w, err := openWAL(s.opts.Dir)
	if err != nil {
		return err
	}
	through, ok, err := s.opts.Backend.LastMetricCheckpoint(ctx)
	if err != nil {
		return err
	}
	from := uint64(0)
	if ok {
		from = through + 1
	}
	if err := w.replay(from, s.replayBatch); err != nil {
		return err
	}
	segs, err := w.segments()
	if err != nil {
		return err
	}
	next := from
	if len(segs) > 0 && segs[len(segs)-1] >= next {
		next = segs[len(segs)-1] + 1 // never append after a possibly torn tail
	}
	s.wal = w
	return w.start(next)
}

// register adds a known series to the registry.
func (s *Store) register(id uint64, key string, res int, first int64) (*series, error) {
	k, err := parseKey(key)
	if err != nil {
		return nil, err
	}
	sr := &series{id: id, key: k, keyStr: key, res: res, first: first}
	s.index(sr)
	if id >= s.nextID {
		s.nextID = id + 1
	}
	return sr, nil
}

// replayBatch applies one WAL frame during recovery.
func (s *Store) replayBatch(payload []byte) error {
	r := recordReader{p: payload}
	var rec replayed
	for r.next(&rec) {
		switch rec.kind {
		case recSeries:
			if s.series(rec.id) != nil {
				continue
			}
			sr, err := s.register(rec.id, rec.key, rec.res, 0)
			if err != nil {
				return err
			}
			s.newSeries = append(s.newSeries, sr)
		case recSample:
			sr := s.series(rec.id)
			if sr == nil {
				return fmt.Errorf("%w: sample for unknown series %d", errCorrupt, rec.id)
			}
			if sr.first == 0 {
				sr.first = rec.datum.Time.Unix()
			}
			s.applyDatum(sr, &rec.datum)
		}
	}
	return r.err
}

// Ingest applies datums (already validated) and returns once they are durable.
func (s *Store) Ingest(ctx context.Context, datums []metric.Datum) error {
	if len(datums) == 0 {
		return nil
	}
	s.mu.Lock()
	if s.wal == nil {
		s.mu.Unlock()
		return ErrClosed
	}
	buf := s.recBuf[:0]
	for i := range datums {
		d := &datums[i]
		s.keyBuf = d.Key.AppendTo(s.keyBuf[:0])
		sr := s.byKey[string(s.keyBuf)] // does not allocate
		if sr == nil {
			sr = s.create(d)
			buf = appendSeriesRecord(buf, sr)
		}
		s.applyDatum(sr, d)
		buf = appendSampleRecord(buf, sr.id, d)
	}
	ticket := s.wal.append(buf)
	s.recBuf = buf
	w := s.wal
	s.mu.Unlock()
	return w.wait(ticket)
}

func (s *Store) create(d *metric.Datum) *series {
	res := d.Resolution
	if res != 1 {
		res = 60
	}
	key := d.Key.String()
	k, _ := parseKey(key) // its strings share the key's memory
	sr := &series{id: s.nextID, key: k, keyStr: key, res: res, first: d.Time.Unix()}
	s.nextID++
	s.index(sr)
	s.newSeries = append(s.newSeries, sr)
	return sr
}

func (s *Store) index(sr *series) {
	s.byKey[sr.keyStr] = sr
	for uint64(len(s.byID)) <= sr.id {
		s.byID = append(s.byID, nil)
	}
	s.byID[sr.id] = sr
	m := metricKey(sr.key.Env, sr.key.Namespace, sr.key.Name)
	s.byMetric[m] = append(s.byMetric[m], sr)
}

// series returns the series with the given id, or nil.
func (s *Store) series(id uint64) *series {
	if id >= uint64(len(s.byID)) {
		return nil
	}
	return s.byID[id]
}

func metricKey(env, namespace, name string) string { return env + "\x00" + namespace + "\x00" + name }

// applyDatum adds d to its slot (mu held, or during recovery).
func (s *Store) applyDatum(sr *series, d *metric.Datum) {
	start := floorTo(d.Time.Unix(), int64(sr.res))
	delta := start < s.opts.Now().Add(-s.opts.HotWindow).Unix()
	sl := sr.slotFor(start, delta)
	apply(&sl.b, d)
	sl.dirty = true
	if t := d.Time.Unix(); t > sr.last {
		sr.last = t
	}
	if !sr.inDirty {
		sr.inDirty = true
		s.dirty = append(s.dirty, sr)
	}
}

// Err returns the write-ahead log's error once writing failed: the store then refuses
// every batch and must be restarted (recovery replays what was acknowledged).
func (s *Store) Err() error {
	s.mu.Lock()
	w := s.wal
	s.mu.Unlock()
	if w == nil {
		return ErrClosed
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close checkpoints and stops the log. Datums ingested after Close fail.
func (s *Store) Close(ctx context.Context) error {
	err := s.Checkpoint(ctx)
	s.mu.Lock()
	w := s.wal
	s.wal = nil
	s.mu.Unlock()
	if w == nil {
		return err
	}
	if cerr := w.close(); err == nil {
		err = cerr
	}
	return err
}
