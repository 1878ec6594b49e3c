package pattern

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON lexing shared by the pattern parser and the event scanner.

// Flags reported by scanString.
const (
	strEscape = 1 << iota // the string contains a backslash escape
	strHigh               // the string may contain bytes ≥ 0x80
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// findSpecial returns the index of the first '"', '\\' or control byte in b at or after i
// (len(b) if none), looking at eight bytes at a time, and whether the bytes passed over may
// include non-ASCII ones.
func findSpecial(b []byte, i int) (int, bool) {
	high := uint64(0)
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (lsb * '"')
		s := x ^ (lsb * '\\')
		t := (((q - lsb) &^ q) | ((s - lsb) &^ s) | ((x - lsb*0x20) &^ x)) & msb
		high |= x
		if t != 0 {
			return i + bits.TrailingZeros64(t)>>3, high&msb != 0
		}
		i += 8
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		high |= uint64(c)
	}
	return i, high&msb != 0
}

// scanString validates the JSON string starting with the quote at b[i]. It returns the index
// just past the closing quote and strEscape/strHigh flags; bad is -1, or the offset of an
// invalid byte (len(b) when the string is unterminated). The common case, a string without
// escapes, is scanned eight bytes at a time without leaving this function.
func scanString(b []byte, i int) (end int, flags uint8, bad int) {
	i++
	high := uint64(0)
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (lsb * '"')
		s := x ^ (lsb * '\\')
		t := (((q - lsb) &^ q) | ((s - lsb) &^ s) | ((x - lsb*0x20) &^ x)) & msb
		high |= x
		if t != 0 {
			j := i + bits.TrailingZeros64(t)>>3
			if high&msb != 0 {
				flags = strHigh
			}
			if b[j] == '"' {
				return j + 1, flags, -1
			}
			return scanStringSlow(b, j, flags)
		}
		i += 8
	}
	if high&msb != 0 {
		flags = strHigh
	}
	return scanStringSlow(b, i, flags)
}

// scanStringSlow continues scanString at b[i], handling escapes and the last bytes of b.
func scanStringSlow(b []byte, i int, flags uint8) (end int, _ uint8, bad int) {
	n := len(b)
	for {
		j, high := findSpecial(b, i)
		if high {
			flags |= strHigh
		}
		if j >= n {
			return n, flags, n
		}
		c := b[j]
		if c == '"' {
			return j + 1, flags, -1
		}
		if c < 0x20 {
			return j, flags, j
		}
		flags |= strEscape
		if j+1 >= n {
			return n, flags, n
		}
		switch b[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = j + 2
		case 'u':
			if j+6 > n {
				return n, flags, n
			}
			for k := j + 2; k < j+6; k++ {
				if unhex(b[k]) < 0 {
					return j, flags, j
				}
			}
			i = j + 6
		default:
			return j, flags, j
		}
	}
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hex4(b []byte) rune {
	return rune(unhex(b[0])<<12 | unhex(b[1])<<8 | unhex(b[2])<<4 | unhex(b[3]))
}

// appendUnescaped appends the decoded form of the validated string body raw (between the
// quotes) to dst, the way encoding/json decodes it: escapes resolved, surrogate pairs
// combined, and lone surrogates and invalid UTF-8 replaced by U+FFFD.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			e := raw[i+1]
			i += 2
			switch e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(raw[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if d := utf16.DecodeRune(r, hex4(raw[i+2:])); d != utf8.RuneError {
							r = d
							i += 6
							dst = utf8.AppendRune(dst, r)
							continue
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			dst = utf8.AppendRune(dst, r)
			i += size
		}
	}
	return dst
}

// scanNumber validates the JSON number starting at b[i] and returns the index just past it;
// when it is malformed, ok is false and end is the offset of the offending byte.
func scanNumber(b []byte, i int) (end int, ok bool) {
	n := len(b)
	if i < n && b[i] == '-' {
		i++
	}
	if i >= n {
		return i, false
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i++
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if i < n && b[i] == '.' {
		i++
		if i >= n || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= n || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i, true
}
