package pattern

// This file validates the values the scanner does not record: values of members whose key
// is in no condition's path, and containers holding no such path.

// skip validates the value at b[i] without recording anything; depth is the nesting of the
// container holding it.
func (s *scratch) skip(i, depth int) int {
	b := s.b
	if i >= len(b) {
		return s.fail(i, "unexpected end of input, expected a value")
	}
	switch b[i] {
	case '"':
		j := strEnd(b, i+1)
		if j < len(b) && b[j] == '"' {
			return j + 1
		}
		end, _ := s.strSlow(j)
		return end
	case '{', '[':
		return s.skipContainer(i, depth)
	}
	return s.scalar(i)
}

// scalar validates the literal or number at b[i].
func (s *scratch) scalar(i int) int {
	switch s.b[i] {
	case 't', 'f', 'n':
		end, _ := s.literal(i)
		return end
	}
	end, ok := scanNumber(s.b, i)
	if !ok {
		return s.fail(end, "invalid number or unexpected character, expected a value")
	}
	return end
}

// skipKey validates a member name and the colon after it, from b[i], and returns the
// position of the value.
func (s *scratch) skipKey(i int) int {
	b := s.b
	if i >= len(b) || b[i] != '"' {
		return s.fail(i, "expected a member name in double quotes")
	}
	if j := strEnd(b, i+1); j < len(b) && b[j] == '"' {
		i = j + 1
	} else if i, _ = s.strSlow(j); i < 0 {
		return i
	}
	if i >= len(b) || b[i] != ':' {
		if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
			return s.fail(i, "expected ':' after a member name")
		}
	}
	return ws(b, i+1)
}

// skipContainer validates the object or array at b[i] iteratively, keeping one bit per open
// container (set for objects): the innermost 64 in a register, deeper ones in s.open.
func (s *scratch) skipContainer(i, depth int) int {
	b := s.b
	level := 0
	var open uint64 // bit l: container at level l (mod 64) is an object
	for {
		// b[i] starts a value (white space skipped).
		if i >= len(b) {
			return s.fail(i, "unexpected end of input, expected a value")
		}
		switch c := b[i]; c {
		case '"':
			if j := strEnd(b, i+1); j < len(b) && b[j] == '"' {
				i = j + 1
			} else if i, _ = s.strSlow(j); i < 0 {
				return i
			}
		case '{', '[':
			if depth+level+1 > maxEventDepth {
				return s.fail(i, "nested deeper than 1000 levels")
			}
			if i = ws(b, i+1); i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
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
		default:
			if i = s.scalar(i); i < 0 {
				return i
			}
		}
		// A value is complete: close containers until one continues.
		if i = s.closeContainers(i, &level, &open); i < 0 || level == 0 {
			return i
		}
	}
}

// closeContainers continues skipContainer after a value ending at b[i]: it closes the
// containers that end there and returns the position of the next value, or i itself when
// the outermost container (*level becomes 0) is closed.
func (s *scratch) closeContainers(i int, level *int, open *uint64) int {
	b := s.b
	for *level > 0 {
		obj := *open&1 != 0
		if i = ws(b, i); i < len(b) && b[i] == ',' {
			i = ws(b, i+1)
			if obj {
				return s.skipKey(i)
			}
			return i
		}
		if i < len(b) && (obj && b[i] == '}' || !obj && b[i] == ']') {
			i++
			*level--
			*open >>= 1
			if *level%64 == 0 && *level > 0 {
				*open = s.open[*level/64-1]
			}
			continue
		}
		if obj {
			return s.fail(i, "expected ',' or '}' after an object member")
		}
		return s.fail(i, "expected ',' or ']' after an array element")
	}
	return i
}
