package statsd

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/metric"
)

// Type is the kind of a StatsD metric.
type Type uint8

// The metric types. Timer, Histogram and Distribution aggregate alike; they differ only in unit.
const (
	Counter      Type = iota + 1 // c
	Gauge                        // g
	Timer                        // ms
	Histogram                    // h
	Distribution                 // d
	Set                          // s
)

var typeNames = [...]string{"", "c", "g", "ms", "h", "d", "s"}

// String returns the type as written on the wire ("c", "ms", …).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "?"
}

// ParseError is why a line was rejected. Reason is a short, fixed label meant for metrics.
// ParseLine returns only the sentinel values below, so errors.Is works and no error allocates.
type ParseError struct {
	Reason string
	Detail string
}

func (e *ParseError) Error() string { return "statsd: " + e.Reason + ": " + e.Detail }

// The reasons a line is rejected.
var (
	ErrEmptyName   = &ParseError{"empty_name", "the metric name before ':' is empty"}
	ErrBadName     = &ParseError{"bad_name", "the metric name is longer than 255 characters, not UTF-8, or has control characters"}
	ErrBadValue    = &ParseError{"bad_value", "the value is missing or not a finite number within ±2^360"}
	ErrBadType     = &ParseError{"bad_type", "the type is missing or not one of c, g, ms, h, d, s"}
	ErrBadRate     = &ParseError{"bad_rate", "the sample rate is not a number in (0, 1], or is given twice"}
	ErrBadTag      = &ParseError{"bad_tag", "a tag is not printable ASCII, is too long, has an empty name, or tags are given twice"}
	ErrUnsupported = &ParseError{"unsupported", "DogStatsD events (_e) and service checks (_sc) are not ingested"}
	// ErrLineTooLong is reported by the TCP listener for a line longer than MaxLineLength.
	ErrLineTooLong = &ParseError{"line_too_long", "the line is longer than the 64 KiB limit"}
)

// Reasons returns every reason label, so that a caller can create its counters up front.
func Reasons() []string {
	return []string{"empty_name", "bad_name", "bad_value", "bad_type", "bad_rate", "bad_tag", "unsupported", "line_too_long"}
}

// Line is one parsed line. Its byte slices alias the input; they are valid only as long as
// the input is.
type Line struct {
	Name     []byte
	Type     Type
	RawValue []byte  // one value, several joined by ':', or (for sets) one member
	Rate     float64 // sample rate in (0, 1]; 1 when absent
	RawTags  []byte  // the tag list after '#', nil when absent
}

// ParseLine parses one line `name:value[:value…]|type[|@rate][|#tags][|…]` without allocating.
// A trailing '\r' is ignored. Sections other than the rate and the tags (DogStatsD's
// `c:container`, `T<unix time>`, `e:`, `card:` and any later extension) are ignored, as the
// Datadog agent does, so new client features never cost data. Every value and tag is checked
// here, so that a line accepted by ParseLine always aggregates into valid datums.
func ParseLine(b []byte) (Line, error) {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	var l Line
	if bytes.HasPrefix(b, []byte("_e{")) || bytes.HasPrefix(b, []byte("_sc|")) {
		return l, ErrUnsupported
	}
	colon := bytes.IndexByte(b, ':')
	if colon < 0 {
		return l, ErrBadValue
	}
	if colon == 0 {
		return l, ErrEmptyName
	}
	l.Name = b[:colon]
	if !validName(l.Name) {
		return l, ErrBadName
	}
	rest := b[colon+1:]
	pipe := bytes.IndexByte(rest, '|')
	if pipe < 0 {
		return l, ErrBadType
	}
	l.RawValue = rest[:pipe]
	rest = rest[pipe+1:]
	sect, rest := cut(rest)
	if l.Type = parseType(sect); l.Type == 0 {
		return l, ErrBadType
	}
	if err := checkValues(l.Type, l.RawValue); err != nil {
		return l, err
	}
	l.Rate = 1
	haveRate := false
	for rest != nil {
		sect, rest = cut(rest)
		switch {
		case len(sect) == 0:
		case sect[0] == '@':
			r, ok := parseNumber(sect[1:])
			if haveRate || !ok || !(r > 0 && r <= 1) {
				return l, ErrBadRate
			}
			l.Rate, haveRate = r, true
		case sect[0] == '#':
			if l.RawTags != nil || !checkTags(sect[1:]) {
				return l, ErrBadTag
			}
			l.RawTags = sect[1:len(sect):len(sect)]
		}
	}
	return l, nil
}

// cut splits b at the first '|'; rest is nil when there is none.
func cut(b []byte) (sect, rest []byte) {
	if i := bytes.IndexByte(b, '|'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

func parseType(s []byte) Type {
	switch len(s) {
	case 1:
		switch s[0] {
		case 'c':
			return Counter
		case 'g':
			return Gauge
		case 'h':
			return Histogram
		case 'd':
			return Distribution
		case 's':
			return Set
		}
	case 2:
		if s[0] == 'm' && s[1] == 's' {
			return Timer
		}
	}
	return 0
}

// validName applies spec A1 to a metric name (1–255 characters) and refuses control
// characters and invalid UTF-8, which would corrupt the NUL-separated series key.
func validName(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return len(b) <= 255
	}
	return utf8.Valid(b) && utf8.RuneCount(b) <= 255
}

func checkValues(t Type, raw []byte) error {
	if t == Set {
		if len(raw) == 0 {
			return ErrBadValue
		}
		return nil
	}
	it := ValueIter{rest: raw}
	for {
		_, _, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
}

// ValueIter walks the numeric values of a line. Use Line.Values.
type ValueIter struct {
	rest []byte
	done bool
}

// Values iterates the values of a non-set line. A set's member is RawValue itself.
func (l *Line) Values() ValueIter { return ValueIter{rest: l.RawValue} }

// Next returns the next value and whether it was written with a leading sign (a gauge delta).
// It reports ok=false after the last value. Values were checked by ParseLine.
func (it *ValueIter) Next() (v float64, signed, ok bool) {
	v, signed, ok, _ = it.next()
	return v, signed, ok
}

func (it *ValueIter) next() (v float64, signed, ok bool, err error) {
	if it.done {
		return 0, false, false, nil
	}
	s := it.rest
	if i := bytes.IndexByte(s, ':'); i >= 0 {
		s, it.rest = s[:i], s[i+1:]
	} else {
		it.done = true
	}
	v, ok = parseNumber(s)
	if !ok {
		it.done = true
		return 0, false, false, ErrBadValue
	}
	return v, s[0] == '+' || s[0] == '-', true, nil
}

// pow10 holds the powers of ten that a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a decimal number, accepting only finite values within ±2^360. Plain
// decimals of up to 15 digits take an exact fast path (one correctly rounded division of two
// exactly represented numbers); everything else, exponents included, goes to strconv, but never
// NaN, infinities or hexadecimal, which are refused up front.
func parseNumber(s []byte) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	i, neg := 0, false
	if s[0] == '+' || s[0] == '-' {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return parseSlow(s)
		}
	}
	if digits == 0 {
		return 0, false
	}
	if digits > 15 {
		return parseSlow(s)
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

func parseSlow(s []byte) (float64, bool) {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(s), 64)
	return v, err == nil && metric.ValidateValue(v) == nil
}

// Spec A1 limits of dimension names and values, in characters (ASCII only).
const (
	maxTagNameLen  = 255
	maxTagValueLen = 1024
)

// TagIter walks the tags of a line. Use Line.Tags.
type TagIter struct{ rest []byte }

// Tags iterates the tags of the line.
func (l *Line) Tags() TagIter { return TagIter{rest: l.RawTags} }

// Next returns the next tag split at its first ':'. value is nil for a tag without ':' and
// empty for `name:`. Empty tags (`a,,b`, a trailing comma) are skipped.
func (it *TagIter) Next() (name, value []byte, ok bool) {
	for it.rest != nil {
		tag := it.rest
		if i := bytes.IndexByte(tag, ','); i >= 0 {
			tag, it.rest = tag[:i], tag[i+1:]
		} else {
			it.rest = nil
		}
		if len(tag) == 0 {
			continue
		}
		if i := bytes.IndexByte(tag, ':'); i >= 0 {
			return tag[:i], tag[i+1:], true
		}
		return tag, nil, true
	}
	return nil, nil, false
}

// checkTags applies the spec A1 dimension rules to every tag: printable ASCII, a name of
// 1–255 characters and a value of at most 1024, each with a non-space character.
func checkTags(raw []byte) bool {
	it := TagIter{rest: raw}
	for {
		name, value, ok := it.Next()
		if !ok {
			return true
		}
		if !tagText(name, maxTagNameLen) || len(value) > 0 && !tagText(value, maxTagValueLen) {
			return false
		}
	}
}

func tagText(b []byte, maxLen int) bool {
	if len(b) == 0 || len(b) > maxLen {
		return false
	}
	nonSpace := false
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
		if c != ' ' {
			nonSpace = true
		}
	}
	return nonSpace
}
