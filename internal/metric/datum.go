package metric

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Dim is one dimension of a metric.
type Dim struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SeriesKey identifies one stream of data: a metric in an environment with exactly one
// set of dimensions and one unit (data in different units are separate streams, spec A1).
// Dims are sorted by name.
type SeriesKey struct {
	Env       string
	Namespace string
	Name      string
	Unit      Unit
	Dims      []Dim
}

// SortDims sorts dimensions by name, in place.
func SortDims(d []Dim) {
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
}

// String returns the canonical encoding of the key, usable as a map key: fields separated
// by NUL, dimension names from values by 0x01; no valid name or value contains either.
func (k SeriesKey) String() string { return string(k.AppendTo(nil)) }

// AppendTo appends the canonical encoding of the key to b (see String).
func (k SeriesKey) AppendTo(b []byte) []byte {
	b = append(b, k.Env...)
	b = append(b, 0)
	b = append(b, k.Namespace...)
	b = append(b, 0)
	b = append(b, k.Name...)
	b = append(b, 0)
	b = append(b, k.Unit...)
	for _, d := range k.Dims {
		b = append(b, 0)
		b = append(b, d.Name...)
		b = append(b, 1)
		b = append(b, d.Value...)
	}
	return b
}

// StatSet is a pre-aggregated "statistic set" datum.
type StatSet struct {
	SampleCount float64
	Sum         float64
	Minimum     float64
	Maximum     float64
}

// Datum is one published datapoint in exactly one of three forms: a Value, Values with
// Counts (each value contributes count times), or a StatSet.
type Datum struct {
	Key        SeriesKey
	Time       time.Time
	Resolution int // 1 (high resolution) or 60 (standard)

	Value    float64
	HasValue bool
	Values   []float64
	Counts   []float64 // nil means 1 each
	Stats    *StatSet
}

// Limits of spec A1.
const (
	MaxValuesPerDatum = 150
	// MaxAbsValue is the largest magnitude accepted (2^360).
	MaxAbsValue = 2.348542582773833e108
	// AcceptPast and AcceptFuture bound a datum's timestamp relative to its arrival.
	AcceptPast   = 14 * 24 * time.Hour
	AcceptFuture = 2 * time.Hour
)

// FieldError is a validation problem of one field of a datum.
type FieldError struct {
	Field   string // e.g. "timestamp", "dimensions.Host", "values[3]"
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ValidateValue checks one numeric value: finite and within ±2^360.
func ValidateValue(v float64) error {
	switch {
	case math.IsNaN(v):
		return fmt.Errorf("NaN is not accepted")
	case math.IsInf(v, 0):
		return fmt.Errorf("infinity is not accepted")
	case math.Abs(v) > MaxAbsValue:
		return fmt.Errorf("%g is outside ±2^360", v)
	}
	return nil
}

// Validate checks a datum against spec A1 as received at now. The key's namespace, name,
// unit and dimensions are checked too. It returns the first problem found.
func (d *Datum) Validate(now time.Time) *FieldError {
	if err := ValidateNamespace(d.Key.Namespace); err != nil {
		return fieldErr("namespace", "%v", err)
	}
	if err := ValidateMetricName(d.Key.Name); err != nil {
		return fieldErr("name", "%v", err)
	}
	if d.Key.Unit != "" {
		if _, err := ParseUnit(string(d.Key.Unit)); err != nil {
			return fieldErr("unit", "%v", err)
		}
	}
	if len(d.Key.Dims) > MaxDimensions {
		return fieldErr("dimensions", "at most %d dimensions, got %d", MaxDimensions, len(d.Key.Dims))
	}
	for i, dim := range d.Key.Dims {
		if err := ValidateDimensionName(dim.Name); err != nil {
			return fieldErr("dimensions."+dim.Name, "name %v", err)
		}
		if err := ValidateDimensionValue(dim.Value); err != nil {
			return fieldErr("dimensions."+dim.Name, "value %v", err)
		}
		if i > 0 && d.Key.Dims[i-1].Name == dim.Name {
			return fieldErr("dimensions."+dim.Name, "duplicate dimension")
		}
	}
	if d.Resolution != 1 && d.Resolution != 60 {
		return fieldErr("storage_resolution", "must be 1 or 60, got %d", d.Resolution)
	}
	if age := now.Sub(d.Time); age > AcceptPast {
		return fieldErr("timestamp", "%s is more than 2 weeks in the past", d.Time.UTC().Format(time.RFC3339))
	} else if age < -AcceptFuture {
		return fieldErr("timestamp", "%s is more than 2 hours in the future", d.Time.UTC().Format(time.RFC3339))
	}
	return d.validateForm()
}

func (d *Datum) validateForm() *FieldError {
	forms := 0
	if d.HasValue {
		forms++
	}
	if d.Values != nil {
		forms++
	}
	if d.Stats != nil {
		forms++
	}
	if forms != 1 {
		return fieldErr("value", "give exactly one of value, values (with counts) or statistic_values")
	}
	switch {
	case d.HasValue:
		if err := ValidateValue(d.Value); err != nil {
			return fieldErr("value", "%v", err)
		}
	case d.Values != nil:
		if len(d.Values) == 0 || len(d.Values) > MaxValuesPerDatum {
			return fieldErr("values", "must hold 1–%d values, got %d", MaxValuesPerDatum, len(d.Values))
		}
		if d.Counts != nil && len(d.Counts) != len(d.Values) {
			return fieldErr("counts", "must have as many entries as values (%d), got %d", len(d.Values), len(d.Counts))
		}
		for i, v := range d.Values {
			if err := ValidateValue(v); err != nil {
				return fieldErr(fmt.Sprintf("values[%d]", i), "%v", err)
			}
		}
		for i, c := range d.Counts {
			if err := ValidateValue(c); err != nil || c < 0 {
				return fieldErr(fmt.Sprintf("counts[%d]", i), "must be a finite number ≥ 0, got %g", c)
			}
		}
	default:
		s := d.Stats
		for _, f := range []struct {
			name string
			v    float64
		}{{"sample_count", s.SampleCount}, {"sum", s.Sum}, {"minimum", s.Minimum}, {"maximum", s.Maximum}} {
			if err := ValidateValue(f.v); err != nil {
				return fieldErr("statistic_values."+f.name, "%v", err)
			}
		}
		switch {
		case s.SampleCount <= 0:
			return fieldErr("statistic_values.sample_count", "must be greater than 0, got %g", s.SampleCount)
		case s.Minimum > s.Maximum:
			return fieldErr("statistic_values.minimum", "%g is greater than maximum %g", s.Minimum, s.Maximum)
		}
	}
	return nil
}
