package putmetric

import (
	"math"
	"strconv"
	"unsafe"
)

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// number reads the JSON number at the current position and returns its value and text.
// ok is false when it lies outside the range of float64. Numbers with at most 15
// significant digits and a small exponent take Clinger's exact fast path (a product or
// quotient of two exactly representable floats is correctly rounded); others go to
// strconv.ParseFloat through a string view of the body, which does not allocate.
func (s *scanner) number() (v float64, raw []byte, ok bool) {
	b, i := s.b, s.pos
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	if i >= len(b) || !digit(b[i]) {
		s.pos = i
		s.badValue()
	}
	var mant uint64
	nd, frac, exp := 0, 0, 0
	if b[i] == '0' {
		i++ // a leading zero stands alone; a digit after it is an error of the caller's syntax
	} else {
		for ; i < len(b) && digit(b[i]); i++ {
			mant, nd = mant*10+uint64(b[i]-'0'), nd+1
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for ; i < len(b) && digit(b[i]); i++ {
			mant, nd = mant*10+uint64(b[i]-'0'), nd+1
		}
		if frac = i - j; frac == 0 {
			s.pos = i
			s.fail("expected a digit after the decimal point, found %s", s.found())
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := i < len(b) && b[i] == '-'
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		j := i
		for ; i < len(b) && digit(b[i]); i++ {
			exp = min(exp*10+int(b[i]-'0'), 1e6)
		}
		if i == j {
			s.pos = i
			s.fail("expected a digit in the exponent, found %s", s.found())
		}
		if eneg {
			exp = -exp
		}
	}
	raw, s.pos = b[s.pos:i], i
	if e := exp - frac; nd <= 15 && e >= -22 && e <= 22 {
		v = float64(mant)
		if e >= 0 {
			v *= pow10[e]
		} else {
			v /= pow10[-e]
		}
		if neg {
			v = -v
		}
		return v, raw, true
	}
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	return v, raw, err == nil || !math.IsInf(v, 0)
}
