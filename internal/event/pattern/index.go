package pattern

import (
	"hash/maphash"
	"sync"
)

// Kinds of hash-index keys.
const (
	kStr = iota + 1 // exact string
	kNum            // exact number
	kTrue
	kFalse
	kNull
	kFoldEq // string equal ignoring case
	kPair   // two exact keys of different paths, combined
)

// index is the immutable matching structure a Matcher builds from its patterns.
type index struct {
	ids      []int      // pattern ids, ascending; branches refer to positions here
	trie     []tnode    // the path trie; node 0 is the event root
	paths    []pathInfo // by path id
	branches []ibranch
	prog     []instr // the conditions of all branches, branch after branch
	wilds    []*wildcard
	cidrs    []*cidrBlock
	always   []int32 // branches with only exists:false conditions: checked for every event
	slots    []slot  // open-addressing hash table of exact and pair anchors
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
	exact, num, lit, foldEq bool    // hash-table anchors of these kinds exist
	prefix, suffix          *radix  // string prefix/suffix anchors
	foldPrefix, foldSuffix  *radix  // the same, ignoring case
	partners                []int32 // higher paths with which pair anchors combine this one's keys
	inPair                  bool    // the path is one side of some pair anchor
	presence                []int32 // branches to check whenever the path has a field
}

func (p *pathInfo) needFold() bool {
	return p.foldEq || p.foldPrefix != nil || p.foldSuffix != nil
}

// needKey reports whether fields at the path need their exact hash key.
func (p *pathInfo) needKey() bool {
	return p.exact || p.num || p.lit || p.inPair
}

// ibranch is one conjunction of one pattern: its conditions are prog[off:off+n].
type ibranch struct {
	pat  int32 // position in index.ids
	off  int32
	n    int32
	cons bool // two of its conditions may lie in the same event array
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

// pairKey combines the keys of two fields of different paths, the lower path id first.
func pairKey(a, b uint64) uint64 { return hashKey(kPair, 0, a*0x9E3779B97F4A7C15+b) }

// numHash is the value hash of a number anchor.
func numHash(f float64) uint64 { return floatKey(f) * 0x94D049BB133111EB }

// strHash is the value hash of a string anchor.
func (ix *index) strHash(b []byte) uint64 { return maphash.Bytes(ix.seed, b) }

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
