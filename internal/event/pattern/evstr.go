package pattern

import (
	"encoding/binary"
	"math/bits"
)

// This file holds the string scanning of the event scanner. Strings make up most of an
// event's bytes; they are scanned eight bytes at a time (SWAR). The scanner's loops call
// strEnd, which the compiler inlines, and test the byte it stops at: a quote ends the usual
// string, without escapes, with no call; anything else goes to strSlow. (A call per string
// costs more than the scan of a short one.)

// special8 returns, for the eight bytes of x (the first in the low byte), a word with the
// top bit of byte k set when byte k may be '"', '\\' or below 0x20.
//
// (v - 0x01…01) &^ v has the top bit of a byte set when that byte of v is zero, or when it
// is 1 and a borrow came from a zero byte below it; applied to x XOR '"'…'"' it finds
// quotes, to x XOR '\\'…'\\' backslashes. (x - 0x20…20) &^ x marks bytes below 0x20, and
// spaces right above such a byte (borrow again). So every special byte is marked, and an
// ordinary byte is only marked above a special one: the lowest mark is always exact.
func special8(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	return ((q-lsb)&^q | (s-lsb)&^s | (x-lsb*0x20)&^x) & msb
}

// strSlow continues a string at s.b[j], where strEnd stopped short of a closing quote: at a
// backslash, a control byte, or fewer than eight bytes before the end of the event. It
// returns the index just past the closing quote and whether the string has escapes, or -1
// after recording the error.
func (s *scratch) strSlow(j int) (int, bool) {
	end, flags, bad := scanStringSlow(s.b, j, 0)
	if bad >= 0 {
		return s.badString(bad), false
	}
	return end, flags&strEscape != 0
}

// strEnd returns the position of the first '"', '\\' or control byte at or after j, or the
// position from which fewer than eight bytes remain, whichever comes first.
func strEnd(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		if t := special8(binary.LittleEndian.Uint64(b[j:])); t != 0 {
			return j + bits.TrailingZeros64(t)>>3
		}
	}
	return j
}

// strEndHigh is strEnd that also reports whether the bytes passed over include one ≥ 0x80
// (in the word holding the mark, only the k bytes before it count).
func strEndHigh(b []byte, j int) (int, bool) {
	var high uint64
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		if t := special8(x); t != 0 {
			k := bits.TrailingZeros64(t) >> 3 // the mark is the top bit of byte k
			return j + k, (high|x&(1<<(8*k)-1))&msb != 0
		}
		high |= x
	}
	return j, high&msb != 0
}
