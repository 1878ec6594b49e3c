package jsonlex

import (
	"math"
	"strconv"
	"unsafe"
)

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// Number reads the number at Pos (KindOf its first byte is Number) and returns its value and
// text. ok is false when it lies outside the range of float64. Numbers with at most 15
// significant digits and a small exponent take Clinger's exact fast path (a product or
// quotient of two exactly representable floats is correctly rounded); others go to
// strconv.ParseFloat through a string view of B, which does not allocate.
func (l *Lexer) Number() (v float64, raw []byte, ok bool) {
	start := l.Pos
	mant, nd, exp, neg := l.number()
	raw = l.B[start:l.Pos]
	if nd <= 15 && exp >= -22 && exp <= 22 {
		v = float64(mant)
		if exp >= 0 {
			v *= pow10[exp]
		} else {
			v /= pow10[-exp]
		}
		if neg {
			v = -v
		}
		return v, raw, true
	}
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	return v, raw, err == nil || !math.IsInf(v, 0)
}

// number passes over the number at Pos, validating its grammar, and returns its digits
// (but a lone leading 0) as an integer mant, exact when their count nd is at most 19; the
// power of ten to scale mant by; and the sign.
func (l *Lexer) number() (mant uint64, nd, exp int, neg bool) {
	b, i := l.B, l.Pos
	neg = i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	if i >= len(b) || !digit(b[i]) {
		l.Pos = i
		l.fail(ErrNumber)
	}
	frac := 0
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
			l.Pos = i
			l.fail(ErrFraction)
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
			l.Pos = i
			l.fail(ErrExponent)
		}
		if eneg {
			exp = -exp
		}
	}
	l.Pos = i
	return mant, nd, exp - frac, neg
}
