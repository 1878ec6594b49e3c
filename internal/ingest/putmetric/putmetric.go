package putmetric

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/tocsin/tocsin/internal/jsonlex"
	"github.com/tocsin/tocsin/internal/metric"
)

// Limits bound one request. Zero fields take their defaults.
type Limits struct {
	MaxDatums    int // default 1000 (spec A1)
	MaxBodyBytes int // default 1 MiB; callers check the decompressed body against it too
}

// Default limits (spec A1).
const (
	DefaultMaxDatums    = 1000
	DefaultMaxBodyBytes = 1 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxDatums <= 0 {
		l.MaxDatums = DefaultMaxDatums
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return l
}

// Request is a decoded body. Reuse one Request (e.g. from a sync.Pool) for the next body:
// decoding into it reuses the backing arrays of Datums and of every datum's Dims, Values,
// Counts and Stats, so copy whatever must outlive the next Decode. Strings are never reused
// and may be kept. A Request must not be used by two goroutines at once.
type Request struct {
	Environment string // "" when the body names none; the caller picks the default
	Namespace   string
	Datums      []metric.Datum // Key.Env and Key.Namespace are set from the fields above

	dims    []metric.Dim     // backing store of the datums' Dims
	floats  []float64        // backing store of their Values and Counts
	stats   []metric.StatSet // backing store of their Stats
	known   []bool           // per datum: every string of its key has passed validation before
	strs    *strCache
	scratch []byte
}

// DatumError is the first problem found in one datum. Field is the full path, e.g.
// "metric_data[3].dimensions.Host"; Index counts datums from 0 (in NDJSON, datum lines).
type DatumError struct {
	Index   int    `json:"index"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e DatumError) Error() string { return e.Field + ": " + e.Message }

// Error is a problem with the body as a whole: malformed JSON, a body over the limits, or
// an invalid envelope (environment, namespace, metric_data). Nothing of the body is usable.
type Error struct {
	Field   string // path of the offending value, e.g. "namespace" or "metric_data[2].value"; "" for the body
	Offset  int    // byte offset in the body where the problem was found
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

type decoder struct {
	scanner
	r     *Request
	now   time.Time
	lim   Limits
	errs  []DatumError
	bad   bool // the datum being read already has an error
	known bool // every string of its key so far has passed validation before
}

func newDecoder(body []byte, now time.Time, lim Limits, dst *Request) decoder {
	dst.Environment, dst.Namespace, dst.Datums = "", "", dst.Datums[:0]
	dst.dims, dst.stats = dst.dims[:0], dst.stats[:0]
	if dst.floats == nil {
		dst.floats = make([]float64, 0, 256) // never nil: an empty "values" must stay non-nil
	}
	dst.floats = dst.floats[:0]
	if dst.strs == nil {
		dst.strs = newStrCache()
	}
	dst.strs.body()
	dst.known = dst.known[:0]
	lex := jsonlex.Lexer{B: body, MaxDepth: maxDepth, Scratch: dst.scratch}
	return decoder{scanner: scanner{Lexer: lex, idx: -1}, r: dst, now: now, lim: lim.withDefaults()}
}

// catch turns an abort into the results of Decode. It must be deferred directly.
func (d *decoder) catch(errs *[]DatumError, err *error) {
	d.r.scratch = d.Scratch
	if p := recover(); p != nil {
		switch a := p.(type) {
		case abort:
			*errs, *err = nil, a.err
		case jsonlex.Error:
			*errs, *err = nil, d.lexError(a)
		default:
			panic(p)
		}
	}
}

// Decode parses and validates body, received at now (a datum without timestamp gets now).
// It returns an *Error for a malformed body or envelope; otherwise the datums are in dst
// and there is one DatumError per invalid datum, in index order: the caller rejects the
// whole request when there is any.
func Decode(body []byte, now time.Time, lim Limits, dst *Request) (errs []DatumError, err error) {
	d := newDecoder(body, now, lim, dst)
	if len(body) > d.lim.MaxBodyBytes {
		return nil, &Error{Message: fmt.Sprintf("the body is %d bytes, more than the limit of %d", len(body), d.lim.MaxBodyBytes)}
	}
	defer d.catch(&errs, &err)
	d.envelope(false)
	if d.Peek(); d.Pos < len(d.B) {
		d.fail("unexpected %s after the top-level object", d.found())
	}
	return d.finish()
}

// DecodeNDJSON decodes the newline-delimited variant: a first line {"environment"?,
// "namespace"} and then one datum object per line. Blank lines are ignored. Limits, errors
// and the reuse of dst are as for Decode; a DatumError's Index counts datum lines from 0.
func DecodeNDJSON(body []byte, now time.Time, lim Limits, dst *Request) (errs []DatumError, err error) {
	d := newDecoder(nil, now, lim, dst)
	if len(body) > d.lim.MaxBodyBytes {
		return nil, &Error{Message: fmt.Sprintf("the body is %d bytes, more than the limit of %d", len(body), d.lim.MaxBodyBytes)}
	}
	defer d.catch(&errs, &err)
	n, head := 0, false
	for start, line := 0, 1; start < len(body); line++ {
		end := bytes.IndexByte(body[start:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += start
		}
		d.B, d.Pos, d.base, d.line, d.idx, d.field = body[start:end], 0, start, line, -1, ""
		start = end + 1
		if d.Peek(); d.Pos == len(d.B) {
			continue
		}
		switch {
		case !head:
			d.envelope(true)
			head = true
		case n >= d.lim.MaxDatums:
			n++
			continue // counted, not read: the request is rejected
		default:
			n++
			d.datum()
		}
		if d.Peek(); d.Pos < len(d.B) {
			d.fail("unexpected %s after the object; NDJSON holds one object per line", d.found())
		}
	}
	d.idx, d.line, d.Pos, d.base = -1, 0, 0, len(body)
	if !head {
		d.abortf("", `the body is empty; its first line must be {"namespace": ...}`)
	}
	d.checkCount(n)
	return d.finish()
}

// envelope reads the top-level object; in NDJSON it holds no metric_data.
func (d *decoder) envelope(ndjson bool) {
	if c := d.Peek(); c != '{' {
		d.abortf("", "the body must be a JSON object, got %s", d.kind(c))
	}
	d.Pos++
	var seen [3]bool
	for n := 0; d.More('}', &n); d.field = "" {
		key, i := d.Key(), 0
		switch string(key) {
		case "environment":
			i = 0
		case "namespace":
			i = 1
		case "metric_data":
			i = 2
		default:
			i = -1
		}
		if i < 0 || i == 2 && ndjson {
			d.abortf(string(key), "unknown key")
		}
		name := envelopeKeys[i]
		if seen[i] {
			d.abortf(name, "duplicate key")
		}
		seen[i], d.field = true, name
		if i == 2 {
			d.datums()
			continue
		}
		if c := d.Peek(); c != '"' {
			d.abortf(name, "must be a string, got %s", d.kind(c))
		}
		s, _ := d.r.strs.get(d.Str())
		if i == 0 {
			if !validEnv(s) {
				d.abortf(name, "invalid environment name %q: use lower-case letters, digits and -, starting with a letter", s)
			}
			d.r.Environment = s
		} else if err := metric.ValidateNamespace(s); err != nil {
			d.abortf(name, "%v", err)
		} else {
			d.r.Namespace = s
		}
	}
	if !seen[1] {
		d.abortf("namespace", "required")
	}
	if !seen[2] && !ndjson {
		d.abortf("metric_data", "required")
	}
}

var envelopeKeys = [...]string{"environment", "namespace", "metric_data"}

// validEnv reports whether s is an environment name: ^[a-z][a-z0-9-]{0,62}$ (see stack).
func validEnv(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// datums reads the metric_data array. Datums beyond the limit are checked for syntax only.
func (d *decoder) datums() {
	if c := d.Peek(); c != '[' {
		d.abortf("metric_data", "must be an array, got %s", d.kind(c))
	}
	d.Pos++
	n := 0
	for d.More(']', &n) {
		if n > d.lim.MaxDatums {
			d.idx, d.field = -1, "metric_data"
			d.Skip()
			continue
		}
		d.datum()
	}
	d.idx, d.field = -1, ""
	d.checkCount(n)
}

func (d *decoder) checkCount(n int) {
	switch {
	case n > d.lim.MaxDatums:
		d.abortf("metric_data", "at most %d datums per request, got %d", d.lim.MaxDatums, n)
	case n == 0:
		d.abortf("metric_data", "must hold at least one datum")
	}
}

// finish stamps every datum with the envelope and validates the datums that decoded cleanly.
func (d *decoder) finish() ([]DatumError, error) {
	r, decodeErrs := d.r, d.errs
	j := 0
	for i := range r.Datums {
		dt := &r.Datums[i]
		dt.Key.Env, dt.Key.Namespace = r.Environment, r.Namespace
		if j < len(decodeErrs) && decodeErrs[j].Index == i {
			j++
			continue
		}
		if fe := d.validate(dt, r.known[i]); fe != nil {
			d.errs = append(d.errs, DatumError{Index: i, Field: datumPath(i, fe.Field), Message: fe.Message})
		}
	}
	if len(decodeErrs) > 0 && len(d.errs) > len(decodeErrs) {
		slices.SortStableFunc(d.errs, func(a, b DatumError) int { return a.Index - b.Index })
	}
	return d.errs, nil
}

// shadowKey is a key that passes validation, for validate.
var shadowKey = metric.SeriesKey{Namespace: "A", Name: "A"}

// validate is dt.Validate(now), with the checks of the key's strings skipped when each of
// them has passed those checks before (known). It relies on Validate checking a key one
// string at a time, plus the number and uniqueness of the dimension names, which datum
// checks itself; the differential fuzz test compares the result with Validate's.
func (d *decoder) validate(dt *metric.Datum, known bool) *metric.FieldError {
	if known {
		shadow := *dt
		shadow.Key = shadowKey
		return shadow.Validate(d.now)
	}
	fe := dt.Validate(d.now)
	if fe == nil {
		c := d.r.strs
		c.validated(dt.Key.Name, roleName)
		c.validated(string(dt.Key.Unit), roleUnit)
		for _, dim := range dt.Key.Dims {
			c.validated(dim.Name, roleDimName)
			c.validatedValue(dim.Value)
		}
	}
	return fe
}
