package pattern

import (
	"encoding/binary"
	"unicode/utf8"
)

// This file scans an event: it validates the whole JSON text and records, walking the path
// trie, the leaves whose path some condition addresses. Members whose key is not in the
// trie are only validated. Scanning functions take and return the byte position; a negative
// position reports an error, described by s.errAt and s.errMsg.

// maxEventDepth bounds the nesting of objects and arrays in an event (EventBridge's limit).
const maxEventDepth = 1000

// Kinds of event leaves.
const (
	fStr uint8 = iota
	fNum
	fTrue
	fFalse
	fNull
)

// field is one recorded event leaf: a leaf whose path some condition addresses.
type field struct {
	val    []byte  // the string (unescaped) or the number's text
	fold   []byte  // the folded string, once computed
	num    float64 // numbers only
	key    uint64  // the exact hash key, when the path has exact or pair anchors
	path   int32   // path id; -1 once superseded by a later duplicate key
	next   int32   // the next field of the same path, or -1
	trOff  int32   // the field's array trail: s.trail[trOff : trOff+trLen]
	trLen  int32
	kind   uint8
	folded bool
}

// trailEnt says that a field lies in element idx of event array id.
type trailEnt struct {
	id, idx int32
}

// seenEnt remembers which fields the value of one key of the current object recorded, so that
// a later duplicate key can supersede them (the last occurrence wins, as in encoding/json).
type seenEnt struct {
	node     int32
	from, to int32
}

var isWS = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// skipWS returns the position of the first byte at or after i that is not white space.
func skipWS(b []byte, i int) int {
	for i < len(b) && isWS[b[i]] {
		i++
	}
	return i
}

// ws is skipWS for the common case of no white space, small enough to inline: white space
// and the control bytes skipWS stops at are all ≤ ' '.
func ws(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i
	}
	return skipWS(b, i)
}

// scan validates event and records its fields. It reports false after setting s.errAt and
// s.errMsg.
func (s *scratch) scan(event []byte) bool {
	s.b = event
	i := skipWS(event, 0)
	if i < len(event) && event[i] == '{' {
		i = s.object(i, 0, 1, 0, 0)
	} else if i = s.skip(i, 0); i >= 0 {
		i = s.fail(skipWS(event, 0), "an event must be a JSON object")
	}
	if i < 0 {
		return false
	}
	if i = skipWS(event, i); i < len(event) {
		s.fail(i, "unexpected data after the event object")
		return false
	}
	return true
}

// fail records an error at offset at and returns -1.
func (s *scratch) fail(at int, msg string) int {
	s.errAt, s.errMsg = at, msg
	return -1
}

func (s *scratch) badString(bad int) int {
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
func (s *scratch) object(i int, tn int32, depth int, trOff, trLen int32) int {
	if depth > maxEventDepth {
		return s.fail(i, "nested deeper than 1000 levels")
	}
	b := s.b
	n := &s.ix.trie[tn]
	if i = ws(b, i+1); i < len(b) && b[i] == '}' {
		return i + 1
	}
	seenBase, pendBase := len(s.seen), len(s.pend)
	obj := s.newObject()
	for {
		if i >= len(b) || b[i] != '"' {
			return s.fail(i, "expected a member name in double quotes")
		}
		end, esc := strEnd(b, i+1), false
		if end < len(b) && b[end] == '"' {
			end++
		} else if end, esc = s.strSlow(end); end < 0 {
			return end
		}
		key := b[i+1 : end-1]
		if i = end; i >= len(b) || b[i] != ':' { // white space before ':' is rare
			if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
				return s.fail(i, "expected ':' after a member name")
			}
		}
		i = ws(b, i+1)
		c := int32(-1)
		if len(n.tab) > 0 {
			c = s.childOf(n, key, end, esc)
		}
		if c < 0 {
			i = s.skipValue(i, depth)
		} else {
			i = s.member(i, c, obj, depth, trOff, trLen, seenBase, pendBase)
		}
		if i < 0 {
			return i
		}
		if i = ws(b, i); i < len(b) && b[i] == ',' {
			i = ws(b, i+1)
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
// ending at s.b[end-1]; esc says it has escapes), or -1.
//
// Trie keys are decoded strings, valid UTF-8. A raw key without escapes is its own decoded
// form unless it is invalid UTF-8, and then its decoded form contains U+FFFD: so unless some
// key of n contains U+FFFD (n.odd), the raw key can be looked up as it is, without checking
// its encoding (an invalid one then finds nothing, as its decoded form would).
func (s *scratch) childOf(n *tnode, key []byte, end int, esc bool) int32 {
	if !esc && !n.odd {
		if k := len(key); k < 8 && end-1+8 <= len(s.b) {
			// head8 of a short key from one load: the bytes after it are in b.
			h := binary.LittleEndian.Uint64(s.b[end-1-k:]) & (1<<(8*uint(k)) - 1)
			return s.ix.childH(n, key, h)
		}
		return s.ix.child(n, key)
	}
	if !esc && utf8.Valid(key) {
		return s.ix.child(n, key)
	}
	s.kbuf = appendUnescaped(s.kbuf[:0], key)
	return s.ix.child(n, s.kbuf)
}

// newObject returns a stamp for a new object, distinct from those of all other objects whose
// members s.stamp may still mark.
func (s *scratch) newObject() uint32 {
	s.objGen++
	if s.objGen == 0 { // wrapped: old stamps could collide
		clear(s.stamp)
		s.objGen = 1
	}
	return s.objGen
}

// member scans the value of a key whose trie node is c, in the object stamped obj,
// superseding the fields of an earlier occurrence of the same key in this object.
// s.stamp[c] == obj tells that there was one, without searching s.seen.
func (s *scratch) member(i int, c int32, obj uint32, depth int, trOff, trLen int32, seenBase, pendBase int) int {
	from := int32(len(s.fields))
	dup := -1
	if s.stamp[c] == obj {
		for k := seenBase; k < len(s.seen); k++ {
			if e := s.seen[k]; e.node == c {
				for f := e.from; f < e.to; f++ {
					s.fields[f].path = -1
				}
				dup = k
			}
		}
	}
	s.stamp[c] = obj
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
func (s *scratch) value(i int, tn int32, depth int, trOff, trLen int32, pendBase int) int {
	b := s.b
	if i >= len(b) {
		return s.fail(i, "unexpected end of input, expected a value")
	}
	n := &s.ix.trie[tn]
	switch b[i] {
	case '{':
		if len(n.tab) == 0 {
			return s.skipValue(i, depth)
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
		return s.skipValue(i, depth)
	}
	switch b[i] {
	case '"':
		end, high := strEndHigh(b, i+1)
		esc := false
		if end < len(b) && b[end] == '"' {
			end++
		} else {
			e, flags, bad := scanStringSlow(b, end, 0)
			if bad >= 0 {
				return s.badString(bad)
			}
			end, esc, high = e, flags&strEscape != 0, high || flags&strHigh != 0
		}
		raw := b[i+1 : end-1]
		if esc || high && !utf8.Valid(raw) {
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
func (s *scratch) array(i int, tn int32, depth int, trOff, trLen int32, pendBase int) int {
	if depth > maxEventDepth {
		return s.fail(i, "nested deeper than 1000 levels")
	}
	b := s.b
	id := s.nArrays
	s.nArrays++
	if i = ws(b, i+1); i < len(b) && b[i] == ']' {
		return i + 1
	}
	for idx := int32(0); ; idx++ {
		s.pend = append(s.pend, trailEnt{id: id, idx: idx})
		i = s.value(i, tn, depth, trOff, trLen, pendBase)
		s.pend = s.pend[:len(s.pend)-1]
		if i < 0 {
			return i
		}
		if i = ws(b, i); i < len(b) && b[i] == ',' {
			i = ws(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		return s.fail(i, "expected ',' or ']' after an array element")
	}
}

func (s *scratch) record(path int32, kind uint8, val []byte, num float64, trOff, trLen int32) {
	s.fields = append(s.fields, field{val: val, num: num, path: path, kind: kind, trOff: trOff, trLen: trLen})
}

// literal scans true, false or null at b[i].
func (s *scratch) literal(i int) (int, uint8) {
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
