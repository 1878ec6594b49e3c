package pattern

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Building an index: intern the paths of all conditions into the trie, choose for every
// branch the anchor that will bring it up as a candidate, and lay the branches out as a
// compact program.
//
// An anchor is one indexable condition (exact values, prefixes, suffixes, case-insensitive
// variants, wildcards with a literal end, numeric equality), under each of whose values the
// branch is posted, or a pair of exact conditions on two paths, posted under the combined
// keys. The cheapest anchor wins, the cost being how many branches share its keys: that
// estimates how many candidates it brings. Branches without an indexable condition are
// checked whenever the event has a field at the path of one of their presence-requiring
// conditions, and branches of exists:false conditions only are checked for every event.

// bbranch is a branch while building.
type bbranch struct {
	pat   int32
	conds []bcond
	cons  bool
}

type bcond struct {
	path     int32
	c        *cond
	keys     []anchor // its anchors; nil when it cannot be indexed
	hashOnly bool     // every key is an exact key usable in pair anchors
}

// anchor is one key under which a branch can be posted.
type anchor struct {
	kind int    // kStr… for hash anchors; 0 for radix anchors
	rk   opKind // radix anchors: opPrefix, opSuffix, opFoldPrefix or opFoldSuffix
	path int32
	s    string
	key  uint64 // the table key of a hash anchor; an identity for a radix anchor
}

// maxPairCombos bounds the keys of a pair anchor (values of one condition × the other).
const maxPairCombos = 16

// build compiles the patterns of a matcher into an index.
func build(pats []added) *index {
	pats = slices.Clone(pats)
	slices.SortStableFunc(pats, func(a, b added) int { return cmp.Compare(a.id, b.id) })
	ix := &index{seed: maphash.MakeSeed(), trie: []tnode{{path: -1}}}
	kids := map[trieEdge]int32{}
	var bs []bbranch
	pathRefs := map[int32]int{}
	for pi, a := range pats {
		ix.ids = append(ix.ids, a.id)
		for _, conj := range a.p.branches {
			b := bbranch{pat: int32(pi), cons: needsConsistency(conj)}
			for ci := range conj {
				p := ix.intern(conj[ci].path, kids)
				keys, hashOnly := ix.anchors(&conj[ci], p)
				b.conds = append(b.conds, bcond{path: p, c: &conj[ci], keys: keys, hashOnly: hashOnly})
				pathRefs[p]++
			}
			bs = append(bs, b)
		}
	}
	hashed := map[uint64][]int32{}
	ix.placeAnchors(bs, pathRefs, hashed)
	e := &emitter{ix: ix}
	offs := make([]int32, len(bs)) // branch number → program offset
	for i := range bs {
		offs[i] = e.branch(&bs[i])
	}
	e.finish()
	ix.nbranch = len(bs)
	ix.renumber(offs, hashed)
	ix.fillTable(hashed)
	for i := range ix.trie {
		ix.trie[i].finish()
	}
	ix.pool.New = func() any { return newScratch(ix) }
	return ix
}

// finish builds the lookup table of a node's keys.
func (n *tnode) finish() {
	if len(n.keys) == 0 {
		return
	}
	size, shift := 4, uint8(62)
	for size < 2*len(n.keys) {
		size, shift = size*2, shift-1
	}
	n.tab, n.shift = make([]tslot, size), shift
	for i, k := range n.keys {
		n.odd = n.odd || strings.ContainsRune(k, utf8.RuneError) || !utf8.ValidString(k)
		h := head8([]byte(k))
		j := keyHash(h, len(k), shift)
		for n.tab[j].n != 0 {
			j = (j + 1) & uint64(size-1)
		}
		n.tab[j] = tslot{head: h, n: int32(len(k) + 1), kid: n.kids[i]}
		if len(k) > 8 {
			if n.long == nil {
				n.long = make([]string, size)
			}
			n.long[j] = k
		}
	}
}

// trieEdge names a child of a trie node while building.
type trieEdge struct {
	parent int32
	key    string
}

// intern returns the path id of path, adding trie nodes as needed.
func (ix *index) intern(path []string, kids map[trieEdge]int32) int32 {
	n := int32(0)
	for _, k := range path {
		c, ok := kids[trieEdge{n, k}]
		if !ok {
			c = int32(len(ix.trie))
			ix.trie = append(ix.trie, tnode{path: -1})
			ix.trie[n].keys = append(ix.trie[n].keys, k)
			ix.trie[n].kids = append(ix.trie[n].kids, c)
			kids[trieEdge{n, k}] = c
		}
		n = c
	}
	if ix.trie[n].path < 0 {
		ix.trie[n].path = int32(len(ix.paths))
		ix.paths = append(ix.paths, pathInfo{})
	}
	return ix.trie[n].path
}

// anchors returns the keys under which a branch can be found if cd (at path p) is its
// anchor, or nil when some value of cd cannot be indexed; hashOnly says all are exact keys.
func (ix *index) anchors(cd *cond, p int32) (as []anchor, hashOnly bool) {
	if cd.exists != 0 {
		return nil, false
	}
	hashOnly = true
	for i := range cd.ops {
		o := &cd.ops[i]
		a := anchor{path: p}
		switch o.kind {
		case opStr:
			a.kind, a.s = kStr, o.s
		case opNum:
			a.kind = kNum
			a.key = hashKey(kNum, p, numHash(o.lo))
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
			a.kind = kNum
			a.key = hashKey(kNum, p, numHash(o.lo))
		case opWildcard:
			w := o.w.parts
			first, last := string(w[0]), string(w[len(w)-1])
			switch {
			case len(w) == 1:
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
		switch a.kind {
		case kStr, kFoldEq:
			a.key = hashKey(a.kind, p, maphash.String(ix.seed, a.s))
		case kTrue, kFalse, kNull:
			a.key = hashKey(a.kind, p, 0)
		case 0:
			a.key = hashKey(100+int(a.rk), p, maphash.String(ix.seed, a.s))
		}
		hashOnly = hashOnly && a.kind != 0 && a.kind != kFoldEq
		as = append(as, a)
	}
	return as, hashOnly
}

// cost estimates how many candidates an anchor brings: the number of branches sharing it,
// weighted up for anchors that many values satisfy (short prefixes, booleans).
func (a anchor) cost(freq map[uint64]int) float64 {
	w := 1.0
	switch {
	case a.kind == kTrue || a.kind == kFalse || a.kind == kNull:
		w = 8
	case a.kind == kFoldEq:
		w = 1.2
	case a.kind == 0:
		w = 1 + 16/float64(1+len(a.s))
	}
	return float64(freq[a.key]) * w
}

// pairKeys returns the combined keys of a pair anchor on conditions x and y, or nil when
// they cannot form one.
func pairKeys(x, y *bcond) []uint64 {
	if !x.hashOnly || !y.hashOnly || x.path == y.path || len(x.keys)*len(y.keys) > maxPairCombos {
		return nil
	}
	if x.path > y.path {
		x, y = y, x
	}
	ks := make([]uint64, 0, len(x.keys)*len(y.keys))
	for _, a := range x.keys {
		for _, b := range y.keys {
			ks = append(ks, pairKey(a.key, b.key))
		}
	}
	return ks
}

// placeAnchors chooses every branch's anchor, fills the radix tries, presence and always
// lists and the hash postings, and orders each branch's conditions for verification:
// exists:false first, the anchor last (it usually holds, being why the branch came up).
func (ix *index) placeAnchors(bs []bbranch, pathRefs map[int32]int, hashed map[uint64][]int32) {
	freq, pairFreq := map[uint64]int{}, map[uint64]int{}
	for _, b := range bs {
		for i := range b.conds {
			for _, a := range b.conds[i].keys {
				freq[a.key]++
			}
			for j := i + 1; j < len(b.conds); j++ {
				for _, k := range pairKeys(&b.conds[i], &b.conds[j]) {
					pairFreq[k]++
				}
			}
		}
	}
	for bi := range bs {
		b := &bs[bi]
		best, bestCost := -1, math.Inf(1)
		for ci := range b.conds {
			if b.conds[ci].keys == nil {
				continue
			}
			c := 0.0
			for _, a := range b.conds[ci].keys {
				c += a.cost(freq)
			}
			if c < bestCost {
				best, bestCost = ci, c
			}
		}
		px, py, pairCost := -1, -1, math.Inf(1)
		for i := range b.conds {
			for j := i + 1; j < len(b.conds); j++ {
				if ks := pairKeys(&b.conds[i], &b.conds[j]); ks != nil {
					c := 0.0
					for _, k := range ks {
						c += float64(pairFreq[k])
					}
					if c < pairCost {
						px, py, pairCost = i, j, c
					}
				}
			}
		}
		switch {
		case px >= 0 && 2*pairCost < bestCost:
			x, y := &b.conds[px], &b.conds[py]
			for _, k := range pairKeys(x, y) {
				hashed[k] = append(hashed[k], int32(bi))
			}
			lo, hi := x.path, y.path
			if lo > hi {
				lo, hi = hi, lo
			}
			ix.paths[lo].inPair, ix.paths[hi].inPair = true, true
			if !slices.Contains(ix.paths[lo].partners, hi) {
				ix.paths[lo].partners = append(ix.paths[lo].partners, hi)
			}
			orderConds(b.conds, px, py)
		case best >= 0:
			for _, a := range b.conds[best].keys {
				ix.post(hashed, a, int32(bi))
			}
			orderConds(b.conds, best, -1)
		default:
			ix.placeUnindexed(b, int32(bi), pathRefs)
		}
	}
}

// placeUnindexed puts a branch without indexable conditions on the presence list of its
// least referenced presence-requiring path, or on the always list.
func (ix *index) placeUnindexed(b *bbranch, bi int32, pathRefs map[int32]int) {
	presence, refs := -1, math.MaxInt
	for ci, c := range b.conds {
		if c.c.exists >= 0 && pathRefs[c.path] < refs {
			presence, refs = ci, pathRefs[c.path]
		}
	}
	if presence < 0 {
		ix.always = append(ix.always, bi)
		orderConds(b.conds, -1, -1)
		return
	}
	p := &ix.paths[b.conds[presence].path]
	p.presence = append(p.presence, bi)
	orderConds(b.conds, presence, -1)
}

// renumber replaces the branch numbers in all postings by program offsets.
func (ix *index) renumber(offs []int32, hashed map[uint64][]int32) {
	re := func(bs []int32) {
		for i, b := range bs {
			bs[i] = offs[b]
		}
	}
	for _, bs := range hashed {
		re(bs)
	}
	re(ix.always)
	for i := range ix.paths {
		p := &ix.paths[i]
		re(p.presence)
		for _, r := range []*radix{p.prefix, p.suffix, p.foldPrefix, p.foldSuffix} {
			if r != nil {
				for j := range r.nodes {
					re(r.nodes[j].post)
				}
			}
		}
	}
}

// post records branch b under anchor a.
func (ix *index) post(hashed map[uint64][]int32, a anchor, b int32) {
	p := &ix.paths[a.path]
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
	case kFoldEq:
		p.foldEq = true
	case kNum:
		p.num = true
	default:
		p.lit = true
	}
	hashed[a.key] = append(hashed[a.key], b)
}

// fillTable lays the hash postings out in an open-addressing table at most half full, and
// fills the Bloom filter in front of it (at least 32 bits per key, two bits in one word per
// key: about 0.5% false positives).
func (ix *index) fillTable(hashed map[uint64][]int32) {
	size := 8
	for size < 2*len(hashed) {
		size *= 2
	}
	ix.slots = make([]slot, size)
	ix.bloom = make([]uint64, size/4)
	mask := uint64(size - 1)
	for k, bs := range hashed {
		i := k & mask
		for ix.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		if len(bs) == 1 {
			ix.slots[i] = slot{key: k, off: bs[0], n: 1}
		} else {
			ix.slots[i] = slot{key: k, off: int32(len(ix.postings)), n: int32(len(bs))}
			ix.postings = append(ix.postings, bs...)
		}
		w, m := ix.bloomBits(k)
		ix.bloom[w] |= m
	}
}

// orderConds sorts exists:false conditions first and the anchor conditions a and b (-1 for
// none) last.
func orderConds(cs []bcond, a, b int) {
	rank := func(i int) int {
		switch {
		case i == a || i == b:
			return 3
		case cs[i].c.exists < 0:
			return 0
		case cs[i].c.exists > 0:
			return 2
		}
		return 1
	}
	ranks := make([]int, len(cs))
	for i := range cs {
		ranks[i] = rank(i)
	}
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(ranks[x], ranks[y]) })
	sorted := make([]bcond, len(cs))
	for i, j := range idx {
		sorted[i] = cs[j]
	}
	copy(cs, sorted)
}

// needsConsistency reports whether two conditions of a conjunction could be satisfied from
// one event array (and must then use the same element): their paths share at least a first
// key and each goes deeper than that shared part, where an array of objects could stand.
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
