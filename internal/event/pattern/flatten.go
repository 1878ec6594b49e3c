package pattern

import "unicode/utf8"

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

// scan validates event and records the fields at pattern paths. It reports false after
// setting s.errAt and s.errMsg.
func (s *scratch) scan(event []byte) bool {
	s.b, s.i = event, 0
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '{' {
		if !s.object(0, 1, 0, 0) {
			return false
		}
	} else {
		if !s.skipValue(0) {
			return false
		}
		return s.fail(0, "an event must be a JSON object")
	}
	s.ws()
	if s.i < len(s.b) {
		return s.fail(s.i, "unexpected data after the event object")
	}
	return true
}

func (s *scratch) fail(at int, msg string) bool {
	s.errAt, s.errMsg = at, msg
	return false
}

func (s *scratch) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes byte c (after white space) or fails.
func (s *scratch) expect(c byte, msg string) bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return s.fail(s.i, msg)
	}
	s.i++
	return true
}

// key scans a member name and the colon after it, returning the (unescaped) name.
func (s *scratch) key() ([]byte, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, s.fail(s.i, "expected a member name in double quotes")
	}
	start := s.i
	end, flags, bad := scanString(s.b, start)
	if bad >= 0 {
		return nil, s.badString(bad)
	}
	s.i = end
	if !s.expect(':', "expected ':' after a member name") {
		return nil, false
	}
	raw := s.b[start+1 : end-1]
	if flags&strEscape != 0 || (flags&strHigh != 0 && !utf8.Valid(raw)) {
		s.kbuf = appendUnescaped(s.kbuf[:0], raw)
		return s.kbuf, true
	}
	return raw, true
}

// skipKey validates a member name and the colon after it.
func (s *scratch) skipKey() bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.fail(s.i, "expected a member name in double quotes")
	}
	end, _, bad := scanString(s.b, s.i)
	if bad >= 0 {
		return s.badString(bad)
	}
	s.i = end
	return s.expect(':', "expected ':' after a member name")
}

func (s *scratch) badString(bad int) bool {
	switch {
	case bad >= len(s.b):
		return s.fail(bad, "unterminated string")
	case s.b[bad] < 0x20:
		return s.fail(bad, "control character in string")
	}
	return s.fail(bad, "invalid escape sequence in string")
}

// object records the members of the object at s.i, whose trie node is tn and whose fields
// carry the trail s.trail[trOff:trOff+trLen].
func (s *scratch) object(tn int32, depth int, trOff, trLen int32) bool {
	if depth > maxEventDepth {
		return s.fail(s.i, "nested deeper than 1000 levels")
	}
	n := &s.ix.trie[tn]
	s.i++ // {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	seenBase, pendBase := len(s.seen), len(s.pend)
	for {
		key, ok := s.key()
		if !ok {
			return false
		}
		s.ws()
		c := s.ix.child(n, key)
		if c < 0 {
			if !s.skipValue(depth) {
				return false
			}
		} else {
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
			if !s.value(c, depth, trOff, trLen, pendBase) {
				return false
			}
			e := seenEnt{node: c, from: from, to: int32(len(s.fields))}
			if dup >= 0 {
				s.seen[dup] = e
			} else {
				s.seen = append(s.seen, e)
			}
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			s.seen = s.seen[:seenBase]
			return true
		}
		return s.fail(s.i, "expected ',' or '}' after an object member")
	}
}

// value records the value at s.i, found at trie node tn inside a container at depth.
// s.pend[pendBase:] are the arrays entered since the nearest enclosing object.
func (s *scratch) value(tn int32, depth int, trOff, trLen int32, pendBase int) bool {
	if s.i >= len(s.b) {
		return s.fail(s.i, "unexpected end of input, expected a value")
	}
	n := &s.ix.trie[tn]
	switch c := s.b[s.i]; c {
	case '{':
		if len(n.keys) == 0 && n.big == nil {
			return s.skipValue(depth)
		}
		if len(s.pend) > pendBase { // an object in arrays: its fields get a longer trail
			off := int32(len(s.trail))
			s.trail = append(s.trail, s.trail[trOff:trOff+trLen]...)
			s.trail = append(s.trail, s.pend[pendBase:]...)
			trOff, trLen = off, int32(len(s.trail))-off
			s.anyTrail = true
		}
		return s.object(tn, depth+1, trOff, trLen)
	case '[':
		return s.array(tn, depth+1, trOff, trLen, pendBase)
	case '"':
		start := s.i
		end, flags, bad := scanString(s.b, start)
		if bad >= 0 {
			return s.badString(bad)
		}
		s.i = end
		if n.path >= 0 {
			raw := s.b[start+1 : end-1]
			if flags&strEscape != 0 || (flags&strHigh != 0 && !utf8.Valid(raw)) {
				from := len(s.buf)
				s.buf = appendUnescaped(s.buf, raw)
				raw = s.buf[from:len(s.buf):len(s.buf)]
			}
			s.record(n.path, fStr, raw, 0, trOff, trLen)
		}
		return true
	case 't', 'f', 'n':
		k, ok := s.literal()
		if ok && n.path >= 0 {
			s.record(n.path, k, nil, 0, trOff, trLen)
		}
		return ok
	}
	start := s.i
	end, ok := scanNumber(s.b, start)
	if !ok {
		return s.fail(end, "invalid number or unexpected character, expected a value")
	}
	s.i = end
	if n.path >= 0 {
		raw := s.b[start:end]
		s.record(n.path, fNum, raw, parseFloat(raw), trOff, trLen)
	}
	return true
}

// array records the elements of the array at s.i; each gets a pending trail entry.
func (s *scratch) array(tn int32, depth int, trOff, trLen int32, pendBase int) bool {
	if depth > maxEventDepth {
		return s.fail(s.i, "nested deeper than 1000 levels")
	}
	id := s.nArrays
	s.nArrays++
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for idx := int32(0); ; idx++ {
		s.pend = append(s.pend, trailEnt{id: id, idx: idx})
		ok := s.value(tn, depth, trOff, trLen, pendBase)
		s.pend = s.pend[:len(s.pend)-1]
		if !ok {
			return false
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		return s.fail(s.i, "expected ',' or ']' after an array element")
	}
}

func (s *scratch) record(path int32, kind uint8, val []byte, num float64, trOff, trLen int32) {
	s.fields = append(s.fields, field{val: val, num: num, path: path, kind: kind, trOff: trOff, trLen: trLen})
}

// literal scans true, false or null.
func (s *scratch) literal() (uint8, bool) {
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return fTrue, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return fFalse, true
	case len(rest) >= 4 && string(rest[:4]) == "null":
		s.i += 4
		return fNull, true
	}
	return 0, s.fail(s.i, "invalid literal, expected true, false or null")
}

// skipValue validates the value at s.i without recording anything. depth is the nesting of
// the container holding it.
func (s *scratch) skipValue(depth int) bool {
	var isObj [maxEventDepth/64 + 1]uint64 // one bit per open container
	level := 0
	for {
		s.ws()
		if s.i >= len(s.b) {
			return s.fail(s.i, "unexpected end of input, expected a value")
		}
		switch c := s.b[s.i]; c {
		case '{', '[':
			if depth+level+1 > maxEventDepth {
				return s.fail(s.i, "nested deeper than 1000 levels")
			}
			s.i++
			s.ws()
			if s.i < len(s.b) && (s.b[s.i] == '}' && c == '{' || s.b[s.i] == ']' && c == '[') {
				s.i++
				break
			}
			if c == '{' {
				isObj[level/64] |= 1 << (level % 64)
				level++
				if !s.skipKey() {
					return false
				}
			} else {
				isObj[level/64] &^= 1 << (level % 64)
				level++
			}
			continue
		case '"':
			end, _, bad := scanString(s.b, s.i)
			if bad >= 0 {
				return s.badString(bad)
			}
			s.i = end
		case 't', 'f', 'n':
			if _, ok := s.literal(); !ok {
				return false
			}
		default:
			end, ok := scanNumber(s.b, s.i)
			if !ok {
				return s.fail(end, "invalid number or unexpected character, expected a value")
			}
			s.i = end
		}
		// A value is complete: close containers until one continues.
		for {
			if level == 0 {
				return true
			}
			s.ws()
			if s.i >= len(s.b) {
				return s.fail(s.i, "unexpected end of input")
			}
			obj := isObj[(level-1)/64]&(1<<((level-1)%64)) != 0
			c := s.b[s.i]
			if c == ',' {
				s.i++
				if obj && !s.skipKey() {
					return false
				}
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				s.i++
				level--
				continue
			}
			if obj {
				return s.fail(s.i, "expected ',' or '}' after an object member")
			}
			return s.fail(s.i, "expected ',' or ']' after an array element")
		}
	}
}
