package putmetric

import (
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/jsonlex"
	"github.com/tocsin/tocsin/internal/metric"
)

// The keys of a datum object, as bits of a set.
const (
	kName = 1 << iota
	kDims
	kUnit
	kTime
	kRes
	kValue
	kValues
	kCounts
	kStats
)

func datumKey(key []byte) (bit uint, field string) {
	switch string(key) {
	case "name":
		return kName, "name"
	case "dimensions":
		return kDims, "dimensions"
	case "unit":
		return kUnit, "unit"
	case "timestamp":
		return kTime, "timestamp"
	case "storage_resolution":
		return kRes, "storage_resolution"
	case "value":
		return kValue, "value"
	case "values":
		return kValues, "values"
	case "counts":
		return kCounts, "counts"
	case "statistic_values":
		return kStats, "statistic_values"
	}
	return 0, ""
}

func roleOf(bit uint) uint8 {
	if bit == kName {
		return roleName
	}
	return roleUnit
}

// reject records the first problem of the datum being read; the rest of the datum is still
// read, for its syntax.
func (d *decoder) reject(field, format string, args ...any) {
	if !d.bad {
		d.bad = true
		d.errs = append(d.errs, DatumError{Index: d.idx, Field: datumPath(d.idx, field), Message: fmt.Sprintf(format, args...)})
	}
}

// wrongType rejects a value of the wrong type (c is its first byte) and skips it.
func (d *decoder) wrongType(field, want string, c byte) {
	d.reject(field, "must be %s, got %s", want, d.kind(c))
	d.Skip()
}

// datum reads one datum object into the next element of Datums. The checks that need the
// envelope (metric.Datum.Validate) run later, in finish.
func (d *decoder) datum() {
	r := d.r
	i := len(r.Datums)
	if i < cap(r.Datums) {
		r.Datums = r.Datums[:i+1]
	} else {
		r.Datums = append(r.Datums, metric.Datum{})
	}
	dt := &r.Datums[i]
	*dt = metric.Datum{Key: metric.SeriesKey{Unit: metric.UnitNone}, Time: d.now, Resolution: 60}
	r.known = append(r.known, false)
	d.idx, d.field, d.bad, d.known = i, "", false, true
	if c := d.Peek(); c != '{' {
		d.wrongType("", "an object", c)
		return
	}
	d.Pos++
	var seen uint
	nValues, nCounts := 0, 0
	for n := 0; d.More('}', &n); d.field = "" {
		key := d.Key()
		bit, field := datumKey(key)
		if bit == 0 {
			d.reject(string(key), "unknown key")
			d.Skip()
			continue
		}
		d.field = field
		if seen&bit != 0 {
			d.reject(field, "duplicate key")
			d.Skip()
			continue
		}
		seen |= bit
		switch bit {
		case kName, kUnit:
			c := d.Peek()
			if c != '"' {
				d.wrongType(field, "a string", c)
				continue
			}
			s, roles := r.strs.get(d.Str())
			d.known = d.known && roles&roleOf(bit) != 0
			switch {
			case bit == kName:
				dt.Key.Name = s
			case s == "":
				_, err := metric.ParseUnit(s)
				d.reject(field, "%v", err)
			default:
				dt.Key.Unit = metric.Unit(s)
			}
		case kDims:
			dt.Key.Dims = d.dims()
		case kTime:
			d.timestamp(&dt.Time)
		case kRes:
			if v, ok := d.num(field, -1); ok {
				if v != 1 && v != 60 {
					d.reject(field, "must be 1 or 60, got %g", v)
				} else {
					dt.Resolution = int(v)
				}
			}
		case kValue:
			dt.Value, dt.HasValue = d.num(field, -1)
		case kValues:
			dt.Values, nValues = d.floats(field)
		case kCounts:
			dt.Counts, nCounts = d.floats(field)
		case kStats:
			dt.Stats = d.stats()
		}
	}
	r.known[i] = d.known
	switch {
	case seen&kName == 0:
		d.reject("name", "required")
	case seen&kCounts != 0 && seen&kValues == 0:
		d.reject("counts", "given without values")
	// Only the first MaxValuesPerDatum values and counts were kept, so the checks of
	// Validate that count them happen here when there were more.
	case nValues > metric.MaxValuesPerDatum:
		d.reject("values", "must hold 1–%d values, got %d", metric.MaxValuesPerDatum, nValues)
	case nCounts > metric.MaxValuesPerDatum:
		d.reject("counts", "must have as many entries as values (%d), got %d", nValues, nCounts)
	}
}

// dims reads the dimensions object into the dims store and returns them sorted by name.
func (d *decoder) dims() []metric.Dim {
	if c := d.Peek(); c != '{' {
		d.wrongType("dimensions", "an object", c)
		return nil
	}
	d.Pos++
	r := d.r
	start, n := len(r.dims), 0
	for d.More('}', &n) {
		name, nameRoles := r.strs.get(d.Key())
		if c := d.Peek(); c != '"' {
			d.wrongType("dimensions."+name, "a string", c)
			continue
		}
		value, valueRoles := r.strs.getValue(d.Str())
		if valueRoles&roleDimValue == 0 && metric.ValidateDimensionValue(value) == nil {
			r.strs.validatedValue(value) // a new valid value keeps the datum on the fast path
			valueRoles |= roleDimValue
		}
		d.known = d.known && nameRoles&roleDimName != 0 && valueRoles&roleDimValue != 0
		if n <= metric.MaxDimensions {
			r.dims = append(r.dims, metric.Dim{Name: name, Value: value})
		}
	}
	if n > metric.MaxDimensions {
		d.reject("dimensions", "at most %d dimensions, got %d", metric.MaxDimensions, n)
	}
	end := len(r.dims)
	if end == start {
		return nil
	}
	dims := r.dims[start:end:end]
	sortDims(dims)
	for i := 1; i < len(dims) && d.known; i++ {
		d.known = dims[i].Name != dims[i-1].Name // Validate reports duplicates
	}
	return dims
}

// sortDims sorts by name like metric.SortDims, without its allocations: an insertion sort,
// for the handful of dimensions a datum has.
func sortDims(d []metric.Dim) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Name < d[j-1].Name; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// floats reads an array of numbers into the float store. It keeps at most
// MaxValuesPerDatum of them but returns the full count.
func (d *decoder) floats(field string) ([]float64, int) {
	if c := d.Peek(); c != '[' {
		d.wrongType(field, "an array", c)
		return nil, 0
	}
	d.Pos++
	r := d.r
	start, n := len(r.floats), 0
	for d.More(']', &n) {
		if v, ok := d.num(field, n-1); ok && n <= metric.MaxValuesPerDatum {
			r.floats = append(r.floats, v)
		}
	}
	end := len(r.floats)
	return r.floats[start:end:end], n
}

var (
	statKeys   = [...]string{"sample_count", "sum", "minimum", "maximum"}
	statFields = [...]string{"statistic_values.sample_count", "statistic_values.sum", "statistic_values.minimum", "statistic_values.maximum"}
)

// stats reads a statistic_values object; all four members are required.
func (d *decoder) stats() *metric.StatSet {
	if c := d.Peek(); c != '{' {
		d.wrongType("statistic_values", "an object", c)
		return nil
	}
	d.Pos++
	var v [4]float64
	var seen [4]bool
	for n := 0; d.More('}', &n); {
		key := d.Key()
		i := 0
		for i < len(statKeys) && statKeys[i] != string(key) {
			i++
		}
		if i == len(statKeys) {
			d.reject("statistic_values."+string(key), "unknown key")
			d.Skip()
			continue
		}
		field := statFields[i]
		if seen[i] {
			d.reject(field, "duplicate key")
			d.Skip()
			continue
		}
		seen[i] = true
		v[i], _ = d.num(field, -1)
	}
	for i, ok := range seen {
		if !ok {
			d.reject(statFields[i], "required")
		}
	}
	d.r.stats = append(d.r.stats, metric.StatSet{SampleCount: v[0], Sum: v[1], Minimum: v[2], Maximum: v[3]})
	return &d.r.stats[len(d.r.stats)-1]
}

// num reads a number for field (element k of it when k ≥ 0).
func (d *decoder) num(field string, k int) (float64, bool) {
	c := d.Peek()
	if jsonlex.KindOf(c) != jsonlex.Number {
		d.wrongType(indexed(field, k), "a number", c)
		return 0, false
	}
	v, raw, ok := d.Number()
	if !ok {
		d.reject(indexed(field, k), "%s is outside ±2^360", raw)
	}
	return v, ok
}

func indexed(field string, k int) string {
	if k < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d]", field, k)
}

// timestamp reads an RFC 3339 string, Unix seconds, or Unix milliseconds (above 1e12).
func (d *decoder) timestamp(t *time.Time) {
	switch c := d.Peek(); {
	case c == '"':
		b := d.Str()
		if v, ok := parseRFC3339(b); ok {
			*t = v
		} else {
			d.reject("timestamp", "%q is not an RFC 3339 time such as 2006-01-02T15:04:05Z", b)
		}
	case jsonlex.KindOf(c) == jsonlex.Number:
		f, raw, ok := d.Number()
		if v, inRange := unixTime(f); ok && inRange {
			*t = v
		} else {
			d.reject("timestamp", "%s is out of the range of Unix times", raw)
		}
	default:
		d.wrongType("timestamp", "an RFC 3339 string or a number of Unix seconds or milliseconds", c)
	}
}
