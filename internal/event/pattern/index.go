package pattern

import (
	"encoding/binary"
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
	ids      []int      // pattern ids, ascending; branch headers refer to positions here
	trie     []tnode    // the path trie; node 0 is the event root
	paths    []pathInfo // by path id
	nbranch  int
	prog     []instr // all branches, one after the other; a branch is named by its offset
	wilds    []*wildcard
	cidrs    []*cidrBlock
	always   []int32  // branches with only exists:false conditions: checked for every event
	slots    []slot   // open-addressing hash table of exact and pair anchors
	bloom    []uint64 // a Bloom filter of the table's keys, small enough to stay in cache
	postings []int32
	seed     maphash.Seed
	pool     sync.Pool
}

// tnode is a node of the path trie: the children by object key, and the path id when some
// condition addresses this path. Lookups go through tab, an open-addressing table at most
// half full, keyed by the head word and length of a key.
type tnode struct {
	path  int32
	keys  []string
	kids  []int32
	tab   []tslot  // nil when the node has no children
	long  []string // the keys of tab's slots that are longer than eight bytes, by slot
	shift uint8
	odd   bool // some key contains U+FFFD or is not valid UTF-8 (see scratch.childOf)
}

// tslot is an entry of a trie node's table: n is the key's length plus one (0 marks an empty
// slot) and head its head8; keys of up to eight bytes are decided by these alone.
type tslot struct {
	head uint64
	n    int32
	kid  int32
}

// keyHash hashes the head word and length of a key for a node's table.
func keyHash(h uint64, n int, shift uint8) uint64 {
	return ((h ^ uint64(n)) * 0x9E3779B97F4A7C15) >> shift
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

// slot is an entry of the hash table: n branches at postings[off:], or when n is 1 the
// branch off itself.
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

// bloomBits returns the filter word of key and the two bits it sets there. Both bits lie
// in one word, so a probe costs one load.
func (ix *index) bloomBits(key uint64) (w, bits uint64) {
	return (key >> 17) & uint64(len(ix.bloom)-1), 1<<(key>>40&63) | 1<<(key>>46&63)
}

// mayHave reports whether key may be in the hash table (false positives are possible).
func (ix *index) mayHave(key uint64) bool {
	w, m := ix.bloomBits(key)
	return ix.bloom[w]&m == m
}

// probe queues key for lookup by probeAll.
func (s *scratch) probe(key uint64) { s.keys = append(s.keys, key) }

// probeAll looks up the queued keys. It first loads the filter words of all of them, then
// the home slots of those that pass, each time with no branch depending on the loaded
// values, so that the CPU overlaps these cache misses instead of taking them one after
// the other.
func (s *scratch) probeAll() {
	ix := s.ix
	var sum uint64
	for _, key := range s.keys {
		w, _ := ix.bloomBits(key)
		sum += ix.bloom[w]
	}
	keys := s.keys[:0]
	for _, key := range s.keys {
		if ix.mayHave(key) {
			keys = append(keys, key)
		}
	}
	mask := uint64(len(ix.slots) - 1)
	for _, key := range keys {
		sum += ix.slots[key&mask].key
	}
	s.sink += int32(sum)
	for _, key := range keys {
		s.lookup(key)
	}
	s.keys = s.keys[:0]
}

// lookup adds the branches posted under key to the candidates.
func (s *scratch) lookup(key uint64) {
	ix := s.ix
	mask := uint64(len(ix.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		sl := &ix.slots[i]
		if sl.key == key {
			if sl.n == 1 {
				s.addBranch(sl.off)
			} else {
				s.addBranches(ix.postings[sl.off : sl.off+sl.n])
			}
			return
		}
		if sl.key == 0 {
			return
		}
	}
}

// head8 returns the first eight bytes of key (zero-padded) as a word.
func head8(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.LittleEndian.Uint64(key)
	}
	var h uint64
	for i := len(key) - 1; i >= 0; i-- {
		h = h<<8 | uint64(key[i])
	}
	return h
}

// child returns the trie child of node n for key, or -1.
func (ix *index) child(n *tnode, key []byte) int32 { return ix.childH(n, key, head8(key)) }

// childH is child with h == head8(key) already computed.
func (ix *index) childH(n *tnode, key []byte, h uint64) int32 {
	tab := n.tab
	if len(tab) == 0 {
		return -1
	}
	mask := uint64(len(tab) - 1)
	for j := keyHash(h, len(key), n.shift); ; j = (j + 1) & mask {
		sl := &tab[j]
		if sl.head == h && int(sl.n) == len(key)+1 && (len(key) <= 8 || n.long[j] == string(key)) {
			return sl.kid
		}
		if sl.n == 0 {
			return -1
		}
	}
}
