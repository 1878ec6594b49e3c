package jsonlex

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// plain marks the bytes a string holds without escaping or UTF-8 decoding.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the index of the first byte from i on that a string reader must look at:
// a quote, a backslash, a control character or a non-ASCII byte; or len(b). It tests 8 bytes
// at a time with the zero-byte trick of "Bit Twiddling Hacks": a flag can be spurious only
// above a genuine one, so the lowest flag is exact.
func skipPlain(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(ones*'"'), w^(ones*'\\')
		if m := ((q-ones)&^q | (bs-ones)&^bs | (w - ones*0x20) | w) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && plain[b[i]] {
		i++
	}
	return i
}

// Str reads the string at Pos, which holds its opening quote, and returns its decoded bytes.
// They alias B, or Scratch when the string holds escapes (or invalid UTF-8 to replace), so
// they are valid until the next string is read. A \u escape of a lone surrogate reads as
// U+FFFD, as in encoding/json.
func (l *Lexer) Str() []byte {
	l.Pos++
	start := l.Pos
	for {
		if l.Pos = skipPlain(l.B, l.Pos); l.Pos >= len(l.B) {
			break
		}
		switch c := l.B[l.Pos]; {
		case c == '"':
			l.Pos++
			return l.B[start : l.Pos-1]
		case c == '\\':
			return l.unescape(start)
		case c < 0x20:
			l.fail(ErrControl)
		default:
			if !l.rune() {
				return l.unescape(start)
			}
		}
	}
	l.fail(ErrUnterminated)
	return nil
}

// rune passes over the multi-byte UTF-8 sequence at Pos. Invalid UTF-8 is an ErrUTF8, or
// with ReplaceInvalidUTF8 makes rune report false and leave Pos alone.
func (l *Lexer) rune() bool {
	r, n := utf8.DecodeRune(l.B[l.Pos:])
	if r == utf8.RuneError && n <= 1 {
		if !l.ReplaceInvalidUTF8 {
			l.fail(ErrUTF8)
		}
		return false
	}
	l.Pos += n
	return true
}

// unescape is the slow path of Str: it decodes the string from start into Scratch.
func (l *Lexer) unescape(start int) []byte {
	buf := append(l.Scratch[:0], l.B[start:l.Pos]...)
	for l.Pos < len(l.B) {
		c := l.B[l.Pos]
		switch {
		case c == '"':
			l.Pos++
			l.Scratch = buf
			return buf
		case c == '\\':
			buf = l.escape(buf)
		case c < 0x20:
			l.fail(ErrControl)
		case c < utf8.RuneSelf:
			i := skipPlain(l.B, l.Pos)
			buf = append(buf, l.B[l.Pos:i]...)
			l.Pos = i
		default:
			i := l.Pos
			if l.rune() {
				buf = append(buf, l.B[i:l.Pos]...)
			} else {
				buf = utf8.AppendRune(buf, utf8.RuneError)
				l.Pos++
			}
		}
	}
	l.fail(ErrUnterminated)
	return nil
}

// escape decodes the escape sequence at Pos (its backslash) and appends it to buf.
func (l *Lexer) escape(buf []byte) []byte {
	at := l.Pos
	if at+1 >= len(l.B) {
		l.fail(ErrUnterminated)
	}
	e := l.B[at+1]
	l.Pos += 2
	switch e {
	case '"', '\\', '/':
		return append(buf, e)
	case 'b':
		return append(buf, '\b')
	case 'f':
		return append(buf, '\f')
	case 'n':
		return append(buf, '\n')
	case 'r':
		return append(buf, '\r')
	case 't':
		return append(buf, '\t')
	case 'u':
		r := l.hex4(at)
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if next := l.Pos; next+1 < len(l.B) && l.B[next] == '\\' && l.B[next+1] == 'u' {
				l.Pos += 2
				if r2 = utf16.DecodeRune(r, l.hex4(next)); r2 == utf8.RuneError {
					l.Pos = next // not a pair: the second escape stands alone
				}
			}
			r = r2
		}
		return utf8.AppendRune(buf, r)
	}
	panic(Error{Code: ErrEscape, Offset: at, Escape: at})
}

// hex4 reads the four hexadecimal digits of the \u escape whose backslash is at escape.
func (l *Lexer) hex4(escape int) rune {
	var r rune
	for i := 0; i < 4; i++ {
		if l.Pos >= len(l.B) {
			panic(Error{Code: ErrHex, Offset: l.Pos, Escape: escape})
		}
		c := l.B[l.Pos]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			panic(Error{Code: ErrHex, Offset: l.Pos, Escape: escape})
		}
		r = r<<4 | rune(c)
		l.Pos++
	}
	return r
}
