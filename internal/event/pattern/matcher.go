package pattern

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Matcher matches one event against many patterns at once. Build it with Add; from the first
// Match on it is used as immutable and is safe for concurrent Match calls, which allocate
// nothing in the steady state. Adding after matching is allowed but must not overlap with
// Match calls; the index is then rebuilt on the next Match.
type Matcher struct {
	mu    sync.Mutex
	pats  []added
	built atomic.Pointer[index]
}

type added struct {
	id int
	p  *Pattern
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher { return &Matcher{} }

// Add adds pattern p (not nil) under id. Ids must be unique (the caller's responsibility).
func (m *Matcher) Add(id int, p *Pattern) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pats = append(m.pats, added{id: id, p: p})
	m.built.Store(nil)
}

// Len returns the number of patterns added.
func (m *Matcher) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pats)
}

// index returns the built index, building it on first use.
func (m *Matcher) index() *index {
	if ix := m.built.Load(); ix != nil {
		return ix
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ix := m.built.Load()
	if ix == nil {
		ix = build(m.pats)
		m.built.Store(ix)
	}
	return ix
}

// Match appends to dst the ids of all patterns the event (a raw JSON object) matches, each
// once, in ascending id order, and returns it. The error is an *Error when the event is not
// valid JSON or not an object.
func (m *Matcher) Match(event []byte, dst []int) ([]int, error) { return m.match(event, dst, false) }

// MatchValid is Match for an event already known to be valid: one that was checked (by
// json.Valid, or by an earlier decoding) or that a JSON encoder wrote. For any event Match
// accepts it returns the same ids, faster: the members no condition looks at are only
// delimited, not validated. For other input its result is unspecified (an error or some
// ids), but it stays memory-safe and terminates.
func (m *Matcher) MatchValid(event []byte, dst []int) ([]int, error) {
	return m.match(event, dst, true)
}

func (m *Matcher) match(event []byte, dst []int, valid bool) ([]int, error) {
	ix := m.index()
	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	s.valid = valid
	if !s.reset(event) {
		return dst, newError(event, s.errAt, "", eventPrefix+s.errMsg)
	}
	s.collect()
	s.touch()
	last := int32(-1) // the pattern of the last matching branch (a pattern's branches are adjacent)
	for _, off := range s.cands {
		if pat := ix.prog[off].path; pat != last && s.verify(off) {
			s.matched = append(s.matched, pat)
			last = pat
		}
	}
	slices.Sort(s.matched)
	for _, p := range slices.Compact(s.matched) {
		dst = append(dst, ix.ids[p])
	}
	return dst, nil
}

// scratch is the per-call working memory of Match, pooled per index.
type scratch struct {
	ix *index

	// event scanning
	b        []byte
	valid    bool                       // the event is known to be valid JSON (MatchValid)
	open     [maxEventDepth / 64]uint64 // skipContainer's stack of open containers beyond 64
	errAt    int
	errMsg   string
	kbuf     []byte // an unescaped member name
	buf      []byte // unescaped and folded strings
	fields   []field
	trail    []trailEnt
	pend     []trailEnt
	seen     []seenEnt
	stamp    []uint32 // by trie node: the stamp of the object where the key was last seen
	objGen   uint32   // the last object stamp
	nArrays  int32
	anyTrail bool

	// matching
	gen      uint32 // per-event generation: pathHead[p] is valid when pathGen[p] == gen
	pathGen  []uint32
	pathHead []int32
	keys     []uint64 // hash keys queued for probeAll
	cands    []int32  // program offsets of the candidate branches
	matched  []int32  // positions in ix.ids
	sink     int32    // keeps the loads of touch and probeAll alive

	// array consistency
	cl    []int32 // field lists
	spans []span
}

func newScratch(ix *index) *scratch {
	return &scratch{ix: ix, stamp: make([]uint32, len(ix.trie)), pathGen: make([]uint32, len(ix.paths)), pathHead: make([]int32, len(ix.paths))}
}

// reset starts a new event: it scans it and links the fields of each path.
func (s *scratch) reset(event []byte) bool {
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could collide
		clear(s.pathGen)
		s.gen = 1
	}
	s.buf, s.fields, s.trail, s.pend, s.seen = s.buf[:0], s.fields[:0], s.trail[:0], s.pend[:0], s.seen[:0]
	s.cands, s.matched, s.keys = s.cands[:0], s.matched[:0], s.keys[:0]
	s.nArrays, s.anyTrail = 0, false
	ok := s.scan(event)
	s.b = nil
	if !ok {
		return false
	}
	for i := len(s.fields) - 1; i >= 0; i-- {
		f := &s.fields[i]
		if f.path < 0 {
			continue
		}
		if s.pathGen[f.path] != s.gen {
			s.pathGen[f.path] = s.gen
			s.pathHead[f.path] = -1
		}
		f.next = s.pathHead[f.path]
		s.pathHead[f.path] = int32(i)
	}
	return true
}

// head returns the first field at path p, or -1.
func (s *scratch) head(p int32) int32 {
	if s.pathGen[p] != s.gen {
		return -1
	}
	return s.pathHead[p]
}

// touch loads the first program line of every candidate before any is verified: with no
// branch depending on the loaded values, the CPU overlaps these cache misses instead of
// taking them one after the other inside verification. (Loading every line of every
// candidate, and the arena bytes of its long strings, was tried: it seemed to help at
// 100k patterns and to cost at 10k, most candidates failing in their first line.)
func (s *scratch) touch() {
	var sum int32
	for _, off := range s.cands {
		sum += s.ix.prog[off].n
	}
	s.sink = sum
}

// addBranch adds the branch at program offset off to the candidates.
func (s *scratch) addBranch(off int32) { s.cands = append(s.cands, off) }

// addBranches adds the branches bs to the candidates.
func (s *scratch) addBranches(bs []int32) { s.cands = append(s.cands, bs...) }

// collect gathers the candidate branches: those an anchor of the event's fields points to,
// those whose presence path the event has, and those always checked.
func (s *scratch) collect() {
	ix := s.ix
	pairs := false
	for i := range s.fields {
		f := &s.fields[i]
		if f.path < 0 {
			continue
		}
		p := &ix.paths[f.path]
		if p.presence != nil && s.pathHead[f.path] == int32(i) {
			s.addBranches(p.presence)
		}
		if p.needKey() {
			f.key = s.key(f)
			if p.exact && f.kind == fStr || p.num && f.kind == fNum || p.lit && f.kind >= fTrue {
				s.probe(f.key)
			}
			pairs = pairs || len(p.partners) > 0
		}
		if f.kind != fStr {
			continue
		}
		if p.prefix != nil {
			p.prefix.walkPrefix(f.val, s)
		}
		if p.suffix != nil {
			p.suffix.walkSuffix(f.val, s)
		}
		if p.needFold() {
			v := s.fold(f)
			if p.foldEq {
				s.probe(hashKey(kFoldEq, f.path, ix.strHash(v)))
			}
			if p.foldPrefix != nil {
				p.foldPrefix.walkPrefix(v, s)
			}
			if p.foldSuffix != nil {
				p.foldSuffix.walkSuffix(v, s)
			}
		}
	}
	if pairs {
		s.collectPairs()
	}
	s.probeAll()
	s.addBranches(ix.always)
	if len(s.cands) > 1 { // a branch may come up under several anchors
		slices.Sort(s.cands)
		s.cands = slices.Compact(s.cands)
	}
}

// collectPairs probes the pair anchors: the keys of each field combined with those of the
// fields of its path's partner paths.
func (s *scratch) collectPairs() {
	ix := s.ix
	for i := range s.fields {
		f := &s.fields[i]
		if f.path < 0 {
			continue
		}
		for _, q := range ix.paths[f.path].partners {
			for g := s.head(q); g >= 0; g = s.fields[g].next {
				s.probe(pairKey(f.key, s.fields[g].key))
			}
		}
	}
}

// key returns the exact hash key of field f, as anchors of its value have.
func (s *scratch) key(f *field) uint64 {
	switch f.kind {
	case fStr:
		return hashKey(kStr, f.path, s.ix.strHash(f.val))
	case fNum:
		return hashKey(kNum, f.path, numHash(f.num))
	case fTrue:
		return hashKey(kTrue, f.path, 0)
	case fFalse:
		return hashKey(kFalse, f.path, 0)
	}
	return hashKey(kNull, f.path, 0)
}

// fold returns the folded form of string field f, computing it once.
func (s *scratch) fold(f *field) []byte {
	if !f.folded {
		from := len(s.buf)
		s.buf = appendFold(s.buf, f.val)
		f.fold = s.buf[from:len(s.buf):len(s.buf)]
		f.folded = true
	}
	return f.fold
}
