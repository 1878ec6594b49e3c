package pattern

import (
	"unicode"
	"unicode/utf8"
)

// Case-insensitive operators compare strings by simple case folding, like strings.EqualFold:
// two strings are equal ignoring case iff they have the same number of characters and each
// pair of characters is in the same unicode.SimpleFold orbit. appendFold maps every character
// to the smallest member of its orbit, so that EqualFold(a, b) ⇔ fold(a) == fold(b) and
// folded strings can be hashed and compared byte-wise (prefixes included, as UTF-8 is
// prefix-free). Full case folding (ß ↔ SS) is deliberately not applied.

// appendFold appends the folded form of s to dst. Invalid UTF-8 bytes fold to U+FFFD, as
// strings.EqualFold treats them.
func appendFold(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		dst = utf8.AppendRune(dst, foldRune(r))
		i += size
	}
	return dst
}

// foldString is appendFold for strings.
func foldString(s string) string { return string(appendFold(nil, []byte(s))) }

// foldRune returns the smallest rune of r's simple case-folding orbit.
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}
