package pattern

import (
	"encoding/binary"
	"math"
	"strings"
)

// instr is one match value of a condition in an index's program. The conditions of a branch
// are laid out contiguously (with their strings in one arena) so that verifying a candidate
// touches a few adjacent cache lines instead of chasing pointers through its Pattern.
//
// A branch starts with an opBranch header (path: the pattern's position in index.ids, n:
// the length of the branch including the header, aux: 1 when array consistency may
// matter), followed by its conditions. A condition is a run of n instrs; its first carries
// the path, exists and n. An anything-but instr is followed by its sub-instrs (aux of
// them), which belong to its run.
//
// The exact, prefix and suffix string values keep in hi the bits of head8(s), and in lo those
// of the next eight bytes (zero-padded), so that strings of up to 16 bytes are compared
// without reading s, which lives in the arena, another cache line (see hasStr).
type instr struct {
	kind       opKind
	loOp, hiOp uint8
	exists     int8  // first instr of a condition: +1 exists:true, -1 exists:false, 0 values
	n          int32 // first instr of a condition: the length of its run
	path       int32 // first instr of a condition: its path id
	aux        int32 // wildcard or cidr index; anything-but: the number of sub-instrs
	s          string
	lo, hi     float64
}

// Kinds of instrs that are not match values.
const (
	opBranch opKind = 254 // a branch header
	opExists opKind = 255 // the single instr of an exists condition
)

// emitter appends branches to an index's program.
type emitter struct {
	ix    *index
	arena strings.Builder
	strs  []strRef // strings to point into the arena once it is complete
}

type strRef struct {
	at       int // index in ix.prog
	off, len int
}

// branch appends the header and conditions of branch b and returns its offset.
func (e *emitter) branch(b *bbranch) int32 {
	off := int32(len(e.ix.prog))
	e.ix.prog = append(e.ix.prog, instr{kind: opBranch, path: b.pat})
	if b.cons {
		e.ix.prog[off].aux = 1
	}
	for _, c := range b.conds {
		e.cond(c.c, c.path)
	}
	e.ix.prog[off].n = int32(len(e.ix.prog)) - off
	return off
}

// cond appends condition c at path p.
func (e *emitter) cond(c *cond, p int32) {
	start := len(e.ix.prog)
	if c.exists != 0 {
		e.ix.prog = append(e.ix.prog, instr{kind: opExists})
	}
	for i := range c.ops {
		e.op(&c.ops[i])
	}
	head := &e.ix.prog[start]
	head.exists, head.path, head.n = c.exists, p, int32(len(e.ix.prog)-start)
}

func (e *emitter) op(o *op) {
	in := instr{kind: o.kind, loOp: o.loOp, hiOp: o.hiOp, lo: o.lo, hi: o.hi}
	switch o.kind {
	case opWildcard:
		in.aux = int32(len(e.ix.wilds))
		e.ix.wilds = append(e.ix.wilds, o.w)
	case opCIDR:
		in.aux = int32(len(e.ix.cidrs))
		e.ix.cidrs = append(e.ix.cidrs, o.c)
	case opAnythingBut:
		in.aux = int32(len(o.not))
	}
	switch o.kind {
	case opStr, opPrefix, opSuffix:
		in.hi = math.Float64frombits(head8([]byte(o.s)))
		if len(o.s) > 8 {
			in.lo = math.Float64frombits(head8([]byte(o.s[8:min(len(o.s), 16)])))
		}
	}
	if o.s != "" {
		e.strs = append(e.strs, strRef{at: len(e.ix.prog), off: e.arena.Len(), len: len(o.s)})
		e.arena.WriteString(o.s)
	}
	e.ix.prog = append(e.ix.prog, in)
	for i := range o.not {
		e.op(&o.not[i])
	}
}

// finish points the program's strings into the arena.
func (e *emitter) finish() {
	arena := e.arena.String()
	for _, r := range e.strs {
		e.ix.prog[r.at].s = arena[r.off : r.off+r.len]
	}
}

// strHead returns head8(o.s) of an opStr, opPrefix or opSuffix instr.
func (o *instr) strHead() uint64 { return math.Float64bits(o.hi) }

// strNext returns bytes 8 to 15 of o.s (zero-padded) of an opStr, opPrefix or opSuffix instr.
func (o *instr) strNext() uint64 { return math.Float64bits(o.lo) }

// hasStr reports whether v, at least as long as o.s, starts with o.s (o an opStr, opPrefix
// or opSuffix instr): the words in the instr decide strings of up to 16 bytes.
func (o *instr) hasStr(v []byte) bool {
	k := len(o.s)
	if word(v, 0, min(k, 8)) != o.strHead() {
		return false
	}
	switch {
	case k <= 8:
		return true
	case k <= 16:
		return word(v, 8, k) == o.strNext()
	}
	return string(v[:k]) == o.s
}

// word returns v[from:to] (at most eight bytes) as a zero-padded little-endian word, in one
// load when the capacity of v extends eight bytes from from: the bytes beyond to are masked
// off. (An event string recorded in place has the rest of the event as its capacity.)
func word(v []byte, from, to int) uint64 {
	if from+8 <= cap(v) {
		return binary.LittleEndian.Uint64(v[from:from+8]) & (1<<(8*uint(to-from)) - 1)
	}
	return head8(v[from:to])
}
