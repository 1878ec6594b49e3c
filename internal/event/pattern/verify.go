package pattern

// verify reports whether the event fields satisfy every condition of the branch at program
// offset off, with array consistency.
func (s *scratch) verify(off int32) bool {
	prog := s.ix.prog[off : off+s.ix.prog[off].n]
	cons := prog[0].aux != 0
	prog = prog[1:]
	for j := 0; j < len(prog); {
		run := prog[j : j+int(prog[j].n)]
		j += len(run)
		h := s.head(run[0].path)
		switch {
		case run[0].exists < 0:
			if h >= 0 {
				return false
			}
		case h < 0:
			return false
		case run[0].exists == 0 && !s.anyMatch(run, h):
			return false
		}
	}
	if cons && s.anyTrail {
		return s.consistent(prog)
	}
	return true
}

// anyMatch reports whether some field in the list starting at f satisfies the values run.
func (s *scratch) anyMatch(run []instr, f int32) bool {
	for ; f >= 0; f = s.fields[f].next {
		if s.runMatch(run, &s.fields[f]) {
			return true
		}
	}
	return false
}

// runMatch reports whether field f satisfies the condition run (not exists:false).
func (s *scratch) runMatch(run []instr, f *field) bool {
	if run[0].exists > 0 {
		return true
	}
	for k := 0; k < len(run); {
		in := &run[k]
		if in.kind == opAnythingBut {
			sub := run[k+1 : k+1+int(in.aux)]
			k += 1 + len(sub)
			if !s.anyOp(sub, f) {
				return true
			}
			continue
		}
		if s.opMatch(in, f) {
			return true
		}
		k++
	}
	return false
}

// anyOp reports whether f satisfies one of the simple match values ops.
func (s *scratch) anyOp(ops []instr, f *field) bool {
	for k := range ops {
		if s.opMatch(&ops[k], f) {
			return true
		}
	}
	return false
}

// opMatch reports whether field f satisfies the simple match value o (not anything-but).
func (s *scratch) opMatch(o *instr, f *field) bool {
	switch o.kind {
	case opStr:
		return f.kind == fStr && len(f.val) == len(o.s) && o.hasStr(f.val)
	case opNum:
		return f.kind == fNum && f.num == o.lo
	case opTrue:
		return f.kind == fTrue
	case opFalse:
		return f.kind == fFalse
	case opNull:
		return f.kind == fNull
	case opPrefix:
		return f.kind == fStr && len(f.val) >= len(o.s) && o.hasStr(f.val)
	case opSuffix:
		return f.kind == fStr && len(f.val) >= len(o.s) && o.hasStr(f.val[len(f.val)-len(o.s):])
	case opFoldEq:
		return f.kind == fStr && string(s.fold(f)) == o.s
	case opFoldPrefix:
		if f.kind != fStr {
			return false
		}
		v := s.fold(f)
		return len(v) >= len(o.s) && string(v[:len(o.s)]) == o.s
	case opFoldSuffix:
		if f.kind != fStr {
			return false
		}
		v := s.fold(f)
		return len(v) >= len(o.s) && string(v[len(v)-len(o.s):]) == o.s
	case opWildcard:
		return f.kind == fStr && s.ix.wilds[o.aux].match(f.val)
	case opNumeric:
		return f.kind == fNum && inRange(o, f.num)
	case opCIDR:
		return f.kind == fStr && s.ix.cidrs[o.aux].contains(f.val)
	}
	return false
}

// inRange reports whether x satisfies the numeric bounds of o.
func inRange(o *instr, x float64) bool {
	switch o.loOp {
	case boundOpen:
		if !(x > o.lo) {
			return false
		}
	case boundClosed:
		if !(x >= o.lo) {
			return false
		}
	}
	switch o.hiOp {
	case boundOpen:
		return x < o.hi
	case boundClosed:
		return x <= o.hi
	}
	return true
}

// span is a list of fields in scratch.cl.
type span struct {
	off, n int32
}

// consistent reports whether the conditions of b (already known to hold one by one) can be
// satisfied by fields that agree on the element of every event array they share. A condition
// with a matching field outside any array is satisfied by it whatever the others choose; the
// others are solved by solve, scope by scope.
func (s *scratch) consistent(prog []instr) bool {
	s.cl, s.spans = s.cl[:0], s.spans[:0]
	for j := 0; j < len(prog); {
		run := prog[j : j+int(prog[j].n)]
		j += len(run)
		if run[0].exists < 0 {
			continue
		}
		off := int32(len(s.cl))
		free := false
		for f := s.head(run[0].path); f >= 0; f = s.fields[f].next {
			fl := &s.fields[f]
			if s.runMatch(run, fl) {
				if fl.trLen == 0 {
					free = true
					break
				}
				s.cl = append(s.cl, f)
			}
		}
		if free {
			s.cl = s.cl[:off]
			continue
		}
		s.spans = append(s.spans, span{off: off, n: int32(len(s.cl)) - off})
	}
	if len(s.spans) < 2 {
		return true
	}
	return s.solve(0, 0, len(s.spans))
}

// ent returns the trail entry at depth d of field f.
func (s *scratch) ent(f int32, d int32) trailEnt {
	return s.trail[s.fields[f].trOff+d]
}

// solve reports whether the conditions s.spans[lo:hi] can all be satisfied inside the scope
// fixed by the first d trail entries their fields share. A condition with a field whose trail
// ends at d is satisfied directly. The others go, each as a whole, into one array at depth d
// (a path crosses one array per scope, duplicate keys being resolved); for each such array
// some single element must satisfy all the conditions that go into it.
func (s *scratch) solve(d int32, lo, hi int) bool {
	// Drop directly satisfied conditions; sort the others by their array at depth d.
	k := lo
	for i := lo; i < hi; i++ {
		sp := s.spans[i]
		direct := false
		for j := sp.off; j < sp.off+sp.n; j++ {
			if s.fields[s.cl[j]].trLen == d {
				direct = true
				break
			}
		}
		if !direct {
			s.spans[k] = sp
			k++
		}
	}
	hi = k
	for i := lo + 1; i < hi; i++ { // insertion sort: few conditions
		for j := i; j > lo && s.arrayOf(s.spans[j], d) < s.arrayOf(s.spans[j-1], d); j-- {
			s.spans[j], s.spans[j-1] = s.spans[j-1], s.spans[j]
		}
	}
	for g := lo; g < hi; {
		arr := s.arrayOf(s.spans[g], d)
		e := g + 1
		for e < hi && s.arrayOf(s.spans[e], d) == arr {
			e++
		}
		if !s.solveArray(d, arr, g, e) {
			return false
		}
		g = e
	}
	return true
}

// arrayOf is the array at depth d of the first field of sp.
func (s *scratch) arrayOf(sp span, d int32) int32 { return s.ent(s.cl[sp.off], d).id }

// solveArray reports whether one element of array arr satisfies all conditions s.spans[g:e].
func (s *scratch) solveArray(d, arr int32, g, e int) bool {
	if e-g == 1 {
		return true // a single condition: any of its fields will do
	}
	clMark, spMark := len(s.cl), len(s.spans)
	first := s.spans[g]
	prev := int32(-1)
	for j := first.off; j < first.off+first.n; j++ {
		t := s.ent(s.cl[j], d)
		if t.id != arr || t.idx == prev {
			continue
		}
		prev = t.idx
		ok := true
		for c := g; c < e && ok; c++ {
			sp := s.spans[c]
			off := int32(len(s.cl))
			for x := sp.off; x < sp.off+sp.n; x++ {
				if u := s.ent(s.cl[x], d); u.id == arr && u.idx == t.idx {
					s.cl = append(s.cl, s.cl[x])
				}
			}
			n := int32(len(s.cl)) - off
			ok = n > 0
			s.spans = append(s.spans, span{off: off, n: n})
		}
		if ok && s.solve(d+1, spMark, len(s.spans)) {
			s.cl, s.spans = s.cl[:clMark], s.spans[:spMark]
			return true
		}
		s.cl, s.spans = s.cl[:clMark], s.spans[:spMark]
	}
	return false
}
