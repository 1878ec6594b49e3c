package metricstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// WAL record encoding. A batch is a run of records:
//
//	series: 1, uvarint id, uvarint len, key bytes, byte resolution
//	sample: 2, uvarint id, varint Unix milliseconds, form…
//	  form 1 (value):  float64
//	  form 2 (values): uvarint n, n float64 values, byte hasCounts, [n float64 counts]
//	  form 3 (set):    4 float64 (count, sum, min, max)

const (
	recSeries = 1
	recSample = 2

	formValue  = 1
	formValues = 2
	formSet    = 3
)

var errCorrupt = errors.New("metricstore: corrupt WAL record")

func appendSeriesRecord(b []byte, s *series) []byte {
	b = append(b, recSeries)
	b = binary.AppendUvarint(b, s.id)
	b = binary.AppendUvarint(b, uint64(len(s.keyStr)))
	b = append(b, s.keyStr...)
	return append(b, byte(s.res))
}

func appendF(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendSampleRecord(b []byte, id uint64, d *metric.Datum) []byte {
	b = append(b, recSample)
	b = binary.AppendUvarint(b, id)
	b = binary.AppendVarint(b, d.Time.UnixMilli())
	switch {
	case d.HasValue:
		b = append(b, formValue)
		b = appendF(b, d.Value)
	case d.Values != nil:
		b = append(b, formValues)
		b = binary.AppendUvarint(b, uint64(len(d.Values)))
		for _, v := range d.Values {
			b = appendF(b, v)
		}
		if d.Counts == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			for _, c := range d.Counts {
				b = appendF(b, c)
			}
		}
	default:
		s := d.Stats
		b = append(b, formSet)
		b = appendF(appendF(appendF(appendF(b, s.SampleCount), s.Sum), s.Minimum), s.Maximum)
	}
	return b
}

// recordReader decodes the records of one batch.
type recordReader struct {
	p   []byte
	err error
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.p)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.p = r.p[n:]
	return v
}

func (r *recordReader) varint() int64 {
	v, n := binary.Varint(r.p)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.p = r.p[n:]
	return v
}

func (r *recordReader) bytes(n uint64) []byte {
	if uint64(len(r.p)) < n {
		r.err = errCorrupt
		return nil
	}
	out := r.p[:n]
	r.p = r.p[n:]
	return out
}

func (r *recordReader) byte1() byte {
	b := r.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *recordReader) float() float64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// replayed is one decoded record.
type replayed struct {
	kind  byte
	id    uint64
	key   string
	res   int
	datum metric.Datum
}

// next decodes the next record; it returns false at the end or on corruption (r.err).
func (r *recordReader) next(rec *replayed) bool {
	if len(r.p) == 0 || r.err != nil {
		return false
	}
	rec.kind = r.byte1()
	rec.id = r.uvarint()
	switch rec.kind {
	case recSeries:
		rec.key = string(r.bytes(r.uvarint()))
		rec.res = int(r.byte1())
	case recSample:
		d := &rec.datum
		*d = metric.Datum{}
		d.Time = time.UnixMilli(r.varint()).UTC()
		switch r.byte1() {
		case formValue:
			d.Value, d.HasValue = r.float(), true
		case formValues:
			n := r.uvarint()
			if n > metric.MaxValuesPerDatum {
				r.err = errCorrupt
				return false
			}
			d.Values = make([]float64, n)
			for i := range d.Values {
				d.Values[i] = r.float()
			}
			if r.byte1() == 1 {
				d.Counts = make([]float64, n)
				for i := range d.Counts {
					d.Counts[i] = r.float()
				}
			}
		case formSet:
			d.Stats = &metric.StatSet{SampleCount: r.float(), Sum: r.float(), Minimum: r.float(), Maximum: r.float()}
		default:
			r.err = errCorrupt
		}
	default:
		r.err = fmt.Errorf("%w: kind %d", errCorrupt, rec.kind)
	}
	return r.err == nil
}

// parseKey is the inverse of metric.SeriesKey.String.
func parseKey(s string) (metric.SeriesKey, error) {
	parts := strings.Split(s, "\x00")
	if len(parts) < 4 {
		return metric.SeriesKey{}, fmt.Errorf("metricstore: bad series key %q", s)
	}
	k := metric.SeriesKey{Env: parts[0], Namespace: parts[1], Name: parts[2], Unit: metric.Unit(parts[3])}
	for _, p := range parts[4:] {
		name, value, ok := strings.Cut(p, "\x01")
		if !ok {
			return metric.SeriesKey{}, fmt.Errorf("metricstore: bad dimension %q in series key", p)
		}
		k.Dims = append(k.Dims, metric.Dim{Name: name, Value: value})
	}
	return k, nil
}
