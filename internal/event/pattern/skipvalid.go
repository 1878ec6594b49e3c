package pattern

import (
	"encoding/binary"
	"math/bits"
)

// This file skips values of events known to be valid JSON (MatchValid): a skipped value is
// only delimited, not validated, which is what validation costs on the members no condition
// looks at. On input that is not valid JSON the skippers still stay within the bytes and
// always advance, so a bad event yields some result, never a crash or a hang.

// Byte classes of containerEnd.
const (
	cOther uint8 = iota
	cQuote
	cOpen
	cClose
)

var skipClass = [256]uint8{'"': cQuote, '{': cOpen, '[': cOpen, '}': cClose, ']': cClose}

// scalarEnd marks the bytes that end a number or literal.
var scalarEnd = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\n': true, '\r': true}

// quote8 is special8 without the control bytes: the top bit of byte k of the result is set
// when byte k of x may be '"' or '\\' (the lowest mark is exact).
func quote8(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	return ((q-lsb)&^q | (s-lsb)&^s) & msb
}

// quoteScan returns the position of the first '"' or '\\' at or after j, or the position
// from which fewer than eight bytes remain, whichever comes first. Small enough to inline,
// it spares the usual string, without escapes, a call.
func quoteScan(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		if t := quote8(binary.LittleEndian.Uint64(b[j:])); t != 0 {
			return j + bits.TrailingZeros64(t)>>3
		}
	}
	return j
}

// quoteEnd returns the position just past the closing quote of the string whose body
// starts at b[j] (len(b) when there is none).
func quoteEnd(b []byte, j int) int {
	for {
		for j+8 <= len(b) {
			t := quote8(binary.LittleEndian.Uint64(b[j:]))
			if t != 0 {
				j += bits.TrailingZeros64(t) >> 3
				break
			}
			j += 8
		}
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j >= len(b) {
			return len(b)
		}
		if b[j] == '"' {
			return j + 1
		}
		j += 2 // an escape: the byte after the backslash cannot end the string
	}
}

// skipValid returns the position just past the value at b[i].
func skipValid(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		j := quoteScan(b, i+1)
		if j < len(b) && b[j] == '"' {
			return j + 1
		}
		return quoteEnd(b, j)
	case '{', '[':
		return containerEnd(b, i)
	}
	for i < len(b) && !scalarEnd[b[i]] {
		i++
	}
	return i
}

// containerEnd returns the position just past the object or array at b[i], counting the
// brackets outside strings.
func containerEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch skipClass[b[i]] {
		case cQuote:
			if j := quoteScan(b, i+1); j < len(b) && b[j] == '"' {
				i = j + 1
			} else {
				i = quoteEnd(b, j)
			}
			continue
		case cOpen:
			depth++
		case cClose:
			if depth--; depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return i
}

// skipValue skips the value at s.b[i] in a container at depth: it validates it, unless the
// event is known to be valid.
func (s *scratch) skipValue(i, depth int) int {
	if s.valid {
		return skipValid(s.b, i)
	}
	return s.skip(i, depth)
}
