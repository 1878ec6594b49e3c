package pattern

// This file keeps the event scanner as it was before the block-at-a-time rewrite, as an
// oracle: TestScanOracle and FuzzScanOracle check that the new scanner reports the same
// errors (offset and message) and records the same fields.

import (
	"encoding/binary"
	"unicode/utf8"
)

// oldScratch runs the old scanning methods on a scratch's memory.
type oldScratch struct{ scratch }

var oldIsWS = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func oldSkipWS(b []byte, i int) int {
	for i < len(b) && oldIsWS[b[i]] {
		i++
	}
	return i
}

// scan validates event and records its fields. It reports false after setting s.errAt and
// s.errMsg.
func (s *oldScratch) scan(event []byte) bool {
	s.b = event
	i := oldSkipWS(event, 0)
	if i < len(event) && event[i] == '{' {
		i = s.object(i, 0, 1, 0, 0)
	} else if i = s.skip(i, 0); i >= 0 {
		i = s.fail(oldSkipWS(event, 0), "an event must be a JSON object")
	}
	if i < 0 {
		return false
	}
	if i = oldSkipWS(event, i); i < len(event) {
		s.fail(i, "unexpected data after the event object")
		return false
	}
	return true
}

// fail records an error at offset at and returns -1.
func (s *oldScratch) fail(at int, msg string) int {
	s.errAt, s.errMsg = at, msg
	return -1
}

func (s *oldScratch) badString(bad int) int {
	switch {
	case bad >= len(s.b):
		return s.fail(bad, "unterminated string")
	case s.b[bad] < 0x20:
		return s.fail(bad, "control character in string")
	}
	return s.fail(bad, "invalid escape sequence in string")
}

// object scans the object at b[i] == '{', whose trie node is tn and whose fields carry the
// trail s.trail[trOff:trOff+trLen].
func (s *oldScratch) object(i int, tn int32, depth int, trOff, trLen int32) int {
	if depth > maxEventDepth {
		return s.fail(i, "nested deeper than 1000 levels")
	}
	b := s.b
	n := &s.ix.trie[tn]
	if i = oldSkipWS(b, i+1); i < len(b) && b[i] == '}' {
		return i + 1
	}
	seenBase, pendBase := len(s.seen), len(s.pend)
	for {
		if i >= len(b) || b[i] != '"' {
			return s.fail(i, "expected a member name in double quotes")
		}
		end, flags, bad := scanString(b, i)
		if bad >= 0 {
			return s.badString(bad)
		}
		key := b[i+1 : end-1]
		if i = end; i >= len(b) || b[i] != ':' { // white space before ':' is rare
			if i = oldSkipWS(b, i); i >= len(b) || b[i] != ':' {
				return s.fail(i, "expected ':' after a member name")
			}
		}
		i = oldSkipWS(b, i+1)
		c := int32(-1)
		if len(n.keys) > 0 {
			c = s.childOf(n, key, end, flags)
		}
		if c < 0 {
			i = s.skip(i, depth)
		} else {
			i = s.member(i, c, depth, trOff, trLen, seenBase, pendBase)
		}
		if i < 0 {
			return i
		}
		if i < len(b) && oldIsWS[b[i]] {
			i = oldSkipWS(b, i)
		}
		if i < len(b) && b[i] == ',' {
			i = oldSkipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			s.seen = s.seen[:seenBase]
			return i + 1
		}
		return s.fail(i, "expected ',' or '}' after an object member")
	}
}

// childOf returns the trie child of node n for the member name key (the raw string body,
// ending at s.b[end-1], with scanString's flags), or -1.
func (s *oldScratch) childOf(n *tnode, key []byte, end int, flags uint8) int32 {
	if flags&strEscape != 0 || (flags&strHigh != 0 && !utf8.Valid(key)) {
		s.kbuf = appendUnescaped(s.kbuf[:0], key)
		return s.ix.child(n, s.kbuf)
	}
	if k := len(key); k < 8 && end-1+8 <= len(s.b) {
		// head8 of a short key from one load: the bytes after it are in b.
		h := binary.LittleEndian.Uint64(s.b[end-1-k:]) & (1<<(8*uint(k)) - 1)
		return s.ix.childH(n, key, h)
	}
	return s.ix.child(n, key)
}

// member scans the value of a key whose trie node is c, superseding the fields of an
// earlier occurrence of the same key in this object.
func (s *oldScratch) member(i int, c int32, depth int, trOff, trLen int32, seenBase, pendBase int) int {
	from := int32(len(s.fields))
	dup := -1
	for k := seenBase; k < len(s.seen); k++ {
		if e := s.seen[k]; e.node == c {
			for f := e.from; f < e.to; f++ {
				s.fields[f].path = -1
			}
			dup = k
		}
	}
	if i = s.value(i, c, depth, trOff, trLen, pendBase); i < 0 {
		return i
	}
	e := seenEnt{node: c, from: from, to: int32(len(s.fields))}
	if dup >= 0 {
		s.seen[dup] = e
	} else {
		s.seen = append(s.seen, e)
	}
	return i
}

// value scans the value at b[i], found at trie node tn inside a container at depth.
// s.pend[pendBase:] are the arrays entered since the nearest enclosing object.
func (s *oldScratch) value(i int, tn int32, depth int, trOff, trLen int32, pendBase int) int {
	b := s.b
	if i >= len(b) {
		return s.fail(i, "unexpected end of input, expected a value")
	}
	n := &s.ix.trie[tn]
	switch b[i] {
	case '{':
		if len(n.keys) == 0 {
			return s.skip(i, depth)
		}
		if len(s.pend) > pendBase { // an object in arrays: its fields get a longer trail
			off := int32(len(s.trail))
			s.trail = append(s.trail, s.trail[trOff:trOff+trLen]...)
			s.trail = append(s.trail, s.pend[pendBase:]...)
			trOff, trLen = off, int32(len(s.trail))-off
			s.anyTrail = true
		}
		return s.object(i, tn, depth+1, trOff, trLen)
	case '[':
		return s.array(i, tn, depth+1, trOff, trLen, pendBase)
	}
	if n.path < 0 {
		return s.skip(i, depth)
	}
	switch b[i] {
	case '"':
		end, flags, bad := scanString(b, i)
		if bad >= 0 {
			return s.badString(bad)
		}
		raw := b[i+1 : end-1]
		if flags&strEscape != 0 || (flags&strHigh != 0 && !utf8.Valid(raw)) {
			from := len(s.buf)
			s.buf = appendUnescaped(s.buf, raw)
			raw = s.buf[from:len(s.buf):len(s.buf)]
		}
		s.record(n.path, fStr, raw, 0, trOff, trLen)
		return end
	case 't', 'f', 'n':
		end, k := s.literal(i)
		if end >= 0 {
			s.record(n.path, k, nil, 0, trOff, trLen)
		}
		return end
	}
	end, ok := scanNumber(b, i)
	if !ok {
		return s.fail(end, "invalid number or unexpected character, expected a value")
	}
	s.record(n.path, fNum, b[i:end], parseFloat(b[i:end]), trOff, trLen)
	return end
}

// array scans the array at b[i] == '['; each element gets a pending trail entry.
func (s *oldScratch) array(i int, tn int32, depth int, trOff, trLen int32, pendBase int) int {
	if depth > maxEventDepth {
		return s.fail(i, "nested deeper than 1000 levels")
	}
	b := s.b
	id := s.nArrays
	s.nArrays++
	if i = oldSkipWS(b, i+1); i < len(b) && b[i] == ']' {
		return i + 1
	}
	for idx := int32(0); ; idx++ {
		s.pend = append(s.pend, trailEnt{id: id, idx: idx})
		i = s.value(i, tn, depth, trOff, trLen, pendBase)
		s.pend = s.pend[:len(s.pend)-1]
		if i < 0 {
			return i
		}
		if i = oldSkipWS(b, i); i < len(b) && b[i] == ',' {
			i = oldSkipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		return s.fail(i, "expected ',' or ']' after an array element")
	}
}

func (s *oldScratch) record(path int32, kind uint8, val []byte, num float64, trOff, trLen int32) {
	s.fields = append(s.fields, field{val: val, num: num, path: path, kind: kind, trOff: trOff, trLen: trLen})
}

// literal scans true, false or null at b[i].
func (s *oldScratch) literal(i int) (int, uint8) {
	rest := s.b[i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		return i + 4, fTrue
	case len(rest) >= 5 && string(rest[:5]) == "false":
		return i + 5, fFalse
	case len(rest) >= 4 && string(rest[:4]) == "null":
		return i + 4, fNull
	}
	return s.fail(i, "invalid literal, expected true, false or null"), 0
}

// skip validates the value at b[i] without recording anything; depth is the nesting of the
// container holding it.
func (s *oldScratch) skip(i, depth int) int {
	b := s.b
	if i >= len(b) {
		return s.fail(i, "unexpected end of input, expected a value")
	}
	switch b[i] {
	case '"':
		end, _, bad := scanString(b, i)
		if bad >= 0 {
			return s.badString(bad)
		}
		return end
	case '{', '[':
		return s.skipContainer(i, depth)
	case 't', 'f', 'n':
		end, _ := s.literal(i)
		return end
	}
	end, ok := scanNumber(b, i)
	if !ok {
		return s.fail(end, "invalid number or unexpected character, expected a value")
	}
	return end
}

// skipKey validates a member name and the colon after it, from b[i].
func (s *oldScratch) skipKey(i int) int {
	b := s.b
	if i >= len(b) || b[i] != '"' {
		return s.fail(i, "expected a member name in double quotes")
	}
	end, _, bad := scanString(b, i)
	if bad >= 0 {
		return s.badString(bad)
	}
	if i = end; i >= len(b) || b[i] != ':' {
		if i = oldSkipWS(b, i); i >= len(b) || b[i] != ':' {
			return s.fail(i, "expected ':' after a member name")
		}
	}
	return oldSkipWS(b, i+1)
}

// skipContainer validates the object or array at b[i] iteratively, keeping one bit per open
// container (set for objects): the innermost 64 in a register, deeper ones in s.open.
func (s *oldScratch) skipContainer(i, depth int) int {
	b := s.b
	level := 0
	var open uint64 // bit l: container at level l (mod 64) is an object
	for {
		// b[i] starts a value (white space skipped).
		if i >= len(b) {
			return s.fail(i, "unexpected end of input, expected a value")
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth+level+1 > maxEventDepth {
				return s.fail(i, "nested deeper than 1000 levels")
			}
			i = oldSkipWS(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				i++
				break
			}
			if level%64 == 0 && level > 0 {
				s.open[level/64-1] = open // spill the full word
			}
			open <<= 1
			if c == '{' {
				open |= 1
				if i = s.skipKey(i); i < 0 {
					return i
				}
			}
			level++
			continue
		case '"':
			end, _, bad := scanString(b, i)
			if bad >= 0 {
				return s.badString(bad)
			}
			i = end
		default:
			if i = s.skip(i, depth+level); i < 0 {
				return i
			}
		}
		// A value is complete: close containers until one continues.
		for {
			if level == 0 {
				return i
			}
			obj := open&1 != 0
			if i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
				i = oldSkipWS(b, i)
			}
			if i < len(b) && b[i] == ',' {
				i = oldSkipWS(b, i+1)
				if obj {
					if i = s.skipKey(i); i < 0 {
						return i
					}
				}
				break
			}
			if i < len(b) && (obj && b[i] == '}' || !obj && b[i] == ']') {
				i++
				level--
				open >>= 1
				if level%64 == 0 && level > 0 {
					open = s.open[level/64-1]
				}
				continue
			}
			if obj {
				return s.fail(i, "expected ',' or '}' after an object member")
			}
			return s.fail(i, "expected ',' or ']' after an array element")
		}
	}
}
