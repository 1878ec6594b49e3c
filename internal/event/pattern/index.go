package pattern

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"
	"sync"
)

// Kinds of hash-index keys (exact-value anchors).
const (
	kStr = iota + 1
	kNum
	kTrue
	kFalse
	kNull
	kFoldEq
)

// index is the immutable matching structure a Matcher builds from its patterns.
type index struct {
	ids      []int      // pattern ids, ascending; branches refer to positions here
	trie     []tnode    // the path trie; node 0 is the event root
	paths    []pathInfo // by path id
	branches []mbranch
	always   []int32 // branches with only exists:false conditions: checked for every event
	slots    []slot  // open-addressing hash table of exact anchors
	postings []int32
	seed     maphash.Seed
	pool     sync.Pool
}

// tnode is a node of the path trie: the children by object key, and the path id when some
// condition addresses this path.
type tnode struct {
	path int32
	keys []string
	kids []int32
	big  map[string]int32 // replaces keys/kids when there are many children
}

// pathInfo says which anchors exist for one path.
type pathInfo struct {
	exact, num, lit, foldEq bool   // hash-table anchors of these kinds exist
	prefix, suffix          *radix // string prefix/suffix anchors
	foldPrefix, foldSuffix  *radix // the same, ignoring case
	presence                []int32
}

func (p *pathInfo) needFold() bool {
	return p.foldEq || p.foldPrefix != nil || p.foldSuffix != nil
}

// mbranch is one conjunction of one pattern, as the index sees it.
type mbranch struct {
	pat   int32 // position in index.ids
	conds []mcond
	cons  bool // two of its conditions may lie in the same event array
}

type mcond struct {
	path int32
	c    *cond
}

type slot struct {
	key    uint64
	off, n int32
}

// hashKey mixes a value hash with the kind and path of an anchor. Zero marks empty slots.
func hashKey(kind int, path int32, h uint64) uint64 {
	k := h ^ (uint64(path)<<8|uint64(kind))*0x9E3779B97F4A7C15
	k ^= k >> 29
	k *= 0xBF58476D1CE4E5B9
	k ^= k >> 32
	if k == 0 {
		k = 1
	}
	return k
}

// numHash is the value hash of a number anchor.
func numHash(f float64) uint64 { return floatKey(f) * 0x94D049BB133111EB }

// lookup returns the postings of key, or nil.
func (ix *index) lookup(key uint64) []int32 {
	mask := uint64(len(ix.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &ix.slots[i]
		if s.key == key {
			return ix.postings[s.off : s.off+s.n]
		}
		if s.key == 0 {
			return nil
		}
	}
}

// child returns the trie child of node n for key, or -1.
func (ix *index) child(n *tnode, key []byte) int32 {
	if n.big != nil {
		if c, ok := n.big[string(key)]; ok {
			return c
		}
		return -1
	}
	for i, k := range n.keys {
		if k == string(key) {
			return n.kids[i]
		}
	}
	return -1
}

// anchor is an indexable key of a condition.
type anchor struct {
	kind int // kStr… for hash anchors; 0 with rk set for radix anchors
	rk   opKind
	path int32
	s    string
	f    float64
}

// anchors returns the keys under which a branch can be found if cd is its anchor, or ok
// false when some value of cd cannot be indexed.
func anchors(cd *cond, path int32) (as []anchor, ok bool) {
	if cd.exists != 0 {
		return nil, false
	}
	for i := range cd.ops {
		o := &cd.ops[i]
		a := anchor{path: path}
		switch o.kind {
		case opStr:
			a.kind, a.s = kStr, o.s
		case opNum:
			a.kind, a.f = kNum, o.lo
		case opTrue:
			a.kind = kTrue
		case opFalse:
			a.kind = kFalse
		case opNull:
			a.kind = kNull
		case opFoldEq:
			a.kind, a.s = kFoldEq, o.s
		case opPrefix, opSuffix, opFoldPrefix, opFoldSuffix:
			a.rk, a.s = o.kind, o.s
		case opNumeric:
			if o.loOp != boundClosed || o.hiOp != boundClosed || o.lo != o.hi {
				return nil, false
			}
			a.kind, a.f = kNum, o.lo
		case opWildcard:
			p := o.w.parts
			first, last := string(p[0]), string(p[len(p)-1])
			switch {
			case len(p) == 1:
				a.kind, a.s = kStr, first
			case first != "" && len(first) >= len(last):
				a.rk, a.s = opPrefix, first
			case last != "":
				a.rk, a.s = opSuffix, last
			default:
				return nil, false
			}
		default:
			return nil, false
		}
		as = append(as, a)
	}
	return as, true
}

// cost estimates how many candidates an anchor brings: the number of branches sharing it,
// weighted up for anchors that many values satisfy (short prefixes, booleans).
func (a anchor) cost(freq map[anchor]int) float64 {
	w := 1.0
	switch {
	case a.kind == kTrue || a.kind == kFalse || a.kind == kNull:
		w = 8
	case a.kind == kFoldEq:
		w = 1.2
	case a.kind == 0:
		w = 1 + 16/float64(1+len(a.s))
	}
	return float64(freq[a]) * w
}

// build compiles the patterns of a matcher into an index.
func build(pats []added) *index {
	pats = slices.Clone(pats)
	slices.SortStableFunc(pats, func(a, b added) int { return cmp.Compare(a.id, b.id) })
	ix := &index{seed: maphash.MakeSeed(), trie: []tnode{{path: -1}}}
	pathRefs := map[int32]int{}
	for pi, a := range pats {
		ix.ids = append(ix.ids, a.id)
		for _, conj := range a.p.branches {
			b := mbranch{pat: int32(pi)}
			for ci := range conj {
				p := ix.intern(conj[ci].path)
				b.conds = append(b.conds, mcond{path: p, c: &conj[ci]})
				pathRefs[p]++
			}
			b.cons = needsConsistency(conj)
			ix.branches = append(ix.branches, b)
		}
	}
	ix.placeAnchors(pathRefs)
	for i := range ix.trie {
		if n := &ix.trie[i]; len(n.keys) > 8 {
			n.big = make(map[string]int32, len(n.keys))
			for j, k := range n.keys {
				n.big[k] = n.kids[j]
			}
			n.keys, n.kids = nil, nil
		}
	}
	ix.pool.New = func() any { return newScratch(ix) }
	return ix
}

// intern returns the path id of path, adding trie nodes as needed.
func (ix *index) intern(path []string) int32 {
	n := int32(0)
	for _, k := range path {
		c := int32(-1)
		for i, kk := range ix.trie[n].keys {
			if kk == k {
				c = ix.trie[n].kids[i]
				break
			}
		}
		if c < 0 {
			c = int32(len(ix.trie))
			ix.trie = append(ix.trie, tnode{path: -1})
			ix.trie[n].keys = append(ix.trie[n].keys, k)
			ix.trie[n].kids = append(ix.trie[n].kids, c)
		}
		n = c
	}
	if ix.trie[n].path < 0 {
		ix.trie[n].path = int32(len(ix.paths))
		ix.paths = append(ix.paths, pathInfo{})
	}
	return ix.trie[n].path
}

// needsConsistency reports whether two conditions of a conjunction could be satisfied from
// one event array (they then must use the same element): their paths share a first key and
// both go at least one key deeper than what they share… up to the array.
func needsConsistency(conj []cond) bool {
	for i := range conj {
		for j := i + 1; j < len(conj); j++ {
			p, q := conj[i].path, conj[j].path
			if conj[i].exists < 0 || conj[j].exists < 0 {
				continue
			}
			lcp := 0
			for lcp < len(p) && lcp < len(q) && p[lcp] == q[lcp] {
				lcp++
			}
			if min(lcp, len(p)-1, len(q)-1) >= 1 {
				return true
			}
		}
	}
	return false
}

// placeAnchors chooses for every branch the condition to index it by and fills the hash
// table, the radix tries and the presence and always lists. It also orders each branch's
// conditions for verification: exists:false first, the anchor last.
func (ix *index) placeAnchors(pathRefs map[int32]int) {
	freq := map[anchor]int{}
	for bi := range ix.branches {
		for _, mc := range ix.branches[bi].conds {
			as, _ := anchors(mc.c, mc.path)
			for _, a := range as {
				freq[a]++
			}
		}
	}
	hashed := map[uint64][]int32{}
	for bi := range ix.branches {
		b := &ix.branches[bi]
		best, bestCost := -1, math.Inf(1)
		var bestAs []anchor
		presence, presenceRefs := -1, math.MaxInt
		for ci, mc := range b.conds {
			if as, ok := anchors(mc.c, mc.path); ok {
				c := 0.0
				for _, a := range as {
					c += a.cost(freq)
				}
				if c < bestCost {
					best, bestCost, bestAs = ci, c, as
				}
			}
			if mc.c.exists >= 0 && pathRefs[mc.path] < presenceRefs {
				presence, presenceRefs = ci, pathRefs[mc.path]
			}
		}
		last := -1
		switch {
		case best >= 0:
			last = best
			for _, a := range bestAs {
				ix.post(hashed, a, int32(bi))
			}
		case presence >= 0:
			last = presence
			p := &ix.paths[b.conds[presence].path]
			p.presence = append(p.presence, int32(bi))
		default:
			ix.always = append(ix.always, int32(bi))
		}
		orderConds(b.conds, last)
	}
	ix.fillTable(hashed)
}

// post records branch b under anchor a.
func (ix *index) post(hashed map[uint64][]int32, a anchor, b int32) {
	p := &ix.paths[a.path]
	var h uint64
	switch a.kind {
	case 0:
		var r **radix
		key := a.s
		switch a.rk {
		case opPrefix:
			r = &p.prefix
		case opSuffix:
			r, key = &p.suffix, reverse(a.s)
		case opFoldPrefix:
			r = &p.foldPrefix
		case opFoldSuffix:
			r, key = &p.foldSuffix, reverse(a.s)
		}
		if *r == nil {
			*r = newRadix()
		}
		(*r).insert(key, b)
		return
	case kStr:
		p.exact = true
		h = maphash.String(ix.seed, a.s)
	case kFoldEq:
		p.foldEq = true
		h = maphash.String(ix.seed, a.s)
	case kNum:
		p.num = true
		h = numHash(a.f)
	default:
		p.lit = true
	}
	k := hashKey(a.kind, a.path, h)
	hashed[k] = append(hashed[k], b)
}

// fillTable lays the hash anchors out in an open-addressing table at most half full.
func (ix *index) fillTable(hashed map[uint64][]int32) {
	size := 8
	for size < 2*len(hashed) {
		size *= 2
	}
	ix.slots = make([]slot, size)
	mask := uint64(size - 1)
	for k, bs := range hashed {
		i := k & mask
		for ix.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		ix.slots[i] = slot{key: k, off: int32(len(ix.postings)), n: int32(len(bs))}
		ix.postings = append(ix.postings, bs...)
	}
}

// orderConds puts exists:false conditions first and the anchor condition (already known to
// hold for most candidates) last.
func orderConds(cs []mcond, anchor int) {
	rest := cs
	if anchor >= 0 {
		cs[anchor], cs[len(cs)-1] = cs[len(cs)-1], cs[anchor]
		rest = cs[:len(cs)-1]
	}
	slices.SortStableFunc(rest, func(a, b mcond) int { return cmp.Compare(a.c.exists, b.c.exists) })
}

// maphashBytes is the value hash of a string anchor.
func maphashBytes(ix *index, b []byte) uint64 { return maphash.Bytes(ix.seed, b) }
