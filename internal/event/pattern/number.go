package pattern

import (
	"math"
	"strconv"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat converts a validated JSON number to the nearest float64, as strconv.ParseFloat
// does; out-of-range numbers become ±Inf. Numbers with at most 15 significant digits and a
// small exponent take an exact fast path that allocates nothing.
func parseFloat(b []byte) float64 {
	i, n := 0, len(b)
	neg := b[0] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
		if mant != 0 || b[i] != '0' {
			digits++
		}
		mant = mant*10 + uint64(b[i]-'0')
	}
	if i < n && b[i] == '.' {
		for i++; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
			if mant != 0 || b[i] != '0' {
				digits++
			}
			mant = mant*10 + uint64(b[i]-'0')
			exp--
		}
	}
	if i < n { // exponent
		i++
		eneg := false
		if b[i] == '+' || b[i] == '-' {
			eneg = b[i] == '-'
			i++
		}
		e := 0
		for ; i < n; i++ {
			if e < 100000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if digits <= 15 && exp >= -22 && exp <= 22 {
		f := float64(mant)
		if exp < 0 {
			f /= pow10[-exp]
		} else {
			f *= pow10[exp]
		}
		if neg {
			f = -f
		}
		return f
	}
	f, _ := strconv.ParseFloat(string(b), 64) // a range error still yields ±Inf or ±0
	return f
}

// normZero maps -0 to +0 so that equal numbers hash alike.
func normZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// floatKey is the hash input of a number.
func floatKey(f float64) uint64 { return math.Float64bits(normZero(f)) }
